// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * JSON-RPC fields from whole or cut messages. Every value the decoder looks
 * at is a "part": its bytes and, when they hold a whole value that parses, its
 * tree. A whole message is one tree and its parts are subtrees. A cut or
 * malformed message is scanned lexically; a member whose value is complete is
 * parsed on its own, a member cut by the end of the bytes is scanned in turn.
 * So the same field readers serve both, and a cut message yields every field
 * that lies wholly before the cut.
 */
#include "identify/jsonrpc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/redact.h"

#define MAX_KEY_DECODE 256 /* longer escaped keys are never one we look for */
#define MAX_SECRET_KEY 100 /* longer keys are not probed for secrecy */
#define CUT_MARK       "..."

/* A value in the message. */
struct part {
	const char *p;		    /* its first byte */
	size_t n;		    /* its bytes, up to the end of the buffer when cut */
	bool complete;		    /* its last byte is in the buffer */
	const char *base;	    /* the buffer v's offsets count from */
	const struct json_value *v; /* its tree, or NULL (cut, or does not parse) */
	struct json_value *own;	    /* v, when this part parsed it */
};

struct decoder {
	struct jsonrpc_msg *m;
	size_t text_len;
	jsonrpc_msg_fn fn;
	void *arg;
	int count;
};

/* ---------------------------------------------------------------- lexical scan */

static size_t skip_ws(const char *b, size_t n, size_t i)
{
	while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i;
}

/* Index of the quote closing the string opened at b[i], or n. */
static size_t string_end(const char *b, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (b[i] == '\\')
			i++;
		else if (b[i] == '"')
			return i < n ? i : n;
	}
	return n;
}

static bool ends_scalar(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Brackets are counted whatever their kind: only the extent matters here. */
static size_t nested_end(const char *b, size_t n, size_t i, bool *complete)
{
	size_t depth = 0;

	for (; i < n; i++) {
		if (b[i] == '"') {
			i = string_end(b, n, i);
			if (i >= n)
				return n;
		} else if (b[i] == '{' || b[i] == '[') {
			depth++;
		} else if ((b[i] == '}' || b[i] == ']') && --depth == 0) {
			*complete = true;
			return i + 1;
		}
	}
	return n;
}

/* End of the value starting at b[i]; *complete when it ends within b. */
static size_t value_end(const char *b, size_t n, size_t i, bool *complete)
{
	size_t e;

	*complete = false;
	if (i >= n)
		return n;
	if (b[i] == '"') {
		e = string_end(b, n, i);
		*complete = e < n;
		return e < n ? e + 1 : n;
	}
	if (b[i] == '{' || b[i] == '[')
		return nested_end(b, n, i, complete);
	for (e = i; e < n && !ends_scalar(b[e]); e++)
		;
	*complete = e < n;
	return e;
}

/* Called per member (key without its quotes); false stops the scan. */
typedef bool (*member_fn)(const char *key, size_t klen, const struct part *val, void *arg);

/*
 * Walks the members of the object at b[0..n) up to its end, to malformed
 * bytes, or to the first member cut by the end of b (given to fn). Returns
 * true when the closing brace was reached.
 */
static bool scan_object(const char *b, size_t n, member_fn fn, void *arg)
{
	struct part val = {0};
	size_t i = skip_ws(b, n, 0), ke, k;

	if (i >= n || b[i] != '{')
		return false;
	i = skip_ws(b, n, i + 1);
	if (i < n && b[i] == '}')
		return true;
	while (i < n && b[i] == '"') {
		ke = string_end(b, n, i);
		k = ke < n ? skip_ws(b, n, ke + 1) : n;
		if (k >= n || b[k] != ':')
			return false;
		/* A key whose value the cut left out is still given (n == 0). */
		k = skip_ws(b, n, k + 1);
		val.p = b + k;
		val.n = value_end(b, n, k, &val.complete) - k;
		if ((!val.n && val.complete) || !fn(b + i + 1, ke - i - 1, &val, arg) ||
		    !val.complete)
			return false;
		i = skip_ws(b, n, k + val.n);
		if (i < n && b[i] == '}')
			return true;
		if (i >= n || b[i] != ',')
			return false;
		i = skip_ws(b, n, i + 1);
	}
	return false;
}

/* The same for the elements of an array; fn gets a NULL key. */
static void scan_array(const char *b, size_t n, member_fn fn, void *arg)
{
	struct part val = {0};
	size_t i = skip_ws(b, n, 0);

	if (i >= n || b[i] != '[')
		return;
	i = skip_ws(b, n, i + 1);
	while (i < n && b[i] != ']') {
		val.p = b + i;
		val.n = value_end(b, n, i, &val.complete) - i;
		if (!val.n || !fn(NULL, 0, &val, arg) || !val.complete)
			return;
		i = skip_ws(b, n, i + val.n);
		if (i >= n || b[i] != ',')
			return;
		i = skip_ws(b, n, i + 1);
	}
}

/* A key as scanned (escapes and all) against a plain key. */
static bool key_equals(const char *key, size_t klen, const char *want)
{
	struct json_value *v;
	bool eq;

	if (!memchr(key, '\\', klen))
		return klen == strlen(want) && !memcmp(key, want, klen);
	if (klen > MAX_KEY_DECODE)
		return false;
	/* Escaped ("\u006dethod"): decode it with its quotes, as the peer would. */
	v = json_parse_prefix(key - 1, klen + 2, NULL, NULL);
	eq = v && v->type == JSON_STRING && v->string.len == strlen(want) &&
	     !memcmp(v->string.s, want, v->string.len);
	json_free(v);
	return eq;
}

/* ---------------------------------------------------------------- parts */

static void part_parse(struct part *pt)
{
	if (!pt->complete || pt->v)
		return;
	pt->own = json_parse_prefix(pt->p, pt->n, NULL, NULL);
	pt->v = pt->own;
	pt->base = pt->p;
}

static void part_release(struct part *pt)
{
	json_free(pt->own);
	memset(pt, 0, sizeof(*pt));
}

static void part_of_tree(struct part *pt, const char *base, const struct json_value *v)
{
	memset(pt, 0, sizeof(*pt));
	pt->p = base + v->offset;
	pt->n = v->length;
	pt->complete = true;
	pt->base = base;
	pt->v = v;
}

struct find {
	const char *want;
	struct part *out;
	bool found;
};

static bool find_member(const char *key, size_t klen, const struct part *val, void *arg)
{
	struct find *f = arg;

	/* Keep scanning: the later of two equal keys wins, as in JSON.parse. */
	if (key_equals(key, klen, f->want)) {
		*f->out = *val;
		f->found = true;
	}
	return true;
}

/* The member key of the object obj, parsed when complete. */
static bool part_member(const struct part *obj, const char *key, struct part *out)
{
	struct find f = {.want = key, .out = out};
	const struct json_value *v;

	memset(out, 0, sizeof(*out));
	if (obj->v) {
		v = json_object_get(obj->v, key);
		if (v)
			part_of_tree(out, obj->base, v);
		return v != NULL;
	}
	if (!obj->n)
		return false;
	scan_object(obj->p, obj->n, find_member, &f);
	if (f.found)
		part_parse(out);
	return f.found;
}

static bool part_starts(const struct part *pt, char c)
{
	return pt->n && pt->p[0] == c;
}

static bool part_is(const struct part *pt, enum json_type t, char first)
{
	return pt->v ? pt->v->type == t : part_starts(pt, first);
}

/* ---------------------------------------------------------------- text */

/* Copies s into out cut at a UTF-8 boundary, NUL bytes as spaces; true when cut. */
static bool copy_text(char *out, size_t outlen, const char *s, size_t n)
{
	bool cut = n >= outlen;
	size_t i;

	if (cut) {
		n = outlen - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		out[i] = s[i] ? s[i] : ' ';
	out[n] = '\0';
	return cut;
}

/* Length of the escape at s[i] (a backslash) within s[0..n), 0 if cut. */
static size_t escape_length(const char *s, size_t n, size_t i)
{
	if (i + 1 >= n)
		return 0;
	if (s[i + 1] != 'u')
		return 2;
	if (i + 6 > n)
		return 0;
	/* A high surrogate needs its low half, else the parser rejects it. */
	if ((s[i + 2] == 'd' || s[i + 2] == 'D') && s[i + 3] && strchr("89abAB", s[i + 3]))
		return i + 12 <= n ? 12 : 0;
	return 6;
}

/* Bytes of s[0..n) that leave no escape or UTF-8 character half-cut. */
static size_t whole_prefix(const char *s, size_t n)
{
	size_t i = 1, e, k;

	while (i < n) {
		if (s[i] != '\\') {
			i++;
			continue;
		}
		e = escape_length(s, n, i);
		if (!e)
			return i;
		i += e;
	}
	if (i > n)
		i = n;
	/* Back up over a UTF-8 lead byte whose sequence is incomplete. */
	for (k = 1; k <= 3 && k < i; k++) {
		unsigned char c = (unsigned char)s[i - k];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;

		if ((c & 0xc0) != 0x80) {
			if (need > k)
				i -= k;
			break;
		}
	}
	return i;
}

/* The text of a string cut by the end of the buffer (p[0] is its quote). */
static bool decode_cut_string(const char *p, size_t n, char *out, size_t outlen)
{
	size_t limit = outlen * 6 + 16, m;
	struct json_value *v;
	char *tmp;
	bool ok;

	m = whole_prefix(p, n < limit ? n : limit);
	tmp = malloc(m + 1);
	if (!tmp)
		return false;
	memcpy(tmp, p, m);
	tmp[m] = '"';
	v = json_parse_prefix(tmp, m + 1, NULL, NULL);
	ok = v && v->type == JSON_STRING;
	if (ok)
		copy_text(out, outlen, v->string.s, v->string.len);
	json_free(v);
	free(tmp);
	return ok;
}

/*
 * The string of pt into out: true when read. A string cut by the end of the
 * buffer is read up to the cut only when allow_cut (*cut then set).
 */
static bool part_string(const struct part *pt, char *out, size_t outlen, bool allow_cut, bool *cut)
{
	out[0] = '\0';
	if (pt->v) {
		if (pt->v->type != JSON_STRING)
			return false;
		if (copy_text(out, outlen, pt->v->string.s, pt->v->string.len) && cut)
			*cut = true;
		return true;
	}
	if (!allow_cut || pt->complete || !part_starts(pt, '"'))
		return false;
	if (cut)
		*cut = true;
	return decode_cut_string(pt->p, pt->n, out, outlen);
}

/* The string member key of obj into out (whole strings only). */
static bool member_string(const struct part *obj, const char *key, char *out, size_t outlen)
{
	struct part pt;
	bool ok;

	out[0] = '\0';
	if (!part_member(obj, key, &pt))
		return false;
	ok = part_string(&pt, out, outlen, false, NULL);
	part_release(&pt);
	return ok;
}

/* ---------------------------------------------------------------- output */

/* A bounded writer of whole tokens; once something does not fit, it is cut. */
struct out {
	char *buf;
	size_t cap; /* bytes usable, NUL included */
	size_t len;
	bool cut;
};

static void out_init(struct out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->cut = false;
	buf[0] = '\0';
}

static void out_bytes(struct out *o, const char *s, size_t n)
{
	if (o->cut || o->len + n >= o->cap) {
		o->cut = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_bytes(o, s, strlen(s));
}

static size_t utf8_length(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

/* s as a JSON string, one character at a time (a cut never splits one). */
static void out_json_string(struct out *o, const char *s, size_t n)
{
	char esc[8];
	size_t i, k;

	out_bytes(o, "\"", 1);
	for (i = 0; i < n && !o->cut; i += k) {
		unsigned char c = (unsigned char)s[i];

		k = 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			out_bytes(o, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			out_bytes(o, esc, 6);
		} else {
			k = utf8_length(c);
			if (k > n - i)
				k = n - i;
			out_bytes(o, s + i, k);
		}
	}
	out_bytes(o, "\"", 1);
}

/* ---------------------------------------------------------------- id */

static void set_id(struct jsonrpc_msg *m, const struct part *pt)
{
	const struct json_value *v = pt->v;
	struct out o;

	if (!v) {
		m->flags |= JSONRPC_F_ID_CUT;
		return;
	}
	out_init(&o, m->id, sizeof(m->id));
	if (v->type == JSON_NUMBER && v->number.is_int)
		snprintf(m->id, sizeof(m->id), "%" PRId64, v->number.i);
	else if (v->type == JSON_NUMBER)
		out_bytes(&o, pt->base + v->offset, v->length);
	else if (v->type == JSON_STRING)
		out_json_string(&o, v->string.s, v->string.len);
	else if (v->type == JSON_NULL)
		out_str(&o, "null");
	if (o.cut)
		m->flags |= JSONRPC_F_ID_CUT;
}

static bool id_type_ok(const struct part *pt)
{
	if (!pt->v)
		return true; /* cut: unknown, let it be */
	return pt->v->type == JSON_NUMBER || pt->v->type == JSON_STRING || pt->v->type == JSON_NULL;
}

/* ---------------------------------------------------------------- arguments */

/* Does redact mask the value of this key ("api_key", "password"...)? Its rule, asked. */
static bool key_is_secret(const char *key, size_t n)
{
	char probe[MAX_SECRET_KEY + 16], before[sizeof(probe)];

	if (n > MAX_SECRET_KEY || memchr(key, '"', n) || memchr(key, '\\', n) ||
	    memchr(key, '\0', n))
		return false;
	snprintf(probe, sizeof(probe), "\"%.*s\":\"zzzz\"", (int)n, key);
	memcpy(before, probe, sizeof(probe));
	redact_in_place(probe);
	return strcmp(probe, before) != 0;
}

/* Bytes past the room left that are still redacted, so that a secret the
 * cut would split is recognised whole before it is cut. */
#define REDACT_MARGIN 512

/* s redacted (NUL bytes as spaces), as a JSON string; fails closed. Only
 * what can still fit (plus a margin) is copied and redacted: a 16 KiB
 * argument costs what the 2 KiB field can show, not its whole size. */
static void out_redacted_string(struct out *o, const char *s, size_t n)
{
	size_t room = o->cap > o->len ? o->cap - o->len : 0;
	char *tmp;
	size_t i, k;

	if (n > room + REDACT_MARGIN)
		n = room + REDACT_MARGIN;
	tmp = malloc(n + 1);

	if (!tmp) {
		out_str(o, "\"" REDACT_MASK "\"");
		return;
	}
	for (i = 0; i < n; i++)
		tmp[i] = s[i] ? s[i] : ' ';
	tmp[n] = '\0';
	k = redact_in_place(tmp);
	out_json_string(o, tmp, k);
	free(tmp);
}

static void out_value(struct out *o, const char *base, const struct json_value *v);

static void out_object(struct out *o, const char *base, const struct json_value *v)
{
	const struct json_member *mb;
	size_t i;

	out_bytes(o, "{", 1);
	for (i = 0; i < v->object.n && !o->cut; i++) {
		mb = &v->object.members[i];
		if (i)
			out_bytes(o, ",", 1);
		out_redacted_string(o, mb->key, mb->key_len);
		out_bytes(o, ":", 1);
		if (key_is_secret(mb->key, mb->key_len))
			out_str(o, "\"" REDACT_MASK "\"");
		else
			out_value(o, base, mb->value);
	}
	out_bytes(o, "}", 1);
}

/* Compact JSON; the tree is at most JSON_MAX_DEPTH deep, so is the recursion. */
static void out_value(struct out *o, const char *base, const struct json_value *v)
{
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		out_str(o, "null");
		break;
	case JSON_BOOL:
		out_str(o, v->boolean ? "true" : "false");
		break;
	case JSON_NUMBER:
		out_bytes(o, base + v->offset, v->length);
		break;
	case JSON_STRING:
		out_redacted_string(o, v->string.s, v->string.len);
		break;
	case JSON_ARRAY:
		out_bytes(o, "[", 1);
		for (i = 0; i < v->array.n && !o->cut; i++) {
			if (i)
				out_bytes(o, ",", 1);
			out_value(o, base, v->array.items[i]);
		}
		out_bytes(o, "]", 1);
		break;
	case JSON_OBJECT:
		out_object(o, base, v);
		break;
	}
}

static void add_argument_key(struct jsonrpc_msg *m, struct out *keys, const char *k, size_t n)
{
	char tmp[JSONRPC_ARG_KEYS_MAX];

	copy_text(tmp, sizeof(tmp), k, n);
	redact_in_place(tmp);
	if (keys->len)
		out_bytes(keys, ",", 1);
	out_str(keys, tmp);
	if (keys->cut)
		m->flags |= JSONRPC_F_ARGS_CUT;
}

struct key_scan {
	struct jsonrpc_msg *m;
	struct out *keys;
	size_t count;
};

static bool scanned_argument_key(const char *key, size_t klen, const struct part *val, void *arg)
{
	struct key_scan *ks = arg;
	struct json_value *v = NULL;

	if (++ks->count > JSONRPC_MAX_ITEMS)
		return false;
	if (memchr(key, '\\', klen))
		v = json_parse_prefix(key - 1, klen + 2, NULL, NULL);
	if (v && v->type == JSON_STRING)
		add_argument_key(ks->m, ks->keys, v->string.s, v->string.len);
	else if (!v)
		add_argument_key(ks->m, ks->keys, key, klen);
	json_free(v);
	return true;
}

static void decode_arguments(struct jsonrpc_msg *m, const struct part *args)
{
	struct out o, keys;
	struct key_scan ks = {.m = m, .keys = &keys};
	size_t i;

	out_init(&keys, m->argument_keys, sizeof(m->argument_keys));
	if (!args->v) {
		/* Cut or unreadable: no value is shown, but its keys are. */
		m->flags |= JSONRPC_F_ARGS_CUT;
		scan_object(args->p, args->n, scanned_argument_key, &ks);
		return;
	}
	out_init(&o, m->arguments, sizeof(m->arguments) - strlen(CUT_MARK));
	out_value(&o, args->base, args->v);
	/* Redacted once more as a whole: a secret the structure hid is still masked. */
	redact_in_place(m->arguments);
	if (o.cut) {
		strcat(m->arguments, CUT_MARK);
		m->flags |= JSONRPC_F_ARGS_CUT;
	}
	if (args->v->type != JSON_OBJECT)
		return;
	for (i = 0; i < args->v->object.n && i < JSONRPC_MAX_ITEMS; i++)
		add_argument_key(m, &keys, args->v->object.members[i].key,
				 args->v->object.members[i].key_len);
}

/* ---------------------------------------------------------------- params */

static void decode_tool_call(struct jsonrpc_msg *m, const struct part *params)
{
	struct part args;

	member_string(params, "name", m->tool, sizeof(m->tool));
	if (part_member(params, "arguments", &args))
		decode_arguments(m, &args);
	part_release(&args);
}

static void decode_initialize(struct jsonrpc_msg *m, const struct part *params)
{
	struct part client;

	member_string(params, "protocolVersion", m->protocol_version, sizeof(m->protocol_version));
	if (part_member(params, "clientInfo", &client)) {
		member_string(&client, "name", m->client_name, sizeof(m->client_name));
		member_string(&client, "version", m->client_version, sizeof(m->client_version));
	}
	part_release(&client);
}

/* ---------------------------------------------------------------- result, error */

static void append_text(struct decoder *d, const char *s)
{
	struct jsonrpc_msg *m = d->m;
	size_t room = sizeof(m->text) - d->text_len;

	if (m->flags & JSONRPC_F_TEXT_CUT)
		return;
	if (d->text_len) {
		if (room <= 1) {
			m->flags |= JSONRPC_F_TEXT_CUT;
			return;
		}
		m->text[d->text_len++] = '\n';
		room--;
	}
	if (copy_text(m->text + d->text_len, room, s, strlen(s)))
		m->flags |= JSONRPC_F_TEXT_CUT;
	d->text_len += strlen(m->text + d->text_len);
}

/* One item of result.content: its text when it is of type "text". */
static void decode_content_item(struct decoder *d, const struct part *item)
{
	char type[16];
	struct part text;
	bool cut = false;
	char *buf;

	if (!part_is(item, JSON_OBJECT, '{'))
		return;
	/* A cut item may have lost its type: its text still counts. */
	if (member_string(item, "type", type, sizeof(type)) ? strcmp(type, "text") != 0
							    : item->complete)
		return;
	if (!part_member(item, "text", &text))
		return;
	buf = malloc(JSONRPC_TEXT_MAX);
	if (buf && part_string(&text, buf, JSONRPC_TEXT_MAX, true, &cut))
		append_text(d, buf);
	if (cut)
		d->m->flags |= JSONRPC_F_TEXT_CUT;
	free(buf);
	part_release(&text);
}

struct item_scan {
	struct decoder *d;
	size_t count;
};

static bool scanned_content_item(const char *key, size_t klen, const struct part *val, void *arg)
{
	struct item_scan *is = arg;
	struct part item = *val;

	if (++is->count > JSONRPC_MAX_ITEMS)
		return false;
	part_parse(&item);
	decode_content_item(is->d, &item);
	part_release(&item);
	return true;
}

static void decode_content(struct decoder *d, const struct part *content)
{
	struct item_scan is = {.d = d};
	struct part item;
	size_t i;

	if (!content->v) {
		scan_array(content->p, content->n, scanned_content_item, &is);
		return;
	}
	if (content->v->type != JSON_ARRAY)
		return;
	for (i = 0; i < content->v->array.n && i < JSONRPC_MAX_ITEMS; i++) {
		part_of_tree(&item, content->base, content->v->array.items[i]);
		decode_content_item(d, &item);
	}
}

static void decode_result(struct decoder *d, const struct part *result)
{
	struct jsonrpc_msg *m = d->m;
	struct part pt;
	bool b;

	if (part_member(result, "isError", &pt) && pt.v && json_get_bool(pt.v, &b))
		m->is_error = b;
	part_release(&pt);
	m->structured_content = part_member(result, "structuredContent", &pt);
	part_release(&pt);
	if (part_member(result, "content", &pt))
		decode_content(d, &pt);
	part_release(&pt);
}

static void decode_error(struct jsonrpc_msg *m, const struct part *error)
{
	struct part pt;

	if (part_member(error, "code", &pt) && pt.v)
		m->has_error_code = json_get_int(pt.v, &m->error_code);
	part_release(&pt);
	if (part_member(error, "message", &pt))
		part_string(&pt, m->error_message, sizeof(m->error_message), true, NULL);
	part_release(&pt);
}

/* ---------------------------------------------------------------- message */

static bool scan_nothing(const char *key, size_t klen, const struct part *val, void *arg)
{
	return true;
}

static enum jsonrpc_kind decide_kind(struct jsonrpc_msg *m, const struct part *top, bool has_id,
				     bool has_result, bool has_error)
{
	if (m->method[0]) {
		if (has_id)
			return JSONRPC_REQUEST;
		/* The id may lie after the cut: only a whole object says there is none. */
		if (top->v || scan_object(top->p, top->n, scan_nothing, NULL) ||
		    !strncmp(m->method, "notifications/", 14))
			return JSONRPC_NOTIFICATION;
		m->flags |= JSONRPC_F_ID_CUT;
		return JSONRPC_REQUEST;
	}
	if (has_result && !has_error)
		return JSONRPC_RESULT;
	if (has_error && !has_result)
		return JSONRPC_ERROR;
	return JSONRPC_INVALID;
}

static void decode_params(struct jsonrpc_msg *m, const struct part *top)
{
	struct part params;

	if (!part_member(top, "params", &params))
		return;
	if (!strcmp(m->method, "tools/call"))
		decode_tool_call(m, &params);
	else if (!strcmp(m->method, "initialize"))
		decode_initialize(m, &params);
	part_release(&params);
}

static void decode_object(struct decoder *d, const struct part *top)
{
	struct jsonrpc_msg *m = d->m;
	struct part id, result, error;
	char version[8];
	bool has_id, has_result, has_error;

	if (!part_is(top, JSON_OBJECT, '{'))
		return;
	if (!member_string(top, "jsonrpc", version, sizeof(version)) || strcmp(version, "2.0"))
		m->flags |= JSONRPC_F_NO_VERSION;
	has_id = part_member(top, "id", &id);
	if (has_id)
		set_id(m, &id);
	member_string(top, "method", m->method, sizeof(m->method));
	has_result = part_member(top, "result", &result);
	has_error = part_member(top, "error", &error);
	m->kind = decide_kind(m, top, has_id, has_result, has_error);
	if (has_id && !id_type_ok(&id))
		m->kind = JSONRPC_INVALID;
	if (m->kind == JSONRPC_REQUEST || m->kind == JSONRPC_NOTIFICATION)
		decode_params(m, top);
	else if (m->kind == JSONRPC_RESULT)
		decode_result(d, &result);
	else if (m->kind == JSONRPC_ERROR)
		decode_error(m, &error);
	part_release(&id);
	part_release(&result);
	part_release(&error);
}

static void deliver(struct decoder *d, const struct part *pt, unsigned flags, size_t index)
{
	struct jsonrpc_msg *m = d->m;

	memset(m, 0, sizeof(*m));
	m->is_error = -1;
	m->flags = flags;
	m->size = pt->n;
	m->batch_index = index;
	d->text_len = 0;
	if (!pt->complete)
		m->flags |= JSONRPC_F_PARTIAL;
	decode_object(d, pt);
	if (d->fn)
		d->fn(m, d->arg);
	d->count++;
}

struct batch_scan {
	struct decoder *d;
	unsigned flags;
	size_t index;
};

static bool scanned_batch_item(const char *key, size_t klen, const struct part *val, void *arg)
{
	struct batch_scan *bs = arg;
	struct part item = *val;

	if (bs->index >= JSONRPC_MAX_BATCH)
		return false;
	part_parse(&item);
	deliver(bs->d, &item, bs->flags, bs->index++);
	part_release(&item);
	return true;
}

static void decode_batch(struct decoder *d, const struct part *top, unsigned flags)
{
	struct batch_scan bs = {.d = d, .flags = flags | JSONRPC_F_BATCH};
	struct part item;
	size_t i, n;

	if (!top->v) {
		scan_array(top->p, top->n, scanned_batch_item, &bs);
		return;
	}
	n = top->v->array.n;
	if (n > JSONRPC_MAX_BATCH)
		bs.flags |= JSONRPC_F_BATCH_CUT;
	for (i = 0; i < n && i < JSONRPC_MAX_BATCH; i++) {
		part_of_tree(&item, top->base, top->v->array.items[i]);
		deliver(d, &item, bs.flags, i);
	}
}

int jsonrpc_decode(const char *buf, size_t len, bool truncated, jsonrpc_msg_fn fn, void *arg)
{
	struct decoder d = {.fn = fn, .arg = arg};
	struct part top = {0};
	unsigned flags = 0;
	size_t i;

	if (!buf) {
		buf = "";
		len = 0;
	}
	d.m = malloc(sizeof(*d.m));
	if (!d.m)
		return -1;
	i = skip_ws(buf, len, 0);
	top.p = buf + i;
	top.n = len - i;
	top.complete = !truncated;
	top.base = buf;
	if (!truncated) {
		top.own = json_parse(buf, len, NULL);
		top.v = top.own;
		if (!top.v)
			flags |= JSONRPC_F_MALFORMED;
	}
	if (part_is(&top, JSON_ARRAY, '['))
		decode_batch(&d, &top, flags);
	if (!d.count)
		deliver(&d, &top, flags, 0);
	json_free(top.own);
	free(d.m);
	return d.count;
}

const char *jsonrpc_kind_name(enum jsonrpc_kind kind)
{
	switch (kind) {
	case JSONRPC_REQUEST:
		return "request";
	case JSONRPC_NOTIFICATION:
		return "notification";
	case JSONRPC_RESULT:
		return "result";
	case JSONRPC_ERROR:
		return "error";
	case JSONRPC_INVALID:
		break;
	}
	return "invalid";
}
