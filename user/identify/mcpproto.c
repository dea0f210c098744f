// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Server identity from a possibly truncated JSON-RPC message. The message
 * as a whole cannot be parsed (the sample may end anywhere), so the bytes are
 * scanned lexically for an object key with one of the identity names, and
 * only the object after it must be complete. Tracking string boundaries
 * means text inside a string value (a tool description quoting
 * "serverInfo":{...}) is never taken for a key.
 */
#include "identify/mcpproto.h"

#include <stdbool.h>
#include <string.h>

#include "lib/json.h"

static const char *const identity_keys[] = {
    "serverInfo",
    "io.modelcontextprotocol/serverInfo",
};

static size_t skip_ws(const char *buf, size_t len, size_t i)
{
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i;
}

/* Index of the quote closing the string opened at buf[i], or len. */
static size_t string_end(const char *buf, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (buf[i] == '\\')
			i++;
		else if (buf[i] == '"')
			return i;
	}
	return len;
}

static bool is_identity_key(const char *key, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof(identity_keys) / sizeof(identity_keys[0]); k++)
		if (strlen(identity_keys[k]) == n && !memcmp(identity_keys[k], key, n))
			return true;
	return false;
}

/* No C0/C1 control characters or DEL (the parser already checked UTF-8). */
static bool is_printable(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if (*u < 0x20 || *u == 0x7f)
			return false;
		if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			return false;
	}
	return true;
}

/* Copy s into out, cut at a UTF-8 character boundary. */
static void copy_cut(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(s);

	if (!out || !outlen)
		return;
	if (n >= outlen) {
		n = outlen - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* The identity object at buf[0..len): complete, with a usable name? */
static int read_identity_object(const char *buf, size_t len, char *name, size_t nlen, char *version,
				size_t vlen)
{
	struct json_value *obj = json_parse_prefix(buf, len, NULL, NULL);
	const char *n, *v;
	int ok = 0;

	if (!obj)
		return 0;
	n = json_get_string(json_object_get(obj, "name"));
	if (n && *n && is_printable(n)) {
		v = json_get_string(json_object_get(obj, "version"));
		copy_cut(name, nlen, n);
		copy_cut(version, vlen, v && is_printable(v) ? v : "");
		ok = 1;
	}
	json_free(obj);
	return ok;
}

/* Does the key string at buf[i..end] lead (via ':') to an identity object? */
static int try_key_at(const char *buf, size_t len, size_t i, size_t end, char *name, size_t nlen,
		      char *version, size_t vlen)
{
	size_t k;

	if (!is_identity_key(buf + i + 1, end - i - 1))
		return 0;
	k = skip_ws(buf, len, end + 1);
	if (k >= len || buf[k] != ':')
		return 0;
	k = skip_ws(buf, len, k + 1);
	if (k >= len || buf[k] != '{')
		return 0;
	return read_identity_object(buf + k, len - k, name, nlen, version, vlen);
}

static bool looks_like_jsonrpc(const char *buf, size_t len)
{
	size_t i = skip_ws(buf, len, 0);

	if (i >= len || buf[i] != '{')
		return false;
	return memmem(buf, len, "\"jsonrpc\"", 9) || memmem(buf, len, "\"result\"", 8);
}

int mcp_parse_server_info(const char *buf, size_t len, char *name, size_t nlen, char *version,
			  size_t vlen)
{
	size_t i, end;

	if (!name || !nlen)
		return 0;
	name[0] = '\0';
	if (version && vlen)
		version[0] = '\0';
	if (!buf || !looks_like_jsonrpc(buf, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (buf[i] != '"')
			continue;
		end = string_end(buf, len, i);
		if (end >= len)
			return 0;
		if (try_key_at(buf, len, i, end, name, nlen, version, vlen))
			return 1;
		i = end;
	}
	return 0;
}
