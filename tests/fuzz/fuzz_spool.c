// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz spool recovery: the input becomes a cursor file and up to three
 * segment files (parts split on 0xFF; the first byte picks the size bound).
 * Whatever they hold, the spool opens, hands out only well-formed records,
 * drains to nothing while taking new records, stays within its bound, and
 * after a reopen has nothing pending.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deliver/spool.h"

static char dir[64];

static void clear_dir(void);

static void remove_dir(void)
{
	clear_dir();
	rmdir(dir);
}

static void clear_dir(void)
{
	struct dirent *de;
	char p[128];
	DIR *d;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/mw-fuzz-spool-%d", (int)getpid());
		atexit(remove_dir);
		return;
	}
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
}

static void write_part(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

static void lay_out(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"cursor", "seg-0000000000000001.ndjson",
					    "seg-0000000000000002.ndjson",
					    "seg-0000000000000004.ndjson"};
	size_t part = 0, start = 0;

	for (size_t i = 0; i <= size && part < 4; i++) {
		if (i < size && data[i] != 0xff)
			continue;
		write_part(names[part++], data + start, i - start);
		start = i + 1;
	}
}

static void check_record(const struct spool_record *r)
{
	if (!r->len || r->len > SPOOL_RECORD_MAX || memchr(r->data, '\n', r->len) || !r->kind[0] ||
	    strlen(r->kind) >= SPOOL_KIND_MAX)
		abort();
}

static void drain(struct spool *sp, uint64_t max)
{
	struct spool_record in = {.time_ns = 7, .kind = "alert", .data = "{\"x\":1}", .len = 7};
	struct spool_batch b = {0};
	uint64_t dropped = 0;
	int n, rounds = 0;

	while ((n = spool_read(sp, &b, 5, 4096)) > 0) {
		for (int i = 0; i < n; i++)
			check_record(&b.recs[i]);
		if (spool_ack(sp, &b, (size_t)n) != 0)
			abort();
		if (rounds++ < 3 && spool_append(sp, &in, 1, &dropped) != 0)
			abort();
		if (spool_bytes(sp) > max || rounds > 100000)
			abort();
	}
	if (n < 0 || spool_pending(sp) != 0)
		abort();
	spool_batch_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_opts o = {.max_bytes = 1 << 20, .segment_bytes = 4096};
	struct spool *sp = NULL;
	char err[256];

	clear_dir();
	if (!size)
		return 0;
	if (data[0] & 1)
		o.max_bytes = 16384; /* appends push old segments out */
	mkdir(dir, 0700);
	lay_out(data + 1, size - 1);
	if (spool_open(&sp, dir, &o, err, sizeof(err)) != 0)
		return 0; /* e.g. a segment that is not a regular file */
	drain(sp, o.max_bytes > 16384 ? UINT64_MAX : o.max_bytes);
	spool_close(sp);
	if (spool_open(&sp, dir, &o, err, sizeof(err)) != 0)
		abort();
	if (spool_pending(sp) != 0)
		abort();
	spool_close(sp);
	return 0;
}
