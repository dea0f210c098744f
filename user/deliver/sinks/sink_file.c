// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The file output: one record per line appended to "path". When the next
 * line would take the file past "max_bytes", it is rotated: PATH.1.gz
 * becomes PATH.2.gz ... up to PATH.<keep>.gz (the oldest is overwritten),
 * PATH is renamed PATH.1 and a fresh PATH is opened; a background thread
 * then compresses PATH.1 into PATH.1.gz (zlib), so that the agent's thread
 * never spends seconds in gzip. reopen() (SIGHUP, SIGUSR1) reopens PATH by
 * name, for logrotate's "create" and "copytruncate" alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/json.h"
#include "deliver/delivery.h"
#include "deliver/sinks/sink.h"

#define FILE_MAX_BYTES_DEFAULT (100ull << 20)
#define FILE_MAX_BYTES_MIN     4096ll
#define FILE_MAX_BYTES_MAX     (1ll << 50)
#define FILE_KEEP_DEFAULT      5
#define FILE_KEEP_MAX	       1000
#define FILE_MODE	       0640
#define GZ_CHUNK	       65536

struct file_sink {
	char *path;
	int fd;
	uint64_t size, max_bytes; /* max_bytes 0: never rotate */
	int keep;
	pthread_t gz;
	bool gz_running;
	char *gz_src; /* what the thread compresses: PATH.1 */
};

/* ------------------------------------------------------------------ config */

static const struct sink_config_key file_keys[] = {
    {.name = "path",
     .type = SINK_KEY_STRING,
     .required = true,
     .help = "the file; created with mode 0640 if missing; its directory must exist"},
    {.name = "max_bytes",
     .type = SINK_KEY_INT,
     .def = "104857600",
     .min = FILE_MAX_BYTES_MIN,
     .max = FILE_MAX_BYTES_MAX,
     .or_zero = true,
     .help = "rotate before a line would take the file past this size; 0: never rotate"},
    {.name = "keep",
     .type = SINK_KEY_INT,
     .def = "5",
     .min = 0,
     .max = FILE_KEEP_MAX,
     .help = "rotated files kept; 0: the file is emptied instead of rotated"},
    {.name = NULL},
};

/* The keys are checked (sink_config_check): only the path's meaning is left. */
static int file_parse(struct file_sink *fs, const struct json_value *cfg, const char *file,
		      char *err, size_t errlen)
{
	const struct json_value *v = json_object_get(cfg, "path");
	const char *p = json_get_string(v);
	int64_t x;

	if (!p || !*p || strlen(p) > 4000) {
		output_cfg_error(err, errlen, file, v ? v->line : cfg->line, v ? v->col : cfg->col,
				 "file",
				 "\"path\" must be a non-empty string of at most 4000 bytes");
		return -1;
	}
	fs->path = strdup(p);
	if (json_get_int(json_object_get(cfg, "max_bytes"), &x))
		fs->max_bytes = (uint64_t)x;
	if (json_get_int(json_object_get(cfg, "keep"), &x))
		fs->keep = (int)x;
	return fs->path ? 0 : -1;
}

/* ------------------------------------------------------------------ files */

static int file_open_path(struct file_sink *fs)
{
	struct stat st;

	fs->fd = open(fs->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, FILE_MODE);
	if (fs->fd < 0)
		return -errno;
	fs->size = fstat(fs->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

static char *rotated_name(const struct file_sink *fs, int i, const char *suffix)
{
	char *s = NULL;

	if (asprintf(&s, "%s.%d%s", fs->path, i, suffix) < 0)
		return NULL;
	return s;
}

/* PATH.<i>.gz → PATH.<i+1>.gz, from the oldest kept down. */
static void shift_rotated(struct file_sink *fs)
{
	for (int i = fs->keep - 1; i >= 1; i--) {
		char *from = rotated_name(fs, i, ".gz"), *to = rotated_name(fs, i + 1, ".gz");

		if (from && to)
			rename(from, to);
		free(from);
		free(to);
	}
}

/* src → dst (gzip), through dst.tmp so that a crash leaves no half file. */
static int gzip_file(const char *src, const char *dst)
{
	char *tmp = NULL, *buf = malloc(GZ_CHUNK);
	int in = -1, out = -1, rc = -ENOMEM;
	gzFile gz = NULL;
	ssize_t n;

	if (!buf || asprintf(&tmp, "%s.tmp", dst) < 0) {
		tmp = NULL;
		goto out;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, FILE_MODE);
	if (in < 0 || out < 0) {
		rc = -errno;
		goto out;
	}
	gz = gzdopen(out, "wb6");
	if (!gz)
		goto out;
	out = -1; /* gz owns it now */
	rc = 0;
	while (!rc && (n = read(in, buf, GZ_CHUNK)) > 0)
		if (gzwrite(gz, buf, (unsigned)n) != (int)n)
			rc = -EIO;
	if (n < 0)
		rc = -errno;
	if (gzclose(gz) != Z_OK && !rc)
		rc = -EIO;
	gz = NULL;
	if (!rc && rename(tmp, dst) != 0)
		rc = -errno;
out:
	if (rc && tmp)
		unlink(tmp);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(tmp);
	free(buf);
	return rc;
}

static void *gzip_main(void *arg)
{
	struct file_sink *fs = arg;
	char *dst = rotated_name(fs, 1, ".gz");
	int rc = dst ? gzip_file(fs->gz_src, dst) : -ENOMEM;

	if (rc)
		fprintf(stderr, "mcpwatch: file output: cannot compress %s: %s; kept as is\n",
			fs->gz_src, strerror(-rc));
	else
		unlink(fs->gz_src);
	free(dst);
	return NULL;
}

static void gzip_wait(struct file_sink *fs)
{
	if (fs->gz_running)
		pthread_join(fs->gz, NULL);
	fs->gz_running = false;
}

static void gzip_start(struct file_sink *fs)
{
	gzip_wait(fs);
	if (pthread_create(&fs->gz, NULL, gzip_main, fs) == 0)
		fs->gz_running = true;
	else
		gzip_main(fs); /* no thread: do it here, late beats never */
}

static int file_rotate(struct file_sink *fs)
{
	gzip_wait(fs);
	if (fs->keep == 0) {
		/* Nothing is kept: start the file over. */
		if (ftruncate(fs->fd, 0) != 0)
			return -errno;
		fs->size = 0;
		return 0;
	}
	shift_rotated(fs);
	if (rename(fs->path, fs->gz_src) != 0)
		return -errno;
	close(fs->fd);
	fs->fd = -1;
	gzip_start(fs);
	return file_open_path(fs);
}

/* ------------------------------------------------------------------ ops */

static void file_free(struct file_sink *fs)
{
	if (!fs)
		return;
	gzip_wait(fs);
	if (fs->fd >= 0)
		close(fs->fd);
	free(fs->path);
	free(fs->gz_src);
	free(fs);
}

static int file_open(struct sink *s, const struct json_value *cfg, const char *cfg_file, char *err,
		     size_t errlen)
{
	struct file_sink *fs = calloc(1, sizeof(*fs));
	struct stat st;
	int rc;

	if (!fs)
		return -1;
	fs->fd = -1;
	fs->max_bytes = FILE_MAX_BYTES_DEFAULT;
	fs->keep = FILE_KEEP_DEFAULT;
	if (!cfg || file_parse(fs, cfg, cfg_file, err, errlen) ||
	    !(fs->gz_src = rotated_name(fs, 1, ""))) {
		file_free(fs);
		return -1;
	}
#ifndef MW_FUZZING /* the fuzzer checks the keys; it must not create files */
	rc = file_open_path(fs);
	if (rc) {
		output_cfg_error(err, errlen, cfg_file, json_object_get(cfg, "path")->line,
				 json_object_get(cfg, "path")->col, "file", "cannot open %s: %s",
				 fs->path, strerror(-rc));
		file_free(fs);
		return -1;
	}
	/* A PATH.1 left by a crash during compression is finished now. */
	if (fs->keep && stat(fs->gz_src, &st) == 0) {
		shift_rotated(fs);
		gzip_start(fs);
	}
#else
	(void)rc;
	(void)st;
#endif
	s->priv = fs;
	return 0;
}

static int write_line(struct file_sink *fs, const struct sink_record *r)
{
	struct iovec iov[2] = {{(void *)r->data, r->len}, {"\n", 1}};
	size_t want = r->len + 1, done = 0;
	ssize_t n;

	while (done < want) {
		n = writev(fs->fd, iov, 2);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
		fs->size += (uint64_t)n;
		/* A short write: move the vector past what went out. */
		while (n > 0) {
			size_t take = (size_t)n < iov[0].iov_len ? (size_t)n : iov[0].iov_len;

			iov[0].iov_base = (char *)iov[0].iov_base + take;
			iov[0].iov_len -= take;
			n -= (ssize_t)take;
			if (!iov[0].iov_len) {
				iov[0] = iov[1];
				iov[1].iov_len = 0;
			}
		}
	}
	return 0;
}

static int file_write_one(struct file_sink *fs, const struct sink_record *r)
{
	int rc;

	if (fs->fd < 0 && (rc = file_open_path(fs)))
		return rc;
	if (fs->max_bytes && fs->size && fs->size + r->len + 1 > fs->max_bytes &&
	    (rc = file_rotate(fs)))
		return rc;
	return write_line(fs, r);
}

static void file_send(struct sink *s, const struct sink_record *recs, size_t n,
		      enum sink_status *status, char *why, size_t whylen)
{
	struct file_sink *fs = s->priv;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (!rc)
			rc = file_write_one(fs, &recs[i]);
		status[i] = rc ? SINK_RETRY : SINK_OK;
	}
	if (rc)
		snprintf(why, whylen, "write to %s: %s", fs->path, strerror(-rc));
}

static void file_reopen(struct sink *s)
{
	struct file_sink *fs = s->priv;

	if (fs->fd >= 0)
		close(fs->fd);
	fs->fd = -1;
	if (file_open_path(fs) != 0)
		fs->fd = -1; /* the next write tries again */
}

static void file_close(struct sink *s)
{
	file_free(s->priv);
	s->priv = NULL;
}

const struct sink_ops sink_file_ops = {
    .type = "file",
    .keys = file_keys,
    .max_batch = 0,
    .open = file_open,
    .send = file_send,
    .reopen = file_reopen,
    .close = file_close,
    .synchronous = true,
};
