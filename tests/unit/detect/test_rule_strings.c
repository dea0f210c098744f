// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* rule_strings: the strings enabled rules compare a field with by eq / in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/rule_strings.h"
#include "lib/diag.h"

static bool has(const char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void test_lists_inline_and_disabled(void **state)
{
	static const char doc[] =
	    "{\"version\": 1, \"lists\": {\"s\": [\"dash\", \"bash\"]},\n"
	    "\"rules\": [{\"id\": \"a\", \"event\": \"exec\", \"severity\": \"low\", \"message\": "
	    "\"m\","
	    " \"condition\": {\"any\": [{\"field\": \"process.exe_match\", \"op\": \"in\", "
	    "\"list\": \"s\"},"
	    " {\"not\": {\"field\": \"process.exe_match\", \"op\": \"eq\", \"value\": \"zsh\"}},"
	    " {\"field\": \"process.exe_match\", \"op\": \"prefix\", \"value\": \"k\"},"
	    " {\"field\": \"process.name\", \"op\": \"eq\", \"value\": \"fish\"}]}},\n"
	    " {\"id\": \"b\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\", "
	    "\"enabled\": false,"
	    " \"condition\": {\"field\": \"process.exe_match\", \"op\": \"eq\", \"value\": "
	    "\"tcsh\"}},\n"
	    " {\"id\": \"c\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\","
	    " \"condition\": {\"field\": \"process.exe_match\", \"op\": \"eq\", \"value\": "
	    "\"dash\"}}]}";
	struct ruleset *rs = ruleset_new();
	const char **v = NULL;
	struct diag diag;
	size_t n = 0;

	diag_init(&diag, stderr, false);
	assert_int_equal(ruleset_load_buffer(rs, "t.json", doc, strlen(doc), &diag), 0);
	assert_int_equal(rule_strings_of_field(rs, "process.exe_match", &v, &n), 0);
	assert_int_equal(n, 3); /* dash (once), bash, zsh; not k (prefix), fish, tcsh */
	assert_true(has(v, n, "dash") && has(v, n, "bash") && has(v, n, "zsh"));
	free(v);
	assert_int_equal(rule_strings_of_field(rs, "no.such.field", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	ruleset_free(rs);
}

/* The default rules ask about the shell list through process.exe_match. */
static void test_defaults(void **state)
{
	struct ruleset *rs = ruleset_new();
	const char **v = NULL;
	struct diag diag;
	size_t n = 0;

	diag_init(&diag, stderr, false);
	assert_int_equal(ruleset_load_defaults(rs, &diag), 0);
	assert_int_equal(rule_strings_of_field(rs, "process.exe_match", &v, &n), 0);
	assert_true(n >= 10);
	assert_true(has(v, n, "sh") && has(v, n, "dash") && has(v, n, "bash") && has(v, n, "hush"));
	free(v);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists_inline_and_disabled),
	    cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
