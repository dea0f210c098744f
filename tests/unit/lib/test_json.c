// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/lib/json.c and user/identify/mcpproto.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/json.h"
#include "identify/mcpproto.h"

static struct json_value *parse(const char *s)
{
	struct json_error err;
	struct json_value *v = json_parse(s, strlen(s), &err);

	if (!v)
		print_error("unexpected error %d:%d: %s\n", err.line, err.col, err.message);
	return v;
}

/* Parsing s fails at line:col with a message containing `msg`. */
static void expect_error(const char *s, size_t len, int line, int col, const char *msg)
{
	struct json_error err;
	struct json_value *v = json_parse(s, len, &err);

	if (v || err.line != line || err.col != col || !strstr(err.message, msg))
		print_error("input %s: got %d:%d: %s; want %d:%d: ...%s...\n", s, err.line, err.col,
			    err.message, line, col, msg);
	assert_null(v);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
	assert_non_null(strstr(err.message, msg));
}

#define EXPECT_ERROR(s, line, col, msg) expect_error(s, sizeof(s) - 1, line, col, msg)

static bool equal_texts(const char *x, const char *y)
{
	struct json_value *a = parse(x), *b = parse(y);
	bool eq = json_equal(a, b);

	assert_int_equal(eq, json_equal(b, a));
	json_free(a);
	json_free(b);
	return eq;
}

static void test_equal(void **state)
{
	(void)state;
	assert_true(equal_texts("{\"a\":[1,\"x\",null,true],\"b\":{\"c\":2.5}}",
				"{ \"b\" : {\"c\":2.5},\n \"a\":[1, \"x\", null, true]}"));
	assert_true(equal_texts("\"a\\u0000b\"", "\"a\\u0000b\""));
	assert_false(equal_texts("\"a\\u0000b\"", "\"a\\u0000c\""));
	assert_false(equal_texts("[1,2]", "[2,1]"));
	assert_false(equal_texts("[1,2]", "[1,2,3]"));
	assert_false(equal_texts("{\"a\":1}", "{\"a\":1,\"b\":1}"));
	assert_false(equal_texts("{\"a\":1}", "{\"b\":1}"));
	assert_false(equal_texts("1", "1.0"));
	assert_false(equal_texts("1", "\"1\""));
	assert_false(equal_texts("true", "false"));
	assert_false(equal_texts("null", "false"));
	assert_true(equal_texts("{}", "{}"));
	assert_true(json_equal(NULL, NULL));
}

static void test_scalars(void **state)
{
	struct json_value *v;
	int64_t i;
	bool b;

	v = parse(" 42 ");
	assert_non_null(v);
	assert_int_equal(v->type, JSON_NUMBER);
	assert_true(json_get_int(v, &i));
	assert_int_equal(i, 42);
	assert_int_equal(v->col, 2);
	json_free(v);

	v = parse("-9223372036854775808");
	assert_true(json_get_int(v, &i));
	assert_true(i == INT64_MIN);
	json_free(v);

	v = parse("9223372036854775808"); /* one past INT64_MAX: a double only */
	assert_false(v->number.is_int);
	assert_true(v->number.d > 9.2e18);
	json_free(v);

	v = parse("-1.5e3");
	assert_false(json_get_int(v, &i));
	assert_true(v->number.d == -1500.0);
	json_free(v);

	v = parse("true");
	assert_true(json_get_bool(v, &b) && b);
	json_free(v);
	v = parse("false");
	assert_true(json_get_bool(v, &b) && !b);
	json_free(v);
	v = parse("null");
	assert_int_equal(v->type, JSON_NULL);
	assert_false(json_get_bool(v, &b));
	json_free(v);
}

static void test_strings_and_escapes(void **state)
{
	struct json_value *v;

	v = parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
	assert_string_equal(v->string.s, "a\"b\\c/d\b\f\n\r\t");
	json_free(v);

	v = parse("\"\\u00e9\\u20ac\\ud83d\\ude00\"");
	assert_string_equal(v->string.s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(v);

	v = parse("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
	assert_int_equal(v->string.len, 10);
	json_free(v);

	/* \u0000 is allowed but such a string is not a C string. */
	v = parse("\"a\\u0000b\"");
	assert_int_equal(v->string.len, 3);
	assert_null(json_get_string(v));
	json_free(v);
}

static void test_positions(void **state)
{
	const char *doc = "{\n  \"a\": [1, \"x\"],\n\t\"\xc3\xa9\": {\"k\": null}\n}";
	struct json_value *v = parse(doc);
	const struct json_member *m;
	const struct json_value *a;

	assert_non_null(v);
	assert_int_equal(v->line, 1);
	assert_int_equal(v->col, 1);
	assert_int_equal(v->object.n, 2);
	m = json_object_member(v, "a");
	assert_int_equal(m->line, 2);
	assert_int_equal(m->col, 3);
	a = m->value;
	assert_int_equal(a->line, 2);
	assert_int_equal(a->col, 8);
	assert_int_equal(a->array.items[1]->col, 12);
	assert_int_equal(a->length, 8);
	assert_memory_equal(doc + a->offset, "[1, \"x\"]", 8);
	m = &v->object.members[1];
	assert_int_equal(m->line, 3);
	assert_int_equal(m->col, 2); /* a tab is one column */
	/* Columns count characters: "é" is one. */
	assert_int_equal(json_object_get(m->value, "k")->col, 13);
	assert_int_equal(json_object_member(m->value, "k")->col, 8);
	assert_null(json_object_get(v, "missing"));
	assert_null(json_object_get(a, "a"));
	json_free(v);
}

static void test_syntax_errors(void **state)
{
	EXPECT_ERROR("", 1, 1, "unexpected end of input");
	EXPECT_ERROR("   \n ", 2, 2, "unexpected end of input");
	EXPECT_ERROR("{\"a\": 1,}", 1, 9, "trailing comma");
	EXPECT_ERROR("[1, 2, ]", 1, 8, "trailing comma");
	EXPECT_ERROR("{\"a\": 1 // c\n}", 1, 9, "comments are not allowed");
	EXPECT_ERROR("/* c */ 1", 1, 1, "comments are not allowed");
	EXPECT_ERROR("{\"a\" 1}", 1, 6, "expected ':'");
	EXPECT_ERROR("{a: 1}", 1, 2, "expected a string key");
	EXPECT_ERROR("[1 2]", 1, 4, "expected ',' or ']'");
	EXPECT_ERROR("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}'");
	EXPECT_ERROR("[1]]", 1, 4, "expected the end of the document");
	EXPECT_ERROR("01", 1, 2, "leading zeros");
	EXPECT_ERROR("-", 1, 2, "expected a digit");
	EXPECT_ERROR("1.", 1, 3, "expected a digit after '.'");
	EXPECT_ERROR("1e+", 1, 4, "exponent");
	EXPECT_ERROR(".5", 1, 1, "unexpected '.'");
	EXPECT_ERROR("+1", 1, 1, "unexpected '+'");
	EXPECT_ERROR("1e999", 1, 1, "out of range");
	EXPECT_ERROR("tru", 1, 1, "invalid literal");
	EXPECT_ERROR("True", 1, 1, "unexpected 'T'");
	EXPECT_ERROR("NaN", 1, 1, "unexpected 'N'");
	EXPECT_ERROR("\"abc", 1, 1, "unterminated string");
	EXPECT_ERROR("[\n  \"a\tb\"]", 2, 5, "control character 0x09");
	EXPECT_ERROR("\"\\x\"", 1, 2, "invalid escape");
	EXPECT_ERROR("\"\\u12g4\"", 1, 6, "4 hex digits");
	EXPECT_ERROR("\"\\ud800\"", 1, 2, "unpaired UTF-16 surrogate");
	EXPECT_ERROR("\"\\udc00\"", 1, 2, "unpaired UTF-16 surrogate");
	EXPECT_ERROR("\"\\ud800\\u0041\"", 1, 2, "unpaired UTF-16 surrogate");
	EXPECT_ERROR("\"a\xff\"", 1, 3, "invalid UTF-8");
	EXPECT_ERROR("\"\xc0\xaf\"", 1, 2, "invalid UTF-8");	     /* overlong '/' */
	EXPECT_ERROR("\"\xed\xa0\x80\"", 1, 2, "invalid UTF-8");     /* UTF-8 surrogate */
	EXPECT_ERROR("\"\xf4\x90\x80\x80\"", 1, 2, "invalid UTF-8"); /* > U+10FFFF */
	EXPECT_ERROR("\"\xe2\x82\"", 1, 2, "invalid UTF-8");	     /* truncated */
	EXPECT_ERROR("1\0", 1, 2, "byte 0x00");
	EXPECT_ERROR("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", 3, 2,
		     "duplicate key \"a\" (first at 1:2)");
}

static void test_duplicates_in_large_object(void **state)
{
	size_t cap = 200000, n = 0, i;
	char *doc = malloc(cap);
	struct json_error err;
	struct json_value *v;

	n += (size_t)snprintf(doc + n, cap - n, "{");
	for (i = 0; i < 5000; i++)
		n += (size_t)snprintf(doc + n, cap - n, "%s\"k%zu\": %zu", i ? "," : "", i, i);
	n += (size_t)snprintf(doc + n, cap - n, "}");
	v = json_parse(doc, n, &err);
	assert_non_null(v);
	assert_int_equal(v->object.n, 5000);
	json_free(v);
	/* Two duplicates: the earlier second occurrence is reported. */
	memcpy(doc + n - 1, ",\"k7\": 1, \"k3\": 2}", 19);
	v = json_parse(doc, n + 17, &err);
	assert_null(v);
	assert_non_null(strstr(err.message, "duplicate key \"k7\""));
	free(doc);
}

static void test_depth_limit(void **state)
{
	char deep[2 * (JSON_MAX_DEPTH + 1) + 1];
	struct json_error err;
	struct json_value *v;
	int i;

	for (i = 0; i < JSON_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[2 * JSON_MAX_DEPTH - 1 - i] = ']';
	}
	v = json_parse(deep, 2 * JSON_MAX_DEPTH, &err);
	assert_non_null(v);
	json_free(v);
	memset(deep, '[', sizeof(deep));
	v = json_parse(deep, sizeof(deep), &err);
	assert_null(v);
	assert_int_equal(err.col, JSON_MAX_DEPTH + 1);
	assert_non_null(strstr(err.message, "nesting deeper than 64"));
}

static void test_bom_and_prefix(void **state)
{
	struct json_value *v;
	size_t used;

	v = parse("\xef\xbb\xbf{\"a\": 1}");
	assert_non_null(v);
	json_free(v);
	v = json_parse_prefix("{\"a\": [1]} trailing {garbage", 28, &used, NULL);
	assert_non_null(v);
	assert_int_equal(used, 10);
	json_free(v);
	assert_null(json_parse_prefix("{\"a\": [1", 8, &used, NULL));
	assert_int_equal(used, 0);
}

static void test_quote_for_message(void **state)
{
	char out[8];

	json_quote_for_message("ab\ncd", 5, out, sizeof(out));
	assert_string_equal(out, "ab?cd");
	json_quote_for_message("abcdefghij", 10, out, sizeof(out));
	assert_string_equal(out, "abcd...");
	json_quote_for_message("abc\xc3\xa9xyz", 9, out, sizeof(out));
	assert_string_equal(out, "abc...");
}

static void test_read_file(void **state)
{
	char path[] = "/tmp/mw-test-json-XXXXXX", why[128], *buf;
	int fd = mkstemp(path);
	size_t len = 0;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[1,2]", 5), 5);
	close(fd);
	buf = json_read_file(path, 16, &len, why, sizeof(why));
	assert_non_null(buf);
	assert_int_equal(len, 5);
	assert_string_equal(buf, "[1,2]");
	free(buf);
	assert_null(json_read_file(path, 4, &len, why, sizeof(why)));
	assert_string_equal(why, "too large (limit 4 bytes)");
	unlink(path);
	assert_null(json_read_file(path, 16, &len, why, sizeof(why)));
	assert_string_equal(why, "No such file or directory");
	assert_null(json_read_file("/tmp", 16, &len, why, sizeof(why)));
	assert_string_equal(why, "not a regular file");
}

/* ---- mcp_parse_server_info */

static int server_info(const char *s, char *name, char *version)
{
	return mcp_parse_server_info(s, strlen(s), name, 64, version, 32);
}

static void test_server_info_typescript_sdk(void **state)
{
	const char *msg =
	    "{\"result\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":"
	    "{\"tools\":{},\"logging\":{}},\"serverInfo\":{\"name\":"
	    "\"secure-filesystem-server\",\"version\":\"0.2.0\"}},\"jsonrpc\":\"2.0\","
	    "\"id\":0}\n";
	char name[64], version[32];
	size_t cut;

	assert_int_equal(server_info(msg, name, version), 1);
	assert_string_equal(name, "secure-filesystem-server");
	assert_string_equal(version, "0.2.0");
	/* Truncated after the serverInfo object: still recognised. */
	cut = (size_t)(strstr(msg, "}},\"jsonrpc\"") - msg) + 1;
	assert_int_equal(mcp_parse_server_info(msg, cut, name, 64, version, 32), 1);
	assert_string_equal(name, "secure-filesystem-server");
	/* Truncated inside it: not. */
	assert_int_equal(mcp_parse_server_info(msg, cut - 1, name, 64, version, 32), 0);
	assert_string_equal(name, "");
}

static void test_server_info_new_key(void **state)
{
	char name[64], version[32];

	assert_int_equal(
	    server_info("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\",\"params\":"
			"{\"_meta\":{\"io.modelcontextprotocol/serverInfo\":"
			"{\"name\":\"acme\"}}}}",
			name, version),
	    1);
	assert_string_equal(name, "acme");
	assert_string_equal(version, "");
	assert_int_equal(
	    server_info(" \n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"io.modelcontext"
			"protocol/serverInfo\" : {\"version\":\"1\",\"name\":\"b\"}",
			name, version),
	    1);
	assert_string_equal(name, "b");
	assert_string_equal(version, "1");
}

static void test_server_info_rejects(void **state)
{
	char name[64], version[32];

	/* Not JSON-RPC-looking. */
	assert_int_equal(server_info("[{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":"
				     "{\"name\":\"x\"}}}]",
				     name, version),
			 0);
	assert_int_equal(server_info("{\"serverInfo\":{\"name\":\"x\"}}", name, version), 0);
	assert_int_equal(server_info("hello world", name, version), 0);
	assert_int_equal(server_info("", name, version), 0);
	/* Name missing, empty, not a string, not printable. */
	assert_int_equal(server_info("{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":"
				     "{\"version\":\"1\"}}}",
				     name, version),
			 0);
	assert_int_equal(server_info("{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":"
				     "{\"name\":\"\"}}}",
				     name, version),
			 0);
	assert_int_equal(server_info("{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":"
				     "{\"name\":7}}}",
				     name, version),
			 0);
	assert_int_equal(server_info("{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":"
				     "{\"name\":\"a\\nb\"}}}",
				     name, version),
			 0);
	/* The key text inside a string value is not a key. */
	assert_int_equal(server_info("{\"jsonrpc\":\"2.0\",\"result\":{\"content\":[{\"text\":"
				     "\"x \\\"serverInfo\\\":{\\\"name\\\":\\\"evil\\\"}\"}]}}",
				     name, version),
			 0);
	assert_int_equal(
	    server_info("{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":\"x\"}}", name, version),
	    0);
}

static void test_server_info_cuts_long_name(void **state)
{
	char name[8], version[4];
	const char *msg = "{\"jsonrpc\":\"2.0\",\"result\":{\"serverInfo\":"
			  "{\"name\":\"abcd\xc3\xa9\xc3\xa9\",\"version\":\"1.2.3\"}}}";

	assert_int_equal(
	    mcp_parse_server_info(msg, strlen(msg), name, sizeof(name), version, sizeof(version)),
	    1);
	assert_string_equal(name, "abcd\xc3\xa9");
	assert_string_equal(version, "1.2");
	assert_int_equal(mcp_parse_server_info(msg, strlen(msg), name, sizeof(name), NULL, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scalars),
	    cmocka_unit_test(test_strings_and_escapes),
	    cmocka_unit_test(test_positions),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_duplicates_in_large_object),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_bom_and_prefix),
	    cmocka_unit_test(test_quote_for_message),
	    cmocka_unit_test(test_read_file),
	    cmocka_unit_test(test_server_info_typescript_sdk),
	    cmocka_unit_test(test_server_info_new_key),
	    cmocka_unit_test(test_server_info_rejects),
	    cmocka_unit_test(test_server_info_cuts_long_name),
	    cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
