/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * tap: owns what the tool-call tap knows of each MCP server's traffic —
 * its channels (one per tapped file or SSL object and direction), their
 * bytes reassembled into messages (identify/stream) and decoded
 * (identify/jsonrpc), the client that initialized each session, and the
 * requests in flight. It reports a call when the server has read it and
 * again when the server has answered it (or gone), and answers "which
 * requests was this server serving just now" for attribution.
 *
 * Bounds: TAP_MAX_CHANNELS channels (the least recently used goes first),
 * TAP_MAX_INFLIGHT requests in flight per server (the oldest is ended as
 * unanswered), TAP_MAX_SESSIONS client identities, TAP_MESSAGE_MAX bytes
 * of one message kept (a longer one is decoded from its prefix).
 */
#ifndef MCPWATCH_TAP_H
#define MCPWATCH_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identify/jsonrpc.h"

#define TAP_MAX_CHANNELS 256
#define TAP_MAX_INFLIGHT 64
#define TAP_MAX_SESSIONS 64
#define TAP_MESSAGE_MAX	 (64 * 1024)
#define TAP_WINDOW_S	 60 /* calls counted for the flood rule */
#define TAP_SESSION_MAX	 128

enum tap_transport { TAP_STDIO, TAP_HTTP, TAP_HTTPS };
enum tap_outcome { TAP_PENDING, TAP_RESULT, TAP_IS_ERROR, TAP_ERROR, TAP_UNANSWERED };

/* One request and, once answered, its outcome. Strings are bounded and
 * NUL-terminated; arguments are already redacted. */
struct tap_call {
	uint32_t server_tgid; /* the server whose tree read it */
	uint32_t tgid;	      /* the process that read it */
	uint64_t conn;	      /* the channel it came in on (file or SSL object) */
	enum tap_transport transport;
	char id[JSONRPC_ID_MAX];
	char method[JSONRPC_NAME_MAX];
	char tool[JSONRPC_NAME_MAX];
	char arguments[JSONRPC_ARGS_MAX];
	char argument_keys[JSONRPC_ARG_KEYS_MAX];
	char client_name[JSONRPC_NAME_MAX];
	char client_version[JSONRPC_VERSION_MAX];
	char session[TAP_SESSION_MAX]; /* Mcp-Session-Id, "" for stdio */
	int64_t start_ns, end_ns;      /* CLOCK_REALTIME; end 0 while pending */
	uint64_t request_bytes, response_bytes;
	unsigned request_flags; /* JSONRPC_F_* of the request */
	/* Outcome, set when it ends. */
	enum tap_outcome outcome;
	bool has_error_code;
	int64_t error_code;
	int is_error; /* result.isError: 1, 0, -1 unknown */
	/* Calls of this method the server read in the last TAP_WINDOW_S seconds. */
	uint32_t calls_in_window;
	/* During call_end only: the result's text content (bounded), else NULL. */
	const char *result_text;
};

struct tap_hooks {
	/* The server read a request (any method; notifications are not calls). */
	void (*call_start)(const struct tap_call *c, void *arg);
	/* Its response was written, or the server went away without one. */
	void (*call_end)(const struct tap_call *c, void *arg);
	void *arg;
};

/* One chunk of a tapped read or write, as the sensor reports it. */
struct tap_chunk {
	uint32_t tgid, server_tgid;
	uint64_t stream; /* file or SSL object */
	uint8_t dir;	 /* MW_IO_IN / MW_IO_OUT */
	uint8_t source;	 /* MW_IO_SYSCALL / MW_IO_TLS */
	uint8_t fd_kind; /* MW_FD_* */
	uint64_t total;	 /* bytes the call moved */
	uint32_t offset; /* of data within the call */
	const char *data;
	size_t len;
	int64_t time_ns;
};

struct tap;

struct tap *tap_new(const struct tap_hooks *hooks);
void tap_free(struct tap *t);

/* Feeds one chunk; hooks run from inside. */
void tap_feed(struct tap *t, const struct tap_chunk *ch);

/*
 * The requests server_tgid has read and not yet answered, newest first:
 * fills at most max and returns how many there are.
 */
size_t tap_inflight(const struct tap *t, uint32_t server_tgid, const struct tap_call **out,
		    size_t max);

/* tgid exited: its channels close, its calls end unanswered. */
void tap_process_gone(struct tap *t, uint32_t tgid, int64_t time_ns);

/* Bytes and messages seen, and messages that could not be decoded. */
struct tap_stats {
	uint64_t bytes, messages, undecodable, calls, gaps;
};
void tap_get_stats(const struct tap *t, struct tap_stats *out);

/* "stdio", "http", "https" */
const char *tap_transport_name(enum tap_transport t);
/* "pending", "result", "is_error", "error", "unanswered" */
const char *tap_outcome_name(enum tap_outcome o);

#endif /* MCPWATCH_TAP_H */
