/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct output {
	FILE *stream;
	uint64_t records;
};

struct output *output_new_stream(FILE *f)
{
	struct output *o = calloc(1, sizeof(*o));

	if (o)
		o->stream = f;
	return o;
}

void output_free(struct output *o)
{
	if (o && o->stream)
		fflush(o->stream);
	free(o);
}

int output_write(struct output *o, const cJSON *rec)
{
	char *line = cJSON_PrintUnformatted(rec);
	int rc = 0;

	if (!line)
		return -ENOMEM;
	/* One record, one line: cJSON escapes control characters in strings. */
	if (fputs(line, o->stream) < 0 || fputc('\n', o->stream) == EOF || fflush(o->stream) != 0)
		rc = -EIO;
	else
		o->records++;
	cJSON_free(line);
	return rc;
}

uint64_t output_records(const struct output *o)
{
	return o->records;
}

void format_rfc3339(int64_t time_ns, char *buf, size_t len)
{
	time_t secs = (time_t)(time_ns / 1000000000);
	long nsec = (long)(time_ns % 1000000000);
	struct tm tm;
	char base[32];

	if (nsec < 0) {
		nsec += 1000000000;
		secs--;
	}
	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", base, nsec);
}

int64_t realtime_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

cJSON *record_new(const char *kind, int64_t time_ns, const char *host)
{
	cJSON *rec = cJSON_CreateObject();
	cJSON *h;
	char t[48];

	if (!rec)
		return NULL;
	format_rfc3339(time_ns, t, sizeof(t));
	cJSON_AddStringToObject(rec, "kind", kind);
	cJSON_AddStringToObject(rec, "time", t);
	h = cJSON_AddObjectToObject(rec, "host");
	if (h)
		cJSON_AddStringToObject(h, "name", host);
	return rec;
}
