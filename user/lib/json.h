/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * json: owns a strict RFC 8259 JSON parser that remembers the LINE and
 * COLUMN of every value and every object key, so that rule and config files
 * can be diagnosed as FILE:LINE:COLUMN (cJSON keeps no positions; it is still
 * used to build output). The result is a read-only tree (DOM); objects keep
 * their members in document order. No comments, no trailing commas, UTF-8
 * validated, duplicate keys rejected, nesting limited to JSON_MAX_DEPTH.
 * Lines and columns are 1-based; a column counts characters (code points).
 */
#ifndef MCPWATCH_JSON_H
#define MCPWATCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_member;

struct json_value {
	enum json_type type;
	int line, col;	       /* where the value starts */
	size_t offset, length; /* its bytes in the parsed buffer */
	union {
		bool boolean;
		struct {
			double d;
			int64_t i;   /* valid when is_int */
			bool is_int; /* integer literal (no '.', no exponent) in int64 range */
		} number;
		struct {
			char *s; /* decoded UTF-8, NUL-terminated; may hold NULs from \u0000 */
			size_t len;
		} string;
		struct {
			struct json_value **items;
			size_t n;
		} array;
		struct {
			struct json_member *members; /* document order */
			size_t n;
		} object;
	};
};

struct json_member {
	char *key; /* decoded, NUL-terminated */
	size_t key_len;
	int line, col; /* where the key's opening quote is */
	struct json_value *value;
};

struct json_error {
	int line, col;
	char message[160];
};

/* Parse exactly one JSON text filling buf[0..len). NULL on error (err filled). */
struct json_value *json_parse(const char *buf, size_t len, struct json_error *err);
/* Parse the first JSON value of buf and ignore whatever follows it (a
 * truncated stream sample); *used is set to the bytes consumed. */
struct json_value *json_parse_prefix(const char *buf, size_t len, size_t *used,
				     struct json_error *err);
void json_free(struct json_value *v);

/* Member of an object by key, or NULL (also when obj is not an object). */
const struct json_member *json_object_member(const struct json_value *obj, const char *key);
const struct json_value *json_object_get(const struct json_value *obj, const char *key);

/* Same value: same types, numbers, strings and array items in order, and
 * objects with the same keys and values in any order (positions ignored).
 * NULL equals only NULL. */
bool json_equal(const struct json_value *a, const struct json_value *b);

/* "null", "boolean", "number", "string", "array", "object" */
const char *json_type_name(enum json_type t);
/* The string, or NULL when v is not a string or holds a NUL byte. */
const char *json_get_string(const struct json_value *v);
/* true and *out set when v is an integer literal in int64 range. */
bool json_get_int(const struct json_value *v, int64_t *out);
bool json_get_bool(const struct json_value *v, bool *out);

/* Copy s (len bytes) into out for an error message: control bytes and NULs
 * shown as '?', cut with "..." when longer than outlen - 1 bytes. */
void json_quote_for_message(const char *s, size_t len, char *out, size_t outlen);

/* Read a whole regular file of at most max bytes (NUL-terminated). NULL on
 * error, with a one-line reason in why: "too large (limit 4 MiB)",
 * "No such file or directory", "not a regular file". */
char *json_read_file(const char *path, size_t max, size_t *len, char *why, size_t whylen);

struct diag;
/* Reads path (at most max bytes) and hands it to load(ctx, path, buf, len,
 * diag); an unreadable file is one "PATH: reason" diagnostic. Returns what
 * load returned, or -1. */
int json_load_file(const char *path, size_t max, struct diag *diag,
		   int (*load)(void *ctx, const char *name, const char *buf, size_t len,
			       struct diag *diag),
		   void *ctx);

#endif /* MCPWATCH_JSON_H */
