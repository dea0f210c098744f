// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The tool-call tap's sessions. Chunks arrive per (process, file or SSL
 * object, direction); each such channel gets its own reassembler once its
 * first bytes say what it carries. Requests the server reads open a call;
 * the response it writes with the same id closes it. Everything is in
 * fixed tables: a hostile client can make the tap forget, never grow.
 */
#include "identify/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify/stream.h"
#include "mcpwatch_abi.h"
#include "lib/names.h"

#define TAP_INFLIGHT_TOTAL 1024 /* calls in flight over all servers */
#define TAP_RATE_SERVERS   64
#define TAP_RATE_RING	   512 /* so calls_in_window saturates at 512 */
#define NS_PER_S	   1000000000LL

struct tap_channel {
	bool used;
	bool ignored; /* its first bytes were not MCP traffic */
	uint32_t tgid, server_tgid;
	uint64_t stream;
	uint8_t dir;
	enum tap_transport transport;
	struct stream *st;   /* NULL until the first bytes pick a protocol */
	uint64_t call_total; /* the read or write in progress: bytes it moved */
	uint64_t call_seen;  /* and bytes of it seen */
	uint64_t last_used;
};

struct tap_session {
	uint32_t server_tgid;
	char key[TAP_SESSION_MAX]; /* Mcp-Session-Id; "" for stdio */
	char client_name[JSONRPC_NAME_MAX];
	char client_version[JSONRPC_VERSION_MAX];
	uint64_t last_used;
};

struct tap_rate {
	uint32_t server_tgid;
	int64_t times[TAP_RATE_RING];
	unsigned next, n;
	uint64_t last_used;
};

struct tap {
	struct tap_hooks hooks;
	struct tap_channel channels[TAP_MAX_CHANNELS];
	struct tap_call *inflight[TAP_INFLIGHT_TOTAL];
	size_t ninflight; /* non-NULL slots: lets an idle tap answer without a scan */
	struct tap_session sessions[TAP_MAX_SESSIONS];
	struct tap_rate rates[TAP_RATE_SERVERS];
	uint64_t tick;
	struct tap_stats stats;
};

/* What a message callback needs to know of where it came from. */
struct tap_msg_ctx {
	struct tap *t;
	struct tap_channel *ch;
	const struct stream_msg *sm;
	int64_t time_ns;
};

const char *tap_transport_name(enum tap_transport t)
{
	static const char *const names[] = {
	    [TAP_STDIO] = "stdio", [TAP_HTTP] = "http", [TAP_HTTPS] = "https"};

	return name_of(names, NAMES_LEN(names), t, "?");
}

const char *tap_outcome_name(enum tap_outcome o)
{
	static const char *const names[] = {[TAP_PENDING] = "pending",
					    [TAP_RESULT] = "result",
					    [TAP_IS_ERROR] = "is_error",
					    [TAP_ERROR] = "error",
					    [TAP_UNANSWERED] = "unanswered"};

	return name_of(names, NAMES_LEN(names), o, "?");
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

struct tap *tap_new(const struct tap_hooks *hooks)
{
	struct tap *t = calloc(1, sizeof(*t));

	if (t && hooks)
		t->hooks = *hooks;
	return t;
}

static void channel_close(struct tap_channel *c)
{
	stream_free(c->st);
	memset(c, 0, sizeof(*c));
}

void tap_free(struct tap *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < TAP_MAX_CHANNELS; i++)
		channel_close(&t->channels[i]);
	for (size_t i = 0; i < TAP_INFLIGHT_TOTAL; i++)
		free(t->inflight[i]);
	free(t);
}

void tap_get_stats(const struct tap *t, struct tap_stats *out)
{
	*out = t->stats;
}

/* ------------------------------------------------------------ channels */

static enum tap_transport transport_of(const struct tap_chunk *ch)
{
	if (ch->source == MW_IO_TLS)
		return TAP_HTTPS;
	return ch->fd_kind == MW_FD_STDIO ? TAP_STDIO : TAP_HTTP;
}

/* The channel of this chunk, a free slot for it, or the least recently used one. */
static struct tap_channel *channel_get(struct tap *t, const struct tap_chunk *ch)
{
	struct tap_channel *victim = &t->channels[0];

	for (size_t i = 0; i < TAP_MAX_CHANNELS; i++) {
		struct tap_channel *c = &t->channels[i];

		if (c->used && c->tgid == ch->tgid && c->stream == ch->stream && c->dir == ch->dir)
			return c;
		if (!c->used || (victim->used && c->last_used < victim->last_used))
			victim = c;
	}
	channel_close(victim);
	victim->used = true;
	victim->tgid = ch->tgid;
	victim->server_tgid = ch->server_tgid;
	victim->stream = ch->stream;
	victim->dir = ch->dir;
	victim->transport = transport_of(ch);
	return victim;
}

static bool is_http_method(const char *p, size_t len)
{
	static const char *const methods[] = {"GET ",	  "POST ", "PUT ",  "DELETE ",
					      "OPTIONS ", "HEAD ", "PATCH "};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t n = strlen(methods[i]);

		if (len >= n && !memcmp(p, methods[i], n))
			return true;
	}
	return false;
}

/*
 * What a channel carries, from its first bytes and direction: stdio is
 * NDJSON; on a socket a server reads requests and writes responses. A socket
 * the server uses as a client (it writes a request line, or reads a status
 * line) or that carries anything else is ignored from then on.
 */
static bool channel_pick_protocol(struct tap_channel *c, const char *data, size_t len,
				  enum stream_proto *p)
{
	size_t i = 0;

	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	if (i == len)
		return false;
	if (data[i] == '{' || data[i] == '[') {
		*p = STREAM_NDJSON;
		return true;
	}
	if (c->transport == TAP_STDIO)
		return false;
	if (c->dir == MW_IO_IN && is_http_method(data + i, len - i)) {
		*p = STREAM_HTTP_REQUEST;
		return true;
	}
	if (c->dir == MW_IO_OUT && len - i >= 5 && !memcmp(data + i, "HTTP/", 5)) {
		*p = STREAM_HTTP_RESPONSE;
		return true;
	}
	return false;
}

/* Bytes of the channel lost before this chunk, from the calls' offsets and totals. */
static uint64_t channel_gap(struct tap_channel *c, const struct tap_chunk *ch)
{
	uint64_t gap = 0;

	if (ch->offset == 0) {
		if (c->call_total > c->call_seen)
			gap = c->call_total - c->call_seen;
		c->call_total = ch->total;
		c->call_seen = 0;
	}
	if (ch->offset > c->call_seen)
		gap += ch->offset - c->call_seen;
	c->call_seen = (uint64_t)ch->offset + ch->len;
	return gap;
}

/* ------------------------------------------------------------ sessions */

static struct tap_session *session_find(struct tap *t, uint32_t server, const char *key,
					bool create)
{
	struct tap_session *victim = &t->sessions[0];

	for (size_t i = 0; i < TAP_MAX_SESSIONS; i++) {
		struct tap_session *s = &t->sessions[i];

		if (s->server_tgid == server && !strcmp(s->key, key)) {
			s->last_used = ++t->tick;
			return s;
		}
		if (s->last_used < victim->last_used)
			victim = s;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->server_tgid = server;
	copy_str(victim->key, sizeof(victim->key), key);
	victim->last_used = ++t->tick;
	return victim;
}

static void session_remember_client(struct tap *t, uint32_t server, const char *key,
				    const char *name, const char *version)
{
	struct tap_session *s;

	if (!name || !name[0])
		return;
	s = session_find(t, server, key, true);
	copy_str(s->client_name, sizeof(s->client_name), name);
	copy_str(s->client_version, sizeof(s->client_version), version);
}

/* ------------------------------------------------------------ call rate */

/* Counts one call of server at now; returns the calls within the window. */
static uint32_t rate_count(struct tap *t, uint32_t server, int64_t now)
{
	struct tap_rate *r = NULL, *victim = &t->rates[0];
	uint32_t n = 0;

	for (size_t i = 0; i < TAP_RATE_SERVERS && !r; i++) {
		if (t->rates[i].server_tgid == server && t->rates[i].n)
			r = &t->rates[i];
		else if (t->rates[i].last_used < victim->last_used)
			victim = &t->rates[i];
	}
	if (!r) {
		r = victim;
		memset(r, 0, sizeof(*r));
		r->server_tgid = server;
	}
	r->last_used = ++t->tick;
	r->times[r->next] = now;
	r->next = (r->next + 1) % TAP_RATE_RING;
	if (r->n < TAP_RATE_RING)
		r->n++;
	for (unsigned i = 0; i < r->n; i++) {
		int64_t when = r->times[(r->next + TAP_RATE_RING - 1 - i) % TAP_RATE_RING];

		if (now - when > (int64_t)TAP_WINDOW_S * NS_PER_S)
			break;
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ calls */

static void call_end(struct tap *t, size_t slot, int64_t time_ns, const char *text)
{
	struct tap_call *c = t->inflight[slot];

	c->end_ns = time_ns;
	c->result_text = text;
	if (t->hooks.call_end)
		t->hooks.call_end(c, t->hooks.arg);
	free(c);
	t->inflight[slot] = NULL;
	t->ninflight--;
}

/* A free slot; when the server already has TAP_MAX_INFLIGHT calls, or all
 * slots are taken, the oldest call is ended as unanswered to make room. */
static size_t inflight_slot(struct tap *t, uint32_t server, int64_t now)
{
	size_t free_slot = TAP_INFLIGHT_TOTAL, oldest = TAP_INFLIGHT_TOTAL, mine = 0;

	for (size_t i = 0; i < TAP_INFLIGHT_TOTAL; i++) {
		struct tap_call *c = t->inflight[i];

		if (!c) {
			if (free_slot == TAP_INFLIGHT_TOTAL)
				free_slot = i;
			continue;
		}
		if (c->server_tgid == server)
			mine++;
		if (oldest == TAP_INFLIGHT_TOTAL ||
		    (c->server_tgid == server) > (t->inflight[oldest]->server_tgid == server) ||
		    ((c->server_tgid == server) == (t->inflight[oldest]->server_tgid == server) &&
		     c->start_ns < t->inflight[oldest]->start_ns))
			oldest = i;
	}
	if (free_slot < TAP_INFLIGHT_TOTAL && mine < TAP_MAX_INFLIGHT)
		return free_slot;
	t->inflight[oldest]->outcome = TAP_UNANSWERED;
	call_end(t, oldest, now, NULL);
	return oldest;
}

static const char *http_session(const struct stream_msg *sm)
{
	return sm->http ? sm->http->session_id : "";
}

static void call_start(struct tap_msg_ctx *x, const struct jsonrpc_msg *m)
{
	struct tap *t = x->t;
	struct tap_call *c = calloc(1, sizeof(*c));
	const struct tap_session *s;
	size_t slot;

	if (!c)
		return;
	c->server_tgid = x->ch->server_tgid;
	c->tgid = x->ch->tgid;
	c->conn = x->ch->stream;
	c->transport = x->ch->transport;
	copy_str(c->id, sizeof(c->id), m->id);
	copy_str(c->method, sizeof(c->method), m->method);
	copy_str(c->tool, sizeof(c->tool), m->tool);
	copy_str(c->arguments, sizeof(c->arguments), m->arguments);
	copy_str(c->argument_keys, sizeof(c->argument_keys), m->argument_keys);
	copy_str(c->session, sizeof(c->session), http_session(x->sm));
	c->start_ns = x->time_ns;
	c->request_bytes = m->size;
	c->request_flags = m->flags;
	c->is_error = -1;
	if (!strcmp(m->method, "initialize")) {
		copy_str(c->client_name, sizeof(c->client_name), m->client_name);
		copy_str(c->client_version, sizeof(c->client_version), m->client_version);
		/* stdio has one session per process: known at once. */
		if (c->transport == TAP_STDIO)
			session_remember_client(t, c->server_tgid, "", m->client_name,
						m->client_version);
	} else if ((s = session_find(t, c->server_tgid, c->session, false))) {
		copy_str(c->client_name, sizeof(c->client_name), s->client_name);
		copy_str(c->client_version, sizeof(c->client_version), s->client_version);
	}
	c->calls_in_window = rate_count(t, c->server_tgid, x->time_ns);
	t->stats.calls++;
	slot = inflight_slot(t, c->server_tgid, x->time_ns);
	t->inflight[slot] = c;
	t->ninflight++;
	if (t->hooks.call_start)
		t->hooks.call_start(c, t->hooks.arg);
}

/* The call a response answers: same id, on the same connection when it has one. */
static size_t call_find(struct tap *t, uint32_t server, const char *id, uint64_t conn)
{
	size_t any = TAP_INFLIGHT_TOTAL;

	for (size_t i = 0; i < TAP_INFLIGHT_TOTAL; i++) {
		struct tap_call *c = t->inflight[i];

		if (!c || c->server_tgid != server || strcmp(c->id, id))
			continue;
		if (c->conn == conn)
			return i;
		if (any == TAP_INFLIGHT_TOTAL || c->start_ns < t->inflight[any]->start_ns)
			any = i;
	}
	return any;
}

/*
 * A response read only in part may have lost its id: the SDK writes "id"
 * after the result, and the kernel copies the first MW_IO_CHUNKS chunks of
 * a write (the stream keeps TAP_MESSAGE_MAX bytes of a message). It answers
 * the one call that can be answered on its channel — the same connection,
 * or any stdio call of the server — when there is exactly one; with several
 * the answer is not guessed.
 */
static size_t call_find_cut(struct tap *t, const struct tap_channel *ch)
{
	size_t found = TAP_INFLIGHT_TOTAL;

	for (size_t i = 0; i < TAP_INFLIGHT_TOTAL; i++) {
		struct tap_call *c = t->inflight[i];

		if (!c || c->server_tgid != ch->server_tgid)
			continue;
		if (ch->transport == TAP_STDIO ? c->transport != TAP_STDIO : c->conn != ch->stream)
			continue;
		if (found != TAP_INFLIGHT_TOTAL)
			return TAP_INFLIGHT_TOTAL;
		found = i;
	}
	return found;
}

static void call_answered(struct tap_msg_ctx *x, const struct jsonrpc_msg *m, size_t nmsgs)
{
	struct tap *t = x->t;
	size_t slot = call_find(t, x->ch->server_tgid, m->id, x->ch->stream);
	struct tap_call *c;

	if (slot == TAP_INFLIGHT_TOTAL && nmsgs == 1 &&
	    (m->id[0] == '\0' || (m->flags & JSONRPC_F_ID_CUT)) &&
	    (m->flags & (JSONRPC_F_PARTIAL | JSONRPC_F_ID_CUT)))
		slot = call_find_cut(t, x->ch);
	if (slot == TAP_INFLIGHT_TOTAL)
		return;
	c = t->inflight[slot];
	c->outcome = m->kind == JSONRPC_ERROR ? TAP_ERROR
		     : m->is_error == 1	      ? TAP_IS_ERROR
					      : TAP_RESULT;
	c->is_error = m->is_error;
	c->has_error_code = m->has_error_code;
	c->error_code = m->error_code;
	/* A message cut by the reassembler still knows its full size. */
	c->response_bytes = nmsgs == 1 ? x->sm->total_len : m->size;
	if (!strcmp(c->method, "initialize") && c->session[0] == '\0' && x->sm->http &&
	    x->sm->http->session_id[0])
		session_remember_client(t, c->server_tgid, x->sm->http->session_id, c->client_name,
					c->client_version);
	call_end(t, slot, x->time_ns, m->text);
}

struct tap_decoded {
	struct tap_msg_ctx *x;
	size_t n;
};

static void on_jsonrpc(const struct jsonrpc_msg *m, void *arg)
{
	struct tap_msg_ctx *x = arg;

	x->t->stats.messages++;
	if (m->kind == JSONRPC_INVALID) {
		x->t->stats.undecodable++;
		return;
	}
	/* The server reads requests and writes responses; the other way round
	 * are its own requests to the client (sampling, elicitation). */
	if (x->ch->dir == MW_IO_IN && m->kind == JSONRPC_REQUEST)
		call_start(x, m);
	else if (x->ch->dir == MW_IO_OUT && (m->kind == JSONRPC_RESULT || m->kind == JSONRPC_ERROR))
		call_answered(x, m, (m->flags & JSONRPC_F_BATCH) ? 2 : 1);
}

static void on_stream_msg(const struct stream_msg *sm, void *arg)
{
	struct tap_msg_ctx *x = arg;

	if (sm->flags & STREAM_MSG_NO_BODY || !sm->len)
		return;
	x->sm = sm;
	jsonrpc_decode(sm->data, sm->len, sm->flags & (STREAM_MSG_TRUNCATED | STREAM_MSG_GAP),
		       on_jsonrpc, x);
}

void tap_feed(struct tap *t, const struct tap_chunk *chunk)
{
	struct tap_channel *c;
	struct tap_msg_ctx x = {.t = t, .time_ns = chunk->time_ns};
	enum stream_proto p;
	uint64_t gap;

	if (!t || !chunk || !chunk->server_tgid)
		return;
	t->stats.bytes += chunk->len;
	c = channel_get(t, chunk);
	c->last_used = ++t->tick;
	gap = channel_gap(c, chunk);
	t->stats.gaps += gap != 0;
	if (c->ignored)
		return;
	if (!c->st) {
		/* A channel is judged by the first bytes seen of a call. */
		if (chunk->offset != 0 || !channel_pick_protocol(c, chunk->data, chunk->len, &p)) {
			c->ignored = chunk->len > 0;
			return;
		}
		c->st = stream_new(p, TAP_MESSAGE_MAX);
		if (!c->st)
			return;
		gap = 0;
	}
	x.ch = c;
	stream_feed(c->st, chunk->data, chunk->len, gap, on_stream_msg, &x);
	/* The kernel copies at most MW_IO_CHUNKS chunks of a call: when this is
	 * the last one it sent, say so now rather than at the next call. */
	if (chunk->offset + chunk->len < chunk->total &&
	    chunk->offset / MW_IO_CHUNK == MW_IO_CHUNKS - 1) {
		stream_feed(c->st, "", 0, chunk->total - c->call_seen, on_stream_msg, &x);
		c->call_seen = chunk->total;
	}
}

/* ------------------------------------------------------------ queries */

size_t tap_inflight(const struct tap *t, uint32_t server_tgid, const struct tap_call **out,
		    size_t max)
{
	size_t n = 0;

	/* Asked on every event of every watched tree: most of the time nothing is in flight. */
	if (!t || !t->ninflight)
		return 0;
	for (size_t i = 0; i < TAP_INFLIGHT_TOTAL; i++) {
		const struct tap_call *c = t->inflight[i];
		size_t k;

		if (!c || c->server_tgid != server_tgid)
			continue;
		/* Insert newest first into out[0 .. min(n, max)). */
		k = n < max ? n : max;
		while (k > 0 && out[k - 1]->start_ns < c->start_ns) {
			if (k < max)
				out[k] = out[k - 1];
			k--;
		}
		if (k < max)
			out[k] = c;
		n++;
	}
	return n;
}

void tap_process_gone(struct tap *t, uint32_t tgid, int64_t time_ns)
{
	if (!t)
		return;
	for (size_t i = 0; i < TAP_MAX_CHANNELS; i++)
		if (t->channels[i].used && t->channels[i].tgid == tgid)
			channel_close(&t->channels[i]);
	for (size_t i = 0; i < TAP_INFLIGHT_TOTAL; i++) {
		struct tap_call *c = t->inflight[i];

		if (c && (c->tgid == tgid || c->server_tgid == tgid)) {
			c->outcome = TAP_UNANSWERED;
			call_end(t, i, time_ns, NULL);
		}
	}
}
