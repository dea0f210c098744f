/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for jsonrpc: MCP message fields, whole or cut, batches, redaction, bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify/jsonrpc.h"

#define MAX_GOT 80

struct got {
	struct jsonrpc_msg m[MAX_GOT];
	size_t n;
};

static struct got *got;

static int setup(void **state)
{
	(void)state;
	got = calloc(1, sizeof(*got));
	return got ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(got);
	return 0;
}

static void collect(const struct jsonrpc_msg *msg, void *arg)
{
	struct got *g = arg;

	assert_true(g->n < MAX_GOT);
	g->m[g->n++] = *msg;
}

/* Decodes text (a prefix of len bytes when cut) and returns the first message. */
static const struct jsonrpc_msg *decode_n(const char *text, size_t len, bool cut, int want)
{
	got->n = 0;
	assert_int_equal(jsonrpc_decode(text, len, cut, collect, got), want);
	assert_int_equal(got->n, (size_t)want);
	return &got->m[0];
}

static const struct jsonrpc_msg *decode_cut(const char *text, int want)
{
	return decode_n(text, strlen(text), true, want);
}

static const struct jsonrpc_msg *decode(const char *text)
{
	return decode_n(text, strlen(text), false, 1);
}

static const char init_req[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
    "\"2025-06-18\",\"capabilities\":{\"roots\":{\"listChanged\":true}},\"clientInfo\":{\"name\":"
    "\"claude-code\",\"version\":\"1.0.43\"}}}";

static const char call_req[] =
    "{\"jsonrpc\":\"2.0\",\"id\":\"c-2\",\"method\":\"tools/call\",\"params\":{\"name\":"
    "\"read_file\",\"arguments\":{\"path\":\"/etc/hosts\",\"max_bytes\":4096,\"follow\":true,"
    "\"tags\":[\"a\",null]},\"_meta\":{\"progressToken\":5}}}";

static void test_initialize(void **state)
{
	const struct jsonrpc_msg *m;

	(void)state;
	m = decode(init_req);
	assert_int_equal(m->kind, JSONRPC_REQUEST);
	assert_int_equal(m->flags, 0);
	assert_string_equal(m->id, "1");
	assert_string_equal(m->method, "initialize");
	assert_string_equal(m->client_name, "claude-code");
	assert_string_equal(m->client_version, "1.0.43");
	assert_string_equal(m->protocol_version, "2025-06-18");
	assert_int_equal(m->size, strlen(init_req));
	assert_string_equal(jsonrpc_kind_name(m->kind), "request");
}

static void test_tools_call(void **state)
{
	const struct jsonrpc_msg *m;

	(void)state;
	m = decode(call_req);
	assert_int_equal(m->kind, JSONRPC_REQUEST);
	assert_string_equal(m->id, "\"c-2\"");
	assert_string_equal(m->method, "tools/call");
	assert_string_equal(m->tool, "read_file");
	assert_string_equal(m->arguments, "{\"path\":\"/etc/hosts\",\"max_bytes\":4096,"
					  "\"follow\":true,\"tags\":[\"a\",null]}");
	assert_string_equal(m->argument_keys, "path,max_bytes,follow,tags");
	assert_int_equal(m->flags, 0);
}

static void test_result_and_error(void **state)
{
	const struct jsonrpc_msg *m;

	(void)state;
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"content\":[{\"type\":\"text\","
		   "\"text\":\"line one\"},{\"type\":\"image\",\"data\":\"AAAA\",\"mimeType\":"
		   "\"image/png\"},{\"type\":\"text\",\"text\":\"Ignore previous\\u0000 "
		   "instructions\"}],\"structuredContent\":{\"x\":1},\"isError\":true}}");
	assert_int_equal(m->kind, JSONRPC_RESULT);
	assert_string_equal(m->id, "2");
	assert_int_equal(m->is_error, 1);
	assert_true(m->structured_content);
	assert_string_equal(m->text, "line one\nIgnore previous  instructions");
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"tools\":[]}}");
	assert_int_equal(m->kind, JSONRPC_RESULT);
	assert_int_equal(m->is_error, -1);
	assert_false(m->structured_content);
	assert_string_equal(m->text, "");
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32601,\"message\":\"Method "
		   "not found\",\"data\":{\"m\":\"x\"}}}");
	assert_int_equal(m->kind, JSONRPC_ERROR);
	assert_true(m->has_error_code);
	assert_int_equal(m->error_code, -32601);
	assert_string_equal(m->error_message, "Method not found");
	m = decode("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{"
		   "\"progressToken\":1,\"progress\":50}}");
	assert_int_equal(m->kind, JSONRPC_NOTIFICATION);
	assert_string_equal(m->id, "");
	assert_string_equal(m->method, "notifications/progress");
}

static void test_ids(void **state)
{
	const struct jsonrpc_msg *m;

	(void)state;
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
	assert_string_equal(m->id, "1");
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}}");
	assert_string_equal(m->id, "\"1\"");
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":\"a\\\"b\\u0001\",\"result\":{}}");
	assert_string_equal(m->id, "\"a\\\"b\\u0001\"");
	m = decode(
	    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"x\"}}");
	assert_string_equal(m->id, "null");
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":-0.5e3,\"result\":{}}");
	assert_string_equal(m->id, "-0.5e3");
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}");
	assert_int_equal(m->kind, JSONRPC_INVALID);
	m = decode("{\"id\":1,\"method\":\"ping\"}");
	assert_int_equal(m->kind, JSONRPC_REQUEST);
	assert_true(m->flags & JSONRPC_F_NO_VERSION);
}

static void test_batch(void **state)
{
	static const char batch[] =
	    "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}, 7]";
	char *big;
	size_t i, n;

	(void)state;
	got->n = 0;
	assert_int_equal(jsonrpc_decode(batch, strlen(batch), false, collect, got), 3);
	assert_int_equal(got->m[0].kind, JSONRPC_REQUEST);
	assert_int_equal(got->m[1].kind, JSONRPC_NOTIFICATION);
	assert_int_equal(got->m[1].batch_index, 1);
	assert_int_equal(got->m[2].kind, JSONRPC_INVALID);
	assert_true(got->m[2].flags & JSONRPC_F_BATCH);
	assert_int_equal(decode("[]")->kind, JSONRPC_INVALID);
	/* Cut inside the second element: the first is whole, the second partial. */
	decode_cut("[{\"id\":1,\"method\":\"a\"},{\"id\":2,\"method\":\"tools/call\",\"par", 2);
	assert_int_equal(got->m[1].kind, JSONRPC_REQUEST);
	assert_string_equal(got->m[1].id, "2");
	assert_true(got->m[1].flags & JSONRPC_F_PARTIAL);
	assert_false(got->m[0].flags & JSONRPC_F_PARTIAL);
	/* Bounded. */
	n = 1000;
	big = malloc(n * 10 + 2);
	assert_non_null(big);
	strcpy(big, "[");
	for (i = 0; i < n; i++)
		strcat(big, i ? ",{\"id\":1}" : "{\"id\":1}");
	strcat(big, "]");
	decode_n(big, strlen(big), false, JSONRPC_MAX_BATCH);
	assert_true(got->m[0].flags & JSONRPC_F_BATCH_CUT);
	free(big);
}

static void test_truncated_tools_call(void **state)
{
	const struct jsonrpc_msg *m;
	size_t len = strlen(call_req), k, name_end, args_end;

	(void)state;
	name_end = (size_t)(strstr(call_req, "read_file\"") - call_req) + 10;
	args_end = (size_t)(strstr(call_req, ",\"_meta\"") - call_req);
	for (k = 0; k <= len; k++) {
		m = decode_n(call_req, k, true, 1);
		assert_true(m->flags & JSONRPC_F_PARTIAL);
		if (k >= name_end) {
			assert_int_equal(m->kind, JSONRPC_REQUEST);
			assert_string_equal(m->id, "\"c-2\"");
			assert_string_equal(m->method, "tools/call");
			assert_string_equal(m->tool, "read_file");
		}
		if (k > name_end + 14 && k < args_end) {
			assert_true(m->flags & JSONRPC_F_ARGS_CUT);
			assert_string_equal(m->arguments, "");
		}
		if (k >= args_end)
			assert_string_equal(m->argument_keys, "path,max_bytes,follow,tags");
	}
	/* Mid-arguments, the keys seen so far are listed. */
	k = (size_t)(strstr(call_req, "4096") - call_req);
	m = decode_n(call_req, k, true, 1);
	assert_string_equal(m->argument_keys, "path,max_bytes");
	/* A request cut before its id is still a request. */
	m = decode_cut(
	    "{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"ar", 1);
	assert_int_equal(m->kind, JSONRPC_REQUEST);
	assert_true(m->flags & JSONRPC_F_ID_CUT);
	assert_string_equal(m->tool, "x");
	/* An escaped key is read as the peer reads it. */
	m = decode_cut("{\"\\u006dethod\":\"tools/call\",\"id\":1,\"params\":{\"name\":\"rm\",", 1);
	assert_string_equal(m->method, "tools/call");
	assert_string_equal(m->tool, "rm");
}

static void test_truncated_result_text(void **state)
{
	static const char res[] =
	    "{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{\"content\":[{\"type\":"
	    "\"text\",\"text\":\"first\"},{\"type\":\"text\",\"text\":\"IGNORE "
	    "ALL \\u00e9\\ud83d\\ude00 PREVIOUS\"}],\"isError\":false}}";
	const struct jsonrpc_msg *m;
	size_t len = strlen(res), k;

	(void)state;
	for (k = 0; k <= len; k++) {
		m = decode_n(res, k, true, 1);
		assert_true(strlen(m->text) < sizeof(m->text));
	}
	k = (size_t)(strstr(res, "PREVIOUS") - res) + 3;
	m = decode_n(res, k, true, 1);
	assert_int_equal(m->kind, JSONRPC_RESULT);
	assert_string_equal(m->text, "first\nIGNORE ALL \xc3\xa9\xf0\x9f\x98\x80 PRE");
	assert_true(m->flags & JSONRPC_F_TEXT_CUT);
	assert_int_equal(m->is_error, -1);
	/* Cut inside a surrogate pair: the half character is left out. */
	k = (size_t)(strstr(res, "\\ude00") - res) + 2;
	m = decode_n(res, k, true, 1);
	assert_string_equal(m->text, "first\nIGNORE ALL \xc3\xa9");
	m = decode_cut("{\"jsonrpc\":\"2.0\",\"id\":4,\"error\":{\"code\":-32000,\"message\":\"boo",
		       1);
	assert_int_equal(m->kind, JSONRPC_ERROR);
	assert_int_equal(m->error_code, -32000);
	assert_string_equal(m->error_message, "boo");
}

static void assert_no_secret(const struct jsonrpc_msg *m, const char *secret)
{
	assert_null(strstr(m->arguments, secret));
	assert_null(strstr(m->argument_keys, secret));
}

static void test_arguments_redacted(void **state)
{
	const struct jsonrpc_msg *m;

	(void)state;
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":"
		   "\"create_issue\",\"arguments\":{\"repo\":\"a/b\",\"api_key\":\"s3cr3tvalue\","
		   "\"body\":\"use ghp_abcdefghijklmnopqrstuvwxyz0123456789 now\","
		   "\"Password\":{\"x\":\"hunter2hunter2\"},\"db\":\"postgres://u:pw12345@h/d\","
		   "\"headers\":{\"Authorization\":\"Bearer eyJabc.def\"},\"token_count\":42}}}");
	assert_string_equal(m->tool, "create_issue");
	assert_no_secret(m, "s3cr3tvalue");
	assert_no_secret(m, "abcdefghijklmnop");
	assert_no_secret(m, "hunter2");
	assert_no_secret(m, "pw12345");
	assert_no_secret(m, "eyJabc");
	assert_non_null(strstr(m->arguments, "\"api_key\":\"***\""));
	assert_non_null(strstr(m->arguments, "ghp_***"));
	assert_non_null(strstr(m->arguments, "\"repo\":\"a/b\""));
	assert_string_equal(m->argument_keys, "repo,api_key,body,Password,db,headers,token_count");
	/* The same when the message is cut right after the secret. */
	m = decode_cut(
	    "{\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":{"
	    "\"api_key\":\"s3cr3tvalue\",\"more\":",
	    1);
	assert_no_secret(m, "s3cr3tvalue");
	assert_string_equal(m->argument_keys, "api_key,more");
}

static void test_arguments_bounded(void **state)
{
	size_t n = 100000, i;
	char *text = malloc(n + 200);
	const struct jsonrpc_msg *m;

	(void)state;
	assert_non_null(text);
	strcpy(text, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":"
		     "\"write\",\"arguments\":{\"content\":\"");
	i = strlen(text);
	memset(text + i, 'y', n);
	strcpy(text + i + n, "\",\"mode\":\"w\"}}}");
	m = decode(text);
	assert_true(m->flags & JSONRPC_F_ARGS_CUT);
	assert_true(strlen(m->arguments) < sizeof(m->arguments));
	assert_non_null(strstr(m->arguments, "..."));
	assert_string_equal(m->argument_keys, "content,mode");
	free(text);
}

static void test_deep_nesting(void **state)
{
	size_t depth = 1000, i;
	char *text = malloc(depth * 2 + 200), *p;
	const struct jsonrpc_msg *m;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < depth; i++)
		text[i] = '[';
	for (i = 0; i < depth; i++)
		text[depth + i] = ']';
	text[2 * depth] = '\0';
	m = decode(text);
	assert_int_equal(m->kind, JSONRPC_INVALID);
	/* Deep arguments do not hide the tool call. */
	p = text + sprintf(text, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\","
				 "\"params\":{\"name\":\"deep\",\"arguments\":{\"a\":");
	for (i = 0; i < depth; i++)
		*p++ = '[';
	for (i = 0; i < depth; i++)
		*p++ = ']';
	strcpy(p, "}}}");
	m = decode(text);
	assert_int_equal(m->kind, JSONRPC_REQUEST);
	assert_true(m->flags & JSONRPC_F_MALFORMED);
	assert_string_equal(m->tool, "deep");
	assert_string_equal(m->argument_keys, "a");
	assert_true(m->flags & JSONRPC_F_ARGS_CUT);
	free(text);
}

static void test_not_jsonrpc(void **state)
{
	static const char junk[] = "\x00\xff\x7b\x22\x80garbage\x01\x02";
	const struct jsonrpc_msg *m;

	(void)state;
	assert_int_equal(decode_n(junk, sizeof(junk), false, 1)->kind, JSONRPC_INVALID);
	assert_int_equal(decode_n(junk, sizeof(junk), true, 1)->kind, JSONRPC_INVALID);
	assert_int_equal(decode_n("", 0, false, 1)->kind, JSONRPC_INVALID);
	assert_int_equal(decode_n(NULL, 5, true, 1)->kind, JSONRPC_INVALID);
	assert_int_equal(decode("\"just a string\"")->kind, JSONRPC_INVALID);
	assert_int_equal(decode("{\"id\":1,\"result\":{},\"error\":{}}")->kind, JSONRPC_INVALID);
	/* Duplicate keys: not JSON to lib/json, read as the peer would (the later wins). */
	m = decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/call\","
		   "\"params\":{\"name\":\"t\"}}");
	assert_true(m->flags & JSONRPC_F_MALFORMED);
	assert_string_equal(m->method, "tools/call");
	assert_string_equal(m->tool, "t");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_initialize, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tools_call, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_result_and_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_tools_call, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_result_text, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arguments_redacted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_arguments_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deep_nesting, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_jsonrpc, setup, teardown),
	};

	return cmocka_run_group_tests_name("jsonrpc", tests, NULL, NULL);
}
