// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/detect/rules.c: format, validation, merging, evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/rules.h"
#include "fakefields.h"
#include "lib/diag.h"

/* ---- a fake event: a small table of field values */

static void count_match(const struct rule *r, void *arg)
{
	(*(int *)arg)++;
}

static int matches(const struct ruleset *rs, enum rule_event ev, const struct fake_event *e)
{
	struct field_source src = {fake_get, e};
	int n = 0;

	ruleset_eval(rs, ev, &src, count_match, &n);
	return n;
}

/* ---- loading helpers */

static char diag_text[8192];

/* Load doc into rs; the diagnostics land in diag_text. */
static int load(struct ruleset *rs, const char *doc)
{
	struct diag diag;

	diag_init(&diag, NULL, false);
	FILE *out;
	int rc;

	memset(diag_text, 0, sizeof(diag_text));
	out = fmemopen(diag_text, sizeof(diag_text), "w");
	diag.out = out;

	assert_non_null(out);
	rc = ruleset_load_buffer(rs, "t.json", doc, strlen(doc), &diag);
	fclose(out);
	if (rc)
		assert_true(diag.count > 0);
	else
		assert_int_equal(diag.count, 0);
	return rc;
}

static struct ruleset *load_ok(const char *doc)
{
	struct ruleset *rs = ruleset_new();

	if (load(rs, doc))
		print_error("unexpected diagnostics:\n%s", diag_text);
	assert_int_equal(diag_text[0], '\0');
	return rs;
}

/* A one-rule document with condition `cond` for event `ev`. */
static struct ruleset *rule_with(const char *ev, const char *cond)
{
	char doc[2048];

	snprintf(doc, sizeof(doc),
		 "{\"version\": 1, \"lists\": {\"shells\": [\"sh\", \"bash\"], \"ports\": [22, 80],"
		 " \"paths\": [\"*/.ssh/id_*\"]},\n"
		 "\"rules\": [{\"id\": \"r\", \"event\": \"%s\", \"severity\": \"low\","
		 " \"message\": \"m\", \"condition\": %s}]}",
		 ev, cond);
	return load_ok(doc);
}

/* Does `cond` on an exec event hold for e? */
static int holds(const char *cond, const struct fake_event *e)
{
	struct ruleset *rs = rule_with("exec", cond);
	int n = matches(rs, RULE_EV_EXEC, e);

	ruleset_free(rs);
	return n;
}

/* Loading doc fails and the diagnostics contain `want` (a whole line). */
static void expect_diag(const char *doc, const char *want)
{
	struct ruleset *rs = ruleset_new();

	assert_int_equal(load(rs, doc), -1);
	if (!strstr(diag_text, want))
		print_error("want: %s\ngot:\n%s", want, diag_text);
	assert_non_null(strstr(diag_text, want));
	assert_int_equal(ruleset_count(rs), 0);
	ruleset_free(rs);
}

/* ---- ops */

static void test_op_eq_ne(void **state)
{
	struct fake_event e = {0};

	set_str(&e, "process.name", "bash");
	set_int(&e, "process.uid", 1000);
	set_bool(&e, "process.in_server_tree", true);
	assert_int_equal(
	    holds("{\"field\": \"process.name\", \"op\": \"eq\", \"value\": \"bash\"}", &e), 1);
	assert_int_equal(
	    holds("{\"field\": \"process.name\", \"op\": \"eq\", \"value\": \"Bash\"}", &e), 0);
	assert_int_equal(
	    holds("{\"field\": \"process.name\", \"op\": \"ne\", \"value\": \"sh\"}", &e), 1);
	assert_int_equal(holds("{\"field\": \"process.uid\", \"op\": \"eq\", \"value\": 1000}", &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.uid\", \"op\": \"ne\", \"value\": 1000}", &e),
			 0);
	assert_int_equal(holds("{\"field\": \"process.in_server_tree\", \"op\": \"eq\", \"value\": "
			       "true}",
			       &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.in_server_tree\", \"op\": \"ne\", \"value\": "
			       "true}",
			       &e),
			 0);
	/* A missing field matches nothing, not even "ne". */
	assert_int_equal(
	    holds("{\"field\": \"process.exe\", \"op\": \"ne\", \"value\": \"x\"}", &e), 0);
	assert_int_equal(
	    holds("{\"field\": \"process.is_server\", \"op\": \"eq\", \"value\": false}", &e), 0);
}

static void test_op_in(void **state)
{
	struct fake_event e = {0};

	set_str(&e, "process.name", "bash");
	set_int(&e, "process.uid", 80);
	assert_int_equal(
	    holds("{\"field\": \"process.name\", \"op\": \"in\", \"list\": \"shells\"}", &e), 1);
	assert_int_equal(
	    holds("{\"field\": \"process.name\", \"op\": \"in\", \"values\": [\"zsh\", "
		  "\"fish\"]}",
		  &e),
	    0);
	assert_int_equal(
	    holds("{\"field\": \"process.uid\", \"op\": \"in\", \"list\": \"ports\"}", &e), 1);
	assert_int_equal(
	    holds("{\"field\": \"process.uid\", \"op\": \"in\", \"values\": [1, 2]}", &e), 0);
	assert_int_equal(
	    holds("{\"field\": \"process.name\", \"op\": \"in\", \"value\": \"bash\"}", &e), 1);
}

static void test_op_strings(void **state)
{
	struct fake_event e = {0};

	set_str(&e, "process.exe", "/home/u/.ssh/id_ed25519");
	assert_int_equal(
	    holds("{\"field\": \"process.exe\", \"op\": \"glob\", \"list\": \"paths\"}", &e), 1);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"glob\", \"values\": "
			       "[\"/tmp/*\", \"/home/*/id_*\"]}",
			       &e),
			 1);
	assert_int_equal(
	    holds("{\"field\": \"process.exe\", \"op\": \"glob\", \"value\": \"*.pub\"}", &e), 0);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"prefix\", \"value\": "
			       "\"/home/\"}",
			       &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"prefix\", \"value\": "
			       "\"/root/\"}",
			       &e),
			 0);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"suffix\", \"values\": "
			       "[\"x\", \"25519\"]}",
			       &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"suffix\", \"value\": "
			       "\"/home/u/.ssh/id_ed25519/\"}",
			       &e),
			 0);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"contains\", \"value\": "
			       "\"/.ssh/\"}",
			       &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.exe\", \"op\": \"contains\", \"value\": "
			       "\"/.aws/\"}",
			       &e),
			 0);
}

static void test_op_numbers_and_exists(void **state)
{
	struct fake_event e = {0};

	set_int(&e, "process.pid", 100);
	set_str(&e, "container.id", "");
	set_str(&e, "user.name", "root");
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"gt\", \"value\": 99}", &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"gt\", \"value\": 100}", &e),
			 0);
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"ge\", \"value\": 100}", &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"lt\", \"value\": 100}", &e),
			 0);
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"lt\", \"value\": -5}", &e),
			 0);
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"le\", \"value\": 100}", &e),
			 1);
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"exists\"}", &e), 1);
	assert_int_equal(holds("{\"field\": \"user.name\", \"op\": \"exists\"}", &e), 1);
	/* Empty strings and missing fields do not exist. */
	assert_int_equal(holds("{\"field\": \"container.id\", \"op\": \"exists\"}", &e), 0);
	assert_int_equal(holds("{\"field\": \"server.name\", \"op\": \"exists\"}", &e), 0);
}

static void test_groups(void **state)
{
	struct fake_event e = {0};
	const char *yes = "{\"field\": \"process.pid\", \"op\": \"eq\", \"value\": 1}";
	const char *no = "{\"field\": \"process.pid\", \"op\": \"eq\", \"value\": 2}";
	char cond[512];

	set_int(&e, "process.pid", 1);
	snprintf(cond, sizeof(cond), "{\"all\": [%s, %s]}", yes, yes);
	assert_int_equal(holds(cond, &e), 1);
	snprintf(cond, sizeof(cond), "{\"all\": [%s, %s]}", yes, no);
	assert_int_equal(holds(cond, &e), 0);
	snprintf(cond, sizeof(cond), "{\"any\": [%s, %s]}", no, yes);
	assert_int_equal(holds(cond, &e), 1);
	snprintf(cond, sizeof(cond), "{\"any\": [%s, %s]}", no, no);
	assert_int_equal(holds(cond, &e), 0);
	snprintf(cond, sizeof(cond), "{\"not\": %s}", no);
	assert_int_equal(holds(cond, &e), 1);
	snprintf(cond, sizeof(cond), "{\"not\": {\"any\": [%s]}}", yes);
	assert_int_equal(holds(cond, &e), 0);
}

static void test_mistyped_source_value(void **state)
{
	struct fake_event e = {0};

	/* The source gave a string for an integer field: no match, no crash. */
	set_str(&e, "process.pid", "1");
	assert_int_equal(holds("{\"field\": \"process.pid\", \"op\": \"eq\", \"value\": 1}", &e),
			 0);
	e.n = 0;
	e.f[e.n++] = (struct fake_field){"process.exe", {FV_STR, NULL, 0}};
	assert_int_equal(
	    holds("{\"field\": \"process.exe\", \"op\": \"ne\", \"value\": \"x\"}", &e), 0);
}

/* ---- errors, each with its exact position */

#define HEAD "{\"version\": 1,\n\"rules\": [\n"
#define TAIL "\n]}"
/* A rule on line 3 whose condition is `c` (starting at column 79). */
#define RULE(c)                                                                                    \
	HEAD "{\"id\": \"x\", \"event\": \"open\", \"severity\": \"high\", \"message\": \"m\", "   \
	     "\"condition\": " c "}" TAIL

static void test_errors_document(void **state)
{
	expect_diag("{\"version\": 1, \"rules\": [}",
		    "t.json:1:26: unexpected '}', expected a value\n");
	expect_diag("[]", "t.json:1:1: a rule file must be an object, not array\n");
	expect_diag("{\"rules\": []}", "t.json:1:1: missing \"version\"");
	expect_diag("{\"version\": 2}", "t.json:1:13: unsupported \"version\"");
	expect_diag("{\"version\": 1, \"rulez\": []}",
		    "t.json:1:16: unknown key \"rulez\" in the rule file (expected version, lists, "
		    "rules)\n");
	expect_diag("{\"version\": 1, \"rules\": {}}",
		    "t.json:1:25: \"rules\" must be an array, not object\n");
	expect_diag(
	    "{\"version\": 1, \"lists\": []}",
	    "t.json:1:25: \"lists\" must be an object mapping names to arrays, not array\n");
}

static void test_errors_rule_keys(void **state)
{
	expect_diag(HEAD "7" TAIL, "t.json:3:1: a rule must be an object, not number\n");
	expect_diag(HEAD "{\"event\": \"exec\"}" TAIL, "t.json:3:1: rule needs an \"id\"\n");
	expect_diag(HEAD "{\"id\": \"a b\"}" TAIL, "t.json:3:8: invalid rule id");
	expect_diag(HEAD "{\"id\": \"x\", \"condition\": {\"field\": \"process.pid\", \"op\": "
			 "\"exists\"}}" TAIL,
		    "t.json:3:1: rule \"x\" needs \"event\"\n");
	expect_diag(HEAD "{\"id\": \"x\", \"condition\": {\"field\": \"process.pid\", \"op\": "
			 "\"exists\"}}" TAIL,
		    "t.json:3:1: rule \"x\" needs \"severity\"\n");
	expect_diag(HEAD "{\"id\": \"x\", \"condition\": {\"field\": \"process.pid\", \"op\": "
			 "\"exists\"}}" TAIL,
		    "t.json:3:1: rule \"x\" needs \"message\"\n");
	expect_diag(HEAD "{\"id\": \"x\", \"severity\": \"low\"}" TAIL,
		    "t.json:3:1: rule \"x\" has no \"condition\" and no earlier file defines this "
		    "id\n");
	expect_diag(RULE("{}"), "t.json:3:79: condition needs");
	expect_diag(HEAD
		    "{\"id\": \"x\", \"color\": 1, \"event\": \"open\", \"severity\": \"high\", "
		    "\"message\": \"m\", \"condition\": {\"field\": \"file.path\", \"op\": "
		    "\"exists\"}}" TAIL,
		    "t.json:3:13: unknown key \"color\" in a rule (expected id, name, description, "
		    "event, severity, enabled, condition, message, tags)\n");
	expect_diag(
	    HEAD "{\"id\": \"x\", \"event\": \"fork\", \"severity\": \"hi\", \"enabled\": 1, "
		 "\"tags\": [\"\"], \"message\": \"m\", \"condition\": {\"field\": \"file.path\", "
		 "\"op\": \"exists\"}}" TAIL,
	    "t.json:3:22: unknown event \"fork\" (expected exec, open, listen, connect)\n"
	    "t.json:3:42: unknown severity \"hi\" (expected info, low, medium, high, "
	    "critical)\n"
	    "t.json:3:59: \"enabled\" must be true or false\n"
	    "t.json:3:71: a tag must not be empty\n");
}

static void test_errors_duplicate_ids(void **state)
{
	const char *doc =
	    HEAD "{\"id\": \"x\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\", "
		 "\"condition\": {\"field\": \"process.pid\", \"op\": \"exists\"}},\n"
		 "{\"id\": \"x\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\", "
		 "\"condition\": {\"field\": \"process.pid\", \"op\": \"exists\"}}" TAIL;

	expect_diag(doc, "t.json:4:8: duplicate rule id \"x\" (first at 3:8)\n");
}

static void test_errors_conditions(void **state)
{
	expect_diag(RULE("[]"), "t.json:3:79: a condition must be an object, not array\n");
	expect_diag(RULE("{\"all\": []}"), "t.json:3:87: \"all\" must not be empty\n");
	expect_diag(RULE("{\"any\": {}}"), "t.json:3:87: \"any\" must be an array, not object\n");
	expect_diag(RULE("{\"not\": []}"), "t.json:3:87: \"not\" must be a condition object, not "
					   "array\n");
	expect_diag(RULE("{\"all\": [{\"field\": \"file.path\", \"op\": \"exists\"}], \"x\": 1}"),
		    "t.json:3:79: a condition with \"all\" must have no other key\n");
	expect_diag(RULE("{\"op\": \"eq\"}"),
		    "t.json:3:79: condition needs \"all\", \"any\", \"not\", or \"field\" and "
		    "\"op\"\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"exists\", \"valu\": 1}"),
		    "t.json:3:118: unknown key \"valu\" in a condition");
	expect_diag(RULE("{\"field\": \"file.size\", \"op\": \"exists\"}"),
		    "t.json:3:89: unknown field \"file.size\"\n");
	expect_diag(RULE("{\"field\": \"file.\\nsize\", \"op\": \"exists\"}"),
		    "t.json:3:89: unknown field \"file.?size\"\n");
	expect_diag(RULE("{\"field\": \"network.remote_port\", \"op\": \"exists\"}"),
		    "t.json:3:89: field \"network.remote_port\" is not available for \"open\" "
		    "events (only connect)\n");
	expect_diag(RULE("{\"field\": \"network.family\", \"op\": \"exists\"}"),
		    "t.json:3:89: field \"network.family\" is not available for \"open\" "
		    "events (only listen, connect)\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"matches\", \"value\": \"x\"}"),
		    "t.json:3:108: unknown op \"matches\" (expected eq, ne, in, glob, prefix, "
		    "suffix, contains, icontains, gt, ge, lt, le, exists)\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"gt\", \"value\": 1}"),
		    "t.json:3:108: op \"gt\" does not apply to string field \"file.path\"\n");
	expect_diag(RULE("{\"field\": \"file.write\", \"op\": \"in\", \"values\": [true]}"),
		    "t.json:3:109: op \"in\" does not apply to boolean field \"file.write\"\n");
	expect_diag(RULE("{\"field\": \"file.flags\", \"op\": \"glob\", \"value\": \"x\"}"),
		    "t.json:3:109: op \"glob\" does not apply to integer field \"file.flags\"\n");
}

static void test_errors_operands(void **state)
{
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"eq\"}"),
		    "t.json:3:79: op \"eq\" needs exactly one \"value\"\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"eq\", \"values\": [\"a\"]}"),
		    "t.json:3:79: op \"eq\" needs exactly one \"value\"\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"exists\", \"value\": true}"),
		    "t.json:3:79: op \"exists\" takes no \"value\", \"values\" or \"list\"\n");
	expect_diag(
	    RULE("{\"field\": \"file.path\", \"op\": \"glob\", \"value\": \"a\", \"list\": "
		 "\"l\"}"),
	    "t.json:3:79: op \"glob\" needs exactly one of \"value\", \"values\", \"list\"\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"eq\", \"value\": 1}"),
		    "t.json:3:123: field \"file.path\" is a string; this value is an integer\n");
	expect_diag(RULE("{\"field\": \"file.flags\", \"op\": \"eq\", \"value\": 1.5}"),
		    "t.json:3:124: field \"file.flags\" is an integer; this value is a fractional "
		    "or too large number\n");
	expect_diag(RULE("{\"field\": \"file.write\", \"op\": \"eq\", \"value\": \"yes\"}"),
		    "t.json:3:124: field \"file.write\" is a boolean; this value is a string\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"in\", \"values\": []}"),
		    "t.json:3:124: \"values\" must not be empty\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"in\", \"values\": [\"a\", 2]}"),
		    "t.json:3:130: field \"file.path\" is a string; this value is an integer\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"in\", \"list\": \"nope\"}"),
		    "t.json:3:122: unknown list \"nope\"\n");
	expect_diag(RULE("{\"field\": \"file.path\", \"op\": \"eq\", \"value\": \"a\\u0000b\"}"),
		    "t.json:3:123: field \"file.path\" is a string; this value is a string with a "
		    "NUL character\n");
}

static void test_errors_lists(void **state)
{
	expect_diag("{\"version\": 1, \"lists\": {\"a\": [\"x\", 1]}}",
		    "t.json:1:37: list \"a\" mixes strings and integers\n");
	expect_diag("{\"version\": 1, \"lists\": {\"a\": [true]}}",
		    "t.json:1:32: list items must be strings or integers, not boolean\n");
	expect_diag("{\"version\": 1, \"lists\": {\"a b\": []}}", "t.json:1:26: invalid list name");
	expect_diag(
	    "{\"version\": 1, \"lists\": {\"a\": 5}}",
	    "t.json:1:31: a list must be an array or an object with \"items\", not number\n");
	expect_diag("{\"version\": 1, \"lists\": {\"a\": {\"append\": true, \"items\": [\"x\"]}}}",
		    "t.json:1:26: list \"a\" has \"append\" but no earlier file defines it\n");
	expect_diag("{\"version\": 1, \"lists\": {\"a\": {\"items\": [], \"more\": 1}}}",
		    "t.json:1:45: unknown key \"more\" in a list (expected items, append)\n");
	expect_diag(
	    "{\"version\": 1, \"lists\": {\"ports\": [1]}, \"rules\": [{\"id\": \"x\", "
	    "\"event\": \"open\", \"severity\": \"low\", \"message\": \"m\", \"condition\": "
	    "{\"field\": \"file.path\", \"op\": \"in\", \"list\": \"ports\"}}]}",
	    "t.json:1:171: list \"ports\" holds integers but field \"file.path\" is string\n");
}

static void test_errors_message(void **state)
{
	expect_diag(HEAD "{\"id\": \"x\", \"event\": \"exec\", \"severity\": \"low\", \"message\": "
			 "\"{process.exe} {file.path} {nope}\", \"condition\": {\"field\": "
			 "\"process.pid\", \"op\": \"exists\"}}" TAIL,
		    "t.json:3:60: message placeholder {file.path} is not a field of \"exec\" "
		    "events\nt.json:3:60: message placeholder {nope} is not a field of \"exec\" "
		    "events\n");
}

static void test_errors_are_all_reported(void **state)
{
	const char *doc =
	    "{\"version\": 1, \"rules\": [\n"
	    "{\"id\": \"a\"},\n"
	    "{\"id\": \"b\", \"event\": \"exec\", \"severity\": \"low\", \"message\": "
	    "\"m\", \"condition\": {\"field\": \"process.nope\", \"op\": \"exists\"}},\n"
	    "{\"id\": \"c\", \"event\": \"exec\", \"severity\": \"low\", \"message\": "
	    "\"m\", \"condition\": {\"field\": \"process.pid\", \"op\": \"exists\"}}\n"
	    "]}";
	struct ruleset *rs = ruleset_new();
	FILE *out = fmemopen(diag_text, sizeof(diag_text), "w");
	struct diag diag;

	diag_init(&diag, out, false);

	assert_int_equal(ruleset_load_buffer(rs, "t.json", doc, strlen(doc), &diag), -1);
	fclose(out);
	assert_int_equal(diag.count, 2);
	assert_string_equal(diag_text, "t.json:2:1: rule \"a\" has no \"condition\" and no earlier "
				       "file defines this id\n"
				       "t.json:3:88: unknown field \"process.nope\"\n");
	/* Nothing of the document was merged, not even the valid rule "c". */
	assert_int_equal(ruleset_count(rs), 0);
	ruleset_free(rs);
}

/* ---- merging */

static const char *base_doc =
    "{\"version\": 1, \"lists\": {\"shells\": [\"sh\"]}, \"rules\": [\n"
    "{\"id\": \"shell\", \"event\": \"exec\", \"severity\": \"critical\", \"message\": "
    "\"shell {process.name}\", \"tags\": [\"a\"], \"condition\": {\"field\": \"process.name\", "
    "\"op\": \"in\", \"list\": \"shells\"}},\n"
    "{\"id\": \"other\", \"event\": \"exec\", \"severity\": \"low\", \"message\": \"m\", "
    "\"condition\": {\"field\": \"process.pid\", \"op\": \"eq\", \"value\": 1}}\n"
    "]}";

static void test_defaults_and_metadata(void **state)
{
	struct ruleset *rs = load_ok(base_doc);
	const struct rule *r = ruleset_find(rs, "shell");

	assert_int_equal(ruleset_count(rs), 2);
	assert_ptr_equal(ruleset_get(rs, 0), r);
	assert_null(ruleset_get(rs, 2));
	assert_null(ruleset_find(rs, "nope"));
	assert_string_equal(r->name, "shell"); /* defaults to the id */
	assert_null(r->description);
	assert_true(r->enabled);
	assert_int_equal(r->severity, SEV_CRITICAL);
	assert_int_equal(r->event, RULE_EV_EXEC);
	assert_int_equal(r->ntags, 1);
	assert_string_equal(r->tags[0], "a");
	assert_string_equal(r->origin, "t.json:2");
	ruleset_free(rs);
}

static void test_override_rule(void **state)
{
	struct ruleset *rs = load_ok(base_doc);
	struct fake_event e = {0};

	set_str(&e, "process.name", "sh");
	set_int(&e, "process.pid", 1);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &e), 2);
	/* Partial override: only "enabled". */
	assert_int_equal(load(rs, "{\"version\": 1, \"rules\": [{\"id\": \"shell\", \"enabled\": "
				  "false}]}"),
			 0);
	assert_int_equal(ruleset_count(rs), 2);
	assert_false(ruleset_find(rs, "shell")->enabled);
	assert_string_equal(ruleset_find(rs, "shell")->message, "shell {process.name}");
	assert_int_equal(matches(rs, RULE_EV_EXEC, &e), 1);
	/* Partial override of severity, message and tags. */
	assert_int_equal(load(rs, "{\"version\": 1, \"rules\": [{\"id\": \"shell\", \"enabled\": "
				  "true, \"severity\": \"info\", \"message\": \"x {process.pid}\", "
				  "\"tags\": [\"b\", \"c\"]}]}"),
			 0);
	assert_int_equal(ruleset_find(rs, "shell")->severity, SEV_INFO);
	assert_string_equal(ruleset_find(rs, "shell")->message, "x {process.pid}");
	assert_int_equal(ruleset_find(rs, "shell")->ntags, 2);
	/* Full replacement keeps the position. */
	assert_int_equal(load(rs, "{\"version\": 1, \"rules\": [{\"id\": \"shell\", \"event\": "
				  "\"open\", \"severity\": \"high\", \"message\": \"m\", "
				  "\"condition\": {\"field\": \"file.write\", \"op\": \"eq\", "
				  "\"value\": true}}]}"),
			 0);
	assert_ptr_equal(ruleset_get(rs, 0), ruleset_find(rs, "shell"));
	assert_int_equal(ruleset_find(rs, "shell")->event, RULE_EV_OPEN);
	assert_int_equal(ruleset_find(rs, "shell")->ntags, 0);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &e), 1);
	ruleset_free(rs);
}

static void test_override_errors(void **state)
{
	struct ruleset *rs = load_ok(base_doc);

	assert_int_equal(load(rs, "{\"version\": 1, \"rules\": [{\"id\": \"shell\", \"event\": "
				  "\"open\"}]}"),
			 -1);
	assert_string_equal(diag_text, "t.json:1:51: \"event\" can only change together with "
				       "\"condition\"\n");
	assert_int_equal(load(rs, "{\"version\": 1, \"rules\": [{\"id\": \"shell\", \"message\": "
				  "\"{file.path}\"}]}"),
			 -1);
	assert_string_equal(diag_text, "t.json:1:53: message placeholder {file.path} is not a "
				       "field of \"exec\" events\n");
	/* A list redefined with another type under an earlier rule. */
	assert_int_equal(load(rs, "{\"version\": 1, \"lists\": {\"shells\": [1]}}"), -1);
	assert_string_equal(diag_text, "t.json:1:26: list \"shells\" now holds integers but rule "
				       "\"shell\" (t.json:2) compares it with string field "
				       "\"process.name\"\n");
	assert_int_equal(load(rs, "{\"version\": 1, \"lists\": {\"shells\": {\"append\": true, "
				  "\"items\": [2]}}}"),
			 -1);
	assert_string_equal(diag_text, "t.json:1:63: list \"shells\" mixes strings and integers\n");
	assert_true(ruleset_find(rs, "shell")->enabled);
	ruleset_free(rs);
}

static void test_lists_replace_and_append(void **state)
{
	struct ruleset *rs = load_ok(base_doc);
	struct fake_event sh = {0}, bash = {0};

	set_str(&sh, "process.name", "sh");
	set_str(&bash, "process.name", "bash");
	assert_int_equal(matches(rs, RULE_EV_EXEC, &bash), 0);
	/* Append: the earlier rule sees the longer list. */
	assert_int_equal(load(rs, "{\"version\": 1, \"lists\": {\"shells\": {\"append\": true, "
				  "\"items\": [\"bash\"]}}}"),
			 0);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &bash), 1);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &sh), 1);
	/* Replace. */
	assert_int_equal(load(rs, "{\"version\": 1, \"lists\": {\"shells\": [\"zsh\"]}}"), 0);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &bash), 0);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &sh), 0);
	/* Emptied: matches nothing. A new list and a new rule in one document. */
	assert_int_equal(load(rs, "{\"version\": 1, \"lists\": {\"shells\": [], \"new\": [\"sh\"]},"
				  "\"rules\": [{\"id\": \"n\", \"event\": \"exec\", \"severity\": "
				  "\"low\", \"message\": \"m\", \"condition\": {\"field\": "
				  "\"process.name\", \"op\": \"in\", \"list\": \"new\"}}]}"),
			 0);
	assert_int_equal(ruleset_count(rs), 3);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &sh), 1);
	ruleset_free(rs);
}

static void test_bad_file_leaves_ruleset_unchanged(void **state)
{
	struct ruleset *rs = load_ok(base_doc);
	struct fake_event bash = {0};

	set_str(&bash, "process.name", "bash");
	assert_int_equal(load(rs,
			      "{\"version\": 1, \"lists\": {\"shells\": [\"bash\"]}, \"rules\": "
			      "[{\"id\": \"shell\", \"enabled\": false}, {\"id\": \"new\"}]}"),
			 -1);
	assert_int_equal(ruleset_count(rs), 2);
	assert_true(ruleset_find(rs, "shell")->enabled);
	assert_int_equal(matches(rs, RULE_EV_EXEC, &bash), 0);
	ruleset_free(rs);
}

/* ---- messages, names, fields */

static void test_render_message(void **state)
{
	struct ruleset *rs = rule_with("exec", "{\"field\": \"process.pid\", \"op\": \"exists\"}");
	struct fake_event e = {0};
	struct field_source src = {fake_get, &e};
	struct rule r = {0};
	char out[64];

	set_str(&e, "process.exe", "/bin/sh");
	set_int(&e, "server.pid", -42);
	set_bool(&e, "process.is_server", false);
	set_str(&e, "server.name", "");
	r.message = "{process.exe} in {server.name} ({server.pid}) {process.is_server} "
		    "{container.id} {nope} {Bad} {} {x";
	assert_int_equal(rule_render_message(&r, &src, out, sizeof(out)), 40);
	assert_string_equal(out, "/bin/sh in ? (-42) false ? ? {Bad} {} {x");
	assert_int_equal(rule_render_message(&r, &src, out, 8), 7);
	assert_string_equal(out, "/bin/sh");
	assert_int_equal(rule_render_message(&r, &src, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(rule_render_message(ruleset_get(rs, 0), &src, out, sizeof(out)), 1);
	assert_string_equal(out, "m");
	ruleset_free(rs);
}

static void test_names_and_fields(void **state)
{
	assert_string_equal(rule_severity_name(SEV_CRITICAL), "critical");
	assert_string_equal(rule_severity_name(SEV_INFO), "info");
	assert_string_equal(rule_event_name(RULE_EV_LISTEN), "listen");
	assert_string_equal(rule_event_name(RULE_EV_COUNT), "?");
	assert_true(rule_field_known(RULE_EV_EXEC, "process.argv0_name"));
	assert_true(rule_field_known(RULE_EV_CONNECT, "user.name"));
	assert_true(rule_field_known(RULE_EV_OPEN, "file.proc_other"));
	assert_false(rule_field_known(RULE_EV_EXEC, "file.path"));
	assert_true(rule_field_known(RULE_EV_LISTEN, "network.tls"));
	assert_false(rule_field_known(RULE_EV_CONNECT, "network.tls"));
	assert_false(rule_field_known(RULE_EV_CONNECT, "network.local_port"));
	assert_true(rule_field_known(RULE_EV_CONNECT, "network.family"));
	assert_false(rule_field_known(RULE_EV_LISTEN, "network.remote_addr"));
	assert_false(rule_field_known(RULE_EV_EXEC, "process"));
	assert_false(rule_field_known(RULE_EV_COUNT, "process.pid"));
	assert_int_equal(rule_field_type(RULE_EV_OPEN, "file.result"), FV_INT);
	assert_int_equal(rule_field_type(RULE_EV_EXEC, "file.result"), FV_NONE);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/mw-test-rules-XXXXXX", want[128];
	int fd = mkstemp(path);
	struct ruleset *rs = ruleset_new();
	FILE *out;
	struct diag diag;

	diag_init(&diag, NULL, false);
	char *big;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"version\": 1,\n \"rules\": 1}", 27), 27);
	close(fd);
	out = fmemopen(diag_text, sizeof(diag_text), "w");
	diag.out = out;
	assert_int_equal(ruleset_load_file(rs, path, &diag), -1);
	fclose(out);
	snprintf(want, sizeof(want), "%s:2:11: \"rules\" must be an array, not number\n", path);
	assert_string_equal(diag_text, want);

	big = calloc(1, (4u << 20) + 2);
	memset(big, ' ', (4u << 20) + 1);
	big[0] = '{';
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, big, (4u << 20) + 1), (4u << 20) + 1);
	close(fd);
	free(big);
	out = fmemopen(diag_text, sizeof(diag_text), "w");
	diag.out = out;
	assert_int_equal(ruleset_load_file(rs, path, &diag), -1);
	fclose(out);
	snprintf(want, sizeof(want), "%s: too large (limit 4 MiB)\n", path);
	assert_string_equal(diag_text, want);

	unlink(path);
	diag.out = NULL;
	assert_int_equal(ruleset_load_file(rs, path, &diag), -1);
	assert_int_equal(diag.count, 3);
	assert_int_equal(ruleset_count(rs), 0);
	ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_op_eq_ne),
	    cmocka_unit_test(test_op_in),
	    cmocka_unit_test(test_op_strings),
	    cmocka_unit_test(test_op_numbers_and_exists),
	    cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_mistyped_source_value),
	    cmocka_unit_test(test_errors_document),
	    cmocka_unit_test(test_errors_rule_keys),
	    cmocka_unit_test(test_errors_duplicate_ids),
	    cmocka_unit_test(test_errors_conditions),
	    cmocka_unit_test(test_errors_operands),
	    cmocka_unit_test(test_errors_lists),
	    cmocka_unit_test(test_errors_message),
	    cmocka_unit_test(test_errors_are_all_reported),
	    cmocka_unit_test(test_defaults_and_metadata),
	    cmocka_unit_test(test_override_rule),
	    cmocka_unit_test(test_override_errors),
	    cmocka_unit_test(test_lists_replace_and_append),
	    cmocka_unit_test(test_bad_file_leaves_ruleset_unchanged),
	    cmocka_unit_test(test_render_message),
	    cmocka_unit_test(test_names_and_fields),
	    cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
