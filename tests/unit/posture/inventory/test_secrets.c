// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/posture/inventory/secrets.c: what counts as a
 * literal secret in a client config, and what is only a reference to one.
 */
#include "posture/inventory/invtest.h"

/* What counts as a literal secret, and what is only a reference to one. */
static void test_inline_secrets(void **state)
{
	static const char doc[] =
	    "{\"mcpServers\": {"
	    "\"ref\": {\"command\": \"x\", \"args\": [\"--token\", \"${input:tok}\", "
	    "\"--api-key=$KEY\"],"
	    "  \"env\": {\"GITHUB_TOKEN\": \"${env:GITHUB_TOKEN}\", \"API_KEY\": \"$API_KEY\","
	    "  \"GOOGLE_APPLICATION_CREDENTIALS\": \"/home/a/creds.json\", \"PASSWORD\": \"\","
	    "  \"DEBUG\": \"ghp-not-a-token\"},"
	    "  \"headers\": {\"Authorization\": \"Bearer ${input:tok}\", \"X-Api-Key\": "
	    "\"${KEY}\"}},"
	    "\"lit\": {\"command\": \"x\", \"args\": [\"--token\", \"Sup3rS3cretPw\", \"keep\","
	    "  \"--password=${P}Sup3rS3cretPw\"],"
	    "  \"env\": {\"DB_PASSWORD\": \"Sup3rS3cretPw\", \"X\": "
	    "\"ghp_FAKEfake0000FAKEfake0000FAKEfake0000\"}},"
	    "\"hdr\": {\"url\": \"https://h/mcp\", \"headers\": {\"X-Api-Key\": "
	    "\"Sup3rS3cretPw\"}},"
	    "\"url\": {\"url\": \"https://u:Sup3rS3cretPw@h/mcp\"},"
	    "\"urlref\": {\"url\": \"https://h/mcp?key=${env:KEY}\"}"
	    "}}";
	struct inventory inv = {0};

	assert_int_equal(parse(&inv, "cursor", doc), 5);
	print_diagnostics(&inv);
	assert_false(inv.servers[0].inline_secret);
	assert_string_equal(inv.servers[0].secret_evidence, "");
	/* references are kept as written */
	assert_string_equal(inv.servers[0].args[1], "${input:tok}");
	assert_string_equal(inv.servers[0].args[2], "--api-key=$KEY");
	assert_true(inv.servers[1].inline_secret);
	assert_string_equal(inv.servers[1].secret_evidence,
			    "args[1] holds a literal secret (and 3 more)");
	assert_string_equal(inv.servers[1].args[0], "--token");
	assert_string_equal(inv.servers[1].args[1], "***");
	assert_string_equal(inv.servers[1].args[2], "keep");
	assert_string_equal(inv.servers[1].args[3], "--password=***");
	assert_string_equal(inv.servers[2].secret_evidence,
			    "headers.X-Api-Key holds a literal secret");
	assert_string_equal(inv.servers[3].secret_evidence, "url holds a literal secret");
	assert_string_equal(inv.servers[3].url, "https://u:***@h/mcp");
	assert_false(inv.servers[4].inline_secret);
	assert_string_equal(inv.servers[4].url, "https://h/mcp?key=${env:KEY}");
	assert_no_secrets(&inv);
	inventory_free(&inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inline_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
