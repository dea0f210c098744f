// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/config.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "lib/json.h"
#include "diagto.h"

static char diag_text[4096];

static int load(struct config *c, const char *doc)
{
	FILE *out;
	int rc;

	memset(diag_text, 0, sizeof(diag_text));
	out = fmemopen(diag_text, sizeof(diag_text), "w");
	assert_non_null(out);
	rc = config_load_buffer(c, "c.json", doc, strlen(doc), diag_to(out));
	fclose(out);
	return rc;
}

/* Loading doc over the defaults fails with exactly the diagnostics `want`. */
static void expect_diag(const char *doc, const char *want)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(load(&c, doc), -1);
	if (strcmp(diag_text, want))
		print_error("want: %sgot:  %s", want, diag_text);
	assert_string_equal(diag_text, want);
	config_free(&c);
}

static void assert_defaults(const struct config *c)
{
	assert_null(c->host_name);
	assert_true(c->default_rules);
	assert_int_equal(c->nrules_files, 0);
	assert_int_equal(c->nselectors, 0);
	assert_int_equal(c->nignore_globs, 0);
	assert_int_equal(c->nlaunchers, 0);
	assert_int_equal(c->hold_ms, 3000);
	assert_int_equal(c->aggregate_window_s, 60);
	assert_int_equal(c->tls_probe_timeout_ms, 500);
	assert_int_equal(c->lost_report_interval_s, 10);
	assert_int_equal(c->ringbuf_mb, 8);
	assert_true(c->probe_tls);
	assert_int_equal(c->posture_interval_s, 300);
}

static void test_defaults(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_defaults(&c);
	assert_null(c.outputs_doc);
	assert_int_equal(load(&c, "{}"), 0);
	assert_defaults(&c);
	config_free(&c);
}

/* deploy/config.json lists every key with its default value. */
static void test_deploy_example_is_the_defaults(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(config_load_file(&c, "deploy/config.json", diag_to(stderr)), 0);
	assert_defaults(&c);
	assert_non_null(c.outputs_doc);
	assert_string_equal(config_outputs_file(&c), "deploy/config.json");
	assert_int_equal(c.noutputs, 0);
	config_free(&c);
}

static void test_every_key(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(
	    load(&c,
		 "{\"host_name\": \"node-1.example\",\n"
		 "\"rules\": {\"default_rules\": false, \"files\": [\"/etc/a.json\", "
		 "\"b.json\"]},\n"
		 "\"servers\": {\"selectors\": [{\"name\": \"acme\", \"cmdline\": "
		 "\"*acme-mcp*\"}], \"ignore\": [\"*pytest*\"], \"launchers\": "
		 "[\"pnpx\", \"bunx\"], \"hold_ms\": 0},\n"
		 "\"alerts\": {\"aggregate_window_s\": 0},\n"
		 "\"sensor\": {\"ringbuf_mb\": 1024, \"lost_report_interval_s\": 1},\n"
		 "\"posture\": {\"probe_tls\": false, \"tls_probe_timeout_ms\": 60000, "
		 "\"interval_s\": 86400},\n"
		 "\"outputs\": [{\"type\": \"stdout\"}, {\"type\": \"file\", \"path\": \"/x\"}]}"),
	    0);
	assert_string_equal(c.host_name, "node-1.example");
	assert_false(c.default_rules);
	assert_int_equal(c.nrules_files, 2);
	assert_string_equal(c.rules_files[1], "b.json");
	assert_int_equal(c.nselectors, 1);
	assert_string_equal(c.selectors[0].name, "acme");
	assert_string_equal(c.selectors[0].cmdline_glob, "*acme-mcp*");
	assert_int_equal(c.nignore_globs, 1);
	assert_string_equal(c.ignore_globs[0], "*pytest*");
	assert_int_equal(c.nlaunchers, 2);
	assert_string_equal(c.launchers[1], "bunx");
	assert_int_equal(c.hold_ms, 0);
	assert_int_equal(c.aggregate_window_s, 0);
	assert_int_equal(c.ringbuf_mb, 1024);
	assert_int_equal(c.lost_report_interval_s, 1);
	assert_false(c.probe_tls);
	assert_int_equal(c.tls_probe_timeout_ms, 60000);
	assert_int_equal(c.posture_interval_s, 86400);
	assert_int_equal(c.noutputs, 2);
	/* Each output keeps its checked object, with its position, for its sink. */
	assert_string_equal(json_get_string(json_object_get(c.outputs[1].cfg, "path")), "/x");
	assert_int_equal(c.outputs[1].cfg->line, 7);

	/* A second document changes only what it names; null resets host_name. */
	assert_int_equal(load(&c, "{\"host_name\": null, \"servers\": {\"launchers\": []}}"), 0);
	assert_null(c.host_name);
	assert_int_equal(c.nlaunchers, 0);
	assert_int_equal(c.nselectors, 1);
	assert_int_equal(c.ringbuf_mb, 1024);
	config_free(&c);
	assert_defaults(&c);
}

static void test_metadata_keys(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(c.metadata_enabled, 0);
	assert_int_equal(c.metadata_kubernetes, 0);
	assert_int_equal(load(&c, "{\"metadata\": {\"enabled\": \"on\", \"kubernetes\": \"off\", "
				  "\"runtime_socket\": \"/run/x.sock\", \"host_root\": \"/host\", "
				  "\"node_name\": \"node-1.example\", \"api_url\": "
				  "\"https://127.0.0.1:6443\", \"ca_file\": \"/ca.crt\", "
				  "\"token_file\": \"/token\"}}"),
			 0);
	assert_int_equal(c.metadata_enabled, 1);
	assert_int_equal(c.metadata_kubernetes, 2);
	assert_string_equal(c.metadata_runtime_socket, "/run/x.sock");
	assert_string_equal(c.metadata_host_root, "/host");
	assert_string_equal(c.metadata_node_name, "node-1.example");
	assert_string_equal(c.metadata_api_url, "https://127.0.0.1:6443");
	assert_string_equal(c.metadata_ca_file, "/ca.crt");
	assert_string_equal(c.metadata_token_file, "/token");
	config_free(&c);

	expect_diag("{\"metadata\": {\"enabled\": true}}",
		    "c.json:1:26: \"enabled\" must be one of \"auto\", \"on\", \"off\"\n");
	expect_diag("{\"metadata\": {\"node_name\": \"Node_1\"}}",
		    "c.json:1:28: \"node_name\" must be a node name: lowercase letters, digits, "
		    "'-' and '.', at most 253 characters\n");
	expect_diag("{\"metadata\": {\"api_url\": \"ftp://x\"}}",
		    "c.json:1:26: \"api_url\" must be an https:// (or http://) URL of at most 512 "
		    "bytes, without spaces, query or fragment\n");
	expect_diag("{\"metadata\": {\"runtime_socket\": \"run/docker.sock\"}}",
		    "c.json:1:33: \"runtime_socket\" must be an absolute path of at most 4000 "
		    "bytes\n");
	expect_diag("{\"metadata\": {\"socket\": \"/x\"}}",
		    "c.json:1:15: unknown key \"socket\" in metadata (expected enabled, "
		    "runtime_socket, host_root, kubernetes, node_name, api_url, ca_file, "
		    "token_file)\n");
}

static void test_errors_keys_and_types(void **state)
{
	expect_diag("{\"hostname\": \"x\"}",
		    "c.json:1:2: unknown key \"hostname\" (expected host_name, rules, servers, "
		    "alerts, sensor, posture, tap, audit, health, outputs, spool_dir, redaction, "
		    "metadata)\n");
	expect_diag("{\"sensor\": {\"ringbuf\": 8}}",
		    "c.json:1:13: unknown key \"ringbuf\" in sensor (expected ringbuf_mb, "
		    "lost_report_interval_s)\n");
	expect_diag("[]", "c.json:1:1: the configuration must be an object, not array\n");
	expect_diag("{\"posture\": true}",
		    "c.json:1:13: \"posture\" must be an object, not boolean\n");
	expect_diag("{\"posture\": {\"probe_tls\": \"yes\"}}",
		    "c.json:1:27: \"probe_tls\" must be true or false, not string\n");
	expect_diag("{\"sensor\": {\"ringbuf_mb\": \"16\"}}",
		    "c.json:1:27: \"ringbuf_mb\" must be an integer, not string\n");
	expect_diag("{\"sensor\": {\"ringbuf_mb\": 16.5}}",
		    "c.json:1:27: \"ringbuf_mb\" must be an integer, not a fractional number\n");
	expect_diag("{\"host_name\": 5}",
		    "c.json:1:15: \"host_name\" must be a string, not number\n");
	expect_diag("{\"host_name\": \"\"}", "c.json:1:15: \"host_name\" must not be empty\n");
	expect_diag("{\"host_name\": \"a b\"}",
		    "c.json:1:15: \"host_name\" must be at most 253 characters without spaces\n");
	expect_diag("{\"rules\": {\"files\": \"a.json\"}}",
		    "c.json:1:21: \"files\" must be an array, not string\n");
	expect_diag("{\"rules\": {\"files\": [\"a\", 1, \"\"]}}",
		    "c.json:1:27: an entry must be a string, not number\n"
		    "c.json:1:30: an entry must not be empty\n");
	expect_diag("{\"servers\": {\"launchers\": [\"/usr/bin/uvx\"]}}",
		    "c.json:1:28: a launcher is a program name, without '/'\n");
	expect_diag("{\"outputs\": {}}", "c.json:1:13: \"outputs\" must be an array, not object\n");
	expect_diag("{\"a\": 1,}", "c.json:1:9: trailing comma before '}'\n");
}

static void test_errors_ranges(void **state)
{
	expect_diag("{\"sensor\": {\"ringbuf_mb\": 12}}",
		    "c.json:1:27: \"ringbuf_mb\" is 12; it must be a power of two\n");
	expect_diag("{\"sensor\": {\"ringbuf_mb\": 2048}}",
		    "c.json:1:27: \"ringbuf_mb\" is 2048; it must be between 1 and 1024\n");
	expect_diag("{\"sensor\": {\"ringbuf_mb\": 0}}",
		    "c.json:1:27: \"ringbuf_mb\" is 0; it must be between 1 and 1024\n");
	expect_diag("{\"alerts\": {\"aggregate_window_s\": -1}}",
		    "c.json:1:35: \"aggregate_window_s\" is -1; it must be between 0 and 3600\n");
	expect_diag(
	    "{\"posture\": {\"tls_probe_timeout_ms\": 99999999999}}",
	    "c.json:1:38: \"tls_probe_timeout_ms\" is 99999999999; it must be between 10 and "
	    "60000\n");
	expect_diag("{\"posture\": {\"interval_s\": 5}}",
		    "c.json:1:28: \"interval_s\" is 5; it must be between 10 and 86400\n");
	expect_diag(
	    "{\"sensor\": {\"lost_report_interval_s\": 0}}",
	    "c.json:1:39: \"lost_report_interval_s\" is 0; it must be between 1 and 3600\n");
}

static void test_errors_selectors(void **state)
{
	expect_diag(
	    "{\"servers\": {\"selectors\": [\"acme\"]}}",
	    "c.json:1:28: a selector must be an object {\"name\", \"cmdline\"}, not string\n");
	expect_diag("{\"servers\": {\"selectors\": [{\"name\": \"a\"}]}}",
		    "c.json:1:28: a selector needs \"name\" and \"cmdline\"\n");
	expect_diag(
	    "{\"servers\": {\"selectors\": [{\"name\": \"a\", \"cmdline\": \"b\", \"x\": 1}]}}",
	    "c.json:1:58: unknown key in a selector (expected name, cmdline)\n");
	expect_diag("{\"servers\": {\"selectors\": [{\"name\": \"\", \"cmdline\": \"\\n\"}]}}",
		    "c.json:1:37: \"name\" must not be empty\n"
		    "c.json:1:52: \"cmdline\" must not contain control characters\n");
}

static void test_error_leaves_config_unchanged(void **state)
{
	struct config c;

	config_defaults(&c);
	assert_int_equal(load(&c, "{\"rules\": {\"files\": [\"a.json\"]}, \"host_name\": \"h\"}"),
			 0);
	assert_int_equal(load(&c, "{\"rules\": {\"files\": [\"b.json\", \"c.json\"]}, "
				  "\"host_name\": \"other\", \"sensor\": {\"ringbuf_mb\": 3}}"),
			 -1);
	assert_int_equal(c.nrules_files, 1);
	assert_string_equal(c.rules_files[0], "a.json");
	assert_string_equal(c.host_name, "h");
	assert_int_equal(c.ringbuf_mb, 8);
	config_free(&c);
}

static void test_load_file_errors(void **state)
{
	char path[] = "/tmp/mw-test-config-XXXXXX", want[128];
	int fd = mkstemp(path);
	struct config c;
	FILE *out;

	config_defaults(&c);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\n  \"sensor\": {\"ringbuf_mb\": 3}\n}\n", 34), 34);
	close(fd);
	memset(diag_text, 0, sizeof(diag_text));
	out = fmemopen(diag_text, sizeof(diag_text), "w");
	assert_int_equal(config_load_file(&c, path, diag_to(out)), -1);
	fclose(out);
	snprintf(want, sizeof(want), "%s:2:28: \"ringbuf_mb\" is 3; it must be a power of two\n",
		 path);
	assert_string_equal(diag_text, want);
	unlink(path);

	memset(diag_text, 0, sizeof(diag_text));
	out = fmemopen(diag_text, sizeof(diag_text), "w");
	assert_int_equal(config_load_file(&c, path, diag_to(out)), -1);
	fclose(out);
	snprintf(want, sizeof(want), "%s: No such file or directory\n", path);
	assert_string_equal(diag_text, want);
	assert_int_equal(config_load_file(&c, "/", NULL), -1);
	assert_defaults(&c);
	config_free(&c);
}

/* Outputs compare by value: spacing and key order do not matter, a key
 * value, an added output or the spool directory does. */
static bool outputs_equal_texts(const char *x, const char *y)
{
	struct config a, b;
	bool eq;

	config_defaults(&a);
	config_defaults(&b);
	assert_int_equal(load(&a, x), 0);
	assert_int_equal(load(&b, y), 0);
	eq = config_outputs_equal(&a, &b);
	assert_int_equal(eq, config_outputs_equal(&b, &a));
	config_free(&a);
	config_free(&b);
	return eq;
}

static void test_outputs_equal(void **state)
{
	const char *one = "{\"outputs\":[{\"type\":\"file\",\"path\":\"/tmp/a.json\"}]}";

	(void)state;
	assert_true(outputs_equal_texts("{}", "{\"alerts\":{\"aggregate_window_s\":5}}"));
	assert_true(outputs_equal_texts(one,
					"{ \"outputs\" : [ { \"path\":\"/tmp/a.json\", "
					"\"type\":\"file\" } ], \"tap\":{\"enabled\":false}}"));
	assert_false(outputs_equal_texts(one, "{\"outputs\":[{\"type\":\"file\",\"path\":\"/tmp/"
					      "b.json\"}]}"));
	assert_false(outputs_equal_texts(one, "{}"));
	assert_false(outputs_equal_texts(
	    one,
	    "{\"outputs\":[{\"type\":\"file\",\"path\":\"/tmp/a.json\"},{\"type\":\"stdout\"}]}"));
	assert_false(outputs_equal_texts(one, "{\"spool_dir\":\"/tmp/s\",\"outputs\":[{\"type\":"
					      "\"file\",\"path\":\"/tmp/a.json\"}]}"));
}

/* A reload keeps what the kernel programs and workers were set up with. */
static void test_keep_restart_keys(void **state)
{
	struct config running, next;
	const char *names[CONFIG_RESTART_KEYS_MAX];

	(void)state;
	config_defaults(&running);
	config_defaults(&next);
	assert_int_equal(load(&running, "{\"host_name\":\"a\",\"sensor\":{\"ringbuf_mb\":4}}"), 0);
	assert_int_equal(load(&next,
			      "{\"host_name\":\"b\",\"sensor\":{\"ringbuf_mb\":4},"
			      "\"tap\":{\"enabled\":false},\"alerts\":{\"aggregate_window_s\":5}}"),
			 0);
	assert_int_equal(config_keep_restart_keys(&running, &next, names, CONFIG_RESTART_KEYS_MAX),
			 2);
	assert_string_equal(names[0], "tap.enabled");
	assert_string_equal(names[1], "host_name");
	assert_true(next.tap_enabled);
	assert_string_equal(next.host_name, "a");
	assert_int_equal(next.aggregate_window_s, 5); /* not a restart key: the new value */
	assert_int_equal(config_keep_restart_keys(&running, &next, names, 0), 0);
	assert_true(config_redaction_equal(&running, &next));
	config_free(&running);
	config_free(&next);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_deploy_example_is_the_defaults),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_errors_keys_and_types),
	    cmocka_unit_test(test_metadata_keys),
	    cmocka_unit_test(test_errors_ranges),
	    cmocka_unit_test(test_errors_selectors),
	    cmocka_unit_test(test_error_leaves_config_unchanged),
	    cmocka_unit_test(test_load_file_errors),
	    cmocka_unit_test(test_outputs_equal),
	    cmocka_unit_test(test_keep_restart_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
