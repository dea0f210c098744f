/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * stream: owns the reassembly of one direction of one channel of an MCP
 * server (stdio, an accepted TCP socket, or TLS plaintext) from the chunks the
 * kernel samples, into whole messages: newline-delimited JSON (stdio), HTTP/1.1
 * request bodies (what a server reads) and HTTP/1.1 responses with JSON or
 * Server-Sent Events bodies (what a server writes). It does not decode JSON.
 *
 * Bounds: memory per stream is max_message (one message buffer) plus
 * STREAM_MAX_HEAD (one HTTP header block), allocated at stream_new; every feed
 * costs time linear in its bytes; nothing recurses.
 *
 * Messages longer than max_message: delivered once, when their end is found,
 *   with the first max_message bytes, total_len = their full size and
 *   STREAM_MSG_TRUNCATED.
 * Lost bytes (gap_before > 0):
 *   NDJSON: the message in progress is delivered at once with what was seen
 *   and STREAM_MSG_GAP (total_len is then a lower bound). Since the kernel
 *   loses the tail of a large write and writers end a write on a newline,
 *   a chunk after a gap that starts (after blanks) with '{' or '[' is taken
 *   as a new message, flagged STREAM_MSG_RESYNC; otherwise bytes are skipped
 *   up to the next newline.
 *   HTTP: a gap inside a body of known size (Content-Length, or inside one
 *   chunk of a chunked body) is counted: the body keeps its prefix, the rest
 *   is counted, total_len is exact and STREAM_MSG_GAP is set (an SSE event in
 *   progress is delivered with STREAM_MSG_GAP, and events resume at the next
 *   blank line or a chunk starting with "data:", "event:" or "id:"). Any other
 *   gap, a header block over STREAM_MAX_HEAD, a malformed start line, header
 *   or chunk size, or a protocol switch (101) marks the stream lost: it stays
 *   lost until a chunk starts with something that reads as a request line
 *   ("POST /", "GET /"...) or a status line ("HTTP/1."), and a message cut by
 *   it is delivered with STREAM_MSG_GAP.
 * HTTP bodies: the body of a request or response is delivered as one message
 *   when it is JSON (Content-Type application/json or *+json, or a body whose
 *   first non-blank byte is '{' or '['); a text/event-stream response gives
 *   one message per event with data (its "data:" lines joined by "\n";
 *   "event:", "id:", "retry:" and comments ignored; an event cut by the end of
 *   the stream is dropped, as a browser would). Any other HTTP message (no
 *   body, a non-JSON body, a Content-Encoding other than identity, an event
 *   stream without events) gives one message with len 0, STREAM_MSG_NO_BODY and
 *   total_len the size of the body, so that every request and status is seen.
 *   A response without length or chunking ends at stream_end. Responses to
 *   HEAD are not told apart (the other direction is not known here): a HEAD
 *   response with Content-Length would be waited for. A transfer coding
 *   under the chunking ("gzip, chunked") is STREAM_MSG_ENCODED too.
 */
#ifndef MCPWATCH_STREAM_H
#define MCPWATCH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_MAX_HEAD	       8192		  /* one HTTP header block */
#define STREAM_DEFAULT_MESSAGE (64 * 1024)	  /* max_message when 0 is given */
#define STREAM_MAX_MESSAGE     (16 * 1024 * 1024) /* larger max_message is cut to it */

enum stream_proto {
	STREAM_AUTO,	      /* from the first bytes: a request line, "HTTP/", else NDJSON */
	STREAM_NDJSON,	      /* stdio: one JSON message per line */
	STREAM_HTTP_REQUEST,  /* what a server reads on an accepted socket */
	STREAM_HTTP_RESPONSE, /* what a server writes on it */
};

enum stream_msg_flags {
	STREAM_MSG_TRUNCATED = 1 << 0, /* longer than max_message: a prefix is kept */
	STREAM_MSG_GAP = 1 << 1,       /* bytes were lost inside the message */
	STREAM_MSG_RESYNC = 1 << 2,    /* first NDJSON message after a gap, start guessed */
	STREAM_MSG_NO_BODY = 1 << 3,   /* HTTP message without a JSON or SSE payload */
	STREAM_MSG_SSE = 1 << 4,       /* the data of one Server-Sent Event */
	STREAM_MSG_ENCODED = 1 << 5,   /* HTTP body with a Content-Encoding: not read */
};

/* The HTTP message a payload came in; strings NUL-terminated, "" when absent,
 * cut to their size, control bytes kept as they came. */
struct stream_http {
	char method[16]; /* requests */
	char path[256];	 /* requests: the request target */
	int status;	 /* responses */
	char session_id[128];
	char content_type[128];
	char user_agent[128];
};

struct stream_msg {
	const char *data;	 /* len bytes, not NUL-terminated; valid during the callback */
	size_t len;		 /* <= max_message */
	uint64_t total_len;	 /* the message's full size (a lower bound after a NDJSON gap) */
	unsigned flags;		 /* enum stream_msg_flags */
	enum stream_proto proto; /* the protocol in use (never STREAM_AUTO) */
	const struct stream_http *http; /* NULL for NDJSON */
};

/* Called for each message; it must not call back into the same stream. */
typedef void (*stream_msg_fn)(const struct stream_msg *msg, void *arg);

struct stream;

/* NULL when out of memory or p is unknown. max_message 0: the default. */
struct stream *stream_new(enum stream_proto p, size_t max_message);
/*
 * Feeds the next chunk of the stream. gap_before > 0: that many bytes were
 * lost between the previous chunk and this one (UINT64_MAX when unknown).
 */
void stream_feed(struct stream *s, const char *data, size_t len, uint64_t gap_before,
		 stream_msg_fn fn, void *arg);
/* The channel closed: delivers a last NDJSON line without newline and a
 * response body that runs until close (a JSON body cut short by the close
 * comes with STREAM_MSG_GAP; an SSE event in progress is dropped). The stream
 * then starts afresh, in sync. */
void stream_end(struct stream *s, stream_msg_fn fn, void *arg);
/* Why the stream is lost ("header block over 8192 bytes"...), or NULL. */
const char *stream_lost_reason(const struct stream *s);
/* The protocol in use: p of stream_new, or what STREAM_AUTO chose (still
 * STREAM_AUTO before enough bytes were seen). */
enum stream_proto stream_protocol(const struct stream *s);
void stream_free(struct stream *s);

#endif /* MCPWATCH_STREAM_H */
