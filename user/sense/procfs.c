// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* procfs: start-up scan of processes and TCP and UDP listeners under a proc root. */
#include "sense/procfs.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PF_KTHREAD_FLAG	  0x00200000u /* include/linux/sched.h PF_KTHREAD */
#define STAT_READ_MAX	  4096
#define STATUS_READ_MAX	  8192
#define CGROUP_READ_MAX	  16384
#define NET_TCP_CHUNK	  65536
#define NET_TCP_LINE_MAX  512
#define CMDLINE_PARSE_MAX (16u * 1024 * 1024)
#define STAT_FIELD_FLAGS  9
#define STAT_FIELD_START  22
#define TCP_STATE_LISTEN  0x0A
#define UDP_STATE_UNCONN  0x07 /* TCP_CLOSE: a UDP socket bound, not connected */
/* The kernel's default ip_local_port_range, when the proc root has none. */
#define EPHEMERAL_LOW	   32768
#define EPHEMERAL_HIGH	   60999
#define DELETED_SUFFIX	   " (deleted)"
#define SOCKET_LINK_PREFIX "socket:["

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Parses exactly n decimal digits into *v; false on empty, non-digit, overflow. */
static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static bool parse_u32(const char *s, size_t n, uint32_t *v)
{
	uint64_t x;

	if (!parse_u64(s, n, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_hex_u32(const char *s, size_t n, uint32_t *v)
{
	uint32_t x = 0;

	if (n == 0 || n > 8)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return false;
		x = (x << 4) | d;
	}
	*v = x;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A cursor over [p, end) that hands out blank-separated tokens. */
struct tokenizer {
	const char *p, *end;
};

static bool next_token(struct tokenizer *t, const char **tok, size_t *tlen)
{
	while (t->p < t->end && is_blank(*t->p))
		t->p++;
	if (t->p >= t->end)
		return false;
	*tok = t->p;
	while (t->p < t->end && !is_blank(*t->p))
		t->p++;
	*tlen = (size_t)(t->p - *tok);
	return true;
}

/* Hands out the lines of [buf, buf + len); a last line without '\n' counts. */
struct line_cursor {
	const char *buf;
	size_t len, pos;
};

static bool next_line(struct line_cursor *c, const char **line, size_t *llen)
{
	const char *nl;

	if (!c->buf || c->pos >= c->len)
		return false;
	*line = c->buf + c->pos;
	nl = memchr(*line, '\n', c->len - c->pos);
	*llen = nl ? (size_t)(nl - *line) : c->len - c->pos;
	c->pos += *llen + 1;
	return true;
}

/* ---------------------------------------------------------------- stat */

static const char *last_char(const char *buf, size_t len, char c)
{
	for (size_t i = len; i > 0; i--) {
		if (buf[i - 1] == c)
			return buf + i - 1;
	}
	return NULL;
}

/* "pid (comm" — comm may hold spaces and ')', so it ends at the LAST ')'. */
static int parse_stat_head(const char *buf, size_t len, struct proc_stat *out, const char **rest,
			   char *err, size_t errlen)
{
	const char *open = memchr(buf, '(', len);
	const char *close = last_char(buf, len, ')');
	size_t pidlen, clen;

	if (!open || !close || close < open) {
		set_err(err, errlen, "stat: no '(comm)' field");
		return -EINVAL;
	}
	pidlen = (size_t)(open - buf);
	if (pidlen < 2 || buf[pidlen - 1] != ' ' || !parse_u32(buf, pidlen - 1, &out->pid)) {
		set_err(err, errlen, "stat: field 1 (pid) is not a number");
		return -EINVAL;
	}
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof(out->comm))
		clen = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, clen);
	out->comm[clen] = '\0';
	*rest = close + 1;
	return 0;
}

/* Fields 3.. after the comm: state, ppid, ..., flags (9), ..., starttime (22). */
static int parse_stat_tail(struct tokenizer *t, struct proc_stat *out, char *err, size_t errlen)
{
	const char *tok;
	size_t tlen;
	int field;

	for (field = 3; field <= STAT_FIELD_START; field++) {
		bool ok = true;

		if (!next_token(t, &tok, &tlen)) {
			set_err(err, errlen, "stat: only %d fields, need %d", field - 1,
				STAT_FIELD_START);
			return -EINVAL;
		}
		if (field == 3) {
			ok = tlen == 1;
			out->state = tok[0];
		} else if (field == 4) {
			ok = parse_u32(tok, tlen, &out->ppid);
		} else if (field == STAT_FIELD_FLAGS) {
			ok = parse_u32(tok, tlen, &out->flags);
		} else if (field == STAT_FIELD_START) {
			ok = parse_u64(tok, tlen, &out->start_ticks);
		}
		if (!ok) {
			set_err(err, errlen, "stat: field %d '%.*s' is malformed", field,
				(int)(tlen > 32 ? 32 : tlen), tok);
			return -EINVAL;
		}
	}
	return 0;
}

int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *out, char *err, size_t errlen)
{
	const char *rest, *nl;
	struct tokenizer t;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!buf) {
		set_err(err, errlen, "stat: empty");
		return -EINVAL;
	}
	ret = parse_stat_head(buf, len, out, &rest, err, errlen);
	if (ret)
		return ret;
	t = (struct tokenizer){rest, buf + len};
	/* Only blanks separate fields; a newline ends the record. */
	nl = memchr(rest, '\n', (size_t)(t.end - rest));
	if (nl)
		t.end = nl;
	return parse_stat_tail(&t, out, err, errlen);
}

uint64_t procfs_ticks_to_ns(uint64_t ticks, long ticks_per_sec)
{
	const uint64_t ns_per_sec = 1000000000ull;
	uint64_t hz, secs, frac, ns;

	if (ticks_per_sec <= 0)
		return UINT64_MAX;
	hz = (uint64_t)ticks_per_sec;
	secs = ticks / hz;
	frac = (uint64_t)((unsigned __int128)(ticks % hz) * ns_per_sec / hz);
	if (__builtin_mul_overflow(secs, ns_per_sec, &ns) || __builtin_add_overflow(ns, frac, &ns))
		return UINT64_MAX;
	return ns;
}

/* ---------------------------------------------------------------- status */

/* The Uid line's first number is the real uid. */
static int parse_uid_line(const char *line, size_t llen, uint32_t *uid, char *err, size_t errlen)
{
	struct tokenizer t = {line + 4, line + llen};
	const char *tok;
	size_t tlen;

	if (next_token(&t, &tok, &tlen) && parse_u32(tok, tlen, uid))
		return 0;
	set_err(err, errlen, "status: Uid line '%.*s' is malformed", (int)(llen > 40 ? 40 : llen),
		line);
	return -EINVAL;
}

int procfs_parse_status_uid(const char *buf, size_t len, uint32_t *uid, char *err, size_t errlen)
{
	struct line_cursor c = {buf, len, 0};
	const char *line;
	size_t llen;

	while (next_line(&c, &line, &llen)) {
		if (llen >= 4 && memcmp(line, "Uid:", 4) == 0)
			return parse_uid_line(line, llen, uid, err, errlen);
	}
	set_err(err, errlen, "status: no Uid line");
	return -EINVAL;
}

/* ---------------------------------------------------------------- cmdline */

int procfs_parse_cmdline(const char *buf, size_t len, char ***argv, int *argc)
{
	size_t nargs = 0, i;
	char **vec, *strings;

	*argv = NULL;
	*argc = 0;
	if (len == 0)
		return 0;
	if (!buf || len > CMDLINE_PARSE_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\0')
			nargs++;
	}
	if (buf[len - 1] != '\0')
		nargs++; /* unterminated last argument */

	/* Vector, then a copy of the strings with a guaranteed final NUL. */
	vec = malloc((nargs + 1) * sizeof(*vec) + len + 1);
	if (!vec)
		return -ENOMEM;
	strings = (char *)(vec + nargs + 1);
	memcpy(strings, buf, len);
	strings[len] = '\0';
	for (i = 0; i < nargs; i++) {
		vec[i] = strings;
		strings += strlen(strings) + 1;
	}
	vec[nargs] = NULL;
	*argv = vec;
	*argc = (int)nargs;
	return 0;
}

/* ---------------------------------------------------------------- files */

/* Reads at most cap bytes of dirfd/name; a longer file is cut at cap. */
static int read_file_at(int dirfd, const char *name, char *buf, size_t cap, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t have = 0;

	if (fd < 0)
		return -errno;
	while (have < cap) {
		ssize_t r = read(fd, buf + have, cap - have);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	close(fd);
	*len = have;
	return 0;
}

static void read_exe(int dirfd, char *exe, size_t cap)
{
	ssize_t n = readlinkat(dirfd, "exe", exe, cap - 1);
	size_t slen = strlen(DELETED_SUFFIX);

	if (n < 0 || (size_t)n >= cap - 1) {
		exe[0] = '\0'; /* kernel thread, zombie, EACCES, or absurd length */
		return;
	}
	exe[n] = '\0';
	if ((size_t)n > slen && strcmp(exe + n - slen, DELETED_SUFFIX) == 0)
		exe[n - slen] = '\0';
}

static int read_stat(int dirfd, const char *path, struct proc_stat *st, char *err, size_t errlen)
{
	char buf[STAT_READ_MAX], why[160];
	size_t len;
	int ret = read_file_at(dirfd, "stat", buf, sizeof(buf), &len);

	if (!ret && !len)
		ret = -ESRCH; /* reaped between open and read */
	if (ret) {
		set_err(err, errlen, "%s/stat: %s", path, strerror(-ret));
		return ret == -ESRCH ? -ENOENT : ret;
	}
	ret = procfs_parse_stat(buf, len, st, why, sizeof(why));
	if (ret)
		set_err(err, errlen, "%s/%s", path, why);
	return ret;
}

static int read_uid(int dirfd, const char *path, uint32_t *uid, char *err, size_t errlen)
{
	char buf[STATUS_READ_MAX], why[160];
	size_t len;
	int ret = read_file_at(dirfd, "status", buf, sizeof(buf), &len);

	if (ret) {
		set_err(err, errlen, "%s/status: %s", path, strerror(-ret));
		return ret == -ESRCH ? -ENOENT : ret;
	}
	ret = procfs_parse_status_uid(buf, len, uid, why, sizeof(why));
	if (ret)
		set_err(err, errlen, "%s/%s", path, why);
	return ret;
}

static int read_cmdline(int dirfd, const char *path, struct proc_info *out, char *err,
			size_t errlen)
{
	char *buf = malloc(PROCFS_CMDLINE_MAX);
	size_t len = 0;
	int ret;

	if (!buf) {
		set_err(err, errlen, "%s/cmdline: out of memory", path);
		return -ENOMEM;
	}
	/* An exiting process gives an error or nothing: that is an empty cmdline. */
	if (read_file_at(dirfd, "cmdline", buf, PROCFS_CMDLINE_MAX, &len))
		len = 0;
	ret = procfs_parse_cmdline(buf, len, &out->argv, &out->argc);
	free(buf);
	if (ret)
		set_err(err, errlen, "%s/cmdline: %s", path, strerror(-ret));
	return ret;
}

static void read_container(int dirfd, struct proc_info *out)
{
	char *buf = malloc(CGROUP_READ_MAX);
	size_t len;

	if (!buf)
		return;
	if (read_file_at(dirfd, "cgroup", buf, CGROUP_READ_MAX, &len) == 0) {
		container_id_from_cgroup(buf, len, out->container_id, sizeof(out->container_id),
					 &out->container_runtime);
		container_pod_uid_from_cgroup(buf, len, out->pod_uid, sizeof(out->pod_uid));
	}
	free(buf);
}

static int open_pid_dir(const char *proc_root, uint32_t tgid, char *path, size_t plen, char *err,
			size_t errlen)
{
	int fd;

	snprintf(path, plen, "%s/%u", proc_root, tgid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		set_err(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	return fd;
}

static void fill_from_stat(struct proc_info *out, const struct proc_stat *st)
{
	long hz = sysconf(_SC_CLK_TCK);

	out->tgid = st->pid;
	out->ppid = st->ppid;
	out->state = st->state;
	out->start_ns = procfs_ticks_to_ns(st->start_ticks, hz);
	memcpy(out->comm, st->comm, sizeof(out->comm));
}

int procfs_read_process(const char *proc_root, uint32_t tgid, struct proc_info *out, char *err,
			size_t errlen)
{
	char path[PATH_MAX];
	struct proc_stat st;
	int dirfd, ret;

	memset(out, 0, sizeof(*out));
	dirfd = open_pid_dir(proc_root, tgid, path, sizeof(path), err, errlen);
	if (dirfd < 0)
		return dirfd;
	ret = read_stat(dirfd, path, &st, err, errlen);
	if (!ret)
		ret = read_uid(dirfd, path, &out->uid, err, errlen);
	if (!ret)
		ret = read_cmdline(dirfd, path, out, err, errlen);
	if (!ret) {
		fill_from_stat(out, &st);
		read_exe(dirfd, out->exe, sizeof(out->exe));
		read_container(dirfd, out);
		out->kernel_thread = (st.flags & PF_KTHREAD_FLAG) ||
				     (out->argc == 0 && !out->exe[0] && st.state != 'Z');
	}
	close(dirfd);
	if (ret)
		procfs_free_process(out);
	return ret;
}

void procfs_free_process(struct proc_info *info)
{
	if (!info)
		return;
	free(info->argv);
	info->argv = NULL;
	info->argc = 0;
}

/* ---------------------------------------------------------------- pids */

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* A pid directory name: 1-10 digits, no leading zero, fits in 32 bits, > 0. */
static bool pid_from_name(const char *name, uint32_t *pid)
{
	size_t n = strnlen(name, 12);

	if (n == 0 || n > 10 || name[0] == '0')
		return false;
	return parse_u32(name, n, pid) && *pid > 0;
}

static int push_u32(uint32_t **arr, size_t *n, size_t *cap, uint32_t v)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		uint32_t *p = realloc(*arr, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*arr = p;
		*cap = ncap;
	}
	(*arr)[(*n)++] = v;
	return 0;
}

int procfs_list_pids(const char *proc_root, uint32_t **pids, size_t *n, char *err, size_t errlen)
{
	DIR *d = opendir(proc_root);
	struct dirent *de;
	size_t cap = 0;
	uint32_t pid;

	*pids = NULL;
	*n = 0;
	if (!d) {
		int e = errno;

		set_err(err, errlen, "%s: %s", proc_root, strerror(e));
		return -e;
	}
	while ((de = readdir(d))) {
		if (!pid_from_name(de->d_name, &pid))
			continue;
		if (push_u32(pids, n, &cap, pid)) {
			closedir(d);
			free(*pids);
			*pids = NULL;
			*n = 0;
			set_err(err, errlen, "%s: out of memory listing pids", proc_root);
			return -ENOMEM;
		}
	}
	closedir(d);
	if (*n)
		qsort(*pids, *n, sizeof(**pids), compare_u32);
	return 0;
}

/* ---------------------------------------------------------------- net/tcp */

/* "HEX:PORT" → listener address; the words are in the kernel's byte order. */
static bool parse_tcp_address(const char *tok, size_t tlen, int family, struct proc_listener *l)
{
	size_t hexlen = family == AF_INET ? 8 : 32;
	unsigned char bytes[16];
	uint32_t word, port;

	if (tlen != hexlen + 5 || tok[hexlen] != ':')
		return false;
	for (size_t i = 0; i < hexlen / 8; i++) {
		if (!parse_hex_u32(tok + i * 8, 8, &word))
			return false;
		memcpy(bytes + i * 4, &word, 4);
	}
	if (!parse_hex_u32(tok + hexlen + 1, 4, &port))
		return false;
	l->port = (uint16_t)port;
	l->family = family;
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *)bytes)) {
		memmove(bytes, bytes + 12, 4); /* report ::ffff:a.b.c.d as a.b.c.d */
		l->family = AF_INET;
	}
	return inet_ntop(l->family, bytes, l->addr, sizeof(l->addr)) != NULL;
}

/*
 * One line: "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...",
 * the same columns in net/tcp and net/udp. Returns 1 for a listener filled
 * in l, 0 for a line to skip, -EINVAL. A UDP listener is a socket bound to
 * a port and not connected: it takes datagrams from anyone.
 */
static int parse_sock_line(const char *line, size_t llen, int family, int protocol,
			   struct proc_listener *l)
{
	struct tokenizer t = {line, line + llen};
	const char *tok[10];
	size_t tlen[10];
	uint32_t state;
	int n = 0;

	while (n < 10 && next_token(&t, &tok[n], &tlen[n]))
		n++;
	if (n == 0 || (tlen[0] == 2 && memcmp(tok[0], "sl", 2) == 0))
		return 0; /* blank or header */
	if (n < 10 || !parse_hex_u32(tok[3], tlen[3], &state))
		return -EINVAL;
	if (state != (protocol == IPPROTO_UDP ? UDP_STATE_UNCONN : TCP_STATE_LISTEN))
		return 0;
	memset(l, 0, sizeof(*l));
	if (!parse_tcp_address(tok[1], tlen[1], family, l) ||
	    !parse_u64(tok[9], tlen[9], &l->inode))
		return -EINVAL;
	l->protocol = protocol;
	return protocol == IPPROTO_UDP && l->port == 0 ? 0 : 1;
}

static const char *net_file_name(int family, int protocol)
{
	if (protocol == IPPROTO_UDP)
		return family == AF_INET ? "net/udp" : "net/udp6";
	return family == AF_INET ? "net/tcp" : "net/tcp6";
}

static int parse_net_sock(const char *buf, size_t len, int family, int protocol,
			  procfs_listener_fn fn, void *arg, char *err, size_t errlen)
{
	const char *name = net_file_name(family, protocol);
	struct line_cursor c = {buf, len, 0};
	size_t llen, lineno = 0;
	const char *line;
	int count = 0;

	if (family != AF_INET && family != AF_INET6) {
		set_err(err, errlen, "%.8s: family %d is not AF_INET or AF_INET6",
			protocol == IPPROTO_UDP ? "net/udp" : "net/tcp", family);
		return -EINVAL;
	}
	while (next_line(&c, &line, &llen)) {
		struct proc_listener l;
		int ret;

		lineno++;
		ret = parse_sock_line(line, llen, family, protocol, &l);
		if (ret < 0) {
			set_err(err, errlen, "%s line %zu: malformed '%.*s'", name, lineno,
				(int)(llen > 60 ? 60 : llen), line);
			return ret;
		}
		if (ret == 0)
			continue;
		ret = fn(&l, arg);
		if (ret)
			return ret;
		if (count < INT_MAX)
			count++;
	}
	return count;
}

int procfs_parse_net_tcp(const char *buf, size_t len, int family, procfs_listener_fn fn, void *arg,
			 char *err, size_t errlen)
{
	return parse_net_sock(buf, len, family, IPPROTO_TCP, fn, arg, err, errlen);
}

int procfs_parse_net_udp(const char *buf, size_t len, int family, procfs_listener_fn fn, void *arg,
			 char *err, size_t errlen)
{
	return parse_net_sock(buf, len, family, IPPROTO_UDP, fn, arg, err, errlen);
}

struct listener_list {
	struct proc_listener *items;
	size_t n, cap;
};

static int collect_listener(const struct proc_listener *l, void *arg)
{
	struct listener_list *list = arg;

	if (list->n >= PROCFS_LISTENERS_MAX)
		return 0; /* absurd count: keep the first ones */
	if (list->n == list->cap) {
		size_t ncap = list->cap ? list->cap * 2 : 64;
		struct proc_listener *p = realloc(list->items, ncap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		list->items = p;
		list->cap = ncap;
	}
	list->items[list->n++] = *l;
	return 0;
}

/* Length of the leading run of whole lines in buf; at EOF everything counts. */
static size_t whole_lines_len(const char *buf, size_t have, bool eof)
{
	const char *nl;

	if (eof || have == 0)
		return have;
	nl = last_char(buf, have, '\n');
	return nl ? (size_t)(nl - buf) + 1 : 0;
}

/* Feeds whole lines of a (possibly large) net/tcp or net/udp file to the parser, chunk by chunk. */
static int parse_net_stream(int fd, char *buf, int family, int protocol, struct listener_list *list,
			    char *err, size_t errlen)
{
	size_t have = 0, whole;
	ssize_t r;
	int ret;

	do {
		r = read(fd, buf + have, NET_TCP_CHUNK - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			set_err(err, errlen, "read: %s", strerror(-ret));
			return ret;
		}
		have += (size_t)r;
		whole = whole_lines_len(buf, have, r == 0);
		if (!whole && have == NET_TCP_CHUNK) {
			set_err(err, errlen, "line longer than %d bytes", NET_TCP_CHUNK);
			return -EINVAL;
		}
		ret = parse_net_sock(buf, whole, family, protocol, collect_listener, list, err,
				     errlen);
		if (ret == -ENOMEM)
			set_err(err, errlen, "out of memory");
		if (ret < 0)
			return ret;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
	} while (r != 0);
	return 0;
}

static int read_net_file(const char *proc_root, int family, int protocol,
			 struct listener_list *list, char *err, size_t errlen)
{
	char path[PATH_MAX], why[200];
	char *buf;
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", proc_root, net_file_name(family, protocol));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		/* IPv6 disabled; UDP is extra (the TCP files prove the root is /proc). */
		if (ret == -ENOENT && (family == AF_INET6 || protocol == IPPROTO_UDP))
			return 0;
		set_err(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	buf = malloc(NET_TCP_CHUNK);
	if (!buf) {
		close(fd);
		set_err(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	ret = parse_net_stream(fd, buf, family, protocol, list, why, sizeof(why));
	if (ret < 0)
		set_err(err, errlen, "%s: %s", path, why);
	free(buf);
	close(fd);
	return ret;
}

static int compare_inode(const void *a, const void *b)
{
	const struct proc_listener *x = a, *y = b;

	return (x->inode > y->inode) - (x->inode < y->inode);
}

static int compare_listener_display(const void *a, const void *b)
{
	const struct proc_listener *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	return strcmp(x->addr, y->addr);
}

/*
 * The ephemeral port range of <proc_root>/sys/net/ipv4/ip_local_port_range
 * (the kernel's default when unreadable). A UDP socket that sent without
 * bind() got such a port and looks in net/udp exactly like a service bound
 * to it: the scan cannot tell them apart, so it leaves that range out.
 */
static void ephemeral_range(const char *proc_root, uint32_t *lo, uint32_t *hi)
{
	char path[PATH_MAX], buf[64];
	struct tokenizer t;
	const char *tok[2];
	size_t tlen[2], len = 0;

	*lo = EPHEMERAL_LOW;
	*hi = EPHEMERAL_HIGH;
	snprintf(path, sizeof(path), "%s/sys/net/ipv4/ip_local_port_range", proc_root);
	if (read_file_at(AT_FDCWD, path, buf, sizeof(buf), &len) != 0)
		return;
	while (len && buf[len - 1] == '\n')
		len--;
	t = (struct tokenizer){buf, buf + len};
	if (next_token(&t, &tok[0], &tlen[0]) && next_token(&t, &tok[1], &tlen[1]) &&
	    parse_u32(tok[0], tlen[0], lo) && parse_u32(tok[1], tlen[1], hi) && *lo <= *hi)
		return;
	*lo = EPHEMERAL_LOW;
	*hi = EPHEMERAL_HIGH;
}

/* Drops the UDP entries on an ephemeral port (see ephemeral_range). */
static void drop_ephemeral_udp(const char *proc_root, struct listener_list *list)
{
	uint32_t lo, hi;
	size_t keep = 0;

	ephemeral_range(proc_root, &lo, &hi);
	for (size_t i = 0; i < list->n; i++) {
		const struct proc_listener *l = &list->items[i];

		if (l->protocol == IPPROTO_UDP && l->port >= lo && l->port <= hi)
			continue;
		list->items[keep++] = *l;
	}
	list->n = keep;
}

/* "socket:[12345]" → 12345. */
static bool socket_inode_from_link(const char *link, size_t n, uint64_t *inode)
{
	size_t plen = strlen(SOCKET_LINK_PREFIX);

	if (n < plen + 2 || memcmp(link, SOCKET_LINK_PREFIX, plen) != 0 || link[n - 1] != ']')
		return false;
	return parse_u64(link + plen, n - plen - 1, inode);
}

/* Marks the listeners whose socket this pid holds; returns how many were new. */
static size_t claim_sockets_of_pid(const char *proc_root, uint32_t pid, struct listener_list *list)
{
	char path[PATH_MAX], link[64];
	struct dirent *de;
	size_t claimed = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%u/fd", proc_root, pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone, or not ours to read */
	while ((de = readdir(d))) {
		ssize_t n = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		struct proc_listener key, *hit;

		if (n <= 0 || (size_t)n >= sizeof(link) ||
		    !socket_inode_from_link(link, (size_t)n, &key.inode))
			continue;
		hit = bsearch(&key, list->items, list->n, sizeof(*hit), compare_inode);
		if (hit && !hit->tgid) {
			hit->tgid = pid;
			claimed++;
		}
	}
	closedir(d);
	return claimed;
}

/* Walks pids in ascending order, so a socket shared after fork goes to the lowest pid. */
static int map_inodes_to_tgids(const char *proc_root, struct listener_list *list, char *err,
			       size_t errlen)
{
	uint32_t *pids;
	size_t npids, unclaimed = list->n;
	int ret;

	qsort(list->items, list->n, sizeof(*list->items), compare_inode);
	ret = procfs_list_pids(proc_root, &pids, &npids, err, errlen);
	if (ret)
		return ret;
	for (size_t i = 0; i < npids && unclaimed; i++)
		unclaimed -= claim_sockets_of_pid(proc_root, pids[i], list);
	free(pids);
	return 0;
}

int procfs_read_listeners(const char *proc_root, struct proc_listener **out, size_t *n, char *err,
			  size_t errlen)
{
	struct listener_list list = {0};
	int ret;

	*out = NULL;
	*n = 0;
	ret = read_net_file(proc_root, AF_INET, IPPROTO_TCP, &list, err, errlen);
	if (ret >= 0)
		ret = read_net_file(proc_root, AF_INET6, IPPROTO_TCP, &list, err, errlen);
	if (ret >= 0)
		ret = read_net_file(proc_root, AF_INET, IPPROTO_UDP, &list, err, errlen);
	if (ret >= 0)
		ret = read_net_file(proc_root, AF_INET6, IPPROTO_UDP, &list, err, errlen);
	if (ret >= 0)
		drop_ephemeral_udp(proc_root, &list);
	if (ret >= 0 && list.n)
		ret = map_inodes_to_tgids(proc_root, &list, err, errlen);
	if (ret < 0) {
		free(list.items);
		return ret;
	}
	if (list.n)
		qsort(list.items, list.n, sizeof(*list.items), compare_listener_display);
	*out = list.items;
	*n = list.n;
	return 0;
}

/* ---------------------------------------------------------------- maps */

/* "addr perms offset dev inode   /path" → the path part of one line, or NULL. */
static const char *maps_line_path(const char *line, size_t n, size_t *plen)
{
	const char *p = memchr(line, '/', n);

	/* Five fields come first; a path is the rest of the line, never with a NUL. */
	if (!p)
		return NULL;
	*plen = n - (size_t)(p - line);
	return memchr(p, '\0', *plen) ? NULL : p;
}

int procfs_maps_find(const char *buf, size_t len, const char *prefix, char *out, size_t outlen)
{
	size_t pre = strlen(prefix);

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i, plen;
		const char *path = maps_line_path(buf + i, n, &plen);
		const char *base = NULL;

		for (size_t k = 0; path && k < plen; k++)
			if (path[k] == '/')
				base = path + k + 1;
		if (base && (size_t)(path + plen - base) >= pre && !memcmp(base, prefix, pre)) {
			if (plen >= outlen)
				return -ENAMETOOLONG;
			memcpy(out, path, plen);
			out[plen] = '\0';
			return 0;
		}
		i += n + 1;
	}
	return -ENOENT;
}

int procfs_find_mapped(const char *proc_root, uint32_t tgid, const char *prefix, char *out,
		       size_t outlen)
{
	char path[64];
	char *buf = malloc(PROCFS_MAPS_MAX);
	size_t len = 0;
	int rc;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%s/%u/maps", proc_root, tgid);
	rc = read_file_at(AT_FDCWD, path, buf, PROCFS_MAPS_MAX, &len);
	if (!rc)
		rc = procfs_maps_find(buf, len, prefix, out, outlen);
	free(buf);
	return rc;
}
