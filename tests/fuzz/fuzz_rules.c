// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz rule loading: the input is merged twice on top of a small base (so
 * overrides, appends and replacements of its own ids are exercised), then
 * every rule is evaluated against a fixed event of each kind and its message
 * rendered. The base is small to keep the fuzzer fast; the full default file
 * is in the seed corpus. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules.h"
#include "lib/diag.h"

struct fuzz_event {
	enum rule_event ev;
};

/* Every served field has a value; strings that the defaults care about. */
static void fuzz_get(const void *ctx, int field, struct field_value *out)
{
	const struct fuzz_event *e = ctx;
	const char *name = field_at(field) ? field_at(field)->name : "";

	out->type = rule_field_type(e->ev, name);
	out->s = strstr(name, "path") ? "/home/u/.ssh/id_rsa" : "sh";
	out->i = (int64_t)strlen(name) % 3;
}

static void render(const struct rule *r, void *arg)
{
	const struct field_source *src = arg;
	char out[128];

	if (rule_render_message(r, src, out, sizeof(out)) >= sizeof(out))
		abort();
}

static const char base[] =
    "{\"version\": 1, \"lists\": {\"shell_binaries\": [\"sh\", \"bash\"], \"ports\": [80],"
    " \"credential_paths\": [\"*/.ssh/id_*\"]}, \"rules\": ["
    "{\"id\": \"mcp-shell-spawn\", \"event\": \"exec\", \"severity\": \"critical\","
    " \"message\": \"{process.exe}\", \"condition\": {\"field\": \"process.name\", \"op\":"
    " \"in\", \"list\": \"shell_binaries\"}},"
    "{\"id\": \"mcp-sensitive-file\", \"event\": \"open\", \"severity\": \"high\","
    " \"message\": \"{file.path}\", \"condition\": {\"all\": [{\"field\": \"file.path\","
    " \"op\": \"glob\", \"list\": \"credential_paths\"}, {\"not\": {\"field\":"
    " \"file.result\", \"op\": \"lt\", \"value\": 0}}]}}]}";

static void load_checked(struct ruleset *rs, const uint8_t *data, size_t size)
{
	struct diag diag;

	diag_init(&diag, NULL, false);
	size_t before = ruleset_count(rs);

	if (ruleset_load_buffer(rs, "fuzz", (const char *)data, size, &diag) &&
	    (ruleset_count(rs) != before || diag.count < 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = ruleset_new();
	struct diag diag;

	diag_init(&diag, NULL, false);
	int ev;

	if (!rs || ruleset_load_buffer(rs, "base", base, sizeof(base) - 1, &diag))
		abort();
	load_checked(rs, data, size);
	load_checked(rs, data, size);
	for (ev = 0; ev < RULE_EV_COUNT; ev++) {
		struct fuzz_event e = {(enum rule_event)ev};
		struct field_source src = {fuzz_get, &e};

		ruleset_eval(rs, (enum rule_event)ev, &src, render, &src);
	}
	ruleset_free(rs);
	return 0;
}
