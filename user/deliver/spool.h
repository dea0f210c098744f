/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * spool: owns one network output's on-disk queue — the records accepted
 * for a sink and not yet delivered, kept across restarts and crashes.
 *
 * A spool is a directory: segment files seg-<16 digits>.ndjson, written in
 * order, one record per line as the JSON array
 * [TIME_NS,"KIND",RECORD,"HOST",SEVERITY] (so a segment is valid NDJSON
 * that jq reads), rolled at segment_bytes; lines of the older form
 * [TIME_NS,"KIND",RECORD] are still read, their host and severity then read
 * from RECORD once, when they are handed out. A
 * file "cursor" holding "<segment> <offset>\n", the first byte not yet
 * delivered (written to a temporary file, fsync'd, renamed); and a file
 * "lock" that one process holds (flock) while the spool is open.
 *
 * The spool never grows past max_bytes: when an append would, the oldest
 * segments go first, delivered or not, and their undelivered records are
 * counted as dropped. Recovery at open: an unterminated last line (a crash
 * in mid-write) is cut off, a missing or damaged cursor means "from the
 * oldest segment" (at-least-once: duplicates rather than losses), a cursor
 * in the middle of a line moves back to that line's start, and unreadable
 * lines are skipped when reached and counted (spool_take_corrupt).
 *
 * All functions are thread-safe: one thread may append while another reads
 * and acknowledges.
 */
#ifndef MCPWATCH_SPOOL_H
#define MCPWATCH_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_SEGMENT_MAX (4u << 20)
#define SPOOL_SEGMENT_MIN 4096u
#define SPOOL_RECORD_MAX  (1u << 20) /* a larger record is not spooled: dropped, counted */
#define SPOOL_KIND_MAX	  16	     /* "alert", "posture", "agent": [a-z_], < 16 characters */
#define SPOOL_HOST_MAX	  256	     /* a longer host is cut */

struct spool;

/* One record: data is a JSON text (no trailing newline) of len bytes. */
struct spool_record {
	int64_t time_ns;
	char kind[SPOOL_KIND_MAX];
	const char *data;
	size_t len;
	/* Appending: NULL writes the older line form (no host, no severity).
	 * Reading: never NULL; "" when the record names no host. */
	const char *host;
	int severity; /* RFC 5424, 0..7 */
};

struct spool_opts {
	uint64_t max_bytes;	/* every segment together, delivered part included */
	uint64_t segment_bytes; /* 0: max_bytes / 8 within [SPOOL_SEGMENT_MIN, SPOOL_SEGMENT_MAX] */
};

struct spool_pos {
	uint64_t seg, off;
};

/* What spool_read hands out; the record data points into buf. */
struct spool_batch {
	struct spool_record *recs;
	size_t n;
	/* private to spool.c */
	struct spool_pos start, *ends;
	uint64_t *lines; /* lines of ends[i].seg up to and including record i */
	size_t cap;
	char *buf;
	size_t buflen, bufcap;
	size_t databytes; /* of the records' data in buf (hosts apart) */
};

/* Opens (creating dir with mode 0700 if needed) and recovers a spool.
 * 0, or -errno with a one-line reason naming the directory in err. */
int spool_open(struct spool **out, const char *dir, const struct spool_opts *opts, char *err,
	       size_t errlen);
void spool_close(struct spool *sp);

/* Appends n records, then fsyncs. *dropped grows by the records removed to
 * stay within max_bytes and those too large to ever fit. 0, or -errno
 * (records before the failing one are kept). */
int spool_append(struct spool *sp, const struct spool_record *recs, size_t n, uint64_t *dropped);

/* Reads, from the cursor and without moving it, up to max_records records
 * whose data add up to at most max_bytes (at least one record when any is
 * pending). Returns the number read (0: nothing pending) or -errno. */
int spool_read(struct spool *sp, struct spool_batch *b, size_t max_records, size_t max_bytes);
/* The first n records of b are done with (delivered or rejected): moves the
 * cursor past them, persists it, deletes spent segments. A batch that the
 * size bound overtook (its segment was dropped meanwhile) is ignored. */
int spool_ack(struct spool *sp, const struct spool_batch *b, size_t n);
void spool_batch_free(struct spool_batch *b);

uint64_t spool_pending(struct spool *sp);	/* records not yet acknowledged */
uint64_t spool_pending_bytes(struct spool *sp); /* their bytes on disk, about */
uint64_t spool_bytes(struct spool *sp);		/* bytes of every segment */
/* Unreadable lines skipped since the last call. */
uint64_t spool_take_corrupt(struct spool *sp);

#endif /* MCPWATCH_SPOOL_H */
