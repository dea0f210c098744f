// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/inventory/parse.c and entry.c: each client's
 * document shapes, wrong shapes, transports, JSON with comments.
 */
#include "posture/inventory/invtest.h"

/* Parse doc as client: want_n entries and exactly the one diagnostic want_diag (or none). */
static void expect_parse(const char *client, const char *doc, int want_rc, size_t want_n,
			 const char *want_diag)
{
	struct inventory inv = {0};
	int rc = parse(&inv, client, doc);
	char first[512] = "";
	bool ok;

	if (inv.diag.nlines)
		snprintf(first, sizeof(first), "%s", inv.diag.lines[0]);
	ok = rc == want_rc && inv.n == want_n && inv.diag.nlines == (want_diag ? 1u : 0u) &&
	     (!want_diag || strcmp(first, want_diag) == 0);
	if (!ok)
		print_diagnostics(&inv);
	inventory_free(&inv); /* before failing: cmocka's longjmp would leak it */
	if (!ok)
		fail_msg("parse(%s, %s): rc %d diag \"%s\"; want rc %d n %zu diag \"%s\"", client,
			 doc, rc, first, want_rc, want_n, want_diag ? want_diag : "");
}

static void test_parse_wrong_shapes(void **state)
{
	expect_parse("cursor", "", -1, 0, "/c.json:1:1: unexpected end of input, expected a value");
	expect_parse("cursor", "[]", -1, 0,
		     "/c.json: expected a JSON object at the top, got array");
	expect_parse("cursor", "{}", 0, 0, NULL);
	expect_parse("cursor", "{\"mcpServers\": []}", 0, 0,
		     "/c.json:1:16: mcpServers: expected an object, got array");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": \"npx\"}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: expected an object, got string");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {}}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: no \"command\" and no URL; entry skipped");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": 7}}}", 0, 0,
		     "/c.json:1:34: mcpServers.a: \"command\": expected a string, got number");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": \"-y\"}}}",
		     0, 0, "/c.json:1:47: mcpServers.a: \"args\": expected an array, got string");
	expect_parse("cursor",
		     "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"args\": [\"-y\", 1]}}}", 0, 0,
		     "/c.json:1:54: mcpServers.a: \"args\" item 1: expected a string, got number");
	expect_parse("cursor",
		     "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"env\": {\"K\": null}}}}", 0,
		     0, "/c.json:1:52: mcpServers.a: \"env\" item 0: expected a string, got null");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": \"a\\u0000b\"}}}", 0, 0,
		     "/c.json:1:34: mcpServers.a: \"command\": expected a string, got a string "
		     "holding NUL");
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"type\": \"ws\", \"url\": \"x\"}}}", 0,
		     0, "/c.json:1:31: mcpServers.a: unknown \"type\" \"ws\"");
	expect_parse("claude-code", "{\"mcpServers\": {\"a\": {\"type\": \"stdio\"}}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: \"type\" \"stdio\" without \"command\"; entry "
		     "skipped");
	expect_parse("claude-code",
		     "{\"mcpServers\": {\"a\": {\"type\": \"sse\", \"command\": \"x\"}}}", 0, 0,
		     "/c.json:1:22: mcpServers.a: \"type\" \"sse\" without a URL; entry skipped");
	/* a wrong "disabled" is said but the server is still listed */
	expect_parse("windsurf",
		     "{\"mcpServers\": {\"a\": {\"command\": \"x\", \"disabled\": \"yes\"}}}", 1, 1,
		     "/c.json:1:51: mcpServers.a: \"disabled\": expected a boolean, got "
		     "string; ignored");
	/* bad entries do not hide good ones */
	expect_parse("cursor", "{\"mcpServers\": {\"bad\": 1, \"good\": {\"command\": \"x\"}}}", 1,
		     1, "/c.json:1:24: mcpServers.bad: expected an object, got number");
	expect_parse("claude-code", "{\"projects\": []}", 0, 0,
		     "/c.json:1:14: projects: expected an object, got array");
	expect_parse("claude-code", "{\"projects\": {\"/p\": 1, \"/q\": {\"mcpServers\": 2}}}", 0,
		     0,
		     "/c.json:1:45: projects[\"/q\"].mcpServers: expected an object, got number");
	expect_parse("emacs", "{}", -1, 0, "/c.json: unknown MCP client \"emacs\"");
	expect_parse("vscode", "{\"mcpServers\": {\"a\": {\"command\": \"x\"}}}", 0, 0, NULL);
	expect_parse("cursor", "{\"mcpServers\": {\"a\": {\"command\": \"x\"},}}", -1, 0,
		     "/c.json:1:39: trailing comma before '}'");
}

static void test_parse_transports(void **state)
{
	struct inventory inv = {0};

	assert_int_equal(
	    parse(&inv, "cursor",
		  "{\"mcpServers\": {\"a\": {\"url\": \"https://h/sse\"},"
		  "\"b\": {\"url\": \"https://h/mcp\"},"
		  "\"c\": {\"url\": \"https://h/sse?x=1\"},"
		  "\"d\": {\"type\": \"streamable-http\", \"url\": \"https://h/sse\"},"
		  "\"e\": {\"command\": \"x\", \"url\": \"https://h/mcp\"},"
		  "\"f\": {\"type\": \"http\", \"command\": \"x\", \"url\": \"https://h/\"}}}"),
	    6);
	assert_int_equal(
	    parse(&inv, "gemini-cli",
		  "{\"mcpServers\": {\"g\": {\"url\": \"https://h/events\"},"
		  "\"h\": {\"httpUrl\": \"https://h/mcp\", \"url\": \"https://h/sse\"}}}"),
	    2);
	assert_int_equal(inv.n, 8);
	assert_int_equal(inv.servers[0].transport, INV_SSE);
	assert_int_equal(inv.servers[1].transport, INV_HTTP);
	assert_int_equal(inv.servers[2].transport, INV_SSE);
	assert_int_equal(inv.servers[3].transport, INV_HTTP);
	assert_int_equal(inv.servers[4].transport, INV_STDIO);
	assert_string_equal(inv.servers[4].url, "https://h/mcp");
	assert_int_equal(inv.servers[5].transport, INV_HTTP);
	assert_null(inv.servers[5].command); /* the type says remote */
	assert_int_equal(inv.servers[6].transport, INV_SSE);
	assert_int_equal(inv.servers[7].transport, INV_HTTP);
	assert_string_equal(inv.servers[7].url, "https://h/mcp");
	assert_null(inv.servers[7].user);
	assert_string_equal(inv.servers[7].declared_in, "/c.json");
	assert_string_equal(inventory_transport_name(INV_SSE), "sse");
	assert_string_equal(inventory_pin_name(PIN_UNPINNED), "unpinned");
	inventory_free(&inv);
}

/* Comments and trailing commas are blanked outside strings only. */
static void test_parse_jsonc(void **state)
{
	static const char doc[] =
	    "{\n"
	    "  // a comment with \"quotes\" and }\n"
	    "  \"servers\": { /* block\n comment */\n"
	    "    \"a\": {\"url\": \"https://h//x/*y*/\", \"type\": \"http\",},\n"
	    "    \"b\": {\"command\": \"x\", \"args\": [\"//\", \"a,\", \"\\\"/*\",],},\n"
	    "  },\n"
	    "}\n";
	struct inventory inv = {0};

	assert_int_equal(parse(&inv, "vscode", doc), 2);
	assert_string_equal(inv.servers[0].url, "https://h//x/*y*/");
	assert_int_equal(inv.servers[1].nargs, 3);
	assert_string_equal(inv.servers[1].args[0], "//");
	assert_string_equal(inv.servers[1].args[1], "a,");
	assert_string_equal(inv.servers[1].args[2], "\"/*");
	/* positions survive the blanking */
	assert_int_equal(parse(&inv, "vscode", "{\n// c\n\"servers\": {\"c\": 1}}"), 0);
	assert_string_equal(inv.diag.lines[0], "/c.json:3:18: servers.c: expected an object, got "
					       "number");
	/* an unterminated comment eats the rest and the document fails */
	assert_int_equal(parse(&inv, "gemini-cli", "{\"mcpServers\": {} /* open"), -1);
	inventory_free(&inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_wrong_shapes),
	    cmocka_unit_test(test_parse_transports),
	    cmocka_unit_test(test_parse_jsonc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
