// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for the field catalogue (user/detect/fields.c): docs/rules.md
 * lists exactly the catalogue's fields with the same type, events and
 * meaning; a real evctx serves every field for exactly its events; and the
 * rule loader accepts every field for exactly its events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "detect/evctx.h"
#include "detect/fields.h"
#include "detect/rules.h"
#include "lib/diag.h"

#define DOC_PATH   "docs/rules.md" /* tests run from the repository root */
#define DOC_FIELDS 128

struct doc_field {
	char name[64], type[16], meaning[160];
	unsigned events;
};

static struct doc_field docs[DOC_FIELDS];
static int ndocs;

/* Copy s[0..n) to out without backticks and surrounding blanks. */
static void cell_text(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
		n--;
	for (size_t i = 0; i < n && o + 1 < outlen; i++)
		if (s[i] != '`')
			out[o++] = s[i];
	out[o] = '\0';
}

/* "`open`:" starts the fields of one event, "Common" those of all. */
static bool section_events(const char *line, unsigned *events)
{
	if (!strncmp(line, "Common", 6)) {
		*events = FIELD_EV_ALL;
		return true;
	}
	for (int e = 0; e < RULE_EV_COUNT; e++) {
		char head[32];

		snprintf(head, sizeof(head), "`%s`:", rule_event_name(e));
		if (!strncmp(line, head, strlen(head))) {
			*events = FIELD_EV(e);
			return true;
		}
	}
	return false;
}

static struct doc_field *doc_find(const char *name)
{
	for (int i = 0; i < ndocs; i++)
		if (!strcmp(docs[i].name, name))
			return &docs[i];
	return NULL;
}

/* One table row "| `name` | type | meaning |" of the current section. */
static void doc_row(const char *line, unsigned events)
{
	const char *c1 = line + 1, *c2 = strchr(c1, '|'), *c3 = c2 ? strchr(c2 + 1, '|') : NULL;
	const char *end = c3 ? strchr(c3 + 1, '|') : NULL;
	struct doc_field row = {.events = events}, *old;

	assert_non_null(end);
	cell_text(c1, (size_t)(c2 - c1), row.name, sizeof(row.name));
	cell_text(c2 + 1, (size_t)(c3 - c2 - 1), row.type, sizeof(row.type));
	cell_text(c3 + 1, (size_t)(end - c3 - 1), row.meaning, sizeof(row.meaning));
	if (strchr(row.name, ',') || strchr(row.name, ' '))
		fail_msg("docs: one field per row, not \"%s\"", row.name);
	old = doc_find(row.name);
	if (!old) {
		assert_true(ndocs < DOC_FIELDS);
		docs[ndocs++] = row;
		return;
	}
	/* A field of several events is listed under each, the same way. */
	assert_string_equal(old->type, row.type);
	assert_string_equal(old->meaning, row.meaning);
	old->events |= events;
}

static int read_docs(void **state)
{
	FILE *f = fopen(DOC_PATH, "r");
	char line[512];
	bool in_fields = false;
	unsigned events = 0;

	(void)state;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "## ", 3))
			in_fields = !strcmp(line, "## Fields\n");
		if (!in_fields || section_events(line, &events))
			continue;
		if (!strncmp(line, "| `", 3) && events)
			doc_row(line, events);
	}
	fclose(f);
	return ndocs ? 0 : -1;
}

static const char *doc_type(enum field_type t)
{
	return t == FV_INT ? "int" : t == FV_BOOL ? "bool" : "string";
}

static void test_documented_fields_are_catalogued(void **state)
{
	(void)state;
	for (int i = 0; i < ndocs; i++) {
		int id = field_id(docs[i].name);
		const struct field_def *f = field_at(id);

		if (!f)
			fail_msg("%s documents \"%s\", which is not in the catalogue", DOC_PATH,
				 docs[i].name);
		assert_string_equal(docs[i].type, doc_type(f->type));
		if (docs[i].events != f->events)
			fail_msg("\"%s\": documented for events 0x%x, served for 0x%x", f->name,
				 docs[i].events, f->events);
		assert_string_equal(docs[i].meaning, f->doc);
	}
}

static void test_catalogued_fields_are_documented(void **state)
{
	(void)state;
	for (size_t i = 0; i < field_count(); i++)
		if (!doc_find(field_at((int)i)->name))
			fail_msg("field \"%s\" is not documented in %s", field_at((int)i)->name,
				 DOC_PATH);
	assert_int_equal((size_t)ndocs, field_count());
}

/* An event of kind ev with every value present. */
/* A tool call with every field the catalogue can serve. */
static const struct tap_call full_call = {
    .server_tgid = 1,
    .tgid = 1,
    .transport = TAP_STDIO,
    .id = "7",
    .method = "tools/call",
    .tool = "read_file",
    .arguments = "{\"path\":\"/x\"}",
    .argument_keys = "path",
    .client_name = "client",
    .client_version = "1.0",
    .start_ns = 1000000000,
    .end_ns = 3000000000,
    .response_bytes = 10,
    .outcome = TAP_ERROR,
    .has_error_code = true,
    .error_code = -32602,
    .is_error = 0,
    .calls_in_window = 3,
};

static struct evctx full_event(enum rule_event ev)
{
	static char *argv[] = {"/bin/sh", "-c", "id"};
	static struct proc srv = {.tgid = 10,
				  .exe = "/usr/bin/node",
				  .cmdline = "node s.js",
				  .role = ROLE_SERVER,
				  .server_tgid = 10,
				  .server_name = "s",
				  .server_version = "1.0",
				  .transport = "stdio"};
	static struct proc proc = {.tgid = 11,
				   .ppid = 10,
				   .uid = 1000,
				   .comm = "sh",
				   .exe = "/usr/bin/dash",
				   .argv = argv,
				   .argc = 3,
				   .cmdline = "/bin/sh -c id",
				   .container_id = "abc",
				   .role = ROLE_MEMBER,
				   .server_tgid = 10};
	/* A call with every part known, so each mcp.* field has a value. */
	static struct tap_call call = {.server_tgid = 10,
				       .tgid = 10,
				       .transport = TAP_STDIO,
				       .id = "7",
				       .method = "tools/call",
				       .tool = "run",
				       .arguments = "{\"command\":\"id\"}",
				       .argument_keys = "command",
				       .client_name = "c",
				       .client_version = "1",
				       .start_ns = 1000000000,
				       .end_ns = 3000000000,
				       .request_bytes = 80,
				       .response_bytes = 90,
				       .outcome = TAP_ERROR,
				       .has_error_code = true,
				       .error_code = -32603,
				       .is_error = 0,
				       .calls_in_window = 3};
	struct evctx c = {.kind = ev, .proc = &proc, .parent = &srv, .server = &srv};

	c.mcp.call = &call;
	c.mcp.ncandidates = 1;
	c.mcp.result_text = "done";

	c.file.path = "/proc/1/environ";
	c.net.family = AF_INET;
	c.net.local_addr = "0.0.0.0";
	c.net.remote_addr = "169.254.169.254";
	c.net.local_port = 3000;
	c.net.remote_port = 80;
	c.net.tls = 0;
	c.user_name = "u";
	/* A pod's container, every name known. */
	snprintf(c.workload.container_id, sizeof(c.workload.container_id), "%064d", 1);
	snprintf(c.workload.container_runtime, sizeof(c.workload.container_runtime), "containerd");
	snprintf(c.workload.container_name, sizeof(c.workload.container_name), "mcp");
	snprintf(c.workload.container_image, sizeof(c.workload.container_image), "reg/mcp:1");
	snprintf(c.workload.pod_name, sizeof(c.workload.pod_name), "mcp-7d9f");
	snprintf(c.workload.pod_uid, sizeof(c.workload.pod_uid),
		 "5a1b2c3d-4e5f-6789-abcd-ef0123456789");
	snprintf(c.workload.pod_namespace, sizeof(c.workload.pod_namespace), "agents");
	snprintf(c.workload.node_name, sizeof(c.workload.node_name), "node-1");
	snprintf(c.workload.k8s_container_name, sizeof(c.workload.k8s_container_name), "mcp");
	c.mcp.call = &full_call;
	c.mcp.result_text = "the result's text";
	return c;
}

static void test_evctx_serves_catalogue(void **state)
{
	(void)state;
	for (int ev = 0; ev < RULE_EV_COUNT; ev++) {
		struct evctx c = full_event((enum rule_event)ev);

		for (size_t i = 0; i < field_count(); i++) {
			const struct field_def *f = field_at((int)i);
			struct field_value v;

			evctx_get_field(&c, (int)i, &v);
			if (v.type != (field_served((int)i, ev) ? f->type : FV_NONE))
				fail_msg("\"%s\" for %s events: type %d", f->name,
					 rule_event_name(ev), v.type);
		}
	}
}

/* Load one rule testing `field` on event ev, with it as a placeholder too. */
static int load_field_rule(const char *field, enum rule_event ev, int *errors)
{
	char doc[512];
	struct ruleset *rs = ruleset_new();
	struct diag diag;

	diag_init(&diag, NULL, false);
	int rc;

	snprintf(doc, sizeof(doc),
		 "{\"version\": 1, \"rules\": [{\"id\": \"t\", \"event\": \"%s\", \"severity\": "
		 "\"low\", \"message\": \"{%s}\", \"condition\": {\"field\": \"%s\", \"op\": "
		 "\"exists\"}}]}",
		 rule_event_name(ev), field, field);
	rc = ruleset_load_buffer(rs, "t.json", doc, strlen(doc), &diag);
	*errors = diag.count;
	ruleset_free(rs);
	return rc;
}

static void test_rules_accept_catalogue(void **state)
{
	(void)state;
	for (size_t i = 0; i < field_count(); i++) {
		const struct field_def *f = field_at((int)i);

		for (int ev = 0; ev < RULE_EV_COUNT; ev++) {
			int errors, rc = load_field_rule(f->name, ev, &errors);

			if (field_served((int)i, ev) ? rc != 0 : errors != 2)
				fail_msg("rule on \"%s\" for %s events: rc %d, %d errors", f->name,
					 rule_event_name(ev), rc, errors);
		}
	}
}

static void test_lookup_and_print(void **state)
{
	char buf[8192];
	FILE *out = fmemopen(buf, sizeof(buf), "w");
	int lines = 0;

	(void)state;
	assert_int_equal(field_id("process.nope"), FIELD_UNKNOWN);
	assert_int_equal(field_id(NULL), FIELD_UNKNOWN);
	assert_int_equal(field_id_n("file.pathX", 9), field_id("file.path"));
	assert_null(field_at(-1));
	assert_null(field_at((int)field_count()));
	assert_false(field_served(FIELD_UNKNOWN, RULE_EV_EXEC));
	assert_false(field_served(field_id("file.path"), RULE_EV_COUNT));
	field_events_text(field_at(field_id("network.family"))->events, buf, sizeof(buf));
	assert_string_equal(buf, "listen, connect");
	field_events_text(FIELD_EV_ALL, buf, sizeof(buf));
	assert_string_equal(buf, "all");
	assert_non_null(out);
	field_catalogue_print(out);
	fclose(out);
	for (const char *p = buf; *p; p++)
		lines += *p == '\n';
	assert_int_equal((size_t)lines, field_count() + 1);
	assert_non_null(strstr(buf, "server.version"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_documented_fields_are_catalogued),
	    cmocka_unit_test(test_catalogued_fields_are_documented),
	    cmocka_unit_test(test_evctx_serves_catalogue),
	    cmocka_unit_test(test_rules_accept_catalogue),
	    cmocka_unit_test(test_lookup_and_print),
	};

	return cmocka_run_group_tests_name("fields", tests, read_docs, NULL);
}
