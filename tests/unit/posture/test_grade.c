/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for collecting a grade from a fake /proc and a fake client-config root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "posture/grade.h"

#include "fakeproc.h"

#define FAKE(pid, ppid, start, uid, exe, cmd)                                                      \
	fake_process("proc", pid, ppid, start, uid, exe, cmd, sizeof(cmd))

static const char desktop[] =
    "{\"mcpServers\":{"
    "\"fs\":{\"command\":\"npx\",\"args\":[\"-y\","
    "\"@modelcontextprotocol/server-filesystem@2026.8.31\",\"/srv\"],"
    "\"env\":{\"GITHUB_TOKEN\":\"ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\"}},"
    "\"remote\":{\"url\":\"http://mcp.example.internal/mcp\"}}}";

static int make_root(void **state)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n";

	(void)state;
	fake_root_make("grade");
	fake_put("etc/passwd", passwd, sizeof(passwd) - 1);
	fake_put("root/.config/Claude/claude_desktop_config.json", desktop, sizeof(desktop) - 1);
	FAKE(10, 1, 100, 0, "/usr/bin/node",
	     "node\0/usr/bin/npx\0-y\0@modelcontextprotocol/server-filesystem@2026.8.31\0/srv");
	FAKE(11, 10, 200, 0, "/usr/bin/dash", "sh\0-c\0mcp-server-filesystem /srv");
	FAKE(12, 11, 300, 0, "/usr/bin/node",
	     "node\0/root/.npm/_npx/1/node_modules/.bin/mcp-server-filesystem\0/srv");
	return 0;
}

static int remove_root(void **state)
{
	(void)state;
	return fake_root_remove();
}

static const struct posture_server *find(const struct posture_report *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->servers[i].name, name) == 0)
			return &r->servers[i];
	return NULL;
}

static void collect(struct posture_report *rep, const struct grade_runtime *rt, size_t nrt)
{
	char proc[PATH_MAX + 8], err[256];
	struct identity *id = identity_new();
	struct grade_opts o = {.identity = id,
			       .runtime_window_s = 3600,
			       .proc_root = proc,
			       .fs_root = fake_root,
			       .host = "h",
			       .runtime = rt,
			       .nruntime = nrt};

	snprintf(proc, sizeof(proc), "%s/proc", fake_root);
	assert_non_null(id);
	assert_int_equal(grade_collect(&o, rep, err, sizeof(err)), 0);
	identity_free(id);
}

static void test_running_and_configured(void **state)
{
	struct posture_report rep;
	const struct posture_server *s;

	(void)state;
	collect(&rep, NULL, 0);
	assert_int_equal(rep.n, 2);
	s = find(&rep, "mcp-server-filesystem");
	assert_non_null(s);
	assert_int_equal(s->pid, 12);
	assert_true(s->running);
	assert_string_equal(s->transport, "stdio");
	assert_string_equal(s->client, "claude-desktop");
	assert_int_equal(s->ndeclared, 1);
	assert_string_equal(s->declared_in[0], "/root/.config/Claude/claude_desktop_config.json");
	assert_int_equal(s->checks[CHK_PINNED_VERSION].status, CHECK_PASS);
	assert_int_equal(s->checks[CHK_RUNS_AS_ROOT].status, CHECK_FAIL);
	assert_int_equal(s->checks[CHK_INLINE_SECRETS].status, CHECK_FAIL);
	assert_non_null(strstr(s->checks[CHK_INLINE_SECRETS].evidence, "GITHUB_TOKEN"));
	assert_null(strstr(s->checks[CHK_INLINE_SECRETS].evidence, "ghp_"));
	assert_int_equal(s->checks[CHK_HTTPS].status, CHECK_NA);
	assert_int_equal(s->checks[CHK_RUNTIME_SHELL].status, CHECK_NA);
	/* Launched with npx: the command is the launcher's. */
	assert_non_null(strstr(s->command, "npx"));
	/* pin 5 + inline 10 + root 5 applicable; only the pin passes. */
	assert_int_equal(s->score, 25);
	assert_int_equal(s->grade, 'F');

	s = find(&rep, "remote");
	assert_non_null(s);
	assert_false(s->running);
	assert_int_equal(s->pid, 0);
	assert_int_equal(s->checks[CHK_HTTPS].status, CHECK_FAIL);
	assert_int_equal(s->checks[CHK_AUTH].status, CHECK_NA);
	assert_int_equal(rep.grade, 'F');
	posture_report_free(&rep);
}

static void test_runtime_findings_fail_and_cap(void **state)
{
	struct posture_report rep;
	struct grade_runtime rt;
	const struct posture_server *s;

	(void)state;
	memset(&rt, 0, sizeof(rt));
	rt.server_pid = 12;
	rt.seen[FINDING_SHELL] = true;
	snprintf(rt.evidence[FINDING_SHELL], sizeof(rt.evidence[0]), "sh -c id");
	collect(&rep, &rt, 1);
	s = find(&rep, "mcp-server-filesystem");
	assert_non_null(s);
	assert_int_equal(s->checks[CHK_RUNTIME_SHELL].status, CHECK_FAIL);
	assert_string_equal(s->checks[CHK_RUNTIME_SHELL].evidence, "sh -c id");
	assert_int_equal(s->checks[CHK_RUNTIME_EGRESS].status, CHECK_PASS);
	assert_int_equal(s->grade, 'F');
	assert_non_null(strstr(s->cap_reason, "shell"));
	posture_report_free(&rep);
}

/* Tool checks are judged only for servers whose calls the tap saw. */
static void test_tool_checks_need_calls(void **state)
{
	struct posture_report rep;
	struct grade_runtime rt;
	const struct posture_server *s;

	(void)state;
	memset(&rt, 0, sizeof(rt));
	rt.server_pid = 12;
	collect(&rep, &rt, 1);
	s = find(&rep, "mcp-server-filesystem");
	assert_non_null(s);
	assert_int_equal(s->checks[CHK_RUNTIME_TOOL_INPUT].status, CHECK_NA);
	assert_int_equal(s->checks[CHK_RUNTIME_TOOL_FLOOD].status, CHECK_NA);
	posture_report_free(&rep);

	rt.tool_calls = 3;
	rt.seen[FINDING_TOOL_INPUT] = true;
	snprintf(rt.evidence[FINDING_TOOL_INPUT], sizeof(rt.evidence[0]), "echo $(id)");
	collect(&rep, &rt, 1);
	s = find(&rep, "mcp-server-filesystem");
	assert_int_equal(s->checks[CHK_RUNTIME_TOOL_INPUT].status, CHECK_FAIL);
	assert_string_equal(s->checks[CHK_RUNTIME_TOOL_INPUT].evidence, "echo $(id)");
	assert_int_equal(s->checks[CHK_RUNTIME_TOOL_OUTPUT].status, CHECK_PASS);
	assert_int_equal(s->checks[CHK_RUNTIME_TOOL_FLOOD].status, CHECK_PASS);
	posture_report_free(&rep);
}

static void test_finding_for_rule(void **state)
{
	(void)state;
	assert_int_equal(grade_finding_for_rule("mcp-shell-spawn"), FINDING_SHELL);
	assert_int_equal(grade_finding_for_rule("mcp-sensitive-file"), FINDING_SENSITIVE_FILE);
	assert_int_equal(grade_finding_for_rule("mcp-plaintext-listener"),
			 FINDING_PLAINTEXT_LISTENER);
	assert_int_equal(grade_finding_for_rule("mcp-cloud-metadata"), FINDING_EGRESS);
	assert_int_equal(grade_finding_for_rule("mcp-anonymous-exec"), FINDING_SHELL);
	assert_int_equal(grade_finding_for_rule("custom"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_running_and_configured),
	    cmocka_unit_test(test_runtime_findings_fail_and_cap),
	    cmocka_unit_test(test_tool_checks_need_calls),
	    cmocka_unit_test(test_finding_for_rule),
	};

	return cmocka_run_group_tests_name("grade", tests, make_root, remove_root);
}
