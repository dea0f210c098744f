/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The fan-out of records to the outputs, their construction from the
 * configuration, drop accounting, and the record envelope helpers.
 */
#include "deliver/output.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/json.h"
#include "deliver/delivery.h"
#include "deliver/record.h"
#include "deliver/sinks/sink.h"
#include "lib/clock.h"
#include "lib/diag.h"

#define ERROR_LOG_GAP_NS (60LL * 1000000000)

struct output_entry {
	struct sink sink;
	enum record_format format;
	struct delivery *delivery; /* NULL: a synchronous sink */
	uint64_t write_errors;	   /* synchronous sinks */
	uint64_t written;
	uint64_t reported[DROP_REASONS]; /* what output_collect_drops returned */
	int64_t last_error_log_ns;
};

struct output {
	pthread_mutex_t lock;
	struct output_entry **e;
	size_t n, cap;
	uint64_t records;
};

/* ------------------------------------------------------------------ registry */

const struct sink_ops *sink_ops_find(const char *type)
{
	static const struct sink_ops *const all[] = {
	    &sink_stdout_ops,	     &sink_file_ops,	   &sink_syslog_ops,
	    &sink_webhook_ops,	     &sink_splunk_hec_ops, &sink_elasticsearch_ops,
	    &sink_falcosidekick_ops,
	};

	for (size_t i = 0; type && i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(all[i]->type, type) == 0)
			return all[i];
	return NULL;
}

/* ------------------------------------------------------------------ sink config errors */

/* "FILE:LINE:COL: TYPE output: message", the shape of every diagnostic. */
static size_t __attribute__((format(printf, 7, 0)))
typed_line(char *buf, size_t len, const char *file, int line, int col, const char *type,
	   const char *fmt, va_list ap)
{
	char msg[DIAG_LINE_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return diag_format(buf, len, file ? file : "<config>", line, col, "%s output: %s", type,
			   msg);
}

void output_cfg_error(char *err, size_t errlen, const char *file, int line, int col,
		      const char *type, const char *fmt, ...)
{
	size_t used = err ? strnlen(err, errlen) : 0;
	va_list ap;

	if (!err || used + 1 >= errlen)
		return;
	va_start(ap, fmt);
	used += typed_line(err + used, errlen - used, file, line, col, type, fmt, ap);
	va_end(ap);
	if (used + 1 < errlen) {
		err[used] = '\n';
		err[used + 1] = '\0';
	}
}

/* ------------------------------------------------------------------ building */

struct output *output_new_empty(void)
{
	struct output *o = calloc(1, sizeof(*o));

	if (o)
		pthread_mutex_init(&o->lock, NULL);
	return o;
}

static int entries_grow(struct output *o)
{
	struct output_entry **e;
	size_t cap = o->cap ? o->cap * 2 : 4;

	if (o->n < o->cap)
		return 0;
	e = realloc(o->e, cap * sizeof(*e));
	if (!e)
		return -1;
	o->e = e;
	o->cap = cap;
	return 0;
}

static int start_delivery(struct output_entry *e, const struct output_opts *opts, char *err,
			  size_t errlen)
{
	struct delivery_opts d = {
	    .spool_max_bytes = opts->spool_max_bytes,
	    .batch_max_records = opts->batch_max_records,
	    .batch_max_bytes = opts->batch_max_bytes,
	    .batch_max_wait_ms = opts->batch_max_wait_ms,
	    .retry_initial_ms = opts->retry_initial_ms,
	    .retry_max_ms = opts->retry_max_ms,
	    .queue_max_records = opts->queue_max_records,
	    .queue_max_bytes = opts->queue_max_bytes,
	};
	char *dir = NULL;
	int rc;

	if (asprintf(&dir, "%s/%s", opts->spool_dir ? opts->spool_dir : OUTPUT_SPOOL_DIR_DEFAULT,
		     e->sink.name) < 0) {
		snprintf(err, errlen, "output %s: out of memory", e->sink.name);
		return -1;
	}
	d.spool_dir = dir;
	rc = delivery_start(&e->delivery, &e->sink, &d, err, errlen);
	free(dir);
	return rc ? -1 : 0;
}

int output_add(struct output *o, const struct sink_ops *ops, const char *name,
	       const struct json_value *cfg, const char *cfg_file, const struct output_opts *opts,
	       char *err, size_t errlen)
{
	struct output_entry *e;

	if (entries_grow(o) || !(e = calloc(1, sizeof(*e)))) {
		snprintf(err, errlen, "output %s: out of memory", name);
		return -1;
	}
	e->sink.ops = ops;
	snprintf(e->sink.name, sizeof(e->sink.name), "%s", name);
	e->format = opts->format;
	if (ops->open(&e->sink, cfg, cfg_file, err, errlen) != 0) {
		if (!err[0])
			snprintf(err, errlen, "%s: output %s: cannot open it",
				 cfg_file ? cfg_file : "<config>", name);
		free(e);
		return -1;
	}
	if (!ops->synchronous && start_delivery(e, opts, err, errlen)) {
		ops->close(&e->sink);
		free(e);
		return -1;
	}
	pthread_mutex_lock(&o->lock);
	o->e[o->n++] = e;
	pthread_mutex_unlock(&o->lock);
	return 0;
}

/* Each output of specs, in order; every error, one line each. */
static int add_specs(struct output *o, const struct output_spec *specs, size_t n, FILE *stream,
		     char *err, size_t errlen)
{
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct output_spec *sp = &specs[i];
		const struct sink_ops *ops = sink_ops_find(sp->type);
		size_t used = strlen(err);

		if (!ops) {
			snprintf(err + used, errlen - used, "%s: unknown output type \"%s\"\n",
				 sp->cfg_file ? sp->cfg_file : "<config>", sp->type);
			rc = -1;
		} else if (output_add(o, ops, sp->name, sp->cfg, sp->cfg_file, &sp->opts,
				      err + used, errlen - used)) {
			rc = -1;
		} else if (ops == &sink_stdout_ops) {
			sink_stdout_set_stream(&o->e[o->n - 1]->sink, stream);
		}
	}
	return rc;
}

static void trim_newline(char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '\n')
		s[--n] = '\0';
}

struct output *output_new(const struct output_spec *specs, size_t n, FILE *stream, char *err,
			  size_t errlen)
{
	struct output *o = output_new_empty();

	err[0] = '\0';
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (add_specs(o, specs, n, stream, err, errlen)) {
		trim_newline(err);
		output_free(o);
		return NULL;
	}
	return o;
}

struct output *output_new_stream(FILE *f)
{
	struct output *o = output_new_empty();
	struct output_opts opts = {.format = FMT_NATIVE};
	char err[256];

	if (!o)
		return NULL;
	err[0] = '\0';
	if (output_add(o, &sink_stdout_ops, "stdout", NULL, NULL, &opts, err, sizeof(err))) {
		output_free(o);
		return NULL;
	}
	sink_stdout_set_stream(&o->e[0]->sink, f);
	return o;
}

void output_free(struct output *o)
{
	int64_t deadline = clock_monotonic_ns() + OUTPUT_STOP_MS * 1000000LL;

	if (!o)
		return;
	/* Every network output stops at once: the deadline is for all together. */
	for (size_t i = 0; i < o->n; i++)
		if (o->e[i]->delivery)
			delivery_request_stop(o->e[i]->delivery, deadline);
	for (size_t i = 0; i < o->n; i++) {
		struct output_entry *e = o->e[i];

		if (e->delivery && !delivery_stop(e->delivery, deadline))
			continue; /* its thread is still in send(): leave it be */
		e->sink.ops->close(&e->sink);
		free(e);
	}
	free(o->e);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* ------------------------------------------------------------------ writing */

/* rec in one format, shared by the outputs that use that format. */
struct formatted {
	bool done; /* tried: text is NULL when out of memory */
	char *text;
	char host[RECORD_HOST_MAX];
	int severity;
};

/* The text of rec in format f, and the facts envelopes need, read from the
 * formatted tree before it goes: the sinks never parse the text again. */
static void format_once(const cJSON *rec, enum record_format f, struct formatted *out)
{
	cJSON *formatted = f == FMT_NATIVE ? NULL : format_record(f, rec);
	/* A kind the format has no form for goes as the native record. */
	const cJSON *tree = formatted ? formatted : rec;

	out->done = true;
	if (!record_host(tree, out->host, sizeof(out->host)))
		out->host[0] = '\0';
	out->severity = record_severity(tree);
	out->text = cJSON_PrintUnformatted(tree);
	cJSON_Delete(formatted);
}

static void log_write_error(struct output_entry *e, const char *why)
{
	int64_t now = clock_monotonic_ns();

	if (e->last_error_log_ns && now - e->last_error_log_ns < ERROR_LOG_GAP_NS)
		return;
	e->last_error_log_ns = now;
	fprintf(stderr, "mcpwatch: output %s: %s\n", e->sink.name, why);
}

static int write_local(struct output_entry *e, const struct sink_record *r)
{
	enum sink_status st = SINK_RETRY;
	char why[256] = "";

	e->sink.ops->send(&e->sink, r, 1, &st, why, sizeof(why));
	if (st == SINK_OK) {
		e->written++;
		return 0;
	}
	e->write_errors++;
	log_write_error(e, why[0] ? why : "write failed");
	return -EIO;
}

int output_write(struct output *o, const cJSON *rec)
{
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(rec, "kind");
	const cJSON *time = cJSON_GetObjectItemCaseSensitive(rec, "time");
	struct formatted fm[FMT_FALCO + 1];
	struct sink_record r;
	int rc = 0;

	for (size_t f = 0; f <= FMT_FALCO; f++)
		fm[f].done = false;
	r.kind = cJSON_IsString(kind) ? kind->valuestring : "unknown";
	if (!cJSON_IsString(time) || !rfc3339_parse(time->valuestring, &r.time_ns))
		r.time_ns = clock_realtime_ns();
	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < o->n; i++) {
		struct output_entry *e = o->e[i];
		enum record_format f = e->format <= FMT_FALCO ? e->format : FMT_NATIVE;

		if (!fm[f].done)
			format_once(rec, f, &fm[f]);
		if (!fm[f].text) {
			rc = -ENOMEM;
			continue;
		}
		r.data = fm[f].text;
		r.len = strlen(fm[f].text);
		r.host = fm[f].host;
		r.severity = fm[f].severity;
		if (e->delivery)
			delivery_enqueue(e->delivery, &r);
		else if (write_local(e, &r) && !rc)
			rc = -EIO;
	}
	if (!rc)
		o->records++;
	pthread_mutex_unlock(&o->lock);
	for (size_t f = 0; f <= FMT_FALCO; f++)
		if (fm[f].done)
			cJSON_free(fm[f].text);
	return rc;
}

uint64_t output_records(const struct output *o)
{
	return __atomic_load_n(&o->records, __ATOMIC_RELAXED);
}

void output_reopen(struct output *o)
{
	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < o->n; i++)
		if (o->e[i]->sink.ops->reopen && !o->e[i]->delivery)
			o->e[i]->sink.ops->reopen(&o->e[i]->sink);
	pthread_mutex_unlock(&o->lock);
	/* Network sinks reconnect by themselves when a send fails; calling
	 * their reopen here would race with their sender thread. */
}

/* ------------------------------------------------------------------ drops */

static void entry_stats(struct output_entry *e, struct delivery_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (e->delivery) {
		delivery_get_stats(e->delivery, st);
		return;
	}
	st->dropped[DROP_WRITE_ERROR] = e->write_errors;
	st->delivered = e->written;
}

size_t output_collect_drops(struct output *o, struct output_drop *out, size_t max)
{
	struct delivery_stats st;
	size_t n = 0;

	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; i < o->n && n < max; i++) {
		struct output_entry *e = o->e[i];

		entry_stats(e, &st);
		for (int r = 0; r < DROP_REASONS && n < max; r++) {
			if (st.dropped[r] == e->reported[r])
				continue;
			snprintf(out[n].output, sizeof(out[n].output), "%s", e->sink.name);
			out[n].reason = drop_reason_name((enum drop_reason)r);
			out[n].count = st.dropped[r] - e->reported[r];
			e->reported[r] = st.dropped[r];
			n++;
		}
	}
	pthread_mutex_unlock(&o->lock);
	return n;
}

cJSON *output_stats_json(struct output *o)
{
	cJSON *arr = cJSON_CreateArray(), *item, *dropped;
	struct delivery_stats st;

	pthread_mutex_lock(&o->lock);
	for (size_t i = 0; arr && i < o->n; i++) {
		struct output_entry *e = o->e[i];

		entry_stats(e, &st);
		item = cJSON_CreateObject();
		if (!item)
			break;
		cJSON_AddItemToArray(arr, item);
		cJSON_AddStringToObject(item, "name", e->sink.name);
		cJSON_AddStringToObject(item, "type", e->sink.ops->type);
		cJSON_AddStringToObject(item, "format", format_name(e->format));
		cJSON_AddNumberToObject(item, "delivered", (double)st.delivered);
		cJSON_AddNumberToObject(item, "pending", (double)st.pending);
		dropped = cJSON_AddObjectToObject(item, "dropped");
		for (int r = 0; dropped && r < DROP_REASONS; r++)
			if (st.dropped[r])
				cJSON_AddNumberToObject(dropped,
							drop_reason_name((enum drop_reason)r),
							(double)st.dropped[r]);
	}
	pthread_mutex_unlock(&o->lock);
	return arr;
}

/* ------------------------------------------------------------------ envelope */

cJSON *record_new(const char *kind, int64_t time_ns, const char *host)
{
	cJSON *rec = cJSON_CreateObject();
	cJSON *h;
	char t[48];

	if (!rec)
		return NULL;
	rfc3339_format(time_ns, 9, t, sizeof(t));
	cJSON_AddStringToObject(rec, "kind", kind);
	cJSON_AddStringToObject(rec, "time", t);
	h = cJSON_AddObjectToObject(rec, "host");
	if (h)
		cJSON_AddStringToObject(h, "name", host);
	return rec;
}
