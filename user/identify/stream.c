// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Chunks in, messages out. Each protocol is a small state machine fed spans
 * of bytes; every step consumes at least one byte or changes state, so a feed
 * ends in time linear in its length. Message bytes go to one buffer of
 * max_message bytes that is delivered and reused; the HTTP header block goes
 * to a second, fixed buffer.
 */
#include "identify/stream.h"
#include "lib/chars.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum phase {
	PH_AUTO,   /* STREAM_AUTO before the first bytes decided */
	PH_NDJSON, /* newline-delimited JSON */
	PH_HEAD,   /* HTTP: reading a header block */
	PH_BODY,   /* HTTP: reading a body */
	PH_LOST,   /* HTTP: out of sync until a chunk starts a message */
};

enum framing { FR_NONE, FR_LENGTH, FR_CHUNKED, FR_CLOSE };
enum chunk_state { CH_SIZE, CH_EXT, CH_DATA, CH_DATA_END, CH_TRAILER };
enum payload { PL_SNIFF, PL_JSON, PL_SSE, PL_OPAQUE };
enum sse_state { SSE_FIELD, SSE_VALUE_START, SSE_VALUE, SSE_SKIP, SSE_RESYNC };

#define MAX_CHUNK_DIGITS  15 /* 2^60 bytes: no overflow, and no chunk is that big */
#define MAX_CHUNK_LINE	  4096
#define MAX_LENGTH_DIGITS 18
#define MAX_METHOD	  15
#define AUTO_SNIFF	  8

/* The message being assembled: a prefix of at most cap bytes, and a count. */
struct message {
	char *buf;
	size_t cap, len;
	uint64_t total;
	unsigned flags;
	bool frozen; /* bytes were lost: keep the prefix, only count */
	char last;   /* last byte seen, kept or not (a CR before LF) */
};

struct sse {
	enum sse_state state;
	char field[8];
	size_t field_len;
	bool field_long;
	bool after_cr;	     /* a CR ended a line: a LF right after is part of it */
	unsigned data_lines; /* "data:" lines in the event so far */
	bool events;	     /* an event was delivered in this response */
	size_t line_len;     /* SSE_RESYNC: bytes in the current line */
	bool check_resync;   /* the next body bytes may start a field line */
};

struct stream {
	enum stream_proto proto;
	enum phase phase;
	const char *lost;
	struct message msg;
	bool nd_active, nd_skip_line, nd_resync;
	char sniff[AUTO_SNIFF];
	size_t sniff_len;
	struct stream_http http;
	enum framing framing;
	uint64_t remaining;
	enum chunk_state chunk;
	uint64_t chunk_size;
	unsigned chunk_digits;
	size_t line_len;
	bool chunk_cr;
	enum payload payload;
	struct sse sse;
	size_t head_len;
	char head[STREAM_MAX_HEAD];
};

static void proto_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg);

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9110 token characters (method and header names). */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || is_upper(c) || is_digit(c) ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static size_t min_size(size_t a, uint64_t b)
{
	return b < a ? (size_t)b : a;
}

/* Copy n bytes of s into out (size outlen), cut to fit, NUL-terminated. */
static void copy_field(char *out, size_t outlen, const char *s, size_t n)
{
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/* ---------------------------------------------------------------- message */

static void message_reset(struct message *m)
{
	m->len = 0;
	m->total = 0;
	m->flags = 0;
	m->frozen = false;
	m->last = '\0';
}

static void message_append(struct message *m, const char *d, size_t n)
{
	size_t k;

	if (!n)
		return;
	m->total += n;
	m->last = d[n - 1];
	if (m->frozen)
		return;
	k = min_size(n, m->cap - m->len);
	memcpy(m->buf + m->len, d, k);
	m->len += k;
	if (k < n)
		m->flags |= STREAM_MSG_TRUNCATED;
}

/* gap bytes lost (UINT64_MAX: unknown, total stays a lower bound). */
static void message_gap(struct message *m, uint64_t gap)
{
	m->flags |= STREAM_MSG_GAP;
	m->frozen = true;
	if (gap != UINT64_MAX)
		m->total = gap > UINT64_MAX - m->total ? UINT64_MAX : m->total + gap;
}

static bool is_http(const struct stream *s)
{
	return s->proto == STREAM_HTTP_REQUEST || s->proto == STREAM_HTTP_RESPONSE;
}

static void emit(struct stream *s, size_t len, unsigned flags, stream_msg_fn fn, void *arg)
{
	struct stream_msg m = {
	    .data = s->msg.buf,
	    .len = len,
	    .total_len = s->msg.total,
	    .flags = s->msg.flags | flags,
	    .proto = s->proto,
	    .http = is_http(s) ? &s->http : NULL,
	};

	/* No body given: that its prefix was cut says nothing. */
	if (flags & STREAM_MSG_NO_BODY)
		m.flags &= ~(unsigned)STREAM_MSG_TRUNCATED;
	if (fn)
		fn(&m, arg);
	message_reset(&s->msg);
}

static void emit_message(struct stream *s, unsigned flags, stream_msg_fn fn, void *arg)
{
	emit(s, s->msg.len, flags, fn, arg);
}

/* ---------------------------------------------------------------- NDJSON */

/* A line ended: drop a CR before the LF, deliver the message. */
static void ndjson_end_line(struct stream *s, stream_msg_fn fn, void *arg)
{
	struct message *m = &s->msg;

	if (m->last == '\r' && m->total > 0) {
		if (m->len == m->total)
			m->len--;
		m->total--;
	}
	emit_message(s, 0, fn, arg);
	s->nd_active = false;
}

/* Skips blanks before a message; false when the chunk ran out first. */
static bool ndjson_start(struct stream *s, const char *d, size_t n, size_t *i)
{
	while (*i < n && is_blank(d[*i])) {
		/* A newline right after the gap: the lost bytes ended a line. */
		if (d[*i] == '\n')
			s->nd_resync = false;
		(*i)++;
	}
	if (*i == n)
		return false;
	if (s->nd_resync) {
		s->nd_resync = false;
		if (d[*i] != '{' && d[*i] != '[') {
			s->nd_skip_line = true;
			return true;
		}
		s->msg.flags |= STREAM_MSG_RESYNC;
	}
	s->nd_active = true;
	return true;
}

static void ndjson_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	const char *nl;
	size_t i = 0, end;

	while (i < n) {
		if (s->nd_skip_line) {
			nl = memchr(d + i, '\n', n - i);
			if (!nl)
				return;
			i = (size_t)(nl - d) + 1;
			s->nd_skip_line = false;
			continue;
		}
		if (!s->nd_active && (!ndjson_start(s, d, n, &i) || s->nd_skip_line))
			continue;
		nl = memchr(d + i, '\n', n - i);
		end = nl ? (size_t)(nl - d) : n;
		message_append(&s->msg, d + i, end - i);
		i = end;
		if (nl) {
			ndjson_end_line(s, fn, arg);
			i++;
		}
	}
}

static void ndjson_gap(struct stream *s, stream_msg_fn fn, void *arg)
{
	if (s->nd_active) {
		message_gap(&s->msg, UINT64_MAX);
		emit_message(s, 0, fn, arg);
		s->nd_active = false;
	}
	s->nd_skip_line = false;
	s->nd_resync = true;
}

/* ---------------------------------------------------------------- SSE */

static void sse_reset(struct sse *e)
{
	memset(e, 0, sizeof(*e));
}

static void sse_dispatch(struct stream *s, stream_msg_fn fn, void *arg)
{
	if (!s->sse.data_lines)
		return;
	emit_message(s, STREAM_MSG_SSE, fn, arg);
	s->sse.data_lines = 0;
	s->sse.events = true;
}

static void sse_data_line(struct stream *s)
{
	if (s->sse.data_lines++)
		message_append(&s->msg, "\n", 1);
}

static bool sse_field_is(const struct sse *e, const char *name)
{
	return !e->field_long && e->field_len == strlen(name) &&
	       !memcmp(e->field, name, e->field_len);
}

/* A CR or LF ended a line (a blank line ends an event). */
static void sse_eol(struct stream *s, char c, stream_msg_fn fn, void *arg)
{
	struct sse *e = &s->sse;

	e->after_cr = c == '\r';
	if (e->state == SSE_FIELD) {
		if (!e->field_len && !e->field_long)
			sse_dispatch(s, fn, arg);
		else if (sse_field_is(e, "data"))
			sse_data_line(s); /* "data" alone: an empty data line */
	}
	e->state = SSE_FIELD;
	e->field_len = 0;
	e->field_long = false;
}

static void sse_field_char(struct stream *s, char c)
{
	struct sse *e = &s->sse;

	if (c != ':') {
		if (e->field_len < sizeof(e->field))
			e->field[e->field_len++] = c;
		else
			e->field_long = true;
		return;
	}
	if (sse_field_is(e, "data")) {
		sse_data_line(s);
		e->state = SSE_VALUE_START;
	} else {
		e->state = SSE_SKIP; /* comment, event, id, retry, unknown */
	}
}

static size_t find_eol(const char *d, size_t i, size_t n)
{
	while (i < n && d[i] != '\r' && d[i] != '\n')
		i++;
	return i;
}

/* Looking for the blank line that ends the event the gap cut. */
static void sse_resync_char(struct sse *e, char c)
{
	if (c != '\r' && c != '\n') {
		e->line_len++;
		return;
	}
	e->after_cr = c == '\r';
	if (!e->line_len)
		e->state = SSE_FIELD;
	e->line_len = 0;
}

static bool starts_with(const char *d, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(d, prefix, k);
}

static bool starts_sse_field(const char *d, size_t n)
{
	return starts_with(d, n, "data:") || starts_with(d, n, "event:") ||
	       starts_with(d, n, "id:");
}

static void sse_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	struct sse *e = &s->sse;
	size_t i = 0, end;

	if (e->check_resync && n) {
		e->check_resync = false;
		if (starts_sse_field(d, n))
			e->state = SSE_FIELD;
	}
	while (i < n) {
		if (e->after_cr) {
			e->after_cr = false;
			if (d[i] == '\n') {
				i++;
				continue;
			}
		}
		switch (e->state) {
		case SSE_RESYNC:
			sse_resync_char(e, d[i++]);
			break;
		case SSE_FIELD:
			if (d[i] == '\r' || d[i] == '\n')
				sse_eol(s, d[i], fn, arg);
			else
				sse_field_char(s, d[i]);
			i++;
			break;
		case SSE_VALUE_START:
			e->state = SSE_VALUE;
			if (d[i] == ' ')
				i++;
			break;
		case SSE_VALUE:
		case SSE_SKIP:
			end = find_eol(d, i, n);
			if (e->state == SSE_VALUE)
				message_append(&s->msg, d + i, end - i);
			i = end;
			if (i < n)
				sse_eol(s, d[i++], fn, arg);
			break;
		}
	}
}

/* Bytes lost inside an event stream: deliver the event cut, find the next. */
static void sse_gap(struct stream *s, stream_msg_fn fn, void *arg)
{
	bool events = s->sse.events;

	if (s->sse.data_lines) {
		message_gap(&s->msg, UINT64_MAX);
		sse_dispatch(s, fn, arg);
		events = true;
	}
	message_reset(&s->msg);
	sse_reset(&s->sse);
	s->sse.events = events;
	s->sse.state = SSE_RESYNC;
	s->sse.line_len = 1;
	s->sse.check_resync = true;
}

/* ---------------------------------------------------------------- HTTP body */

static void payload_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	if (s->payload == PL_SSE)
		sse_feed(s, d, n, fn, arg);
	else if (s->payload == PL_OPAQUE)
		s->msg.total += n;
	else
		message_append(&s->msg, d, n);
}

static void payload_gap(struct stream *s, uint64_t gap, stream_msg_fn fn, void *arg)
{
	if (s->payload == PL_SSE)
		sse_gap(s, fn, arg);
	else
		message_gap(&s->msg, gap);
}

static bool body_looks_like_json(const struct message *m)
{
	size_t i = 0;

	while (i < m->len && is_blank(m->buf[i]))
		i++;
	return i < m->len && (m->buf[i] == '{' || m->buf[i] == '[');
}

static void start_next_head(struct stream *s)
{
	s->phase = PH_HEAD;
	s->head_len = 0;
	message_reset(&s->msg);
	sse_reset(&s->sse);
}

/* The body ended: its JSON, or a message saying it had none. */
static void body_done(struct stream *s, stream_msg_fn fn, void *arg)
{
	if (s->payload == PL_SSE) {
		if (!s->sse.events)
			emit(s, 0, STREAM_MSG_NO_BODY, fn, arg);
	} else if (s->payload == PL_OPAQUE) {
		emit(s, 0, STREAM_MSG_NO_BODY | STREAM_MSG_ENCODED, fn, arg);
	} else if (s->msg.len && (s->payload == PL_JSON || body_looks_like_json(&s->msg))) {
		emit_message(s, 0, fn, arg);
	} else {
		emit(s, 0, STREAM_MSG_NO_BODY, fn, arg);
	}
	start_next_head(s);
}

/* Out of sync: deliver what was cut, then wait for a chunk that starts a message. */
static void lose(struct stream *s, const char *why, stream_msg_fn fn, void *arg)
{
	if (s->phase == PH_BODY) {
		if (s->payload == PL_SSE && s->sse.data_lines) {
			message_gap(&s->msg, UINT64_MAX);
			sse_dispatch(s, fn, arg);
		} else if ((s->payload == PL_SNIFF || s->payload == PL_JSON) &&
			   body_looks_like_json(&s->msg)) {
			message_gap(&s->msg, UINT64_MAX);
			emit_message(s, 0, fn, arg);
		}
	}
	start_next_head(s);
	s->phase = PH_LOST;
	s->lost = why;
}

static size_t chunk_size_char(struct stream *s, char c, stream_msg_fn fn, void *arg)
{
	int v = hex_digit_value(c);

	if (v >= 0 && s->chunk == CH_SIZE) {
		if (++s->chunk_digits > MAX_CHUNK_DIGITS)
			lose(s, "chunk size too large", fn, arg);
		else
			s->chunk_size = s->chunk_size * 16 + (uint64_t)v;
		return 1;
	}
	if (c != '\n') {
		/* Extensions (";name=value") and a CR are skipped up to the LF. */
		if ((s->chunk == CH_SIZE && c != ';' && c != ' ' && c != '\t' && c != '\r') ||
		    ++s->line_len > MAX_CHUNK_LINE)
			lose(s, "malformed chunk size line", fn, arg);
		else
			s->chunk = CH_EXT;
		return 1;
	}
	if (!s->chunk_digits) {
		lose(s, "malformed chunk size line", fn, arg);
		return 1;
	}
	s->chunk = s->chunk_size ? CH_DATA : CH_TRAILER;
	s->remaining = s->chunk_size;
	s->line_len = 0;
	return 1;
}

static void chunk_data_end_char(struct stream *s, char c, stream_msg_fn fn, void *arg)
{
	if (c == '\r' && !s->chunk_cr) {
		s->chunk_cr = true;
		return;
	}
	if (c != '\n') {
		lose(s, "chunk not followed by CRLF", fn, arg);
		return;
	}
	s->chunk = CH_SIZE;
	s->chunk_size = 0;
	s->chunk_digits = 0;
	s->chunk_cr = false;
	s->line_len = 0;
}

/* Trailer fields are skipped; an empty line ends the body. */
static void chunk_trailer_char(struct stream *s, char c, stream_msg_fn fn, void *arg)
{
	if (c == '\r')
		return;
	if (c != '\n') {
		if (++s->line_len > STREAM_MAX_HEAD)
			lose(s, "trailer line over 8192 bytes", fn, arg);
		return;
	}
	if (!s->line_len)
		body_done(s, fn, arg);
	s->line_len = 0;
}

static size_t chunked_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	size_t k;

	switch (s->chunk) {
	case CH_SIZE:
	case CH_EXT:
		return chunk_size_char(s, d[0], fn, arg);
	case CH_DATA:
		k = min_size(n, s->remaining);
		payload_feed(s, d, k, fn, arg);
		s->remaining -= k;
		if (!s->remaining)
			s->chunk = CH_DATA_END;
		return k;
	case CH_DATA_END:
		chunk_data_end_char(s, d[0], fn, arg);
		return 1;
	case CH_TRAILER:
		chunk_trailer_char(s, d[0], fn, arg);
		return 1;
	}
	return n;
}

static size_t body_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	size_t k;

	switch (s->framing) {
	case FR_LENGTH:
		k = min_size(n, s->remaining);
		payload_feed(s, d, k, fn, arg);
		s->remaining -= k;
		if (!s->remaining)
			body_done(s, fn, arg);
		return k;
	case FR_CHUNKED:
		return chunked_feed(s, d, n, fn, arg);
	case FR_CLOSE:
		payload_feed(s, d, n, fn, arg);
		return n;
	case FR_NONE:
		break;
	}
	body_done(s, fn, arg);
	return 0;
}

/* ---------------------------------------------------------------- HTTP head */

struct head_info {
	int64_t content_length; /* -1: none */
	bool chunked, other_coding, encoded, bad;
};

/* Bytes of the line starting at p (without its LF and a CR before it). */
static size_t line_length(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (!nl)
		nl = end;
	*next = nl < end ? nl + 1 : end;
	n = (size_t)(nl - p);
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

/* "METHOD SP target SP HTTP/1.x" */
static bool parse_request_line(struct stream *s, const char *p, size_t n)
{
	const char *sp1, *sp2;
	size_t m;

	for (m = 0; m < n && is_tchar(p[m]); m++)
		;
	if (!m || m > MAX_METHOD || m >= n || p[m] != ' ')
		return false;
	sp1 = p + m;
	sp2 = memchr(sp1 + 1, ' ', n - m - 1);
	if (!sp2 || sp2 == sp1 + 1)
		return false;
	if ((size_t)(p + n - (sp2 + 1)) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) || !is_digit(sp2[8]))
		return false;
	copy_field(s->http.method, sizeof(s->http.method), p, m);
	copy_field(s->http.path, sizeof(s->http.path), sp1 + 1, (size_t)(sp2 - sp1 - 1));
	return true;
}

/* "HTTP/1.x SP ddd[ SP reason]" */
static bool parse_status_line(struct stream *s, const char *p, size_t n)
{
	if (n < 12 || memcmp(p, "HTTP/1.", 7) || !is_digit(p[7]) || p[8] != ' ' ||
	    !is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) || (n > 12 && p[12] != ' '))
		return false;
	s->http.status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	return s->http.status >= 100;
}

static bool name_is(const char *name, size_t n, const char *want)
{
	return n == strlen(want) && !strncasecmp(name, want, n);
}

static int64_t parse_length(const char *v, size_t n)
{
	int64_t x = 0;
	size_t i;

	if (!n || n > MAX_LENGTH_DIGITS)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	return x;
}

/*
 * The last coding of a Transfer-Encoding list decides the framing; a coding
 * before it ("gzip, chunked") leaves a body that is not readable here.
 */
static void note_transfer_encoding(struct head_info *h, const char *v, size_t n)
{
	const char *comma = v + n;
	size_t k;

	while (comma > v && comma[-1] != ',')
		comma--;
	while (comma < v + n && (*comma == ' ' || *comma == '\t'))
		comma++;
	k = (size_t)(v + n - comma);
	h->chunked = name_is(comma, k, "chunked");
	h->other_coding = !h->chunked;
	if (h->chunked && memchr(v, ',', n))
		h->encoded = true;
}

static void note_header(struct stream *s, struct head_info *h, const char *name, size_t nn,
			const char *v, size_t vn)
{
	int64_t cl;

	if (name_is(name, nn, "content-length")) {
		cl = parse_length(v, vn);
		if (cl < 0 || (h->content_length >= 0 && h->content_length != cl))
			h->bad = true;
		h->content_length = cl;
	} else if (name_is(name, nn, "transfer-encoding")) {
		note_transfer_encoding(h, v, vn);
	} else if (name_is(name, nn, "content-encoding")) {
		h->encoded = !name_is(v, vn, "identity");
	} else if (name_is(name, nn, "content-type")) {
		copy_field(s->http.content_type, sizeof(s->http.content_type), v, vn);
	} else if (name_is(name, nn, "mcp-session-id")) {
		copy_field(s->http.session_id, sizeof(s->http.session_id), v, vn);
	} else if (name_is(name, nn, "user-agent")) {
		copy_field(s->http.user_agent, sizeof(s->http.user_agent), v, vn);
	}
}

/* "name: value"; a folded or nameless line is ignored, a space before ':' is not allowed. */
static void parse_header_line(struct stream *s, struct head_info *h, const char *p, size_t n)
{
	size_t k = 0, v, e;

	if (!n || p[0] == ' ' || p[0] == '\t')
		return;
	while (k < n && is_tchar(p[k]))
		k++;
	if (!k || k == n || p[k] != ':') {
		h->bad = true;
		return;
	}
	for (v = k + 1; v < n && (p[v] == ' ' || p[v] == '\t'); v++)
		;
	for (e = n; e > v && (p[e - 1] == ' ' || p[e - 1] == '\t'); e--)
		;
	note_header(s, h, p, k, p + v, e - v);
}

static bool parse_head(struct stream *s, struct head_info *h)
{
	const char *p = s->head, *end = s->head + s->head_len, *next;
	size_t n = line_length(p, end, &next);
	bool ok;

	memset(&s->http, 0, sizeof(s->http));
	*h = (struct head_info){.content_length = -1};
	if (s->proto == STREAM_HTTP_REQUEST)
		ok = parse_request_line(s, p, n);
	else
		ok = parse_status_line(s, p, n);
	if (!ok)
		return false;
	for (p = next; p < end; p = next)
		parse_header_line(s, h, p, line_length(p, end, &next));
	return !h->bad;
}

/* The media type without parameters, compared case-insensitively. */
static bool media_type_is(const char *ct, const char *want)
{
	size_t n = strcspn(ct, "; \t");

	return name_is(ct, n, want);
}

static bool media_type_is_json(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return media_type_is(ct, "application/json") ||
	       (n >= 5 && !strncasecmp(ct + n - 5, "+json", 5));
}

static enum framing response_framing(const struct stream *s, const struct head_info *h)
{
	int st = s->http.status;

	if (st < 200 || st == 204 || st == 304)
		return FR_NONE;
	if (h->chunked)
		return FR_CHUNKED;
	if (h->other_coding || h->content_length < 0)
		return FR_CLOSE;
	return h->content_length ? FR_LENGTH : FR_NONE;
}

static void choose_payload(struct stream *s, const struct head_info *h)
{
	const char *ct = s->http.content_type;

	if (h->encoded)
		s->payload = PL_OPAQUE;
	else if (s->proto == STREAM_HTTP_RESPONSE && media_type_is(ct, "text/event-stream"))
		s->payload = PL_SSE;
	else if (media_type_is_json(ct))
		s->payload = PL_JSON;
	else
		s->payload = PL_SNIFF;
}

/* A whole header block is in s->head: set up the body. */
static void head_done(struct stream *s, stream_msg_fn fn, void *arg)
{
	struct head_info h;

	if (!parse_head(s, &h)) {
		lose(s, "malformed start line or header", fn, arg);
		return;
	}
	if (s->proto == STREAM_HTTP_REQUEST) {
		if (h.other_coding && !h.chunked) {
			lose(s, "transfer coding other than chunked", fn, arg);
			return;
		}
		s->framing = h.chunked ? FR_CHUNKED : h.content_length > 0 ? FR_LENGTH : FR_NONE;
	} else {
		s->framing = response_framing(s, &h);
	}
	choose_payload(s, &h);
	s->remaining = h.content_length > 0 ? (uint64_t)h.content_length : 0;
	s->chunk = CH_SIZE;
	s->chunk_size = 0;
	s->chunk_digits = 0;
	s->chunk_cr = false;
	s->line_len = 0;
	s->phase = PH_BODY;
	message_reset(&s->msg);
	sse_reset(&s->sse);
	if (s->framing == FR_NONE)
		body_done(s, fn, arg);
	if (s->proto == STREAM_HTTP_RESPONSE && s->http.status == 101)
		lose(s, "protocol switched (101)", fn, arg);
}

/* The header block ends with an empty line: LF LF or LF CR LF. */
static bool head_complete(const struct stream *s)
{
	size_t n = s->head_len;

	return (n >= 2 && s->head[n - 2] == '\n') ||
	       (n >= 3 && s->head[n - 2] == '\r' && s->head[n - 3] == '\n');
}

static size_t head_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	size_t i = 0;

	/* Empty lines before a message are allowed (RFC 9112 2.2). */
	if (!s->head_len)
		while (i < n && (d[i] == '\r' || d[i] == '\n'))
			i++;
	while (i < n && s->head_len < STREAM_MAX_HEAD) {
		s->head[s->head_len++] = d[i++];
		if (d[i - 1] == '\n' && head_complete(s)) {
			head_done(s, fn, arg);
			return i;
		}
	}
	if (s->head_len == STREAM_MAX_HEAD)
		lose(s, "header block over 8192 bytes", fn, arg);
	return i;
}

static void http_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	size_t i = 0, k;
	enum phase before;

	while (i < n && (s->phase == PH_HEAD || s->phase == PH_BODY)) {
		before = s->phase;
		if (s->phase == PH_HEAD)
			k = head_feed(s, d + i, n - i, fn, arg);
		else
			k = body_feed(s, d + i, n - i, fn, arg);
		/* Every step consumes a byte or moves on; never spin. */
		if (!k && s->phase == before)
			break;
		i += k;
	}
}

/* Can a lost stream start again with this chunk? */
static bool starts_http_message(const struct stream *s, const char *d, size_t n)
{
	size_t i = 0, m = 0;

	while (i < n && (d[i] == '\r' || d[i] == '\n'))
		i++;
	d += i;
	n -= i;
	if (s->proto == STREAM_HTTP_RESPONSE)
		return starts_with(d, n, "HTTP/1.");
	while (m < n && m <= MAX_METHOD && is_upper(d[m]))
		m++;
	return m >= 3 && m + 1 < n && d[m] == ' ' &&
	       (d[m + 1] == '/' || d[m + 1] == '*' || d[m + 1] == 'h');
}

static void http_gap(struct stream *s, uint64_t gap, stream_msg_fn fn, void *arg)
{
	if (s->phase == PH_HEAD) {
		lose(s,
		     s->head_len ? "bytes lost in a header block" : "bytes lost between messages",
		     fn, arg);
		return;
	}
	if (s->phase != PH_BODY)
		return;
	if (s->framing == FR_CLOSE) {
		payload_gap(s, gap, fn, arg);
	} else if (s->framing == FR_LENGTH && gap <= s->remaining) {
		payload_gap(s, gap, fn, arg);
		s->remaining -= gap;
		if (!s->remaining)
			body_done(s, fn, arg);
	} else if (s->framing == FR_CHUNKED && s->chunk == CH_DATA && gap <= s->remaining) {
		payload_gap(s, gap, fn, arg);
		s->remaining -= gap;
		if (!s->remaining)
			s->chunk = CH_DATA_END;
	} else {
		lose(s, "bytes lost across a message boundary", fn, arg);
	}
}

/* ---------------------------------------------------------------- auto */

/* The protocol the first bytes say, or STREAM_AUTO to wait for more. */
static enum stream_proto auto_decide(const char *b, size_t n, bool final)
{
	size_t m = 0;

	if (!n)
		return final ? STREAM_NDJSON : STREAM_AUTO;
	if (!memcmp(b, "HTTP/", n < 5 ? n : 5))
		return n >= 5 ? STREAM_HTTP_RESPONSE : final ? STREAM_NDJSON : STREAM_AUTO;
	while (m < n && is_upper(b[m]))
		m++;
	if (m == n && m > 0)
		return final || n == AUTO_SNIFF ? STREAM_NDJSON : STREAM_AUTO;
	return m >= 3 && b[m] == ' ' ? STREAM_HTTP_REQUEST : STREAM_NDJSON;
}

static void auto_choose(struct stream *s, enum stream_proto p)
{
	s->proto = p;
	s->phase = p == STREAM_NDJSON ? PH_NDJSON : PH_HEAD;
}

static void auto_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	enum stream_proto p;
	size_t i = 0;

	if (!s->sniff_len)
		while (i < n && is_blank(d[i]))
			i++;
	while (i < n && s->sniff_len < AUTO_SNIFF)
		s->sniff[s->sniff_len++] = d[i++];
	p = auto_decide(s->sniff, s->sniff_len, false);
	if (p == STREAM_AUTO)
		return;
	auto_choose(s, p);
	proto_feed(s, s->sniff, s->sniff_len, fn, arg);
	proto_feed(s, d + i, n - i, fn, arg);
}

/* ---------------------------------------------------------------- API */

static void proto_feed(struct stream *s, const char *d, size_t n, stream_msg_fn fn, void *arg)
{
	switch (s->phase) {
	case PH_AUTO:
		auto_feed(s, d, n, fn, arg);
		break;
	case PH_NDJSON:
		ndjson_feed(s, d, n, fn, arg);
		break;
	case PH_HEAD:
	case PH_BODY:
		http_feed(s, d, n, fn, arg);
		break;
	case PH_LOST:
		break;
	}
}

static void proto_gap(struct stream *s, uint64_t gap, stream_msg_fn fn, void *arg)
{
	switch (s->phase) {
	case PH_AUTO:
		s->sniff_len = 0;
		break;
	case PH_NDJSON:
		ndjson_gap(s, fn, arg);
		break;
	case PH_HEAD:
	case PH_BODY:
		http_gap(s, gap, fn, arg);
		break;
	case PH_LOST:
		break;
	}
}

struct stream *stream_new(enum stream_proto p, size_t max_message)
{
	struct stream *s;

	if (p != STREAM_AUTO && p != STREAM_NDJSON && p != STREAM_HTTP_REQUEST &&
	    p != STREAM_HTTP_RESPONSE)
		return NULL;
	if (!max_message)
		max_message = STREAM_DEFAULT_MESSAGE;
	if (max_message > STREAM_MAX_MESSAGE)
		max_message = STREAM_MAX_MESSAGE;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->msg.buf = malloc(max_message);
	if (!s->msg.buf) {
		free(s);
		return NULL;
	}
	s->msg.cap = max_message;
	s->proto = p;
	s->phase = p == STREAM_AUTO ? PH_AUTO : p == STREAM_NDJSON ? PH_NDJSON : PH_HEAD;
	return s;
}

void stream_feed(struct stream *s, const char *data, size_t len, uint64_t gap_before,
		 stream_msg_fn fn, void *arg)
{
	if (!s)
		return;
	if (!data)
		len = 0;
	if (gap_before)
		proto_gap(s, gap_before, fn, arg);
	if (s->phase == PH_LOST && starts_http_message(s, data, len)) {
		start_next_head(s);
		s->lost = NULL;
	}
	proto_feed(s, data, len, fn, arg);
}

void stream_end(struct stream *s, stream_msg_fn fn, void *arg)
{
	if (!s)
		return;
	if (s->phase == PH_AUTO) {
		auto_choose(s, auto_decide(s->sniff, s->sniff_len, true));
		proto_feed(s, s->sniff, s->sniff_len, fn, arg);
	}
	s->sniff_len = 0;
	if (s->phase == PH_NDJSON) {
		if (s->nd_active)
			emit_message(s, 0, fn, arg);
		s->nd_active = s->nd_skip_line = s->nd_resync = false;
		message_reset(&s->msg);
		return;
	}
	if (s->phase == PH_BODY && s->framing == FR_CLOSE) {
		body_done(s, fn, arg);
	} else if (s->phase == PH_BODY) {
		/* An event never ended reached no client either: dropped, as in body_done. */
		s->sse.data_lines = 0;
		lose(s, "connection closed inside a body", fn, arg);
	}
	start_next_head(s);
	s->lost = NULL;
}

const char *stream_lost_reason(const struct stream *s)
{
	return s && s->phase == PH_LOST ? s->lost : NULL;
}

enum stream_proto stream_protocol(const struct stream *s)
{
	return s ? s->proto : STREAM_AUTO;
}

void stream_free(struct stream *s)
{
	if (!s)
		return;
	free(s->msg.buf);
	free(s);
}
