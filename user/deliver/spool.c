// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The on-disk spool of one network output (see spool.h for the layout).
 *
 * In memory the spool is the list of its segments (id, size, lines) and a
 * cursor. Invariant: the cursor is in the first segment (earlier ones are
 * deleted as soon as the cursor leaves them), `acked` is the number of
 * lines of the first segment before the cursor, and every segment file ends
 * with '\n' (or is empty), so line counts are exact.
 */
#include "deliver/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver/record.h"

#define SEG_PREFIX   "seg-"
#define SEG_SUFFIX   ".ndjson"
#define SEG_NAME_LEN (sizeof(SEG_PREFIX) - 1 + 16 + sizeof(SEG_SUFFIX) - 1)
#define CURSOR_FILE  "cursor"
#define CURSOR_TMP   "cursor.tmp"
#define LOCK_FILE    "lock"
/* "[-9223372036854775808,\"kind_up_to_15_c\",", ",\"HOST\",7]\n" */
#define LINE_OVERHEAD  (64 + SPOOL_HOST_MAX + 8)
#define LINE_MAX_BYTES (SPOOL_RECORD_MAX + LINE_OVERHEAD)
#define READ_CHUNK     65536

struct spool_seg {
	uint64_t id, size, lines;
};

/* A window of one segment file, for reading lines of any length boundedly. */
struct seg_reader {
	int fd;
	uint64_t seg;
	uint64_t base; /* file offset of buf[0] */
	size_t len;
	char buf[READ_CHUNK];
};

struct spool {
	pthread_mutex_t lock;
	char *dir;
	int dirfd, lockfd, active_fd; /* active_fd: the last segment, O_APPEND, or -1 */
	struct spool_seg *segs;
	size_t nsegs, cap;
	uint64_t next_id;
	struct spool_pos cursor;
	uint64_t acked; /* lines of segs[0] before the cursor */
	uint64_t total_bytes, pending;
	uint64_t max_bytes, segment_bytes;
	uint64_t corrupt;
	struct seg_reader rd;
	char *line; /* LINE_MAX_BYTES: the line being written or read */
};

/* ------------------------------------------------------------------ files */

static void seg_name(uint64_t id, char *buf, size_t len)
{
	snprintf(buf, len, SEG_PREFIX "%016" PRIu64 SEG_SUFFIX, id);
}

/* The id of a segment file name, or 0 when name is not one. */
static uint64_t seg_id_of(const char *name)
{
	uint64_t id = 0;
	size_t i;

	if (strlen(name) != SEG_NAME_LEN || strncmp(name, SEG_PREFIX, 4) ||
	    strcmp(name + 20, SEG_SUFFIX))
		return 0;
	for (i = 4; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		id = id * 10 + (uint64_t)(name[i] - '0');
	}
	return id;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int mkdir_parents(const char *dir)
{
	char path[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -errno;
		path[i] = dir[i];
	}
	return 0;
}

/* ------------------------------------------------------------------ cursor */

static int cursor_persist(struct spool *sp)
{
	char text[64];
	int fd, rc, len;

	len = snprintf(text, sizeof(text), "%" PRIu64 " %" PRIu64 "\n", sp->cursor.seg,
		       sp->cursor.off);
	fd = openat(sp->dirfd, CURSOR_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, text, (size_t)len);
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (!rc && renameat(sp->dirfd, CURSOR_TMP, sp->dirfd, CURSOR_FILE) != 0)
		rc = -errno;
	return rc;
}

static bool parse_u64(const char **s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*out = v;
	return true;
}

/* The saved cursor, or false when missing or not exactly "<seg> <off>\n". */
static bool cursor_load(struct spool *sp, struct spool_pos *pos)
{
	char text[64];
	const char *p = text;
	ssize_t n;
	int fd;

	fd = openat(sp->dirfd, CURSOR_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	if (!parse_u64(&p, &pos->seg) || *p++ != ' ' || !parse_u64(&p, &pos->off) ||
	    strcmp(p, "\n"))
		return false;
	return true;
}

/* ------------------------------------------------------------------ reading */

static void reader_close(struct seg_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->len = 0;
}

static int reader_use(struct spool *sp, uint64_t seg)
{
	char name[64];

	if (sp->rd.fd >= 0 && sp->rd.seg == seg)
		return 0;
	reader_close(&sp->rd);
	seg_name(seg, name, sizeof(name));
	sp->rd.fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (sp->rd.fd < 0)
		return -errno;
	sp->rd.seg = seg;
	return 0;
}

struct line_info {
	uint64_t len;	 /* bytes through the '\n' (or to the end of the segment) */
	size_t copied;	 /* bytes of it in the caller's buffer */
	bool terminated; /* ended with '\n' */
};

/*
 * Reads the line at off of the reader's segment (size bytes), copying at
 * most cap bytes of it into out. Any length is walked over in READ_CHUNK
 * windows, so a damaged segment costs time, never memory.
 */
static int read_line(struct seg_reader *r, uint64_t off, uint64_t size, char *out, size_t cap,
		     struct line_info *li)
{
	uint64_t pos = off;

	memset(li, 0, sizeof(*li));
	while (pos < size) {
		const char *p, *nl;
		size_t avail, take;

		if (pos < r->base || pos >= r->base + r->len) {
			uint64_t want = size - pos < READ_CHUNK ? size - pos : READ_CHUNK;
			ssize_t got = pread(r->fd, r->buf, (size_t)want, (off_t)pos);

			if (got <= 0)
				return got < 0 ? -errno : -EIO; /* shorter than we knew it */
			r->base = pos;
			r->len = (size_t)got;
		}
		p = r->buf + (pos - r->base);
		avail = (size_t)(r->base + r->len - pos);
		nl = memchr(p, '\n', avail);
		take = nl ? (size_t)(nl - p) + 1 : avail;
		if (li->copied < cap) {
			size_t c = take < cap - li->copied ? take : cap - li->copied;

			memcpy(out + li->copied, p, c);
			li->copied += c;
		}
		pos += take;
		if (nl) {
			li->terminated = true;
			break;
		}
	}
	li->len = pos - off;
	return 0;
}

/* A host as a spool line keeps it: no quote, backslash or control byte. */
static bool host_byte_ok(unsigned char ch)
{
	return ch >= 0x20 && ch != 0x7f && ch != '"' && ch != '\\';
}

/*
 * The ,"HOST",SEVERITY that ends a line's data [data, *end) — then *end
 * moves before it — or false (a line of the older form, whose RECORD, an
 * object, ends with '}').
 */
static bool parse_facts(const char *data, const char **end, struct spool_record *rec,
			const char **host, size_t *hostlen)
{
	const char *p = *end - 1, *q;

	if (p - data < 5 || *p < '0' || *p > '7' || p[-1] != ',' || p[-2] != '"')
		return false;
	for (q = p - 3; q > data && *q != '"'; q--)
		if (!host_byte_ok((unsigned char)*q))
			return false;
	if (q - data < 2 || *q != '"' || q[-1] != ',' || p - 2 - (q + 1) >= SPOOL_HOST_MAX)
		return false;
	rec->severity = *p - '0';
	*host = q + 1;
	*hostlen = (size_t)(p - 2 - *host);
	*end = q - 1;
	return true;
}

/* [TIME_NS,"KIND",RECORD(,"HOST",SEVERITY)]\n → rec (data pointing into
 * line); *host is NULL for a line of the older form. */
static bool parse_line(const char *line, size_t len, struct spool_record *rec, const char **host,
		       size_t *hostlen)
{
	const char *p = line + 1, *end = line + len, *k, *data_end;
	bool neg = false;
	uint64_t t;

	if (len < 8 || line[0] != '[' || end[-1] != '\n' || end[-2] != ']' ||
	    memchr(line, '\0', len))
		return false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (!parse_u64(&p, &t) || t > (uint64_t)INT64_MAX || *p++ != ',' || *p++ != '"')
		return false;
	rec->time_ns = neg ? -(int64_t)t : (int64_t)t;
	for (k = p; p < end && ((*p >= 'a' && *p <= 'z') || *p == '_'); p++)
		;
	/* The kind, '"', ',', at least one byte of record, "]\n". */
	if (p == k || p - k >= SPOOL_KIND_MAX || end - p < 5 || p[0] != '"' || p[1] != ',')
		return false;
	memcpy(rec->kind, k, (size_t)(p - k));
	rec->kind[p - k] = '\0';
	rec->data = p + 2;
	data_end = end - 2;
	*host = NULL;
	if (!parse_facts(rec->data, &data_end, rec, host, hostlen))
		rec->severity = -1;
	rec->len = (size_t)(data_end - rec->data);
	return rec->len > 0 && rec->len <= SPOOL_RECORD_MAX;
}

/* ------------------------------------------------------------------ segments */

static void seg_delete_first(struct spool *sp)
{
	char name[64];

	if (sp->rd.fd >= 0 && sp->rd.seg == sp->segs[0].id)
		reader_close(&sp->rd);
	if (sp->nsegs == 1 && sp->active_fd >= 0) {
		close(sp->active_fd);
		sp->active_fd = -1;
	}
	seg_name(sp->segs[0].id, name, sizeof(name));
	unlinkat(sp->dirfd, name, 0);
	sp->total_bytes -= sp->segs[0].size;
	sp->pending -= sp->segs[0].lines - sp->acked;
	memmove(sp->segs, sp->segs + 1, (sp->nsegs - 1) * sizeof(*sp->segs));
	sp->nsegs--;
	sp->acked = 0;
	sp->cursor.seg = sp->nsegs ? sp->segs[0].id : sp->next_id;
	sp->cursor.off = 0;
}

/* Segments the cursor has left behind are spent; the last one stays (it is
 * where appends go). */
static void trim_front(struct spool *sp)
{
	while (sp->nsegs > 1 && sp->cursor.off >= sp->segs[0].size)
		seg_delete_first(sp);
}

static int seg_push(struct spool *sp, uint64_t id, uint64_t size, uint64_t lines)
{
	if (sp->nsegs == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 8;
		struct spool_seg *s = realloc(sp->segs, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		sp->segs = s;
		sp->cap = cap;
	}
	sp->segs[sp->nsegs++] = (struct spool_seg){id, size, lines};
	sp->total_bytes += size;
	return 0;
}

/* Starts a new segment; the previous one is complete and already fsync'd. */
static int seg_roll(struct spool *sp)
{
	char name[64];
	int fd, rc;

	seg_name(sp->next_id, name, sizeof(name));
	fd = openat(sp->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = seg_push(sp, sp->next_id, 0, 0);
	if (rc) {
		close(fd);
		unlinkat(sp->dirfd, name, 0);
		return rc;
	}
	fsync(sp->dirfd); /* the new name survives a crash with its data */
	if (sp->active_fd >= 0)
		close(sp->active_fd);
	sp->active_fd = fd;
	if (sp->nsegs == 1) {
		sp->cursor.seg = sp->next_id;
		sp->cursor.off = 0;
		sp->acked = 0;
	}
	sp->next_id++;
	trim_front(sp);
	return 0;
}

static int active_open(struct spool *sp)
{
	char name[64];

	if (sp->active_fd >= 0 || !sp->nsegs)
		return 0;
	seg_name(sp->segs[sp->nsegs - 1].id, name, sizeof(name));
	sp->active_fd = openat(sp->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC);
	return sp->active_fd < 0 ? -errno : 0;
}

/* ------------------------------------------------------------------ recovery */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The ids of the segment files, sorted. */
static int list_segments(struct spool *sp, uint64_t **ids, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	int fd = dup(sp->dirfd);
	DIR *d;

	*ids = NULL;
	*n = 0;
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		uint64_t id = seg_id_of(de->d_name);

		if (!id)
			continue;
		if (*n == cap) {
			uint64_t *v = realloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!v) {
				closedir(d);
				return -ENOMEM;
			}
			*ids = v;
		}
		(*ids)[(*n)++] = id;
	}
	closedir(d);
	if (*n)
		qsort(*ids, *n, sizeof(**ids), cmp_u64);
	return 0;
}

/* Counts the lines of a segment and cuts an unterminated tail off. */
static int seg_scan(struct spool *sp, uint64_t id, uint64_t *size, uint64_t *lines)
{
	uint64_t pos = 0, end = 0, count = 0;
	char name[64];
	struct stat st;
	int fd, rc = 0;

	seg_name(id, name, sizeof(name));
	fd = openat(sp->dirfd, name, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		ssize_t got = pread(fd, sp->rd.buf, READ_CHUNK, (off_t)pos);
		const char *p, *e;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			break;
		}
		if (got == 0)
			break;
		for (p = sp->rd.buf, e = p + got; (p = memchr(p, '\n', (size_t)(e - p))); p++) {
			count++;
			end = pos + (uint64_t)(p - sp->rd.buf) + 1;
		}
		pos += (uint64_t)got;
	}
	if (!rc && pos != end && ftruncate(fd, (off_t)end) != 0)
		rc = -errno;
	close(fd);
	*size = end;
	*lines = count;
	return rc;
}

/* Lines of segs[0] before off; off moves back to the start of its line. */
static int count_lines_before(struct spool *sp, uint64_t *off, uint64_t *lines)
{
	uint64_t pos = 0, line_start = 0, count = 0;
	int rc = reader_use(sp, sp->segs[0].id);

	sp->rd.len = 0;
	while (!rc && pos < *off) {
		struct line_info li;

		rc = read_line(&sp->rd, pos, sp->segs[0].size, NULL, 0, &li);
		if (rc || !li.len)
			break;
		if (pos + li.len > *off)
			break; /* off is inside this line */
		pos += li.len;
		line_start = pos;
		count++;
	}
	*off = line_start;
	*lines = count;
	return rc;
}

static bool seg_exists(const struct spool *sp, uint64_t id)
{
	for (size_t i = 0; i < sp->nsegs; i++)
		if (sp->segs[i].id == id)
			return true;
	return false;
}

/* Puts the cursor where delivery resumes and deletes what it has passed. */
static int cursor_recover(struct spool *sp)
{
	struct spool_pos saved;
	bool ok = cursor_load(sp, &saved);

	if (ok && saved.seg >= sp->next_id)
		sp->next_id = saved.seg + 1; /* never reuse a name the cursor knew */
	if (!sp->nsegs) {
		sp->cursor = (struct spool_pos){sp->next_id, 0};
		return 0;
	}
	sp->cursor = (struct spool_pos){sp->segs[0].id, 0};
	sp->acked = 0;
	/* A cursor that names no segment is not trusted: resume from the
	 * oldest record (segments it passed were deleted, so this is the
	 * cursor of an older spool or a damaged file). */
	if (!ok || !seg_exists(sp, saved.seg))
		return 0;
	while (sp->segs[0].id < saved.seg)
		seg_delete_first(sp);
	sp->cursor.seg = saved.seg;
	if (saved.off > sp->segs[0].size)
		saved.off = 0;
	sp->cursor.off = saved.off;
	return count_lines_before(sp, &sp->cursor.off, &sp->acked);
}

static int spool_recover(struct spool *sp)
{
	uint64_t *ids, size, lines;
	size_t n, i;
	int rc = list_segments(sp, &ids, &n);

	for (i = 0; !rc && i < n; i++) {
		rc = seg_scan(sp, ids[i], &size, &lines);
		if (!rc)
			rc = seg_push(sp, ids[i], size, lines);
		if (!rc)
			sp->pending += lines;
		sp->next_id = ids[i] + 1;
	}
	free(ids);
	if (rc)
		return rc;
	unlinkat(sp->dirfd, CURSOR_TMP, 0);
	rc = cursor_recover(sp);
	if (!rc && sp->nsegs) {
		sp->pending -= sp->acked;
		trim_front(sp);
	}
	return rc;
}

/* ------------------------------------------------------------------ public */

static uint64_t segment_size_for(const struct spool_opts *o)
{
	uint64_t s = o->segment_bytes ? o->segment_bytes : o->max_bytes / 8;

	if (s < SPOOL_SEGMENT_MIN)
		s = SPOOL_SEGMENT_MIN;
	return s > SPOOL_SEGMENT_MAX ? SPOOL_SEGMENT_MAX : s;
}

static int spool_lock_dir(struct spool *sp)
{
	sp->lockfd = openat(sp->dirfd, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->lockfd < 0)
		return -errno;
	if (flock(sp->lockfd, LOCK_EX | LOCK_NB) != 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	return 0;
}

int spool_open(struct spool **out, const char *dir, const struct spool_opts *opts, char *err,
	       size_t errlen)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	const char *what = "cannot create it";
	int rc;

	*out = NULL;
	if (sp) {
		pthread_mutex_init(&sp->lock, NULL);
		sp->dirfd = sp->lockfd = sp->active_fd = sp->rd.fd = -1;
	}
	if (!sp || !(sp->dir = strdup(dir)) || !(sp->line = malloc(LINE_MAX_BYTES))) {
		spool_close(sp);
		snprintf(err, errlen, "spool %s: out of memory", dir);
		return -ENOMEM;
	}
	sp->max_bytes = opts->max_bytes;
	sp->segment_bytes = segment_size_for(opts);
	sp->next_id = 1;
	rc = mkdir_parents(dir);
	if (!rc) {
		what = "cannot open it";
		sp->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = sp->dirfd < 0 ? -errno : 0;
	}
	if (!rc) {
		what = "cannot lock it";
		rc = spool_lock_dir(sp);
	}
	if (!rc) {
		what = "cannot recover it";
		rc = spool_recover(sp);
	}
	if (rc) {
		snprintf(err, errlen, "spool %s: %s: %s", dir, what,
			 rc == -EBUSY ? "in use by another mcpwatch" : strerror(-rc));
		spool_close(sp);
		return rc;
	}
	*out = sp;
	return 0;
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	reader_close(&sp->rd);
	if (sp->active_fd >= 0)
		close(sp->active_fd);
	if (sp->lockfd >= 0)
		close(sp->lockfd); /* releases the flock */
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	pthread_mutex_destroy(&sp->lock);
	free(sp->segs);
	free(sp->line);
	free(sp->dir);
	free(sp);
}

/* A kind as the spool stores it: [a-z_]{1,15}, else "unknown". */
static const char *kind_for_line(const char *kind)
{
	size_t n = kind ? strspn(kind, "abcdefghijklmnopqrstuvwxyz_") : 0;

	return n && n < SPOOL_KIND_MAX && !kind[n] ? kind : "unknown";
}

/* ,"HOST",SEVERITY after the record, when its host is known; its length. */
static size_t facts_build(char *out, const struct spool_record *r)
{
	size_t n = 0;

	if (!r->host)
		return 0;
	out[n++] = ',';
	out[n++] = '"';
	for (size_t i = 0; r->host[i] && i < SPOOL_HOST_MAX - 1; i++)
		out[n++] = host_byte_ok((unsigned char)r->host[i]) ? r->host[i] : '?';
	out[n++] = '"';
	out[n++] = ',';
	out[n++] = (char)('0' + (r->severity >= 0 && r->severity <= 7 ? r->severity : 6));
	return n;
}

/* The record as one line in sp->line; 0 when it cannot be spooled. */
static size_t line_build(struct spool *sp, const struct spool_record *r)
{
	size_t i, n;

	if (!r->len || r->len > SPOOL_RECORD_MAX)
		return 0;
	n = (size_t)snprintf(sp->line, LINE_OVERHEAD, "[%" PRId64 ",\"%s\",", r->time_ns,
			     kind_for_line(r->kind));
	memcpy(sp->line + n, r->data, r->len);
	/* A record is one line: a raw newline (never in cJSON's output) or a
	 * NUL would split or end it; a space keeps the JSON text's meaning. */
	for (i = n; i < n + r->len; i++)
		if (sp->line[i] == '\n' || sp->line[i] == '\r' || sp->line[i] == '\0')
			sp->line[i] = ' ';
	n += r->len;
	n += facts_build(sp->line + n, r);
	sp->line[n++] = ']';
	sp->line[n++] = '\n';
	return n;
}

/* Makes room for len more bytes: rolls full segments, drops the oldest. */
static int make_room(struct spool *sp, size_t len, uint64_t *dropped)
{
	struct spool_seg *last = sp->nsegs ? &sp->segs[sp->nsegs - 1] : NULL;
	int rc;

	if (!last || (last->size && last->size + len > sp->segment_bytes)) {
		if (sp->active_fd >= 0 && fsync(sp->active_fd) != 0)
			return -errno;
		rc = seg_roll(sp);
		if (rc)
			return rc;
	}
	while (sp->total_bytes + len > sp->max_bytes) {
		if (sp->nsegs == 1) {
			/* Only the active segment is left: start a fresh one
			 * so that the old one can go. */
			rc = seg_roll(sp);
			if (rc)
				return rc;
			if (sp->nsegs == 1)
				break; /* the old one was spent and is gone */
		}
		*dropped += sp->segs[0].lines - sp->acked;
		seg_delete_first(sp);
		trim_front(sp);
		rc = cursor_persist(sp);
		if (rc)
			return rc;
	}
	return active_open(sp);
}

static int append_one(struct spool *sp, const struct spool_record *r, uint64_t *dropped)
{
	size_t len = line_build(sp, r);
	struct spool_seg *last;
	int rc;

	if (!len || len > sp->max_bytes / 2) {
		(*dropped)++; /* could never fit */
		return 0;
	}
	rc = make_room(sp, len, dropped);
	if (rc)
		return rc;
	last = &sp->segs[sp->nsegs - 1];
	rc = write_all(sp->active_fd, sp->line, len);
	if (rc) {
		/* Keep "every segment ends with a newline" true. */
		(void)!ftruncate(sp->active_fd, (off_t)last->size);
		return rc;
	}
	last->size += len;
	last->lines++;
	sp->total_bytes += len;
	sp->pending++;
	return 0;
}

int spool_append(struct spool *sp, const struct spool_record *recs, size_t n, uint64_t *dropped)
{
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&sp->lock);
	for (i = 0; i < n && !rc; i++)
		rc = append_one(sp, &recs[i], dropped);
	if (i && sp->active_fd >= 0 && fsync(sp->active_fd) != 0 && !rc)
		rc = -errno;
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

static int batch_grow(struct spool_batch *b)
{
	size_t cap = b->cap ? b->cap * 2 : 64;
	struct spool_record *r;
	struct spool_pos *e;
	uint64_t *l;

	r = realloc(b->recs, cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	b->recs = r;
	e = realloc(b->ends, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	b->ends = e;
	l = realloc(b->lines, cap * sizeof(*l));
	if (!l)
		return -ENOMEM;
	b->lines = l;
	b->cap = cap;
	return 0;
}

static int batch_reserve(struct spool_batch *b, size_t datalen)
{
	if (b->n == b->cap && batch_grow(b))
		return -ENOMEM;
	if (b->buflen + datalen > b->bufcap) {
		size_t cap = b->bufcap ? b->bufcap : 65536;
		char *p;

		while (cap < b->buflen + datalen)
			cap *= 2;
		p = realloc(b->buf, cap);
		if (!p)
			return -ENOMEM;
		b->buf = p;
		b->bufcap = cap;
	}
	return 0;
}

/* Unreadable lines at the cursor are passed over at once: nobody can send them. */
static int skip_at_cursor(struct spool *sp, uint64_t len)
{
	sp->cursor.off += len;
	sp->acked++;
	sp->pending--;
	sp->corrupt++;
	trim_front(sp);
	return cursor_persist(sp);
}

/*
 * Adds the record in sp->line, and its host (hostlen bytes), to b; data and
 * host offsets become pointers at the end.
 */
static int batch_add(struct spool_batch *b, const struct spool_record *r, const char *host,
		     size_t hostlen, struct spool_pos end, uint64_t lines)
{
	int rc = batch_reserve(b, r->len + hostlen + 1);

	if (rc)
		return rc;
	b->recs[b->n] = *r;
	b->recs[b->n].data = (const char *)(uintptr_t)b->buflen;
	memcpy(b->buf + b->buflen, r->data, r->len);
	b->buflen += r->len;
	b->databytes += r->len;
	b->recs[b->n].host = (const char *)(uintptr_t)b->buflen;
	memcpy(b->buf + b->buflen, host, hostlen);
	b->buf[b->buflen + hostlen] = '\0';
	b->buflen += hostlen + 1;
	b->ends[b->n] = end;
	b->lines[b->n] = lines;
	b->n++;
	return 0;
}

static int read_records(struct spool *sp, struct spool_batch *b, size_t max_records,
			size_t max_bytes)
{
	struct spool_pos pos;
	uint64_t lines;
	size_t idx = 0;
	int rc = 0;

	trim_front(sp);
	pos = sp->cursor;
	lines = sp->acked;
	while (!rc && b->n < max_records && idx < sp->nsegs) {
		struct spool_record r;
		struct line_info li;
		char derived[SPOOL_HOST_MAX];
		const char *host;
		size_t hostlen;

		if (pos.off >= sp->segs[idx].size) {
			if (++idx == sp->nsegs)
				break;
			pos = (struct spool_pos){sp->segs[idx].id, 0};
			lines = 0;
			continue;
		}
		rc = reader_use(sp, pos.seg);
		if (!rc)
			rc = read_line(&sp->rd, pos.off, sp->segs[idx].size, sp->line,
				       LINE_MAX_BYTES, &li);
		if (rc)
			break;
		if (!li.terminated || li.len > LINE_MAX_BYTES ||
		    !parse_line(sp->line, (size_t)li.len, &r, &host, &hostlen)) {
			if (b->n)
				break; /* the next read starts here and skips it */
			rc = skip_at_cursor(sp, li.len);
			pos = sp->cursor;
			lines = sp->acked;
			idx = 0;
			continue;
		}
		if (b->n && (b->databytes + r.len > max_bytes))
			break;
		if (!host) {
			/* A line of the older form: read its facts from the record, once. */
			record_facts_of_text(r.data, r.len, derived, sizeof(derived), &r.severity);
			host = derived;
			hostlen = strlen(derived);
		}
		pos.off += li.len;
		lines++;
		rc = batch_add(b, &r, host, hostlen, pos, lines);
	}
	return rc;
}

int spool_read(struct spool *sp, struct spool_batch *b, size_t max_records, size_t max_bytes)
{
	size_t i;
	int rc;

	pthread_mutex_lock(&sp->lock);
	b->n = 0;
	b->buflen = 0;
	b->databytes = 0;
	rc = read_records(sp, b, max_records ? max_records : 1, max_bytes);
	/* Taken after skipping unreadable lines: the first record starts here. */
	b->start = sp->cursor;
	pthread_mutex_unlock(&sp->lock);
	for (i = 0; i < b->n; i++) {
		b->recs[i].data = b->buf + (uintptr_t)b->recs[i].data;
		b->recs[i].host = b->buf + (uintptr_t)b->recs[i].host;
	}
	if (rc && !b->n)
		return rc;
	return (int)b->n;
}

int spool_ack(struct spool *sp, const struct spool_batch *b, size_t n)
{
	struct spool_pos end;
	uint64_t before;
	int rc = 0;

	if (!n)
		return 0;
	if (n > b->n)
		n = b->n;
	end = b->ends[n - 1];
	pthread_mutex_lock(&sp->lock);
	if (sp->cursor.seg != b->start.seg || sp->cursor.off != b->start.off) {
		pthread_mutex_unlock(&sp->lock); /* the size bound dropped these meanwhile */
		return 0;
	}
	while (sp->nsegs && sp->segs[0].id < end.seg)
		seg_delete_first(sp);
	if (sp->nsegs && sp->segs[0].id == end.seg) {
		before = sp->acked;
		sp->cursor = end;
		sp->acked = b->lines[n - 1];
		sp->pending -= sp->acked - before;
		trim_front(sp);
		rc = cursor_persist(sp);
	}
	pthread_mutex_unlock(&sp->lock);
	return rc;
}

void spool_batch_free(struct spool_batch *b)
{
	free(b->recs);
	free(b->ends);
	free(b->lines);
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/* The spool's counts, read together under its lock. */
struct spool_counts {
	uint64_t pending, pending_bytes, bytes;
};

static struct spool_counts spool_counts(struct spool *sp)
{
	struct spool_counts c;

	pthread_mutex_lock(&sp->lock);
	c.pending = sp->pending;
	c.pending_bytes = sp->total_bytes - (sp->nsegs ? sp->cursor.off : 0);
	c.bytes = sp->total_bytes;
	pthread_mutex_unlock(&sp->lock);
	return c;
}

uint64_t spool_pending(struct spool *sp)
{
	return spool_counts(sp).pending;
}

uint64_t spool_pending_bytes(struct spool *sp)
{
	return spool_counts(sp).pending_bytes;
}

uint64_t spool_bytes(struct spool *sp)
{
	return spool_counts(sp).bytes;
}

uint64_t spool_take_corrupt(struct spool *sp)
{
	uint64_t n;

	pthread_mutex_lock(&sp->lock);
	n = sp->corrupt;
	sp->corrupt = 0;
	pthread_mutex_unlock(&sp->lock);
	return n;
}
