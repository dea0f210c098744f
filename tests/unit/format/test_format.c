// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for user/format/format.c: realistic native records (shell spawn, file,
 * listener, connect, posture drop, aggregate, posture, agent; alerts with the MCP
 * call in flight, tool_call records) in each format,
 * asserting the key fields exactly; then records of the wrong shape.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "format/format.h"

#define T0    "2026-11-25T12:12:04.723646492Z"
#define T0_MS 1795608724723.0
#define T0_NS "1795608724723646492"

static const char shell_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"node-7\"},"
    "\"rule\":{\"id\":\"mcp-shell-spawn\",\"name\":\"Shell spawned in an MCP server tree\","
    "\"severity\":\"critical\",\"tags\":[\"mcp\",\"T1059.004\"]},"
    "\"message\":\"Shell /usr/bin/dash spawned inside MCP server toolbox (pid 300): sh -c id\","
    "\"count\":1,\"server\":{\"pid\":300,\"name\":\"toolbox\",\"cmdline\":\"node toolbox.mjs\","
    "\"transport\":\"stdio\",\"identified_by\":\"protocol\"},"
    "\"process\":{\"pid\":301,\"ppid\":300,\"uid\":1000,\"exe\":\"/usr/bin/dash\","
    "\"cmdline\":\"sh -c id\",\"comm\":\"sh\",\"parent\":{\"pid\":300,\"exe\":\"/usr/bin/node\","
    "\"cmdline\":\"node toolbox.mjs\"}},\"user\":{\"name\":\"alice\"},"
    "\"container\":{\"id\":\"0123456789ab\"}}";

static const char file_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-sensitive-file\",\"name\":\"Credential or secret file opened by an "
    "MCP server\",\"severity\":\"high\",\"tags\":[\"mcp\",\"T1552.004\"]},"
    "\"message\":\"MCP server fs opened sensitive file /home/a/.ssh/id_rsa\",\"count\":1,"
    "\"server\":{\"pid\":14045,\"name\":\"fs\",\"cmdline\":\"node fs.js\"},"
    "\"process\":{\"pid\":14045,\"ppid\":13997,\"uid\":0,\"exe\":\"/usr/bin/node\","
    "\"cmdline\":\"node fs.js\",\"comm\":\"node\",\"parent\":{\"pid\":13997,"
    "\"exe\":\"/usr/bin/node\",\"cmdline\":\"node test.mjs\"}},\"user\":{\"name\":\"root\"},"
    "\"file\":{\"path\":\"/home/a/.ssh/id_rsa\",\"flags\":\"O_RDONLY\",\"result\":17}}";

static const char listen_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-plaintext-listener\",\"name\":\"Plaintext listener\","
    "\"severity\":\"medium\",\"tags\":[]},\"message\":\"listens on 0.0.0.0:3001\",\"count\":1,"
    "\"server\":{\"pid\":500,\"name\":\"everything\"},\"process\":{\"pid\":500,\"ppid\":1,"
    "\"uid\":0,\"exe\":\"/usr/bin/node\",\"cmdline\":\"node everything\",\"comm\":\"node\"},"
    "\"network\":{\"transport\":\"tcp\",\"type\":\"ipv4\",\"local_addr\":\"0.0.0.0\","
    "\"local_port\":3001,\"tls\":false}}";

static const char connect_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-metadata\",\"name\":\"Cloud metadata\",\"severity\":\"low\"},"
    "\"message\":\"connect\",\"count\":1,\"process\":{\"pid\":9,\"exe\":\"/usr/bin/curl\"},"
    "\"network\":{\"transport\":\"tcp\",\"type\":\"ipv6\",\"remote_addr\":\"fd00::1\","
    "\"remote_port\":80}}";

static const char drop_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-posture-drop\",\"name\":\"MCP server posture grade dropped\","
    "\"severity\":\"high\",\"tags\":[\"mcp\",\"posture\"]},\"message\":\"dropped from A to F\","
    "\"count\":1,\"server\":{\"pid\":77,\"name\":\"srv\",\"cmdline\":\"srv --http\"},"
    "\"posture\":{\"from\":\"A\",\"to\":\"F\",\"score_from\":95,\"score_to\":30}}";

static const char aggregate_alert[] =
    "{\"kind\":\"alert\",\"time\":\"2026-11-25T12:13:00.5Z\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"r\",\"severity\":\"info\"},\"count\":3,"
    "\"process\":{\"pid\":1,\"exe\":\"/bin/x\"},\"aggregate\":{\"first_time\":\"" T0 "\","
    "\"last_time\":\"2026-11-25T12:13:00.5Z\",\"window_s\":60}}";

static const char posture_server[] =
    "{\"kind\":\"posture\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},\"scope\":\"server\","
    "\"server\":{\"name\":\"everything\",\"pid\":3359,\"running\":true,\"transport\":\"http\","
    "\"command\":\"node everything\",\"grade\":\"F\",\"score\":30,\"capped_by\":null,"
    "\"checks\":[{\"id\":\"https\",\"status\":\"fail\",\"weight\":20}]}}";

static const char posture_host[] =
    "{\"kind\":\"posture\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\",\"grade\":\"B\","
    "\"score\":80},\"scope\":\"host\",\"servers\":[{\"name\":\"a\",\"pid\":null,"
    "\"grade\":\"B\",\"score\":80}]}";

static const char agent_ready[] =
    "{\"kind\":\"agent\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},\"event\":\"ready\","
    "\"version\":\"0.1.0\",\"pid\":4242,\"file_backend\":\"raw_tp\",\"rules\":3}";

/* A shell spawned while one tools/call was in flight (string request id). */
static const char mcp_shell_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-shell-spawn\",\"name\":\"Shell spawned in an MCP server tree\","
    "\"severity\":\"critical\",\"tags\":[\"mcp\"]},\"message\":\"shell\",\"count\":1,"
    "\"server\":{\"pid\":300,\"name\":\"toolbox\",\"version\":\"1.2.0\",\"transport\":\"http\"},"
    "\"process\":{\"pid\":301,\"ppid\":300,\"exe\":\"/usr/bin/dash\",\"comm\":\"sh\"},"
    "\"mcp\":{\"method\":\"tools/call\",\"request\":{\"id\":\"\\\"a1\\\"\"},"
    "\"tool\":{\"name\":\"run\",\"argument_keys\":[\"command\"]},"
    "\"client\":{\"name\":\"claude-code\",\"version\":\"2.1.0\"},\"transport\":\"http\","
    "\"session\":{\"id\":\"sess-9\"}}}";

/* A credential read while two calls were in flight: no single call. */
static const char mcp_ambiguous_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-sensitive-file\",\"name\":\"Credential file\",\"severity\":\"high\"},"
    "\"message\":\"id_rsa\",\"count\":1,\"server\":{\"pid\":42,\"name\":\"fs\","
    "\"transport\":\"stdio\"},\"process\":{\"pid\":42,\"exe\":\"/usr/bin/node\"},"
    "\"file\":{\"path\":\"/root/.ssh/id_rsa\"},\"mcp\":{\"ambiguous\":true,\"candidates\":["
    "{\"method\":\"tools/call\",\"request\":{\"id\":\"7\"},\"tool\":{\"name\":\"read_file\"}},"
    "{\"method\":\"tools/call\",\"request\":{\"id\":\"8\"},\"tool\":{\"name\":\"list_dir\"}}]}}";

/* A tool_result rule: the answer, a JSON-RPC error, is part of the alert. */
static const char mcp_result_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"rule\":{\"id\":\"mcp-tool-output-injection\",\"name\":\"Injection in a tool result\","
    "\"severity\":\"high\",\"tags\":[\"mcp\"]},\"message\":\"injection\",\"count\":1,"
    "\"server\":{\"pid\":42,\"name\":\"fs\",\"transport\":\"stdio\"},"
    "\"process\":{\"pid\":42,\"exe\":\"/usr/bin/node\",\"comm\":\"node\"},"
    "\"mcp\":{\"method\":\"tools/call\",\"request\":{\"id\":\"7\"},\"tool\":{\"name\":\"fetch\"},"
    "\"client\":{\"name\":\"claude-code\"},\"transport\":\"stdio\",\"result\":{"
    "\"outcome\":\"error\",\"error\":{\"code\":-32602},\"bytes\":1234},\"duration_ms\":12}}";

#define T_START	   "2026-11-25T12:12:04.711Z"
#define T_START_MS 1795608724711.0

/* The audit record of a call answered with a JSON-RPC error. */
static const char tool_call_error[] =
    "{\"kind\":\"tool_call\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"server\":{\"name\":\"fs\",\"pid\":42,\"version\":\"1.0\",\"transport\":\"stdio\","
    "\"cmdline\":\"node server.js\"},\"process\":{\"pid\":42,\"exe\":\"/usr/bin/node\"},"
    "\"container\":{\"id\":\"0123456789ab\"},\"mcp\":{\"method\":\"tools/call\","
    "\"request\":{\"id\":\"7\"},\"tool\":{\"name\":\"read_file\",\"argument_keys\":[\"path\"],"
    "\"arguments\":\"{\\\"path\\\":\\\"[REDACTED]\\\"}\"},\"client\":{\"name\":\"claude-code\","
    "\"version\":\"2.1.0\"},\"transport\":\"stdio\",\"session\":{\"id\":\"abc\"}},"
    "\"tool_call\":{\"start\":\"" T_START "\",\"duration_ms\":12,\"outcome\":\"error\","
    "\"error\":{\"code\":-32602,\"message\":\"path outside the roots\"},"
    "\"request_bytes\":120,\"response_bytes\":4567}}";

/* A successful call over HTTP, string id, no client name (the tap joined late). */
static const char tool_call_ok[] =
    "{\"kind\":\"tool_call\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"server\":{\"name\":\"web\",\"pid\":50,\"transport\":\"http\"},"
    "\"process\":{\"pid\":50,\"exe\":\"/usr/bin/python3\"},\"mcp\":{\"method\":\"tools/call\","
    "\"request\":{\"id\":\"\\\"x-1\\\"\"},\"tool\":{\"name\":\"search\"},\"transport\":\"http\"},"
    "\"tool_call\":{\"start\":\"" T_START "\",\"duration_ms\":12,\"outcome\":\"result\","
    "\"is_error\":false,\"request_bytes\":50,\"response_bytes\":900}}";

/* A call abandoned without an answer. */
static const char tool_call_unanswered[] =
    "{\"kind\":\"tool_call\",\"time\":\"" T0 "\",\"host\":{\"name\":\"vm\"},"
    "\"server\":{\"name\":\"fs\",\"pid\":42},\"mcp\":{\"method\":\"tools/call\","
    "\"request\":{\"id\":\"3\"},\"client\":{\"name\":\"cursor\"},\"transport\":\"stdio\"},"
    "\"tool_call\":{\"duration_ms\":30000,\"outcome\":\"unanswered\"}}";

/* ---------------------------------------------------------------- helpers */

static cJSON *fmt(enum record_format f, const char *json)
{
	cJSON *in = cJSON_Parse(json), *out;

	if (!in)
		fail_msg("test record does not parse: %s", json);
	out = format_record(f, in);
	cJSON_Delete(in);
	/* Whatever it is, it prints and parses back as one object. */
	if (out) {
		char *text = cJSON_PrintUnformatted(out);
		cJSON *back = cJSON_Parse(text);

		assert_non_null(back);
		assert_true(cJSON_IsObject(back));
		assert_null(strchr(text, '\n'));
		cJSON_Delete(back);
		cJSON_free(text);
	}
	return out;
}

/* A value by '/'-separated keys ("finding_info/analytic/type_id"); keys may hold dots. */
static const cJSON *get(const cJSON *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, "/", &save); k && o; k = strtok_r(NULL, "/", &save)) {
		if (cJSON_IsArray(o) && k[0] >= '0' && k[0] <= '9')
			o = cJSON_GetArrayItem(o, atoi(k));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, k);
	}
	return o;
}

static void expect_str(const cJSON *o, const char *path, const char *want)
{
	const cJSON *v = get(o, path);

	if (!cJSON_IsString(v))
		fail_msg("%s: not a string", path);
	if (strcmp(v->valuestring, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", path, v->valuestring, want);
}

static void expect_num(const cJSON *o, const char *path, double want)
{
	const cJSON *v = get(o, path);

	if (!cJSON_IsNumber(v))
		fail_msg("%s: not a number", path);
	if (v->valuedouble != want)
		fail_msg("%s: got %.17g, want %.17g", path, v->valuedouble, want);
}

static void expect_absent(const cJSON *o, const char *path)
{
	if (get(o, path))
		fail_msg("%s: present, want absent", path);
}

/* ---------------------------------------------------------------- OCSF */

static void expect_ocsf_finding(const cJSON *o, double class_uid)
{
	expect_num(o, "class_uid", class_uid);
	expect_num(o, "category_uid", 2);
	expect_num(o, "activity_id", 1);
	expect_num(o, "type_uid", class_uid * 100 + 1);
	expect_num(o, "time", T0_MS);
	expect_num(o, "status_id", 1);
	expect_str(o, "metadata/version", "1.3.0");
	expect_str(o, "metadata/product/name", "mcpwatch");
	expect_str(o, "metadata/product/vendor_name", "mcpwatch");
	assert_true(cJSON_IsString(get(o, "metadata/product/version")));
	assert_int_equal(strlen(get(o, "finding_info/uid")->valuestring), 16);
	expect_str(o, "metadata/uid", get(o, "finding_info/uid")->valuestring);
}

static void test_ocsf_shell_spawn(void **state)
{
	cJSON *o = fmt(FMT_OCSF, shell_alert);

	assert_non_null(o);
	expect_ocsf_finding(o, 2004);
	expect_num(o, "severity_id", 5);
	expect_str(o, "severity", "Critical");
	expect_str(o, "finding_info/title", "Shell spawned in an MCP server tree");
	expect_str(o, "finding_info/types/0", "mcp-shell-spawn");
	expect_str(o, "finding_info/analytic/uid", "mcp-shell-spawn");
	expect_num(o, "finding_info/analytic/type_id", 1);
	expect_str(o, "message",
		   "Shell /usr/bin/dash spawned inside MCP server toolbox (pid 300): sh -c id");
	expect_num(o, "evidences/0/process/pid", 301);
	expect_str(o, "evidences/0/process/name", "sh");
	expect_str(o, "evidences/0/process/cmd_line", "sh -c id");
	expect_str(o, "evidences/0/process/file/path", "/usr/bin/dash");
	expect_str(o, "evidences/0/process/file/name", "dash");
	expect_num(o, "evidences/0/process/file/type_id", 1);
	expect_str(o, "evidences/0/process/user/uid", "1000");
	expect_str(o, "evidences/0/process/user/name", "alice");
	expect_num(o, "evidences/0/process/parent_process/pid", 300);
	expect_str(o, "evidences/0/process/parent_process/file/path", "/usr/bin/node");
	expect_str(o, "device/hostname", "node-7");
	expect_str(o, "container/uid", "0123456789ab");
	expect_str(o, "metadata/profiles/1", "container");
	expect_str(o, "unmapped/server/name", "toolbox");
	expect_str(o, "unmapped/rule/tags/1", "T1059.004");
	expect_num(o, "count", 1);
	expect_absent(o, "evidences/0/file");
	cJSON_Delete(o);
}

static void test_ocsf_file_and_network(void **state)
{
	cJSON *f = fmt(FMT_OCSF, file_alert), *l = fmt(FMT_OCSF, listen_alert);
	cJSON *c = fmt(FMT_OCSF, connect_alert);

	expect_num(f, "severity_id", 4);
	expect_str(f, "evidences/0/file/path", "/home/a/.ssh/id_rsa");
	expect_str(f, "evidences/0/file/name", "id_rsa");
	expect_num(f, "evidences/0/file/type_id", 0);
	expect_absent(f, "container");
	expect_num(l, "severity_id", 3);
	expect_str(l, "evidences/0/dst_endpoint/ip", "0.0.0.0");
	expect_num(l, "evidences/0/dst_endpoint/port", 3001);
	expect_num(l, "evidences/0/connection_info/direction_id", 1);
	expect_num(l, "evidences/0/connection_info/protocol_ver_id", 4);
	expect_num(c, "severity_id", 2);
	expect_str(c, "evidences/0/dst_endpoint/ip", "fd00::1");
	expect_num(c, "evidences/0/dst_endpoint/port", 80);
	expect_num(c, "evidences/0/connection_info/direction_id", 2);
	expect_num(c, "evidences/0/connection_info/protocol_ver_id", 6);
	/* Distinct records, distinct ids; the same record twice, the same id. */
	assert_string_not_equal(get(f, "finding_info/uid")->valuestring,
				get(l, "finding_info/uid")->valuestring);
	cJSON_Delete(l);
	l = fmt(FMT_OCSF, listen_alert);
	assert_non_null(l);
	cJSON_Delete(f);
	f = fmt(FMT_OCSF, listen_alert);
	assert_string_equal(get(f, "finding_info/uid")->valuestring,
			    get(l, "finding_info/uid")->valuestring);
	cJSON_Delete(f);
	cJSON_Delete(l);
	cJSON_Delete(c);
}

static void test_ocsf_drop_and_aggregate(void **state)
{
	cJSON *d = fmt(FMT_OCSF, drop_alert), *a = fmt(FMT_OCSF, aggregate_alert);

	expect_ocsf_finding(d, 2004);
	expect_num(d, "evidences/0/process/pid", 77);
	expect_str(d, "evidences/0/process/cmd_line", "srv --http");
	expect_str(d, "unmapped/posture/to", "F");
	expect_num(a, "severity_id", 1);
	expect_num(a, "count", 3);
	expect_num(a, "start_time", T0_MS);
	expect_num(a, "end_time", 1795608780500.0);
	expect_num(a, "finding_info/first_seen_time", T0_MS);
	expect_str(a, "finding_info/title", "r"); /* no name: the id */
	cJSON_Delete(d);
	cJSON_Delete(a);
}

static void test_ocsf_posture_and_agent(void **state)
{
	cJSON *s = fmt(FMT_OCSF, posture_server), *h = fmt(FMT_OCSF, posture_host);

	expect_ocsf_finding(s, 2003);
	expect_str(s, "compliance/standards/0", "AgentGrade");
	expect_num(s, "compliance/status_id", 3);
	expect_str(s, "compliance/status", "Fail");
	expect_num(s, "severity_id", 4);
	expect_str(s, "message", "Posture of MCP server everything: grade F (30/100)");
	expect_num(s, "evidences/0/process/pid", 3359);
	expect_str(s, "unmapped/posture/server/checks/0/id", "https");
	expect_ocsf_finding(h, 2003);
	expect_num(h, "compliance/status_id", 1);
	expect_num(h, "severity_id", 1);
	expect_str(h, "message", "Posture of host vm: grade B (80/100)");
	expect_absent(h, "evidences");
	assert_null(fmt(FMT_OCSF, agent_ready));
	cJSON_Delete(s);
	cJSON_Delete(h);
}

/* ---------------------------------------------------------------- ECS */

static void expect_ecs(const cJSON *o, const char *kind, const char *category, const char *type)
{
	expect_str(o, "@timestamp", T0);
	expect_str(o, "ecs/version", "8.11.0");
	expect_str(o, "event/kind", kind);
	expect_str(o, "event/category/0", category);
	expect_str(o, "event/type/0", type);
	expect_str(o, "event/module", "mcpwatch");
	expect_str(o, "host/name", "vm");
	expect_str(o, "host/hostname", "vm");
}

static void test_ecs_alerts(void **state)
{
	cJSON *f = fmt(FMT_ECS, file_alert), *s = fmt(FMT_ECS, shell_alert);
	cJSON *l = fmt(FMT_ECS, listen_alert), *d = fmt(FMT_ECS, drop_alert);

	expect_ecs(f, "alert", "file", "access");
	expect_str(f, "event/dataset", "mcpwatch.alert");
	expect_num(f, "event/severity", 4);
	expect_num(f, "event/risk_score", 73);
	expect_str(f, "rule/id", "mcp-sensitive-file");
	expect_str(f, "rule/ruleset", "mcpwatch");
	expect_str(f, "process/executable", "/usr/bin/node");
	expect_str(f, "process/command_line", "node fs.js");
	expect_num(f, "process/pid", 14045);
	expect_num(f, "process/parent/pid", 13997);
	expect_str(f, "process/user/id", "0");
	expect_str(f, "file/path", "/home/a/.ssh/id_rsa");
	expect_str(f, "file/name", "id_rsa");
	expect_str(f, "mcpwatch/server/name", "fs");
	expect_num(f, "mcpwatch/count", 1);
	expect_str(f, "mcpwatch/file/flags", "O_RDONLY");
	expect_str(f, "tags/1", "T1552.004");
	expect_str(s, "event/category/0", "process");
	expect_str(s, "event/type/0", "start");
	expect_num(s, "event/severity", 5);
	expect_str(s, "container/id", "0123456789ab");
	expect_str(s, "process/name", "sh");
	expect_ecs(l, "alert", "network", "connection");
	expect_str(l, "destination/ip", "0.0.0.0");
	expect_num(l, "destination/port", 3001);
	expect_str(l, "network/transport", "tcp");
	expect_str(l, "network/type", "ipv4");
	expect_str(l, "network/direction", "ingress");
	assert_true(cJSON_IsFalse(get(l, "mcpwatch/network/tls")));
	expect_ecs(d, "alert", "configuration", "change");
	expect_num(d, "process/pid", 77);
	expect_str(d, "mcpwatch/posture/from", "A");
	cJSON_Delete(f);
	cJSON_Delete(s);
	cJSON_Delete(l);
	cJSON_Delete(d);
}

static void test_ecs_posture_agent_aggregate(void **state)
{
	cJSON *p = fmt(FMT_ECS, posture_server), *h = fmt(FMT_ECS, posture_host);
	cJSON *a = fmt(FMT_ECS, agent_ready), *g = fmt(FMT_ECS, aggregate_alert);

	expect_ecs(p, "state", "configuration", "info");
	expect_str(p, "event/dataset", "mcpwatch.posture");
	expect_str(p, "mcpwatch/posture/grade", "F");
	expect_num(p, "mcpwatch/posture/score", 30);
	expect_str(p, "mcpwatch/posture/server/transport", "http");
	expect_str(h, "mcpwatch/posture/scope", "host");
	expect_str(h, "mcpwatch/posture/grade", "B");
	expect_absent(h, "host/grade"); /* no such ECS field: moved under mcpwatch */
	expect_ecs(a, "event", "process", "start");
	expect_str(a, "event/dataset", "mcpwatch.agent");
	expect_str(a, "mcpwatch/agent/event", "ready");
	expect_num(a, "mcpwatch/agent/pid", 4242);
	expect_str(g, "event/start", T0);
	expect_str(g, "event/end", "2026-11-25T12:13:00.500000000Z");
	expect_num(g, "event/risk_score", 0);
	cJSON_Delete(p);
	cJSON_Delete(h);
	cJSON_Delete(a);
	cJSON_Delete(g);
}

/* ---------------------------------------------------------------- Falco */

static void test_falco_alerts(void **state)
{
	cJSON *s = fmt(FMT_FALCO, shell_alert), *l = fmt(FMT_FALCO, listen_alert);
	cJSON *c = fmt(FMT_FALCO, connect_alert), *f = fmt(FMT_FALCO, file_alert);
	const cJSON *t;

	expect_str(s, "time", T0);
	expect_str(s, "rule", "Shell spawned in an MCP server tree");
	expect_str(s, "priority", "Critical");
	expect_str(s, "output",
		   T0 ": Critical Shell /usr/bin/dash spawned inside MCP server "
		      "toolbox (pid 300): sh -c id");
	expect_str(s, "hostname", "node-7");
	expect_str(s, "source", "mcpwatch");
	expect_str(s, "tags/0", "mcp");
	expect_num(s, "output_fields/proc.pid", 301);
	expect_str(s, "output_fields/proc.name", "sh");
	expect_str(s, "output_fields/proc.cmdline", "sh -c id");
	expect_str(s, "output_fields/proc.exepath", "/usr/bin/dash");
	expect_num(s, "output_fields/proc.ppid", 300);
	expect_str(s, "output_fields/proc.pcmdline", "node toolbox.mjs");
	expect_num(s, "output_fields/user.uid", 1000);
	expect_str(s, "output_fields/user.name", "alice");
	expect_str(s, "output_fields/container.id", "0123456789ab");
	expect_str(s, "output_fields/mcp.server.name", "toolbox");
	expect_num(s, "output_fields/mcp.server.pid", 300);
	/* Nanoseconds, exact: written verbatim, as a double cannot hold them. */
	t = get(s, "output_fields/evt.time");
	assert_true(cJSON_IsRaw(t));
	assert_string_equal(t->valuestring, T0_NS);
	expect_str(f, "priority", "Error");
	expect_str(f, "output_fields/fd.name", "/home/a/.ssh/id_rsa");
	expect_str(f, "output_fields/container.id", "host");
	expect_str(l, "priority", "Warning");
	expect_str(l, "output_fields/fd.sip", "0.0.0.0");
	expect_num(l, "output_fields/fd.sport", 3001);
	expect_str(l, "output_fields/fd.name", "0.0.0.0:3001");
	expect_str(c, "priority", "Notice");
	expect_str(c, "output_fields/fd.rip", "fd00::1");
	expect_str(c, "output_fields/fd.name", "[fd00::1]:80");
	cJSON_Delete(s);
	cJSON_Delete(l);
	cJSON_Delete(c);
	cJSON_Delete(f);
}

static void test_falco_no_form(void **state)
{
	cJSON *d = fmt(FMT_FALCO, drop_alert), *a = fmt(FMT_FALCO, aggregate_alert);

	assert_null(fmt(FMT_FALCO, posture_server));
	assert_null(fmt(FMT_FALCO, posture_host));
	assert_null(fmt(FMT_FALCO, agent_ready));
	expect_str(d, "output_fields/mcp.server.name", "srv");
	expect_absent(d, "output_fields/proc.pid");
	expect_str(a, "priority", "Informational");
	cJSON_Delete(d);
	cJSON_Delete(a);
}

/* ---------------------------------------------------------------- MCP calls */

static void test_ocsf_alert_mcp(void **state)
{
	cJSON *s = fmt(FMT_OCSF, mcp_shell_alert), *a = fmt(FMT_OCSF, mcp_ambiguous_alert);
	cJSON *r = fmt(FMT_OCSF, mcp_result_alert);

	expect_ocsf_finding(s, 2004);
	expect_num(s, "evidences/0/process/pid", 301);
	expect_str(s, "evidences/0/api/operation", "tools/call");
	expect_str(s, "evidences/0/api/request/uid", "\"a1\"");
	expect_str(s, "evidences/0/api/service/name", "toolbox");
	expect_str(s, "evidences/0/api/service/version", "1.2.0");
	expect_absent(s, "evidences/0/api/response");
	expect_str(s, "evidences/0/actor/app_name", "claude-code");
	expect_str(s, "evidences/0/actor/session/uid", "sess-9");
	expect_str(s, "unmapped/mcp/tool/name", "run");
	expect_str(s, "unmapped/mcp/tool/argument_keys/0", "command");
	expect_str(s, "unmapped/mcp/client/version", "2.1.0");
	/* Ambiguous: no call is this alert's; the candidates stay as they are. */
	expect_ocsf_finding(a, 2004);
	expect_str(a, "evidences/0/file/path", "/root/.ssh/id_rsa");
	expect_absent(a, "evidences/0/api");
	expect_absent(a, "evidences/0/actor");
	assert_true(cJSON_IsTrue(get(a, "unmapped/mcp/ambiguous")));
	expect_str(a, "unmapped/mcp/candidates/1/tool/name", "list_dir");
	expect_str(a, "unmapped/mcp/candidates/0/request/id", "7");
	/* A tool_result alert: the JSON-RPC error is the API response. */
	expect_num(r, "evidences/0/process/pid", 42);
	expect_str(r, "evidences/0/api/request/uid", "7");
	expect_num(r, "evidences/0/api/response/code", -32602);
	expect_str(r, "evidences/0/api/response/error", "Invalid params");
	expect_num(r, "unmapped/mcp/result/bytes", 1234);
	expect_num(r, "unmapped/mcp/duration_ms", 12);
	cJSON_Delete(s);
	cJSON_Delete(a);
	cJSON_Delete(r);
}

static void expect_ocsf_api_activity(const cJSON *o)
{
	expect_num(o, "class_uid", 6003);
	expect_str(o, "class_name", "API Activity");
	expect_num(o, "category_uid", 6);
	expect_str(o, "category_name", "Application Activity");
	expect_num(o, "activity_id", 99);
	expect_num(o, "type_uid", 600399);
	expect_str(o, "type_name", "API Activity: Other");
	expect_num(o, "time", T0_MS);
	expect_num(o, "severity_id", 1);
	expect_str(o, "metadata/version", "1.3.0");
	expect_str(o, "metadata/product/name", "mcpwatch");
	assert_int_equal(strlen(get(o, "metadata/uid")->valuestring), 16);
	expect_absent(o, "finding_info");
}

static void test_ocsf_tool_call_error(void **state)
{
	cJSON *o = fmt(FMT_OCSF, tool_call_error);

	assert_non_null(o);
	expect_ocsf_api_activity(o);
	expect_num(o, "status_id", 2);
	expect_str(o, "status", "Failure");
	expect_str(o, "status_code", "-32602");
	expect_str(o, "status_detail", "error");
	expect_str(o, "message",
		   "MCP tools/call read_file on server fs from claude-code: error -32602 "
		   "(Invalid params) (12 ms)");
	expect_num(o, "start_time", T_START_MS);
	expect_num(o, "end_time", T0_MS);
	expect_num(o, "duration", 12);
	expect_str(o, "api/operation", "tools/call");
	expect_str(o, "api/request/uid", "7");
	expect_num(o, "api/response/code", -32602);
	expect_str(o, "api/response/error", "Invalid params");
	expect_str(o, "api/response/error_message", "path outside the roots");
	expect_str(o, "api/service/name", "fs");
	expect_str(o, "api/service/version", "1.0");
	expect_str(o, "actor/app_name", "claude-code");
	expect_str(o, "actor/session/uid", "abc");
	expect_str(o, "src_endpoint/hostname", "vm"); /* stdio: the client is local */
	expect_str(o, "dst_endpoint/hostname", "vm");
	expect_str(o, "dst_endpoint/svc_name", "fs");
	expect_str(o, "resources/0/name", "read_file");
	expect_str(o, "resources/0/type", "MCP tool");
	expect_str(o, "container/uid", "0123456789ab");
	expect_str(o, "metadata/profiles/1", "container");
	expect_str(o, "unmapped/mcp/tool/arguments", "{\"path\":\"[REDACTED]\"}");
	expect_num(o, "unmapped/tool_call/response_bytes", 4567);
	expect_str(o, "unmapped/server/cmdline", "node server.js");
	expect_num(o, "unmapped/process/pid", 42);
	cJSON_Delete(o);
}

static void test_ocsf_tool_call_ok_and_unanswered(void **state)
{
	cJSON *o = fmt(FMT_OCSF, tool_call_ok), *u = fmt(FMT_OCSF, tool_call_unanswered);

	expect_ocsf_api_activity(o);
	expect_num(o, "status_id", 1);
	expect_str(o, "status", "Success");
	expect_absent(o, "status_code");
	expect_absent(o, "api/response");
	expect_str(o, "api/request/uid", "\"x-1\"");
	expect_absent(o, "api/service/version");
	/* Required by OCSF, unknown here: said so, not left out. */
	expect_str(o, "actor/app_name", "unknown");
	expect_str(o, "src_endpoint/svc_name", "unknown");
	expect_absent(o, "src_endpoint/hostname");
	expect_str(o, "message", "MCP tools/call search on server web: answered (12 ms)");
	expect_ocsf_api_activity(u);
	expect_num(u, "status_id", 99);
	expect_str(u, "status", "Unanswered");
	expect_absent(u, "start_time");
	expect_num(u, "duration", 30000);
	expect_str(u, "actor/app_name", "cursor");
	expect_absent(u, "resources");
	expect_str(u, "message", "MCP tools/call on server fs from cursor: unanswered (30000 ms)");
	cJSON_Delete(o);
	cJSON_Delete(u);
}

static void test_ecs_mcp(void **state)
{
	cJSON *s = fmt(FMT_ECS, mcp_shell_alert), *r = fmt(FMT_ECS, mcp_result_alert);
	cJSON *e = fmt(FMT_ECS, tool_call_error), *o = fmt(FMT_ECS, tool_call_ok);
	cJSON *u = fmt(FMT_ECS, tool_call_unanswered);

	expect_ecs(s, "alert", "process", "start");
	expect_str(s, "mcpwatch/mcp/request/id", "\"a1\"");
	expect_str(s, "mcpwatch/mcp/client/name", "claude-code");
	expect_absent(s, "mcp");
	expect_absent(s, "user_agent");
	expect_ecs(r, "alert", "api", "access");
	expect_str(r, "mcpwatch/mcp/result/outcome", "error");
	expect_absent(r, "error"); /* an alert is not an error event */
	expect_ecs(e, "event", "api", "access");
	expect_str(e, "event/dataset", "mcpwatch.tool_call");
	expect_str(e, "event/action", "tool_call");
	expect_str(e, "event/outcome", "failure");
	expect_num(e, "event/duration", 12000000);
	expect_str(e, "event/start", "2026-11-25T12:12:04.711000000Z");
	expect_str(e, "event/end", T0);
	expect_absent(e, "event/severity");
	expect_str(e, "error/code", "-32602");
	expect_str(e, "error/message", "path outside the roots");
	expect_str(e, "error/type", "Invalid params");
	expect_num(e, "process/pid", 42);
	expect_str(e, "process/executable", "/usr/bin/node");
	expect_str(e, "container/id", "0123456789ab");
	expect_str(e, "mcpwatch/server/name", "fs");
	expect_str(e, "mcpwatch/mcp/tool/name", "read_file");
	expect_num(e, "mcpwatch/tool_call/request_bytes", 120);
	expect_str(o, "event/outcome", "success");
	expect_absent(o, "error");
	expect_str(u, "event/outcome", "unknown");
	expect_absent(u, "event/start");
	cJSON_Delete(s);
	cJSON_Delete(r);
	cJSON_Delete(e);
	cJSON_Delete(o);
	cJSON_Delete(u);
}

static void test_falco_mcp(void **state)
{
	cJSON *s = fmt(FMT_FALCO, mcp_shell_alert), *a = fmt(FMT_FALCO, mcp_ambiguous_alert);
	cJSON *r = fmt(FMT_FALCO, mcp_result_alert), *f = fmt(FMT_FALCO, file_alert);

	expect_str(s, "output_fields/mcp.method", "tools/call");
	expect_str(s, "output_fields/mcp.tool.name", "run");
	expect_str(s, "output_fields/mcp.request.id", "\"a1\"");
	expect_str(s, "output_fields/mcp.client.name", "claude-code");
	expect_str(s, "output_fields/mcp.transport", "http");
	expect_absent(s, "output_fields/mcp.ambiguous");
	assert_true(cJSON_IsTrue(get(a, "output_fields/mcp.ambiguous")));
	expect_str(a, "output_fields/mcp.transport", "stdio"); /* from server.transport */
	expect_absent(a, "output_fields/mcp.method");
	expect_absent(a, "output_fields/mcp.tool.name");
	expect_str(r, "output_fields/mcp.result.outcome", "error");
	expect_absent(f, "output_fields/mcp.method");
	expect_absent(f, "output_fields/mcp.transport");
	/* Falco's stream is alerts: a tool_call record has no Falco form. */
	assert_null(fmt(FMT_FALCO, tool_call_error));
	cJSON_Delete(s);
	cJSON_Delete(a);
	cJSON_Delete(r);
	cJSON_Delete(f);
}

static void test_mcp_native_and_ids(void **state)
{
	cJSON *in = cJSON_Parse(tool_call_error), *n = format_record(FMT_NATIVE, in);
	cJSON *a = fmt(FMT_OCSF, tool_call_error), *b = fmt(FMT_OCSF, tool_call_unanswered);
	cJSON *c = fmt(FMT_ECS, tool_call_error);

	assert_true(cJSON_Compare(in, n, true));
	expect_str(c, "event/id", get(a, "metadata/uid")->valuestring);
	assert_string_not_equal(get(a, "metadata/uid")->valuestring,
				get(b, "metadata/uid")->valuestring);
	/* Wrong types: fields lost, never an invalid record. */
	cJSON_Delete(b);
	b = fmt(FMT_OCSF,
		"{\"kind\":\"tool_call\",\"time\":\"" T0 "\",\"mcp\":{\"method\":7,"
		"\"request\":{\"id\":7},\"client\":[],\"result\":1},"
		"\"tool_call\":{\"duration_ms\":-1,\"start\":\"x\",\"error\":{\"code\":1.5}}}");
	expect_str(b, "api/operation", "unknown");
	expect_str(b, "actor/app_name", "unknown");
	expect_str(b, "src_endpoint/svc_name", "unknown");
	expect_num(b, "status_id", 0);
	expect_absent(b, "duration");
	expect_absent(b, "start_time");
	expect_absent(b, "status_code");
	cJSON_Delete(in);
	cJSON_Delete(n);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
}

/* ---------------------------------------------------------------- edges */

static void test_parse_and_names(void **state)
{
	enum record_format f = FMT_NATIVE;

	assert_int_equal(format_parse("ocsf", &f), 0);
	assert_int_equal(f, FMT_OCSF);
	assert_int_equal(format_parse("falco", &f), 0);
	assert_string_equal(format_name(f), "falco");
	assert_int_equal(format_parse("OCSF", &f), -1);
	assert_int_equal(format_parse("", &f), -1);
	assert_int_equal(format_parse(NULL, &f), -1);
	assert_string_equal(format_name(FMT_ECS), "ecs");
	assert_string_equal(format_name(FMT_NATIVE), "native");
}

/* ---------------------------------------------------------------- containers and pods */

static const char pod_alert[] =
    "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"host\":{\"name\":\"node-1\"},"
    "\"rule\":{\"id\":\"mcp-sensitive-file\",\"name\":\"Secret file\",\"severity\":\"high\"},"
    "\"message\":\"m\",\"count\":1,\"process\":{\"pid\":41,\"exe\":\"/usr/bin/node\"},"
    "\"container\":{\"id\":\"c0ffee\",\"name\":\"mcp-fs\",\"image\":"
    "\"registry.local:5000/team/mcp-fs:1.4@sha256:ab\",\"image_id\":\"sha256:cd\","
    "\"runtime\":\"containerd\"},\"k8s\":{\"pod\":{\"name\":\"mcp-fs-7d9f8\",\"uid\":"
    "\"5a1b2c3d-4e5f-6789-abcd-ef0123456789\"},\"namespace\":\"agents\",\"node\":{\"name\":"
    "\"node-1\"},\"container\":{\"name\":\"mcp-fs\"}}}";

static void test_ocsf_container_and_pod(void **state)
{
	cJSON *o = fmt(FMT_OCSF, pod_alert), *s = fmt(FMT_OCSF, shell_alert);

	expect_str(o, "container/uid", "c0ffee");
	expect_str(o, "container/name", "mcp-fs");
	expect_str(o, "container/runtime", "containerd");
	expect_str(o, "container/image/uid", "sha256:cd");
	expect_str(o, "container/image/name", "registry.local:5000/team/mcp-fs:1.4@sha256:ab");
	expect_str(o, "container/orchestrator", "Kubernetes");
	expect_str(o, "container/pod_uuid", "5a1b2c3d-4e5f-6789-abcd-ef0123456789");
	expect_str(o, "unmapped/k8s/namespace", "agents");
	expect_str(o, "unmapped/k8s/pod/name", "mcp-fs-7d9f8");
	/* An id alone: no image (OCSF needs its uid), no orchestrator. */
	expect_str(s, "container/uid", "0123456789ab");
	expect_absent(s, "container/image");
	expect_absent(s, "container/orchestrator");
	expect_absent(s, "unmapped/k8s");
	cJSON_Delete(o);
	cJSON_Delete(s);
}

static void test_ecs_container_and_pod(void **state)
{
	cJSON *e = fmt(FMT_ECS, pod_alert), *s = fmt(FMT_ECS, shell_alert);

	expect_str(e, "container/id", "c0ffee");
	expect_str(e, "container/name", "mcp-fs");
	expect_str(e, "container/image/name", "registry.local:5000/team/mcp-fs:1.4@sha256:ab");
	expect_str(e, "container/runtime", "containerd");
	expect_str(e, "orchestrator/type", "kubernetes");
	expect_str(e, "orchestrator/namespace", "agents");
	expect_str(e, "orchestrator/resource/type", "pod");
	expect_str(e, "orchestrator/resource/name", "mcp-fs-7d9f8");
	expect_absent(e, "kubernetes"); /* not an ECS field set */
	expect_str(e, "mcpwatch/k8s/node/name", "node-1");
	expect_str(s, "container/id", "0123456789ab");
	expect_absent(s, "container/name");
	expect_absent(s, "orchestrator");
	cJSON_Delete(e);
	cJSON_Delete(s);
}

static void test_falco_container_and_pod(void **state)
{
	cJSON *f = fmt(FMT_FALCO, pod_alert), *s = fmt(FMT_FALCO, shell_alert);
	struct {
		const char *in, *repo, *tag;
	} images[] = {
	    {"nginx", "nginx", NULL},
	    {"nginx:1.27", "nginx", "1.27"},
	    {"registry.local:5000/nginx", "registry.local:5000/nginx", NULL},
	    {"registry.local:5000/team/nginx:1.27", "registry.local:5000/team/nginx", "1.27"},
	    {"nginx@sha256:ab", "nginx", NULL},
	};

	expect_str(f, "output_fields/container.id", "c0ffee");
	expect_str(f, "output_fields/container.name", "mcp-fs");
	expect_str(f, "output_fields/container.type", "containerd");
	expect_str(f, "output_fields/container.image.id", "sha256:cd");
	expect_str(f, "output_fields/container.image",
		   "registry.local:5000/team/mcp-fs:1.4@sha256:ab");
	expect_str(f, "output_fields/container.image.repository",
		   "registry.local:5000/team/mcp-fs");
	expect_str(f, "output_fields/container.image.tag", "1.4");
	expect_str(f, "output_fields/k8s.pod.name", "mcp-fs-7d9f8");
	expect_str(f, "output_fields/k8s.pod.uid", "5a1b2c3d-4e5f-6789-abcd-ef0123456789");
	expect_str(f, "output_fields/k8s.ns.name", "agents");
	expect_absent(s, "output_fields/container.name");
	expect_absent(s, "output_fields/k8s.pod.name");
	cJSON_Delete(f);
	cJSON_Delete(s);
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		char rec[1024];
		cJSON *out;

		snprintf(rec, sizeof(rec),
			 "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"rule\":{\"id\":\"r\"},"
			 "\"container\":{\"id\":\"x\",\"image\":\"%s\"}}",
			 images[i].in);
		out = fmt(FMT_FALCO, rec);
		expect_str(out, "output_fields/container.image.repository", images[i].repo);
		if (images[i].tag)
			expect_str(out, "output_fields/container.image.tag", images[i].tag);
		else
			expect_absent(out, "output_fields/container.image.tag");
		cJSON_Delete(out);
	}
}

static void test_native_and_not_records(void **state)
{
	cJSON *n = fmt(FMT_NATIVE, agent_ready);

	expect_str(n, "event", "ready");
	cJSON_Delete(n);
	assert_null(format_record(FMT_OCSF, NULL));
	assert_null(format_record(FMT_NATIVE, NULL));
	assert_null(fmt(FMT_OCSF, "[1,2]"));
	assert_null(fmt(FMT_ECS, "\"alert\""));
	assert_null(fmt(FMT_ECS, "{\"kind\":\"alert\"}"));			  /* no time */
	assert_null(fmt(FMT_ECS, "{\"kind\":\"alert\",\"time\":\"yesterday\"}")); /* bad time */
	assert_null(fmt(FMT_ECS, "{\"kind\":1,\"time\":\"" T0 "\"}"));
	assert_null(fmt(FMT_OCSF, "{\"kind\":\"other\",\"time\":\"" T0 "\"}"));
	assert_null(fmt(FMT_ECS, "{\"kind\":\"alert\",\"time\":\"2026-13-01T00:00:00Z\"}"));
	assert_null(fmt(FMT_ECS, "{\"kind\":\"alert\",\"time\":\"99999-01-01T00:00:00Z\"}"));
	assert_null(fmt(FMT_ECS, "{\"kind\":\"alert\",\"time\":\"2026-01-01T00:00:00\"}"));
}

static void test_wrong_types(void **state)
{
	/* Every field of the wrong type: still a finding, with what could be read. */
	cJSON *o = fmt(FMT_OCSF, "{\"kind\":\"alert\",\"time\":\"2026-11-25T14:12:04+02:00\","
				 "\"host\":5,\"rule\":{\"id\":7,\"severity\":\"bogus\","
				 "\"tags\":[1,\"x\",null]},\"message\":[],\"count\":1.5,"
				 "\"process\":{\"pid\":\"1\",\"uid\":-1e300,\"exe\":{}},"
				 "\"file\":{\"path\":9},\"network\":\"x\",\"container\":[]}");
	cJSON *e = fmt(FMT_ECS, "{\"kind\":\"alert\",\"time\":\"2026-11-25T12:12:04Z\","
				"\"rule\":{\"tags\":[1,\"x\",null]},\"server\":{\"pid\":1e20}}");
	cJSON *f = fmt(FMT_FALCO, "{\"kind\":\"alert\",\"time\":\"1970-01-01T00:00:00Z\","
				  "\"network\":{\"local_addr\":\"::\",\"local_port\":\"80\"}}");

	expect_num(o, "time", 1795608724000.0); /* +02:00 offset honoured */
	expect_num(o, "severity_id", 0);
	expect_str(o, "finding_info/types/0", "unknown");
	expect_absent(o, "count");
	expect_absent(o, "message");
	expect_absent(o, "evidences"); /* nothing readable in process or file */
	expect_str(e, "tags/0", "x");
	expect_absent(e, "tags/1");
	expect_absent(e, "event/risk_score");
	expect_absent(e, "process");
	expect_str(f, "priority", "Warning");
	expect_str(f, "output_fields/fd.sip", "::");
	expect_absent(f, "output_fields/fd.name");
	assert_string_equal(get(f, "output_fields/evt.time")->valuestring, "0");
	expect_str(f, "hostname", "");
	cJSON_Delete(o);
	cJSON_Delete(e);
	cJSON_Delete(f);
}

/* OCSF constraints: an endpoint needs an address, a process a pid; ports fit 16 bits. */
static void test_ocsf_constraints(void **state)
{
	const char *rec = "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"rule\":{\"id\":\"r\"},"
			  "\"process\":{\"exe\":\"/bin/x\",\"ppid\":4},"
			  "\"network\":{\"remote_addr\":\"not-an-ip\",\"remote_port\":70000}}";
	cJSON *o = fmt(FMT_OCSF, rec), *e = fmt(FMT_ECS, rec);
	cJSON *p = fmt(FMT_OCSF, "{\"kind\":\"alert\",\"time\":\"" T0 "\",\"network\":{"
				 "\"local_addr\":\"::1\",\"local_port\":70000}}");

	expect_absent(o, "evidences/0/process"); /* no pid */
	expect_absent(o, "evidences/0/dst_endpoint");
	expect_num(o, "evidences/0/connection_info/direction_id", 2);
	expect_absent(e, "destination");
	expect_str(e, "process/executable", "/bin/x");
	expect_str(p, "evidences/0/dst_endpoint/ip", "::1");
	expect_absent(p, "evidences/0/dst_endpoint/port");
	cJSON_Delete(o);
	cJSON_Delete(e);
	cJSON_Delete(p);
}

static void test_format_line(void **state)
{
	char *out = NULL, err[128] = "";
	char line[sizeof(agent_ready) + 2];

	assert_int_equal(format_line(FMT_OCSF, " \r\n", 3, &out, err, sizeof(err)), 0);
	assert_null(out);
	assert_int_equal(format_line(FMT_OCSF, "[1]\n", 4, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "not a JSON object (3 bytes)");
	assert_int_equal(format_line(FMT_OCSF, "{\"a\":", 5, &out, err, sizeof(err)), -1);
	/* No Falco form for an agent record: the line itself, without its newline. */
	snprintf(line, sizeof(line), "%s\n", agent_ready);
	assert_int_equal(format_line(FMT_FALCO, line, strlen(line), &out, err, sizeof(err)), 0);
	assert_string_equal(out, agent_ready);
	cJSON_free(out);
	assert_int_equal(format_line(FMT_ECS, line, strlen(line), &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "\"dataset\":\"mcpwatch.agent\""));
	assert_null(strchr(out, '\n'));
	cJSON_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ocsf_shell_spawn),
	    cmocka_unit_test(test_ocsf_file_and_network),
	    cmocka_unit_test(test_ocsf_drop_and_aggregate),
	    cmocka_unit_test(test_ocsf_posture_and_agent),
	    cmocka_unit_test(test_ecs_alerts),
	    cmocka_unit_test(test_ecs_posture_agent_aggregate),
	    cmocka_unit_test(test_falco_alerts),
	    cmocka_unit_test(test_falco_no_form),
	    cmocka_unit_test(test_parse_and_names),
	    cmocka_unit_test(test_ocsf_container_and_pod),
	    cmocka_unit_test(test_ecs_container_and_pod),
	    cmocka_unit_test(test_falco_container_and_pod),
	    cmocka_unit_test(test_native_and_not_records),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_ocsf_constraints),
	    cmocka_unit_test(test_format_line),
	    cmocka_unit_test(test_ocsf_alert_mcp),
	    cmocka_unit_test(test_ocsf_tool_call_error),
	    cmocka_unit_test(test_ocsf_tool_call_ok_and_unanswered),
	    cmocka_unit_test(test_ecs_mcp),
	    cmocka_unit_test(test_falco_mcp),
	    cmocka_unit_test(test_mcp_native_and_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
