/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * jsonrpc: owns the decoding of one JSON-RPC 2.0 message (or batch) as MCP
 * sends it into the few fields the rules look at: kind, id, method, the tool
 * and its (redacted) arguments of tools/call, the client of initialize, the
 * text and isError of a result, the code and message of an error.
 *
 * A whole message is parsed with lib/json (strict, depth <= JSON_MAX_DEPTH).
 * A message that was cut (a prefix) or does not parse (too deep, duplicate
 * keys, trailing bytes) is scanned lexically instead: members of the top-level
 * object, then of params / result / error, are found by tracking strings and
 * brackets, and only values complete in the bytes are read (a cut text may
 * be read up to the cut). Such messages carry JSONRPC_F_PARTIAL or
 * JSONRPC_F_MALFORMED, and the later of two equal keys wins, as in the
 * JSON.parse of the peer.
 *
 * Bounds: every string field below is NUL-terminated and cut to its array
 * (at a UTF-8 character boundary); NUL bytes in decoded text become spaces so
 * that nothing hides behind them; other control characters are kept (the
 * caller escapes and redacts on output). At most JSONRPC_MAX_BATCH messages of
 * a batch and JSONRPC_MAX_ITEMS content items or argument keys are read.
 * Arguments are compact JSON, redacted with lib/redact before they are cut:
 * string values and keys as redact_in_place masks them, and the whole value
 * of a member whose key redact deems secret ("api_key", "password"...) is
 * "***". Time is linear in len; recursion only walks a parsed tree (depth 64).
 */
#ifndef MCPWATCH_JSONRPC_H
#define MCPWATCH_JSONRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONRPC_MAX_BATCH     64
#define JSONRPC_MAX_ITEMS     256
#define JSONRPC_ID_MAX	      128
#define JSONRPC_NAME_MAX      128
#define JSONRPC_VERSION_MAX   64
#define JSONRPC_ARGS_MAX      2048
#define JSONRPC_ARG_KEYS_MAX  512
#define JSONRPC_TEXT_MAX      16384
#define JSONRPC_ERROR_MSG_MAX 512

enum jsonrpc_kind {
	JSONRPC_INVALID,      /* not a JSON-RPC message (or not JSON) */
	JSONRPC_REQUEST,      /* method and id */
	JSONRPC_NOTIFICATION, /* method, no id */
	JSONRPC_RESULT,	      /* result and id */
	JSONRPC_ERROR,	      /* error and id */
};

enum jsonrpc_flags {
	JSONRPC_F_PARTIAL = 1 << 0,    /* decoded from a prefix of the message */
	JSONRPC_F_MALFORMED = 1 << 1,  /* not valid JSON: fields from the lexical scan */
	JSONRPC_F_BATCH = 1 << 2,      /* an element of a batch */
	JSONRPC_F_NO_VERSION = 1 << 3, /* "jsonrpc": "2.0" missing (or cut) */
	JSONRPC_F_ID_CUT = 1 << 4,     /* the id was cut (too long, or by the prefix) */
	JSONRPC_F_ARGS_CUT = 1 << 5,   /* arguments longer than the field, or not readable */
	JSONRPC_F_TEXT_CUT = 1 << 6,   /* result text longer than the field, or cut */
	JSONRPC_F_BATCH_CUT = 1 << 7,  /* a batch longer than JSONRPC_MAX_BATCH */
};

struct jsonrpc_msg {
	enum jsonrpc_kind kind;
	unsigned flags;		 /* enum jsonrpc_flags */
	size_t size;		 /* bytes of this message in the buffer decoded */
	size_t batch_index;	 /* position in its batch (0 when not in one) */
	char id[JSONRPC_ID_MAX]; /* canonical JSON: 7, "7", null; "" when absent */
	char method[JSONRPC_NAME_MAX];
	/* tools/call */
	char tool[JSONRPC_NAME_MAX];		  /* params.name */
	char arguments[JSONRPC_ARGS_MAX];	  /* params.arguments, compact, redacted */
	char argument_keys[JSONRPC_ARG_KEYS_MAX]; /* "path,mode": its keys, redacted */
	/* initialize */
	char client_name[JSONRPC_NAME_MAX];
	char client_version[JSONRPC_VERSION_MAX];
	char protocol_version[JSONRPC_VERSION_MAX];
	/* results */
	int is_error;		     /* result.isError: 1, 0, -1 when absent or not read */
	bool structured_content;     /* result.structuredContent present */
	char text[JSONRPC_TEXT_MAX]; /* result.content[*].text of type "text", "\n"-joined */
	/* errors */
	bool has_error_code;
	int64_t error_code;
	char error_message[JSONRPC_ERROR_MSG_MAX];
};

/* Called for each message decoded; msg is valid during the call only. */
typedef void (*jsonrpc_msg_fn)(const struct jsonrpc_msg *msg, void *arg);

/*
 * Decodes buf[0..len): one message, or a batch (an array) whose elements are
 * decoded in turn. truncated: buf is only a prefix of the message. Anything
 * that is not a JSON-RPC object gives one JSONRPC_INVALID message. Returns the
 * number of messages given to fn, or -1 when out of memory.
 */
int jsonrpc_decode(const char *buf, size_t len, bool truncated, jsonrpc_msg_fn fn, void *arg);

/* "request", "notification", "result", "error", "invalid" */
const char *jsonrpc_kind_name(enum jsonrpc_kind kind);

#endif /* MCPWATCH_JSONRPC_H */
