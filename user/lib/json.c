// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A strict JSON parser that keeps positions. Recursive descent, bounded by
 * JSON_MAX_DEPTH; every failure records the first error and unwinds, freeing
 * what was built so far.
 */
#include "lib/json.h"
#include "lib/names.h"
#include "lib/diag.h"
#include "lib/chars.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct parser {
	const char *buf;
	size_t len, pos;
	int line, col;
	int depth;
	bool failed;
	struct json_error *err;
};

static struct json_value *parse_value(struct parser *p);

static void fail_at(struct parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_at(struct parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = true;
	if (!p->err)
		return;
	p->err->line = line;
	p->err->col = col;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
}

static bool at_end(const struct parser *p)
{
	return p->pos >= p->len;
}

static unsigned char peek(const struct parser *p)
{
	return (unsigned char)p->buf[p->pos];
}

/* Advance over one byte; UTF-8 continuation bytes do not move the column. */
static void advance(struct parser *p)
{
	unsigned char c = peek(p);

	p->pos++;
	if (c == '\n') {
		p->line++;
		p->col = 1;
	} else if ((c & 0xc0) != 0x80) {
		p->col++;
	}
}

static void skip_ws(struct parser *p)
{
	while (!at_end(p)) {
		unsigned char c = peek(p);

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		advance(p);
	}
}

/* "'x'" for printable ASCII, "byte 0xNN" otherwise. */
static const char *describe_char(unsigned char c, char *out, size_t outlen)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(out, outlen, "'%c'", c);
	else
		snprintf(out, outlen, "byte 0x%02x", c);
	return out;
}

static void fail_unexpected(struct parser *p, const char *what)
{
	char d[16];

	if (at_end(p)) {
		fail_at(p, p->line, p->col, "unexpected end of input, %s", what);
		return;
	}
	if (peek(p) == '/')
		fail_at(p, p->line, p->col, "comments are not allowed in JSON");
	else
		fail_at(p, p->line, p->col, "unexpected %s, %s",
			describe_char(peek(p), d, sizeof(d)), what);
}

static struct json_value *new_value(struct parser *p, enum json_type type)
{
	struct json_value *v = calloc(1, sizeof(*v));

	if (!v) {
		fail_at(p, p->line, p->col, "out of memory");
		return NULL;
	}
	v->type = type;
	v->line = p->line;
	v->col = p->col;
	v->offset = p->pos;
	return v;
}

static void finish_value(struct parser *p, struct json_value *v)
{
	v->length = p->pos - v->offset;
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i <= need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return need + 1;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Read the 4 hex digits after "\u" (p at the 'u'); -1 on error. */
static long read_hex4(struct parser *p)
{
	long v = 0;
	int i, d;

	advance(p); /* 'u' */
	for (i = 0; i < 4; i++) {
		if (at_end(p) || (d = hex_digit_value(peek(p))) < 0) {
			fail_unexpected(p, "expected 4 hex digits after \\u");
			return -1;
		}
		v = v * 16 + d;
		advance(p);
	}
	return v;
}

/* A \u escape, surrogate pairs joined; p at the 'u'. Returns bytes written. */
static size_t decode_unicode_escape(struct parser *p, int line, int col, char *out)
{
	long hi, lo;

	hi = read_hex4(p);
	if (hi < 0)
		return 0;
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		fail_at(p, line, col, "unpaired UTF-16 surrogate \\u%04lx", hi);
		return 0;
	}
	if (hi < 0xd800 || hi > 0xdbff)
		return utf8_encode((uint32_t)hi, out);
	if (p->len - p->pos < 2 || p->buf[p->pos] != '\\' || p->buf[p->pos + 1] != 'u') {
		fail_at(p, line, col, "unpaired UTF-16 surrogate \\u%04lx", hi);
		return 0;
	}
	advance(p);
	lo = read_hex4(p);
	if (lo < 0)
		return 0;
	if (lo < 0xdc00 || lo > 0xdfff) {
		fail_at(p, line, col, "unpaired UTF-16 surrogate \\u%04lx", hi);
		return 0;
	}
	return utf8_encode(0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00),
			   out);
}

/* One escape sequence; p at the backslash. Returns bytes written, 0 on error. */
static size_t decode_escape(struct parser *p, char *out)
{
	int line = p->line, col = p->col;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	char d[16];

	advance(p);
	if (at_end(p)) {
		fail_at(p, line, col, "unterminated escape sequence");
		return 0;
	}
	if (peek(p) == 'u')
		return decode_unicode_escape(p, line, col, out);
	hit = peek(p) ? strchr(from, peek(p)) : NULL;
	if (!hit) {
		fail_at(p, line, col, "invalid escape \\%s", describe_char(peek(p), d, sizeof(d)));
		return 0;
	}
	*out = to[hit - from];
	advance(p);
	return 1;
}

/* Bytes up to the closing quote, an upper bound for the decoded length. */
static size_t raw_string_extent(const struct parser *p)
{
	size_t i = p->pos + 1;

	/* memchr finds each quote fast; one after an odd run of backslashes is escaped. */
	while (i < p->len) {
		const char *q = memchr(p->buf + i, '"', p->len - i);
		size_t at, bs = 0;

		if (!q)
			break;
		at = (size_t)(q - p->buf);
		while (at - bs > p->pos + 1 && p->buf[at - bs - 1] == '\\')
			bs++;
		if (bs % 2 == 0)
			return at - p->pos;
		i = at + 1;
	}
	return p->len - p->pos;
}

/* Copy one string character (p not at a quote or backslash). */
static size_t copy_string_char(struct parser *p, char *out)
{
	unsigned char c = peek(p);
	size_t n, i;

	if (c < 0x20) {
		fail_at(p, p->line, p->col,
			"control character 0x%02x in string (write it as an escape)", c);
		return 0;
	}
	n = utf8_sequence_length((const unsigned char *)p->buf + p->pos, p->len - p->pos);
	if (!n) {
		fail_at(p, p->line, p->col, "invalid UTF-8 in string");
		return 0;
	}
	for (i = 0; i < n; i++) {
		out[i] = p->buf[p->pos];
		advance(p);
	}
	return n;
}

/* Is c a byte copied as it is: printable ASCII other than a quote or backslash? */
static bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Copy a run of plain ASCII at once: one column per byte, no line breaks. */
static size_t copy_ascii_run(struct parser *p, char *out)
{
	const unsigned char *b = (const unsigned char *)p->buf;
	size_t start = p->pos, end = p->pos, n;

	while (end < p->len && plain_ascii(b[end]))
		end++;
	p->pos = end;
	n = end - start;
	memcpy(out, p->buf + start, n);
	p->col += (int)n;
	return n;
}

/* Decode the string at p (at its opening quote) into a new buffer. */
static char *parse_string_raw(struct parser *p, size_t *outlen)
{
	int line = p->line, col = p->col;
	char *s = malloc(raw_string_extent(p) + 1);
	size_t n = 0, k;

	if (!s) {
		fail_at(p, line, col, "out of memory");
		return NULL;
	}
	advance(p);
	for (;;) {
		if (at_end(p)) {
			fail_at(p, line, col, "unterminated string");
			break;
		}
		if (peek(p) == '"') {
			advance(p);
			s[n] = '\0';
			*outlen = n;
			return s;
		}
		if (plain_ascii(peek(p)))
			k = copy_ascii_run(p, s + n);
		else if (peek(p) == '\\')
			k = decode_escape(p, s + n);
		else
			k = copy_string_char(p, s + n);
		if (!k)
			break;
		n += k;
	}
	free(s);
	return NULL;
}

static struct json_value *parse_string(struct parser *p)
{
	struct json_value *v = new_value(p, JSON_STRING);

	if (!v)
		return NULL;
	v->string.s = parse_string_raw(p, &v->string.len);
	if (!v->string.s) {
		free(v);
		return NULL;
	}
	finish_value(p, v);
	return v;
}

static bool is_digit(const struct parser *p)
{
	return !at_end(p) && peek(p) >= '0' && peek(p) <= '9';
}

static bool skip_digits(struct parser *p, const char *what)
{
	if (!is_digit(p)) {
		fail_unexpected(p, what);
		return false;
	}
	while (is_digit(p))
		advance(p);
	return true;
}

/* Check the RFC 8259 number grammar; *is_int when no fraction/exponent. */
static bool scan_number(struct parser *p, bool *is_int)
{
	*is_int = true;
	if (peek(p) == '-')
		advance(p);
	if (!at_end(p) && peek(p) == '0') {
		advance(p);
		if (is_digit(p)) {
			fail_at(p, p->line, p->col, "leading zeros are not allowed in numbers");
			return false;
		}
	} else if (!skip_digits(p, "expected a digit")) {
		return false;
	}
	if (!at_end(p) && peek(p) == '.') {
		advance(p);
		*is_int = false;
		if (!skip_digits(p, "expected a digit after '.'"))
			return false;
	}
	if (!at_end(p) && (peek(p) == 'e' || peek(p) == 'E')) {
		advance(p);
		*is_int = false;
		if (!at_end(p) && (peek(p) == '+' || peek(p) == '-'))
			advance(p);
		if (!skip_digits(p, "expected a digit in the exponent"))
			return false;
	}
	return true;
}

static struct json_value *parse_number(struct parser *p)
{
	struct json_value *v = new_value(p, JSON_NUMBER);
	char text[400];
	size_t n;

	if (!v)
		return NULL;
	if (!scan_number(p, &v->number.is_int))
		goto fail;
	n = p->pos - v->offset;
	if (n >= sizeof(text)) {
		fail_at(p, v->line, v->col, "number too long");
		goto fail;
	}
	memcpy(text, p->buf + v->offset, n);
	text[n] = '\0';
	v->number.d = strtod(text, NULL);
	if (!isfinite(v->number.d)) {
		fail_at(p, v->line, v->col, "number out of range");
		goto fail;
	}
	if (v->number.is_int) {
		errno = 0;
		v->number.i = strtoll(text, NULL, 10);
		v->number.is_int = errno != ERANGE;
	}
	finish_value(p, v);
	return v;
fail:
	free(v);
	return NULL;
}

static struct json_value *parse_literal(struct parser *p)
{
	static const char *const words[] = {"true", "false", "null"};
	struct json_value *v;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = strlen(words[i]);
		if (p->len - p->pos >= n && !memcmp(p->buf + p->pos, words[i], n))
			break;
	}
	if (i == 3) {
		fail_at(p, p->line, p->col, "invalid literal (expected true, false or null)");
		return NULL;
	}
	v = new_value(p, i == 2 ? JSON_NULL : JSON_BOOL);
	if (!v)
		return NULL;
	v->boolean = i == 0;
	while (n--)
		advance(p);
	finish_value(p, v);
	return v;
}

static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *a;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 4;
	a = realloc(*arr, ncap * size);
	if (!a)
		return false;
	*arr = a;
	*cap = ncap;
	return true;
}

static bool enter_container(struct parser *p)
{
	if (p->depth >= JSON_MAX_DEPTH) {
		fail_at(p, p->line, p->col, "nesting deeper than %d levels", JSON_MAX_DEPTH);
		return false;
	}
	p->depth++;
	advance(p); /* '[' or '{' */
	skip_ws(p);
	return true;
}

/* After an element: ',' continues, the closer ends; *done set at the closer. */
static bool parse_separator(struct parser *p, char closer, bool *done)
{
	char what[48];

	skip_ws(p);
	if (!at_end(p) && peek(p) == closer) {
		advance(p);
		*done = true;
		return true;
	}
	if (!at_end(p) && peek(p) == ',') {
		advance(p);
		skip_ws(p);
		if (!at_end(p) && peek(p) == closer) {
			fail_at(p, p->line, p->col, "trailing comma before '%c'", closer);
			return false;
		}
		return true;
	}
	snprintf(what, sizeof(what), "expected ',' or '%c'", closer);
	fail_unexpected(p, what);
	return false;
}

static struct json_value *parse_array(struct parser *p)
{
	struct json_value *v = new_value(p, JSON_ARRAY), *item;
	size_t cap = 0;
	bool done = false;

	if (!v || !enter_container(p))
		goto fail;
	if (!at_end(p) && peek(p) == ']') {
		advance(p);
		done = true;
	}
	while (!done) {
		item = parse_value(p);
		if (!item)
			goto fail;
		if (!grow((void **)&v->array.items, &cap, v->array.n, sizeof(item))) {
			json_free(item);
			fail_at(p, p->line, p->col, "out of memory");
			goto fail;
		}
		v->array.items[v->array.n++] = item;
		if (!parse_separator(p, ']', &done))
			goto fail;
	}
	p->depth--;
	finish_value(p, v);
	return v;
fail:
	json_free(v);
	return NULL;
}

static int compare_member_keys(const struct json_member *a, const struct json_member *b)
{
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->key, b->key, n);

	if (c)
		return c;
	return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

static int compare_member_ptrs(const void *a, const void *b)
{
	const struct json_member *const *x = a, *const *y = b;
	int c = compare_member_keys(*x, *y);

	/* Equal keys stay in document order, so the later one is the duplicate. */
	if (c)
		return c;
	return *x < *y ? -1 : *x > *y;
}

static void fail_duplicate(struct parser *p, const struct json_member *first,
			   const struct json_member *dup)
{
	char key[64];

	json_quote_for_message(dup->key, dup->key_len, key, sizeof(key));
	fail_at(p, dup->line, dup->col, "duplicate key \"%s\" (first at %d:%d)", key, first->line,
		first->col);
}

/* Reject duplicate keys, reporting the earliest second occurrence. Sorting
 * keeps a 100k-member object from costing n^2 comparisons. */
static bool check_duplicate_keys(struct parser *p, const struct json_value *obj)
{
	const struct json_member **order, *first = NULL, *dup = NULL;
	size_t i, n = obj->object.n;

	if (n < 2)
		return true;
	order = malloc(n * sizeof(*order));
	if (!order) {
		fail_at(p, obj->line, obj->col, "out of memory");
		return false;
	}
	for (i = 0; i < n; i++)
		order[i] = &obj->object.members[i];
	qsort(order, n, sizeof(*order), compare_member_ptrs);
	for (i = 1; i < n; i++) {
		if (compare_member_keys(order[i - 1], order[i]))
			continue;
		if (!dup || order[i] < dup)
			dup = order[i];
	}
	if (dup) {
		/* The first occurrence is the lowest-addressed member with the key. */
		for (i = 0; i < n; i++)
			if (!compare_member_keys(&obj->object.members[i], dup)) {
				first = &obj->object.members[i];
				break;
			}
		fail_duplicate(p, first, dup);
	}
	free(order);
	return !dup;
}

static bool parse_member(struct parser *p, struct json_value *obj, size_t *cap)
{
	struct json_member m = {.line = p->line, .col = p->col};

	if (at_end(p) || peek(p) != '"') {
		fail_unexpected(p, "expected a string key");
		return false;
	}
	m.key = parse_string_raw(p, &m.key_len);
	if (!m.key)
		return false;
	skip_ws(p);
	if (at_end(p) || peek(p) != ':') {
		fail_unexpected(p, "expected ':' after the key");
		goto fail;
	}
	advance(p);
	m.value = parse_value(p);
	if (!m.value)
		goto fail;
	if (!grow((void **)&obj->object.members, cap, obj->object.n, sizeof(m))) {
		fail_at(p, m.line, m.col, "out of memory");
		json_free(m.value);
		goto fail;
	}
	obj->object.members[obj->object.n++] = m;
	return true;
fail:
	free(m.key);
	return false;
}

static struct json_value *parse_object(struct parser *p)
{
	struct json_value *v = new_value(p, JSON_OBJECT);
	size_t cap = 0;
	bool done = false;

	if (!v || !enter_container(p))
		goto fail;
	if (!at_end(p) && peek(p) == '}') {
		advance(p);
		done = true;
	}
	while (!done) {
		if (!parse_member(p, v, &cap) || !parse_separator(p, '}', &done))
			goto fail;
	}
	p->depth--;
	if (!check_duplicate_keys(p, v))
		goto fail;
	finish_value(p, v);
	return v;
fail:
	json_free(v);
	return NULL;
}

static struct json_value *parse_value(struct parser *p)
{
	skip_ws(p);
	if (at_end(p)) {
		fail_unexpected(p, "expected a value");
		return NULL;
	}
	switch (peek(p)) {
	case '{':
		return parse_object(p);
	case '[':
		return parse_array(p);
	case '"':
		return parse_string(p);
	case 't':
	case 'f':
	case 'n':
		return parse_literal(p);
	case '-':
	case '0' ... '9':
		return parse_number(p);
	default:
		fail_unexpected(p, "expected a value");
		return NULL;
	}
}

static void parser_init(struct parser *p, const char *buf, size_t len, struct json_error *err)
{
	memset(p, 0, sizeof(*p));
	p->buf = buf ? buf : "";
	p->len = buf ? len : 0;
	p->line = 1;
	p->col = 1;
	p->err = err;
	if (err)
		memset(err, 0, sizeof(*err));
}

struct json_value *json_parse(const char *buf, size_t len, struct json_error *err)
{
	struct parser p;
	struct json_value *v;

	parser_init(&p, buf, len, err);
	/* RFC 8259 lets a parser ignore a byte order mark; editors add them. */
	if (p.len >= 3 && !memcmp(p.buf, "\xef\xbb\xbf", 3))
		p.pos = 3;
	v = parse_value(&p);
	if (!v)
		return NULL;
	skip_ws(&p);
	if (!at_end(&p)) {
		fail_unexpected(&p, "expected the end of the document");
		json_free(v);
		return NULL;
	}
	return v;
}

struct json_value *json_parse_prefix(const char *buf, size_t len, size_t *used,
				     struct json_error *err)
{
	struct parser p;
	struct json_value *v;

	parser_init(&p, buf, len, err);
	v = parse_value(&p);
	if (used)
		*used = v ? p.pos : 0;
	return v;
}

void json_free(struct json_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case JSON_STRING:
		free(v->string.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < v->array.n; i++)
			json_free(v->array.items[i]);
		free(v->array.items);
		break;
	case JSON_OBJECT:
		for (i = 0; i < v->object.n; i++) {
			free(v->object.members[i].key);
			json_free(v->object.members[i].value);
		}
		free(v->object.members);
		break;
	default:
		break;
	}
	free(v);
}

static bool json_object_equal(const struct json_value *a, const struct json_value *b)
{
	if (a->object.n != b->object.n)
		return false;
	for (size_t i = 0; i < a->object.n; i++) {
		const struct json_member *m = &a->object.members[i], *o = NULL;

		/* The parser rejects duplicate keys: a key matches at most one member. */
		for (size_t j = 0; j < b->object.n && !o; j++)
			if (b->object.members[j].key_len == m->key_len &&
			    !memcmp(b->object.members[j].key, m->key, m->key_len))
				o = &b->object.members[j];
		if (!o || !json_equal(m->value, o->value))
			return false;
	}
	return true;
}

bool json_equal(const struct json_value *a, const struct json_value *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return a->boolean == b->boolean;
	case JSON_NUMBER:
		if (a->number.is_int != b->number.is_int)
			return false;
		return a->number.is_int ? a->number.i == b->number.i : a->number.d == b->number.d;
	case JSON_STRING:
		return a->string.len == b->string.len &&
		       !memcmp(a->string.s, b->string.s, a->string.len);
	case JSON_ARRAY:
		if (a->array.n != b->array.n)
			return false;
		for (size_t i = 0; i < a->array.n; i++)
			if (!json_equal(a->array.items[i], b->array.items[i]))
				return false;
		return true;
	case JSON_OBJECT:
		return json_object_equal(a, b);
	}
	return false;
}

const struct json_member *json_object_member(const struct json_value *obj, const char *key)
{
	size_t i, n = strlen(key);

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->object.n; i++) {
		const struct json_member *m = &obj->object.members[i];

		if (m->key_len == n && !memcmp(m->key, key, n))
			return m;
	}
	return NULL;
}

const struct json_value *json_object_get(const struct json_value *obj, const char *key)
{
	const struct json_member *m = json_object_member(obj, key);

	return m ? m->value : NULL;
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = {
	    [JSON_NULL] = "null",     [JSON_BOOL] = "boolean", [JSON_NUMBER] = "number",
	    [JSON_STRING] = "string", [JSON_ARRAY] = "array",  [JSON_OBJECT] = "object"};

	return name_of(names, NAMES_LEN(names), t, "?");
}

const char *json_get_string(const struct json_value *v)
{
	if (!v || v->type != JSON_STRING || strlen(v->string.s) != v->string.len)
		return NULL;
	return v->string.s;
}

bool json_get_int(const struct json_value *v, int64_t *out)
{
	if (!v || v->type != JSON_NUMBER || !v->number.is_int)
		return false;
	*out = v->number.i;
	return true;
}

bool json_get_bool(const struct json_value *v, bool *out)
{
	if (!v || v->type != JSON_BOOL)
		return false;
	*out = v->boolean;
	return true;
}

void json_quote_for_message(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, n = 0;

	if (!outlen)
		return;
	for (i = 0; i < len && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (i < len && outlen >= 4) {
		n = n > outlen - 4 ? outlen - 4 : n;
		/* Do not leave half a UTF-8 character before the "...". */
		while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

static void say_limit(char *why, size_t whylen, size_t max)
{
	if (max >= (1u << 20) && !(max % (1u << 20)))
		snprintf(why, whylen, "too large (limit %zu MiB)", max >> 20);
	else
		snprintf(why, whylen, "too large (limit %zu bytes)", max);
}

char *json_read_file(const char *path, size_t max, size_t *len, char *why, size_t whylen)
{
	/* O_NONBLOCK: a FIFO named as a config file must not hang start-up. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	char *buf = NULL;
	struct stat st;
	ssize_t n;
	size_t got = 0;

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		say_limit(why, whylen, max);
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* Read one byte past max: the file may have grown since fstat(). */
	while (got <= max && (n = read(fd, buf + got, max + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			goto fail;
		}
		got += (size_t)n;
	}
	if (got > max) {
		say_limit(why, whylen, max);
		goto fail;
	}
	buf[got] = '\0';
	*len = got;
	goto out;
fail:
	free(buf);
	buf = NULL;
out:
	close(fd);
	return buf;
}

int json_load_file(const char *path, size_t max, struct diag *diag,
		   int (*load)(void *ctx, const char *name, const char *buf, size_t len,
			       struct diag *diag),
		   void *ctx)
{
	char why[128], *buf;
	size_t len = 0;
	int rc;

	if (!path)
		return -1;
	buf = json_read_file(path, max, &len, why, sizeof(why));
	if (!buf) {
		if (diag)
			diag_add(diag, path, 0, 0, "%s", why);
		return -1;
	}
	rc = load(ctx, path, buf, len, diag);
	free(buf);
	return rc;
}
