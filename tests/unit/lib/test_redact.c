// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/lib/redact.c: one test per pattern, each with a near miss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/redact.h"

/* redact_string and redact_in_place must agree, and both give want. */
static void expect(const char *in, const char *want)
{
	char out[512], inplace[512];
	size_t n = redact_string(in, out, sizeof(out));

	if (strcmp(out, want) != 0)
		fail_msg("redact(\"%s\")\n  got  \"%s\"\n  want \"%s\"", in, out, want);
	assert_int_equal(n, strlen(want));
	strcpy(inplace, in);
	assert_int_equal(redact_in_place(inplace), strlen(want));
	assert_string_equal(inplace, want);
}

static void unchanged(const char *in)
{
	expect(in, in);
}

static void test_authorization_header(void **state)
{
	expect("Authorization: Bearer abc.def-123", "Authorization: Bearer ***");
	expect("authorization:Basic dXNlcjpwYXNz", "authorization:Basic ***");
	expect("curl -H 'Authorization: token ghx1234' https://api",
	       "curl -H 'Authorization: token ***' https://api");
	expect("Proxy-Authorization: c2VjcmV0", "Proxy-Authorization: ***");
	expect("Authorization: Bearer abc\r\nHost: x", "Authorization: Bearer ***\r\nHost: x");
	unchanged("Authorization is required");
	unchanged("X-Authorization-Mode: strict");
}

static void test_bearer(void **state)
{
	expect("send Bearer eyJabc+/= now", "send Bearer *** now");
	expect("bearer   tok_1234", "bearer   ***");
	expect("Bearer abcdefghijklmnopqrst", "Bearer ***");
	unchanged("Bearer");
	unchanged("the bearer of bad news");
	unchanged("the bearer documents");
	unchanged("Bearer tok_123"); /* too short for a token */
}

static void test_url_password(void **state)
{
	expect("postgres://app:s3cr3t@db:5432/x", "postgres://app:***@db:5432/x");
	expect("--db=https://u:p@host/", "--db=https://u:*@host/");
	expect("redis://:hunter2@cache", "redis://:***@cache");
	unchanged("http://host:8080/path@x");
	unchanged("http://user@host/");
	unchanged("https://example.com/?a=b");
}

static void test_password_option(void **state)
{
	expect("--password=hunter22", "--password=***");
	expect("mcp --password hunter22 --verbose", "mcp --password *** --verbose");
	expect("--password \"two words\"", "--password \"***\"");
	expect("--db-password=x", "--db-password=*");
	expect("-Dapp.db.password=secret1", "-Dapp.db.password=***");
	unchanged("--password-file=/run/secrets/db");
	unchanged("--no-password mydb");
	unchanged("--password --verbose");
	unchanged("--passwordless=yes");
}

static void test_token_option(void **state)
{
	expect("--token=abcdef", "--token=***");
	expect("--github-token abcdef", "--github-token ***");
	expect("--authtoken=abcdef", "--authtoken=***");
	unchanged("--tokenizer=bert");
	unchanged("--token-file /etc/tok");
}

static void test_api_key_option(void **state)
{
	expect("--api-key=k-123456", "--api-key=***");
	expect("--api_key k-123456", "--api_key ***");
	expect("--apikey=k-123456", "--apikey=***");
	expect("--access-key=AAA", "--access-key=***");
	unchanged("--key=value");
	unchanged("--api-url=https://x");
}

static void test_secret_option(void **state)
{
	expect("--secret=xyz123", "--secret=***");
	expect("--client-secret xyz123", "--client-secret ***");
	expect("openssl enc -pass pass:xyz", "openssl enc -pass ***");
	unchanged("--secrets-dir=/run/secrets");
	unchanged("--secretary=bob");
}

static void test_env_assignment(void **state)
{
	expect("GITHUB_TOKEN=abc123", "GITHUB_TOKEN=***");
	expect("env DB_PASSWORD=pw1 OTHER=1", "env DB_PASSWORD=*** OTHER=1");
	expect("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG", "AWS_SECRET_ACCESS_KEY=***");
	expect("openai_api_key='sk x'", "openai_api_key='***'");
	expect("x=1&access_token=abc&y=2", "x=1&access_token=***&y=2");
	expect("Server=db;Password=p@ss;Database=app", "Server=db;Password=***;Database=app");
	expect("MY_PRIVATE_KEY=abc", "MY_PRIVATE_KEY=***");
	expect("SERVICE_CREDENTIALS=abc", "SERVICE_CREDENTIALS=***");
	expect("PASSWD=abc", "PASSWD=***");
	unchanged("POSTGRES_PASSWORD_FILE=/run/secrets/pg");
	unchanged("HOME=/root PATH=/usr/bin");
	unchanged("KEY=value");
	unchanged("TOKEN=");
}

static void test_colon_and_json_keys(void **state)
{
	expect("X-Api-Key: abcdef", "X-Api-Key: ***");
	expect("{\"password\": \"hunter2\", \"user\": \"bob\"}",
	       "{\"password\": \"***\", \"user\": \"bob\"}");
	expect("{\"api_key\":\"k\\\"q\"}", "{\"api_key\":\"***\"}");
	unchanged("{\"user\": \"bob\"}");
	unchanged("token:abc"); /* no blank after the colon: not a header */
}

static void test_aws_key_id(void **state)
{
	expect("AKIAIOSFODNN7EXAMPLE", "AKIA***");
	expect("id=ASIAY34FZKBOKMUTVV7A,", "id=ASIA***,");
	unchanged("AKIAIOSFODNN7EXAMPL");   /* 15 after the prefix */
	unchanged("AKIAIOSFODNN7EXAMPLEX"); /* 17 */
	unchanged("XAKIAIOSFODNN7EXAMPLE");
}

static void test_github_token(void **state)
{
	expect("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_***");
	expect("token ghs_abcdefghijklmnopqrstuvwxyz0123", "token ghs_***");
	expect("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_pat_***");
	unchanged("ghp_short");
	unchanged("xghp_16C7e42F292c6912E7710c838347Ae178B4a");
}

static void test_slack_token(void **state)
{
	expect("xoxb-123456789012-abcdefABCDEF", "xoxb-***");
	expect("xoxp-1234567890", "xoxp-***");
	unchanged("xoxc-123456789012-abcdef");
	unchanged("xoxb-123");
}

static void test_openai_key(void **state)
{
	expect("sk-proj-abcdefghijklmnopqrstuvwxyz", "sk-***");
	expect("OPENAI=sk-abcdefghijklmnopqrstuv", "OPENAI=sk-***");
	unchanged("sk-short");
	unchanged("risk-assessment-of-the-whole-thing");
}

static void test_anthropic_key(void **state)
{
	expect("sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "sk-ant-***");
	unchanged("sk-ant-api03");
}

static void test_jwt(void **state)
{
	expect("t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_"
	       "wW1gFWFOEjXk x",
	       "t=*** x");
	expect("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "***");
	unchanged("eyJhbGciOiJIUzI1NiJ9.notapayload.sig");
	unchanged("eyJhbGciOiJIUzI1NiJ9");
}

static void test_short_secrets_and_outlen(void **state)
{
	char out[8];

	expect("--token=a", "--token=*");
	expect("--token=ab", "--token=**");
	/* cut after redaction: the secret never shows, even partly */
	assert_int_equal(redact_string("--password=hunter22", out, sizeof(out)), 14);
	assert_string_equal(out, "--passw");
	assert_int_equal(redact_string("AKIAIOSFODNN7EXAMPLE", out, 6), 7);
	assert_string_equal(out, "AKIA*");
	assert_int_equal(redact_string("x", out, 0), 1);
	assert_int_equal(redact_string(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(redact_in_place(NULL), 0);
}

static void test_many_in_one(void **state)
{
	expect("curl -u x https://a:b@h -H 'Authorization: Bearer zz' --token=t1 GITHUB_TOKEN=g",
	       "curl -u x https://a:*@h -H 'Authorization: Bearer **' --token=** GITHUB_TOKEN=*");
}

/* ---------------------------------------------------------------- argv */

struct argv_case {
	char *store[8];
	int argc;
};

static char **make_argv(const char *const *src, int argc, struct argv_case *c)
{
	c->argc = argc;
	for (int i = 0; i < argc; i++)
		c->store[i] = strdup(src[i]);
	return c->store;
}

static void free_argv(struct argv_case *c)
{
	for (int i = 0; i < c->argc; i++)
		free(c->store[i]);
}

static void expect_argv(const char *const *in, const char *const *want, int argc)
{
	struct argv_case c;
	char **argv = make_argv(in, argc, &c);
	char *before[8];

	memcpy(before, argv, sizeof(char *) * (size_t)argc);
	redact_argv(argv, argc);
	for (int i = 0; i < argc; i++) {
		assert_ptr_equal(argv[i], before[i]);
		if (strcmp(argv[i], want[i]) != 0)
			fail_msg("arg %d: got \"%s\" want \"%s\"", i, argv[i], want[i]);
	}
	free_argv(&c);
}

static void test_argv_split_option(void **state)
{
	const char *in[] = {"server", "--password", "hunter 22", "--port", "80"};
	const char *want[] = {"server", "--password", "***", "--port", "80"};
	const char *in2[] = {"server", "--password", "--port", "80"};

	expect_argv(in, want, 5);
	expect_argv(in2, in2, 4);
}

static void test_argv_whole_values(void **state)
{
	const char *in[] = {"x", "--token=a b c", "API_TOKEN=p q", "--tokenizer", "bert"};
	const char *want[] = {"x", "--token=***", "API_TOKEN=***", "--tokenizer", "bert"};

	expect_argv(in, want, 5);
}

static void test_argv_mysql_p(void **state)
{
	const char *in[] = {"/usr/bin/mysql", "-uroot", "-phunter22", "-p", "appdb"};
	const char *want[] = {"/usr/bin/mysql", "-uroot", "-p***", "-p", "appdb"};
	const char *other[] = {"ps", "-p1234"};

	expect_argv(in, want, 5);
	expect_argv(other, other, 2); /* -p is a pid to ps */
}

static void test_argv_sshpass(void **state)
{
	const char *in[] = {"sshpass", "-p", "pw123", "ssh", "-p", "2222", "host"};
	const char *want[] = {"sshpass", "-p", "***", "ssh", "-p", "2222", "host"};

	expect_argv(in, want, 7);
}

static void test_argv_generic_and_edges(void **state)
{
	const char *in[] = {"node", "https://u:pw@h", "--api-key"};
	const char *want[] = {"node", "https://u:**@h", "--api-key"};
	char *nulls[] = {NULL, NULL};

	expect_argv(in, want, 3);
	redact_argv(nulls, 2);
	redact_argv(NULL, 3);
}

/* ---------------------------------------------------------------- extra patterns */

static void add_pattern(const char *ere)
{
	char err[256] = "";

	if (redact_add_pattern(ere, err, sizeof(err)) != 0)
		fail_msg("redact_add_pattern(\"%s\"): %s", ere, err);
}

static int clear_patterns(void **state)
{
	redact_clear_patterns();
	return 0;
}

static void test_extra_pattern_whole_match(void **state)
{
	add_pattern("ACME-[0-9]{6}");
	expect("ticket ACME-123456 and ACME-654321.", "ticket *** and ***.");
	unchanged("ACME-12345 is too short");
	/* After the built-in rules: their masks stay, and the pattern sees what is left. */
	expect("--password=x1y2z3 ACME-000001", "--password=*** ***");
	add_pattern("^internal-[a-z]+");
	expect("internal-host then internal-other", "*** then internal-other");
}

static void test_extra_pattern_capture_group(void **state)
{
	add_pattern("session=([A-Za-z0-9]+)");
	expect("GET /x?session=abcdef123&y=1", "GET /x?session=***&y=1");
	expect("session=ab session=abcd", "session=** session=***");
	add_pattern("(pin)?: [0-9]+");
	expect("code: 1234", "code: 1234"); /* group 1 took no part: nothing masked */
	expect("pin: 1234", "***: 1234");
}

static void test_extra_pattern_argv_and_cut(void **state)
{
	char a0[] = "tool", a1[] = "--ref=ACME-123456";
	char *argv[] = {a0, a1};
	char small[8];

	add_pattern("ACME-[0-9]{6}");
	redact_argv(argv, 2);
	assert_string_equal(a1, "--ref=***");
	/* Cut after masking: no part of the secret survives the cut. */
	assert_int_equal(redact_string("id ACME-123456 end", small, sizeof(small)),
			 strlen("id *** end"));
	assert_string_equal(small, "id *** ");
}

static void test_extra_pattern_errors(void **state)
{
	char err[256];

	assert_int_equal(redact_add_pattern("ab(c", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "redaction pattern \"ab(c\": "));
	assert_true(strlen(err) > strlen("redaction pattern \"ab(c\": "));
	assert_int_equal(redact_add_pattern("x*", err, sizeof(err)), -1);
	assert_string_equal(err, "redaction pattern \"x*\": matches the empty string");
	assert_int_equal(redact_add_pattern(NULL, err, sizeof(err)), -1);
	for (int i = 0; i < REDACT_MAX_PATTERNS; i++)
		add_pattern("zz[0-9]");
	assert_int_equal(redact_add_pattern("yy", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 64 patterns"));
	unchanged("nothing to see"); /* the failed ones were not added */
	redact_clear_patterns();
	unchanged("zz1 ACME-123456"); /* cleared */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_authorization_header),
	    cmocka_unit_test(test_bearer),
	    cmocka_unit_test(test_url_password),
	    cmocka_unit_test(test_password_option),
	    cmocka_unit_test(test_token_option),
	    cmocka_unit_test(test_api_key_option),
	    cmocka_unit_test(test_secret_option),
	    cmocka_unit_test(test_env_assignment),
	    cmocka_unit_test(test_colon_and_json_keys),
	    cmocka_unit_test(test_aws_key_id),
	    cmocka_unit_test(test_github_token),
	    cmocka_unit_test(test_slack_token),
	    cmocka_unit_test(test_openai_key),
	    cmocka_unit_test(test_anthropic_key),
	    cmocka_unit_test(test_jwt),
	    cmocka_unit_test(test_short_secrets_and_outlen),
	    cmocka_unit_test(test_many_in_one),
	    cmocka_unit_test(test_argv_split_option),
	    cmocka_unit_test(test_argv_whole_values),
	    cmocka_unit_test(test_argv_mysql_p),
	    cmocka_unit_test(test_argv_sshpass),
	    cmocka_unit_test(test_argv_generic_and_edges),
	    cmocka_unit_test_teardown(test_extra_pattern_whole_match, clear_patterns),
	    cmocka_unit_test_teardown(test_extra_pattern_capture_group, clear_patterns),
	    cmocka_unit_test_teardown(test_extra_pattern_argv_and_cut, clear_patterns),
	    cmocka_unit_test_teardown(test_extra_pattern_errors, clear_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
