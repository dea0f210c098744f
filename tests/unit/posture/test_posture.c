/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for scoring, caps, letters, the host grade and the report's JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posture/posture.h"

static void set(struct posture_server *s, enum check_id id, enum check_status st)
{
	check_set(&s->checks[id], st, "evidence for %s", check_def(id)->key);
}

static void test_letters_on_the_agentgrade_scale(void **state)
{
	(void)state;
	assert_int_equal(posture_letter(100), 'A');
	assert_int_equal(posture_letter(90), 'A');
	assert_int_equal(posture_letter(89), 'B');
	assert_int_equal(posture_letter(75), 'B');
	assert_int_equal(posture_letter(74), 'C');
	assert_int_equal(posture_letter(60), 'C');
	assert_int_equal(posture_letter(59), 'D');
	assert_int_equal(posture_letter(40), 'D');
	assert_int_equal(posture_letter(39), 'F');
	assert_int_equal(posture_letter(0), 'F');
}

static void test_score_over_applicable_checks(void **state)
{
	struct posture_server s;

	(void)state;
	memset(&s, 0, sizeof(s));
	posture_grade_server(&s);
	assert_int_equal(s.score, 100);	 /* nothing applies: nothing failed */
	set(&s, CHK_HTTPS, CHECK_FAIL);	 /* 20 */
	set(&s, CHK_AUTH, CHECK_PASS);	 /* 15 */
	set(&s, CHK_CORS, CHECK_PASS);	 /* 8 */
	set(&s, CHK_REGISTRY, CHECK_NA); /* not counted */
	posture_grade_server(&s);
	/* 23 of 43 = 53.49 → 53 */
	assert_int_equal(s.score, 53);
	assert_int_equal(s.grade, 'D');
	assert_string_equal(s.cap_reason, "");
	set(&s, CHK_HTTPS, CHECK_PASS);
	posture_grade_server(&s);
	assert_int_equal(s.score, 100);
	assert_int_equal(s.grade, 'A');
}

static void test_runtime_findings_cap_the_grade(void **state)
{
	struct posture_server s;

	(void)state;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < CHK_COUNT; i++)
		set(&s, i, CHECK_PASS);
	set(&s, CHK_RUNTIME_SENSITIVE_FILE, CHECK_FAIL);
	posture_grade_server(&s);
	assert_int_equal(s.score, 59);
	assert_int_equal(s.grade, 'D');
	assert_non_null(strstr(s.cap_reason, "credential"));
	set(&s, CHK_RUNTIME_SHELL, CHECK_FAIL);
	posture_grade_server(&s);
	assert_int_equal(s.score, 39);
	assert_int_equal(s.grade, 'F');
	assert_non_null(strstr(s.cap_reason, "shell"));
}

static void test_host_is_its_weakest_server_and_json_shape(void **state)
{
	struct posture_report r;
	struct posture_server sv[2];
	cJSON *j, *servers, *first, *checks, *c0;
	char *text;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(sv, 0, sizeof(sv));
	snprintf(r.host, sizeof(r.host), "node-1");
	snprintf(sv[0].name, sizeof(sv[0].name), "good");
	sv[0].pid = 42;
	sv[0].running = true;
	snprintf(sv[0].transport, sizeof(sv[0].transport), "http");
	set(&sv[0], CHK_HTTPS, CHECK_PASS);
	snprintf(sv[1].name, sizeof(sv[1].name), "bad");
	snprintf(sv[1].declared_in[0], sizeof(sv[1].declared_in[0]), "/root/.cursor/mcp.json");
	sv[1].ndeclared = 1;
	set(&sv[1], CHK_HTTPS, CHECK_FAIL);
	posture_grade_server(&sv[0]);
	posture_grade_server(&sv[1]);
	r.servers = sv;
	r.n = 2;
	posture_grade_host(&r);
	assert_int_equal(r.score, 0);
	assert_int_equal(r.grade, 'F');

	j = posture_report_json(&r);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "host"), "grade")->valuestring, "F");
	servers = cJSON_GetObjectItem(j, "servers");
	assert_int_equal(cJSON_GetArraySize(servers), 2);
	first = cJSON_GetArrayItem(servers, 0);
	assert_int_equal(cJSON_GetObjectItem(first, "pid")->valueint, 42);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(servers, 1), "pid")));
	assert_string_equal(cJSON_GetObjectItem(first, "transport")->valuestring, "http");
	checks = cJSON_GetObjectItem(first, "checks");
	assert_int_equal(cJSON_GetArraySize(checks), CHK_COUNT);
	c0 = cJSON_GetArrayItem(checks, 0);
	assert_string_equal(cJSON_GetObjectItem(c0, "id")->valuestring, "https");
	assert_string_equal(cJSON_GetObjectItem(c0, "status")->valuestring, "pass");
	assert_int_equal(cJSON_GetObjectItem(c0, "weight")->valueint, 20);
	assert_non_null(cJSON_GetObjectItem(c0, "practice"));
	assert_non_null(cJSON_GetObjectItem(c0, "fix"));
	assert_string_equal(cJSON_GetObjectItem(c0, "evidence")->valuestring, "evidence for https");
	text = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(text, "\"declared_in\":[\"/root/.cursor/mcp.json\"]"));
	cJSON_free(text);
	cJSON_Delete(j);
}

static void test_table_lists_failures_heaviest_first(void **state)
{
	struct posture_report r;
	struct posture_server s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	snprintf(r.host, sizeof(r.host), "h");
	snprintf(s.name, sizeof(s.name), "srv");
	set(&s, CHK_CSP, CHECK_FAIL);
	set(&s, CHK_HTTPS, CHECK_FAIL);
	set(&s, CHK_AUTH, CHECK_PASS);
	set(&s, CHK_CORS, CHECK_PASS); /* 23 of 46: D */
	posture_grade_server(&s);
	r.servers = &s;
	r.n = 1;
	posture_grade_host(&r);
	posture_print_table(&r, f, false);
	fclose(f);
	assert_non_null(strstr(buf, "Host h: grade D"));
	assert_null(strstr(buf, "\033[")); /* no colour when asked for none */
	assert_true(strstr(buf, "Served over HTTPS") < strstr(buf, "Content-Security-Policy"));
	assert_null(strstr(buf, "Authentication required")); /* passing checks are not listed */
	free(buf);
	check_set(&s.checks[0], CHECK_FAIL, "bad\nbyte\x01");
	assert_string_equal(s.checks[0].evidence, "bad?byte?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_letters_on_the_agentgrade_scale),
	    cmocka_unit_test(test_score_over_applicable_checks),
	    cmocka_unit_test(test_runtime_findings_cap_the_grade),
	    cmocka_unit_test(test_host_is_its_weakest_server_and_json_shape),
	    cmocka_unit_test(test_table_lists_failures_heaviest_first),
	};

	return cmocka_run_group_tests_name("posture", tests, NULL, NULL);
}
