// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the formats: the input as one NDJSON line through format_line, and,
 * when it parses as JSON, through format_record in every format. Each
 * result must be a JSON object that prints on one line and parses back,
 * and the OCSF/ECS/Falco forms must carry their required fields (OCSF: per
 * class — findings, API Activity for tool_call records).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/format.h"

static void require(const cJSON *o, const char *key)
{
	if (!cJSON_GetObjectItemCaseSensitive(o, key))
		abort();
}

/* An object with at least one member (OCSF at_least_one constraints). */
static void require_members(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsObject(v) || !v->child)
		abort();
}

/* OCSF: the base event's required attributes, then the class's own. */
static void check_ocsf(const cJSON *o)
{
	static const char *const base[] = {"class_uid",	  "category_uid", "activity_id", "type_uid",
					   "severity_id", "time",	  "metadata",	 NULL};
	const cJSON *class_uid = cJSON_GetObjectItemCaseSensitive(o, "class_uid");

	for (const char *const *k = base; *k; k++)
		require(o, *k);
	if (cJSON_IsNumber(class_uid) && class_uid->valueint == 6003) {
		/* API Activity: api (with its operation), actor, src_endpoint. */
		require(cJSON_GetObjectItemCaseSensitive(o, "api"), "operation");
		require_members(o, "actor");
		require_members(o, "src_endpoint");
		return;
	}
	require(o, "finding_info");
}

static void check_required(enum record_format f, const cJSON *o)
{
	static const char *const ecs[] = {"@timestamp", "ecs", "event", NULL};
	static const char *const falco[] = {"time",   "rule",	       "priority",
					    "output", "output_fields", "hostname",
					    "source", "tags",	       NULL};
	const char *const *keys = f == FMT_ECS ? ecs : falco;

	if (f == FMT_NATIVE)
		return;
	if (f == FMT_OCSF) {
		check_ocsf(o);
		return;
	}
	for (; *keys; keys++)
		require(o, *keys);
}

static void check_record(enum record_format f, const cJSON *rec)
{
	cJSON *out = format_record(f, rec), *back;
	char *text;

	if (!out)
		return;
	text = cJSON_PrintUnformatted(out);
	if (!text || strchr(text, '\n'))
		abort();
	back = cJSON_Parse(text);
	if (!cJSON_IsObject(back))
		abort();
	check_required(f, back);
	cJSON_Delete(back);
	cJSON_free(text);
	cJSON_Delete(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum record_format all[] = {FMT_NATIVE, FMT_OCSF, FMT_ECS, FMT_FALCO};
	char *text = malloc(size + 1), *out = NULL, err[128];
	cJSON *rec;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (format_line(all[i], text, size, &out, err, sizeof(err)) == 0)
			cJSON_free(out);
	}
	rec = cJSON_ParseWithLength(text, size);
	for (size_t i = 0; rec && i < sizeof(all) / sizeof(all[0]); i++)
		check_record(all[i], rec);
	cJSON_Delete(rec);
	free(text);
	return 0;
}
