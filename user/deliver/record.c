// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The host and severity of a formatted record, whatever its format names
 * them (native, OCSF, ECS, Falco).
 */
#include "deliver/record.h"

#include <stdio.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "deliver/sinks/sink.h"

static bool copy_host(const cJSON *v, char *out, size_t len)
{
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return false;
	snprintf(out, len, "%s", v->valuestring);
	return true;
}

bool record_host(const cJSON *rec, char *out, size_t len)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const cJSON *device = cJSON_GetObjectItemCaseSensitive(rec, "device");

	return copy_host(cJSON_GetObjectItemCaseSensitive(host, "name"), out, len) ||
	       copy_host(cJSON_GetObjectItemCaseSensitive(rec, "hostname"), out, len) ||
	       copy_host(cJSON_GetObjectItemCaseSensitive(device, "hostname"), out, len);
}

static int severity_of_word(const char *w)
{
	static const struct {
		const char *word;
		int sev;
	} words[] = {
	    /* mcpwatch rule severities */
	    {"critical", 2},
	    {"high", 3},
	    {"medium", 4},
	    {"low", 5},
	    {"info", 6},
	    /* Falco priorities */
	    {"emergency", 0},
	    {"alert", 1},
	    {"error", 3},
	    {"warning", 4},
	    {"notice", 5},
	    {"informational", 6},
	    {"debug", 7},
	    /* OCSF severity captions */
	    {"fatal", 2},
	};

	for (size_t i = 0; w && i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(w, words[i].word) == 0)
			return words[i].sev;
	return -1;
}

static const char *string_at(const cJSON *obj, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int record_severity(const cJSON *rec)
{
	static const int ocsf_ids[] = {6, 6, 5, 4, 3, 2, 2}; /* severity_id 0..6 */
	const cJSON *id;
	int sev = severity_of_word(string_at(rec, "rule", "severity"));

	if (sev < 0)
		sev = severity_of_word(string_at(rec, "priority", NULL));
	if (sev < 0)
		sev = severity_of_word(string_at(rec, "severity", NULL));
	id = cJSON_GetObjectItemCaseSensitive(rec, "severity_id");
	if (sev < 0 && cJSON_IsNumber(id) && id->valueint >= 0 && id->valueint <= 6)
		sev = ocsf_ids[id->valueint];
	return sev < 0 ? SINK_SEVERITY_INFO : sev;
}

void record_facts_of_text(const char *data, size_t len, char *host, size_t hostlen, int *severity)
{
	cJSON *doc = cJSON_ParseWithLength(data, len);

	if (!record_host(doc, host, hostlen))
		host[0] = '\0';
	*severity = record_severity(doc);
	cJSON_Delete(doc);
}
