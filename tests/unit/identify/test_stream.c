/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for stream: NDJSON and HTTP/1.1 (JSON, SSE) reassembly, bounds, gaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify/stream.h"

#define MAX_GOT 32

struct got_msg {
	char data[4096];
	size_t len;
	uint64_t total;
	unsigned flags;
	bool http;
	struct stream_http h;
};

struct got {
	struct got_msg m[MAX_GOT];
	size_t n;
};

static void collect(const struct stream_msg *msg, void *arg)
{
	struct got *g = arg;
	struct got_msg *m;

	assert_true(msg->total_len >= msg->len);
	assert_true(g->n < MAX_GOT);
	m = &g->m[g->n++];
	assert_true(msg->len <= sizeof(m->data));
	memcpy(m->data, msg->data, msg->len);
	m->len = msg->len;
	m->total = msg->total_len;
	m->flags = msg->flags;
	m->http = msg->http != NULL;
	if (msg->http)
		m->h = *msg->http;
}

static void assert_msg(const struct got *g, size_t i, const char *want, unsigned flags)
{
	assert_true(i < g->n);
	assert_int_equal(g->m[i].len, strlen(want));
	assert_memory_equal(g->m[i].data, want, strlen(want));
	assert_int_equal(g->m[i].flags, flags);
}

static void assert_same(const struct got *a, const struct got *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->m[i].len, b->m[i].len);
		assert_memory_equal(a->m[i].data, b->m[i].data, a->m[i].len);
		assert_int_equal(a->m[i].total, b->m[i].total);
		assert_int_equal(a->m[i].flags, b->m[i].flags);
		assert_memory_equal(&a->m[i].h, &b->m[i].h, sizeof(a->m[i].h));
	}
}

/* Feeds text in pieces cut at the given offsets (ascending), then ends the stream. */
static void feed_cut(enum stream_proto p, size_t max, const char *text, size_t len,
		     const size_t *cuts, size_t ncuts, struct got *g)
{
	struct stream *s = stream_new(p, max);
	size_t from = 0, i;

	assert_non_null(s);
	memset(g, 0, sizeof(*g));
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		stream_feed(s, text + from, to - from, 0, collect, g);
		from = to;
	}
	stream_end(s, collect, g);
	stream_free(s);
}

static void feed_text(struct stream *s, const char *text, uint64_t gap, struct got *g)
{
	stream_feed(s, text, strlen(text), gap, collect, g);
}

static void feed_whole(enum stream_proto p, size_t max, const char *text, struct got *g)
{
	feed_cut(p, max, text, strlen(text), NULL, 0, g);
}

/* Every split in two, and one byte at a time, must give what one chunk gives. */
static void assert_split_invariant(enum stream_proto p, const char *text)
{
	size_t len = strlen(text), k, *cuts;
	struct got *whole = malloc(sizeof(*whole)), *split = malloc(sizeof(*split));

	assert_non_null(whole);
	assert_non_null(split);
	feed_whole(p, 0, text, whole);
	for (k = 1; k < len; k++) {
		feed_cut(p, 0, text, len, &k, 1, split);
		assert_same(whole, split);
	}
	cuts = malloc(len * sizeof(*cuts));
	assert_non_null(cuts);
	for (k = 0; k + 1 < len; k++)
		cuts[k] = k + 1;
	feed_cut(p, 0, text, len, cuts, len - 1, split);
	assert_same(whole, split);
	free(cuts);
	free(whole);
	free(split);
}

#define INIT_REQ                                                                                   \
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":" \
	"\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"claude-code\",\"version\":" \
	"\"1.0.0\"}}}"
#define CALL_REQ                                                                                   \
	"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/"                                        \
	"call\",\"params\":{\"name\":\"read_file\","                                               \
	"\"arguments\":{\"path\":\"/etc/hosts\"}}}"
#define CALL_RES                                                                                   \
	"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\",\"text\":"      \
	"\"127.0.0.1 localhost\\n\"}],\"isError\":false}}"
#define ERR_RES                                                                                    \
	"{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32602,\"message\":\"Unknown tool: "    \
	"x\"}}"
#define NOTE "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"

static const char exchange[] = INIT_REQ "\n" CALL_REQ "\n" CALL_RES "\r\n\n" ERR_RES "\n" NOTE "\n";

static void test_ndjson_exchange(void **state)
{
	struct got g;

	(void)state;
	feed_whole(STREAM_NDJSON, 0, exchange, &g);
	assert_int_equal(g.n, 5);
	assert_msg(&g, 0, INIT_REQ, 0);
	assert_msg(&g, 1, CALL_REQ, 0);
	assert_msg(&g, 2, CALL_RES, 0); /* the CR before LF is not part of it */
	assert_msg(&g, 3, ERR_RES, 0);
	assert_msg(&g, 4, NOTE, 0);
	assert_int_equal(g.m[0].total, strlen(INIT_REQ));
	assert_false(g.m[0].http);
}

static void test_ndjson_split_anywhere(void **state)
{
	(void)state;
	assert_split_invariant(STREAM_NDJSON, exchange);
	assert_split_invariant(STREAM_AUTO, exchange);
}

static void test_ndjson_blank_lines_and_last_line(void **state)
{
	struct got g;

	(void)state;
	feed_whole(STREAM_NDJSON, 0, "\n\r\n  \t{\"a\":1}\r\n\n\n{\"b\":2}", &g);
	assert_int_equal(g.n, 2);
	assert_msg(&g, 0, "{\"a\":1}", 0);
	assert_msg(&g, 1, "{\"b\":2}", 0); /* delivered by stream_end */
}

static void test_ndjson_huge_message(void **state)
{
	size_t big = 10000, n = big + 32;
	char *text = malloc(n);
	struct got g;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', big);
	text[0] = '{';
	strcpy(text + big, "\n{\"next\":true}\n");
	feed_cut(STREAM_NDJSON, 64, text, strlen(text), (size_t[]){100, 5000}, 2, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.m[0].len, 64);
	assert_int_equal(g.m[0].total, big);
	assert_int_equal(g.m[0].flags, STREAM_MSG_TRUNCATED);
	assert_memory_equal(g.m[0].data, text, 64);
	assert_msg(&g, 1, "{\"next\":true}", 0);
	free(text);
}

static void test_ndjson_gap_resync(void **state)
{
	struct stream *s = stream_new(STREAM_NDJSON, 0);
	struct got g = {0};

	(void)state;
	/* The tail after the gap is not a message start: skipped to the newline. */
	feed_text(s, "{\"id\":1,\"method\":\"tools/ca", 0, &g);
	feed_text(s, "ll\"}\n{\"id\":2}\n", 500, &g);
	assert_int_equal(g.n, 2);
	assert_msg(&g, 0, "{\"id\":1,\"method\":\"tools/ca", STREAM_MSG_GAP);
	assert_int_equal(g.m[0].total, 26);
	assert_msg(&g, 1, "{\"id\":2}", 0);
	/* A chunk after a gap that starts with '{' is taken as a message. */
	feed_text(s, "{\"id\":3", 0, &g);
	feed_text(s, "{\"id\":4}\n", 4096, &g);
	assert_int_equal(g.n, 4);
	assert_msg(&g, 2, "{\"id\":3", STREAM_MSG_GAP);
	assert_msg(&g, 3, "{\"id\":4}", STREAM_MSG_RESYNC);
	/* A newline first says the lost bytes ended a line. */
	feed_text(s, "\n{\"id\":5}\n", 9, &g);
	assert_msg(&g, 4, "{\"id\":5}", 0);
	stream_free(s);
}

static void test_ndjson_binary_garbage(void **state)
{
	char junk[4096];
	struct got g;
	size_t i;

	(void)state;
	srand(7);
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(rand() & 0xff);
	junk[sizeof(junk) - 1] = '\0';
	feed_cut(STREAM_NDJSON, 128, junk, sizeof(junk), (size_t[]){1, 2, 1000}, 3, &g);
	for (i = 0; i < g.n; i++)
		assert_true(g.m[i].len <= 128);
}

#define POST_HEAD                                                                                  \
	"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: node\r\nAccept: "               \
	"application/json, text/event-stream\r\nContent-Type: application/json\r\n"                \
	"Mcp-Session-Id: 5d1c-77\r\n"

static void test_http_post_content_length(void **state)
{
	char text[1024];
	struct got g;

	(void)state;
	snprintf(text, sizeof(text), POST_HEAD "Content-Length: %zu\r\n\r\n" CALL_REQ,
		 strlen(CALL_REQ));
	feed_whole(STREAM_HTTP_REQUEST, 0, text, &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, CALL_REQ, 0);
	assert_true(g.m[0].http);
	assert_string_equal(g.m[0].h.method, "POST");
	assert_string_equal(g.m[0].h.path, "/mcp");
	assert_string_equal(g.m[0].h.session_id, "5d1c-77");
	assert_string_equal(g.m[0].h.content_type, "application/json");
	assert_string_equal(g.m[0].h.user_agent, "node");
	assert_split_invariant(STREAM_HTTP_REQUEST, text);
	assert_split_invariant(STREAM_AUTO, text);
}

/* Appends one chunk of a chunked body: size[;ext] CRLF payload CRLF. */
static void add_chunk(char *buf, size_t cap, const char *ext, const char *payload)
{
	size_t n = strlen(buf);

	snprintf(buf + n, cap - n, "%zx%s\r\n%s\r\n", strlen(payload), ext, payload);
}

static void test_http_post_chunked(void **state)
{
	char text[2048] = POST_HEAD "Transfer-Encoding: chunked\r\n\r\n";
	struct got g;

	(void)state;
	add_chunk(text, sizeof(text), ";ext=1", "{\"jsonrpc\":\"2.0\",");
	add_chunk(text, sizeof(text), "", "\"method\":\"tools/list\",\"id\"");
	add_chunk(text, sizeof(text), "", ":9}");
	strcat(text, "0\r\nX-Trailer: 1\r\n\r\n");
	feed_whole(STREAM_HTTP_REQUEST, 0, text, &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, "{\"jsonrpc\":\"2.0\",\"method\":\"tools/list\",\"id\":9}", 0);
	assert_split_invariant(STREAM_HTTP_REQUEST, text);
}

static void test_http_keep_alive_pipelined(void **state)
{
	static const char text[] = "POST /mcp HTTP/1.1\r\nContent-Length: 9\r\n\r\n{\"id\":1}\n"
				   "GET /mcp HTTP/1.1\r\nAccept: text/event-stream\r\n\r\n"
				   "\r\nPOST /mcp HTTP/1.1\r\ncontent-length: 8\r\ncontent-type: "
				   "text/plain\r\n\r\n{\"id\":2}"
				   "DELETE /mcp HTTP/1.1\r\nMcp-Session-Id: abc\r\n\r\n";
	struct got g;

	(void)state;
	feed_whole(STREAM_HTTP_REQUEST, 0, text, &g);
	assert_int_equal(g.n, 4);
	assert_msg(&g, 0, "{\"id\":1}\n", 0);
	assert_msg(&g, 1, "", STREAM_MSG_NO_BODY);
	assert_string_equal(g.m[1].h.method, "GET");
	assert_msg(&g, 2, "{\"id\":2}", 0); /* sniffed: JSON whatever the type says */
	assert_msg(&g, 3, "", STREAM_MSG_NO_BODY);
	assert_string_equal(g.m[3].h.method, "DELETE");
	assert_string_equal(g.m[3].h.session_id, "abc");
	assert_split_invariant(STREAM_HTTP_REQUEST, text);
}

static void test_http_response_json(void **state)
{
	char text[1024];
	struct got g;

	(void)state;
	snprintf(text, sizeof(text),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
		 "mcp-session-id: s1\r\nContent-Length: %zu\r\n\r\n" CALL_RES,
		 strlen(CALL_RES));
	feed_whole(STREAM_HTTP_RESPONSE, 0, text, &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, CALL_RES, 0);
	assert_int_equal(g.m[0].h.status, 200);
	assert_string_equal(g.m[0].h.session_id, "s1");
	assert_split_invariant(STREAM_HTTP_RESPONSE, text);
}

static void test_http_response_sse_chunked(void **state)
{
	char text[2048] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
			  "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
	struct got g;

	(void)state;
	add_chunk(text, sizeof(text), "", ": ping\n\nevent: message\nid: 1\ndata: {\"id\":1,");
	add_chunk(text, sizeof(text), "", "\ndata:  \"result\":{}}\r\n\r\nretry: 10\n\r\n");
	add_chunk(text, sizeof(text), "", "data: {\"id\":2,\"result\":{}}");
	add_chunk(text, sizeof(text), "", "\n\n");
	strcat(text, "0\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
	feed_whole(STREAM_HTTP_RESPONSE, 0, text, &g);
	assert_int_equal(g.n, 3);
	assert_msg(&g, 0, "{\"id\":1,\n \"result\":{}}", STREAM_MSG_SSE);
	assert_msg(&g, 1, "{\"id\":2,\"result\":{}}", STREAM_MSG_SSE);
	assert_int_equal(g.m[1].h.status, 200);
	assert_msg(&g, 2, "", STREAM_MSG_NO_BODY);
	assert_int_equal(g.m[2].h.status, 202);
	assert_split_invariant(STREAM_HTTP_RESPONSE, text);
	assert_split_invariant(STREAM_AUTO, text);
}

static void test_http_response_until_close(void **state)
{
	struct got g;

	(void)state;
	feed_whole(STREAM_HTTP_RESPONSE, 0, "HTTP/1.0 200 OK\r\n\r\n[{\"id\":1}]", &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, "[{\"id\":1}]", 0);
	feed_whole(
	    STREAM_HTTP_RESPONSE, 0,
	    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauthorized"
	    "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\x1f\x8b\x08",
	    &g);
	assert_int_equal(g.n, 2);
	assert_msg(&g, 0, "", STREAM_MSG_NO_BODY);
	assert_int_equal(g.m[0].h.status, 401);
	assert_int_equal(g.m[0].total, 12);
	assert_msg(&g, 1, "", STREAM_MSG_NO_BODY | STREAM_MSG_ENCODED);
	/* A transfer coding under the chunking: the body is not readable either. */
	feed_whole(
	    STREAM_HTTP_RESPONSE, 0,
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\n{}}\r\n0\r\n\r\n", &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, "", STREAM_MSG_NO_BODY | STREAM_MSG_ENCODED);
	assert_int_equal(g.m[0].total, 3);
	/* A body too long for max_message, but not JSON: no body, not truncated. */
	feed_whole(STREAM_HTTP_RESPONSE, 8,
		   "HTTP/1.1 404 Not Found\r\nContent-Length: 20\r\n\r\n<html>not here</html>", &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, "", STREAM_MSG_NO_BODY);
	assert_int_equal(g.m[0].total, 20);
}

static void test_http_sse_gap(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
				   "data: {\"id\":1}\n\ndata: {\"id\":2,\"result\":";
	struct stream *s = stream_new(STREAM_HTTP_RESPONSE, 0);
	struct got g = {0};

	(void)state;
	stream_feed(s, head, strlen(head), 0, collect, &g);
	assert_int_equal(g.n, 1);
	/* The event cut by the gap is delivered as such; the tail is skipped. */
	feed_text(s, "ail\"}\n\ndata: {\"id\":3}\n\n", 4000, &g);
	assert_int_equal(g.n, 3);
	assert_msg(&g, 1, "{\"id\":2,\"result\":", STREAM_MSG_SSE | STREAM_MSG_GAP);
	assert_msg(&g, 2, "{\"id\":3}", STREAM_MSG_SSE);
	/* A chunk after a gap that starts a field starts an event. */
	feed_text(s, "data: {\"id\":4}\n\n", 100, &g);
	assert_int_equal(g.n, 4);
	assert_msg(&g, 3, "{\"id\":4}", STREAM_MSG_SSE);
	assert_null(stream_lost_reason(s));
	/* Closed inside an event: dropped. */
	feed_text(s, "data: {\"id\":5,", 0, &g);
	stream_end(s, collect, &g);
	assert_int_equal(g.n, 4);
	stream_free(s);
}

static void test_http_truncated_body(void **state)
{
	char text[2048];
	struct got g;

	(void)state;
	snprintf(text, sizeof(text), "POST / HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s",
		 strlen(CALL_REQ), CALL_REQ);
	feed_whole(STREAM_HTTP_REQUEST, 20, text, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.m[0].len, 20);
	assert_int_equal(g.m[0].total, strlen(CALL_REQ));
	assert_int_equal(g.m[0].flags, STREAM_MSG_TRUNCATED);
}

static void test_http_gap_in_body_keeps_sync(void **state)
{
	static const char head[] = "POST /mcp HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{\"id\":7,";
	static const char next[] = "POST /mcp HTTP/1.1\r\nContent-Length: 8\r\n\r\n{\"id\":8}";
	struct stream *s = stream_new(STREAM_HTTP_REQUEST, 0);
	struct got g = {0};
	char tail[10];

	(void)state;
	stream_feed(s, head, strlen(head), 0, collect, &g);
	memset(tail, ' ', sizeof(tail));
	tail[9] = '}';
	/* 8 bytes of body seen, 982 lost, 10 seen: 1000. */
	stream_feed(s, tail, sizeof(tail), 982, collect, &g);
	assert_int_equal(g.n, 1);
	assert_msg(&g, 0, "{\"id\":7,", STREAM_MSG_GAP);
	assert_int_equal(g.m[0].total, 1000);
	assert_null(stream_lost_reason(s));
	stream_feed(s, next, strlen(next), 0, collect, &g);
	assert_msg(&g, 1, "{\"id\":8}", 0);
	stream_free(s);
}

static void test_http_lost_and_recovered(void **state)
{
	struct stream *s = stream_new(STREAM_HTTP_REQUEST, 0);
	char big[STREAM_MAX_HEAD + 100];
	struct got g = {0};

	(void)state;
	/* Garbage that is not HTTP. */
	stream_feed(s, "\x16\x03\x01\x02\x00", 5, 0, collect, &g);
	feed_text(s, "\r\n\r\n", 0, &g);
	assert_non_null(stream_lost_reason(s));
	/* A request line at a chunk start brings it back. */
	feed_text(s, "GET /sse HTTP/1.1\r\n\r\n", 0, &g);
	assert_null(stream_lost_reason(s));
	assert_int_equal(g.n, 1);
	/* A header block too large loses the stream until the next request. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "POST / HTTP/1.1\r\nX: ", 20);
	stream_feed(s, big, sizeof(big), 0, collect, &g);
	assert_string_equal(stream_lost_reason(s), "header block over 8192 bytes");
	feed_text(s, "{\"id\":1}\n", 0, &g);
	assert_int_equal(g.n, 1);
	/* A gap between messages: lost, unless the chunk starts a request. */
	feed_text(s, "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 0, &g);
	assert_int_equal(g.n, 2);
	feed_text(s, "Length: 2\r\n\r\n{}", 77, &g);
	assert_non_null(stream_lost_reason(s));
	feed_text(s, "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n[]", 77, &g);
	assert_int_equal(g.n, 3);
	assert_msg(&g, 2, "[]", 0);
	stream_free(s);
}

static void test_http_malformed_framing(void **state)
{
	struct got g;

	(void)state;
	feed_whole(STREAM_HTTP_REQUEST, 0,
		   "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}", &g);
	assert_int_equal(g.n, 0);
	feed_whole(STREAM_HTTP_REQUEST, 0,
		   "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
		   &g);
	assert_int_equal(g.n, 0);
	feed_whole(STREAM_HTTP_REQUEST, 0,
		   "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		   "FFFFFFFFFFFFFFFFFFFF\r\n{}",
		   &g);
	assert_int_equal(g.n, 0);
	feed_whole(STREAM_HTTP_RESPONSE, 0,
		   "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello",
		   &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.m[0].h.status, 101);
}

static void test_auto_detects(void **state)
{
	struct stream *s;

	(void)state;
	s = stream_new(STREAM_AUTO, 0);
	stream_feed(s, "  {", 3, 0, NULL, NULL);
	assert_int_equal(stream_protocol(s), STREAM_NDJSON);
	stream_free(s);
	s = stream_new(STREAM_AUTO, 0);
	stream_feed(s, "PO", 2, 0, NULL, NULL);
	assert_int_equal(stream_protocol(s), STREAM_AUTO);
	stream_feed(s, "ST /", 4, 0, NULL, NULL);
	assert_int_equal(stream_protocol(s), STREAM_HTTP_REQUEST);
	stream_free(s);
	s = stream_new(STREAM_AUTO, 0);
	stream_feed(s, "HTTP/1.1 200", 12, 0, NULL, NULL);
	assert_int_equal(stream_protocol(s), STREAM_HTTP_RESPONSE);
	stream_free(s);
	assert_null(stream_new((enum stream_proto)42, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ndjson_exchange),
	    cmocka_unit_test(test_ndjson_split_anywhere),
	    cmocka_unit_test(test_ndjson_blank_lines_and_last_line),
	    cmocka_unit_test(test_ndjson_huge_message),
	    cmocka_unit_test(test_ndjson_gap_resync),
	    cmocka_unit_test(test_ndjson_binary_garbage),
	    cmocka_unit_test(test_http_post_content_length),
	    cmocka_unit_test(test_http_post_chunked),
	    cmocka_unit_test(test_http_keep_alive_pipelined),
	    cmocka_unit_test(test_http_response_json),
	    cmocka_unit_test(test_http_response_sse_chunked),
	    cmocka_unit_test(test_http_response_until_close),
	    cmocka_unit_test(test_http_sse_gap),
	    cmocka_unit_test(test_http_truncated_body),
	    cmocka_unit_test(test_http_gap_in_body_keeps_sync),
	    cmocka_unit_test(test_http_lost_and_recovered),
	    cmocka_unit_test(test_http_malformed_framing),
	    cmocka_unit_test(test_auto_detects),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
