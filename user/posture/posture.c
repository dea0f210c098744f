/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "posture/posture.h"

#include <stdlib.h>
#include <string.h>

/* Runtime findings cap the score: what a server did outweighs how it is dressed. */
static const struct {
	enum check_id id;
	int max_score;
	const char *why;
} caps[] = {
    {CHK_RUNTIME_SHELL, 39, "critical runtime finding: a shell ran in the server tree"},
    {CHK_RUNTIME_SENSITIVE_FILE, 59, "runtime finding: a credential file was opened"},
};

char posture_letter(int score)
{
	if (score >= 90)
		return 'A';
	if (score >= 75)
		return 'B';
	if (score >= 60)
		return 'C';
	if (score >= 40)
		return 'D';
	return 'F';
}

void posture_grade_server(struct posture_server *s)
{
	int passed = 0, applicable = 0;

	for (int i = 0; i < CHK_COUNT; i++) {
		const struct check_def *d = check_def(i);

		if (s->checks[i].status == CHECK_NA)
			continue;
		applicable += d->weight;
		if (s->checks[i].status == CHECK_PASS)
			passed += d->weight;
	}
	/* Rounded half up, in integers. */
	s->score = applicable ? (200 * passed + applicable) / (2 * applicable) : 100;
	s->cap_reason[0] = '\0';
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (s->checks[caps[i].id].status == CHECK_FAIL && s->score > caps[i].max_score) {
			s->score = caps[i].max_score;
			snprintf(s->cap_reason, sizeof(s->cap_reason), "%s", caps[i].why);
		}
	}
	s->grade = posture_letter(s->score);
}

void posture_grade_host(struct posture_report *r)
{
	r->score = 100;
	for (size_t i = 0; i < r->n; i++)
		if (r->servers[i].score < r->score)
			r->score = r->servers[i].score;
	r->grade = posture_letter(r->score);
}

static cJSON *check_json(enum check_id id, const struct check_result *c)
{
	const struct check_def *d = check_def(id);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", d->key);
	cJSON_AddStringToObject(o, "name", d->name);
	cJSON_AddStringToObject(o, "status", check_status_name(c->status));
	cJSON_AddNumberToObject(o, "weight", d->weight);
	cJSON_AddStringToObject(o, "practice", d->practice);
	cJSON_AddStringToObject(o, "evidence", c->evidence);
	cJSON_AddStringToObject(o, "fix", d->fix);
	return o;
}

cJSON *posture_server_json(const struct posture_server *s)
{
	cJSON *o = cJSON_CreateObject(), *decl, *checks, *eps;
	char g[2] = {s->grade, '\0'};

	cJSON_AddStringToObject(o, "name", s->name);
	if (s->pid)
		cJSON_AddNumberToObject(o, "pid", s->pid);
	else
		cJSON_AddNullToObject(o, "pid");
	cJSON_AddBoolToObject(o, "running", s->running);
	cJSON_AddStringToObject(o, "transport", s->transport[0] ? s->transport : "stdio");
	if (s->client[0])
		cJSON_AddStringToObject(o, "client", s->client);
	cJSON_AddStringToObject(o, "command", s->command);
	decl = cJSON_AddArrayToObject(o, "declared_in");
	for (size_t i = 0; i < s->ndeclared; i++)
		cJSON_AddItemToArray(decl, cJSON_CreateString(s->declared_in[i]));
	eps = cJSON_AddArrayToObject(o, "endpoints");
	for (size_t i = 0; i < s->nendpoints; i++) {
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "addr", s->endpoints[i].addr);
		cJSON_AddNumberToObject(e, "port", s->endpoints[i].port);
		cJSON_AddBoolToObject(e, "tls", s->endpoints[i].tls);
		cJSON_AddStringToObject(e, "mcp_path", s->endpoints[i].mcp_path);
		cJSON_AddItemToArray(eps, e);
	}
	cJSON_AddStringToObject(o, "grade", g);
	cJSON_AddNumberToObject(o, "score", s->score);
	if (s->cap_reason[0])
		cJSON_AddStringToObject(o, "capped_by", s->cap_reason);
	checks = cJSON_AddArrayToObject(o, "checks");
	for (int i = 0; i < CHK_COUNT; i++)
		cJSON_AddItemToArray(checks, check_json(i, &s->checks[i]));
	return o;
}

cJSON *posture_report_json(const struct posture_report *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *host = cJSON_AddObjectToObject(o, "host");
	cJSON *servers;
	char g[2] = {r->grade, '\0'};

	cJSON_AddStringToObject(host, "name", r->host);
	cJSON_AddStringToObject(host, "grade", g);
	cJSON_AddNumberToObject(host, "score", r->score);
	cJSON_AddNumberToObject(host, "servers", (double)r->n);
	servers = cJSON_AddArrayToObject(o, "servers");
	for (size_t i = 0; i < r->n; i++)
		cJSON_AddItemToArray(servers, posture_server_json(&r->servers[i]));
	return o;
}

static int compare_weight_desc(const void *a, const void *b)
{
	int wa = check_def(*(const int *)a)->weight, wb = check_def(*(const int *)b)->weight;

	return wb != wa ? wb - wa : *(const int *)a - *(const int *)b;
}

static const char *grade_colour(char g, bool color)
{
	if (!color)
		return "";
	switch (g) {
	case 'A':
	case 'B':
		return "\033[32m";
	case 'C':
		return "\033[33m";
	default:
		return "\033[31m";
	}
}

void posture_print_table(const struct posture_report *r, FILE *f, bool color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";

	fprintf(f, "%sHost %s: grade %s%c%s%s (%d/100), %zu MCP server%s%s\n\n", bold, r->host,
		grade_colour(r->grade, color), r->grade, reset, bold, r->score, r->n,
		r->n == 1 ? "" : "s", reset);
	if (!r->n) {
		fprintf(f, "No MCP servers running or configured.\n");
		return;
	}
	fprintf(f, "%-44s %-9s %-10s %5s  %s\n", "SERVER", "TRANSPORT", "RUNNING", "GRADE",
		"SCORE");
	for (size_t i = 0; i < r->n; i++) {
		const struct posture_server *s = &r->servers[i];
		char running[16];

		if (s->pid)
			snprintf(running, sizeof(running), "pid %u", s->pid);
		else
			snprintf(running, sizeof(running), "no");
		fprintf(f, "%-44.44s %-9s %-10s %s%5c%s  %d\n", s->name,
			s->transport[0] ? s->transport : "stdio", running,
			grade_colour(s->grade, color), s->grade, reset, s->score);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct posture_server *s = &r->servers[i];
		int order[CHK_COUNT], n = 0;

		/* Heaviest failures first: that is the order to fix them in. */
		for (int c = 0; c < CHK_COUNT; c++)
			if (s->checks[c].status == CHECK_FAIL)
				order[n++] = c;
		qsort(order, (size_t)n, sizeof(order[0]), compare_weight_desc);
		if (!n)
			continue;
		fprintf(f, "\n%s%s — fix first:%s\n", bold, s->name, reset);
		if (s->cap_reason[0])
			fprintf(f, "  ! grade capped: %s\n", s->cap_reason);
		for (int k = 0; k < n; k++) {
			const struct check_def *d = check_def(order[k]);

			fprintf(f, "  x %s (weight %d, %s)\n      seen: %s\n      fix:  %s\n",
				d->name, d->weight, d->practice, s->checks[order[k]].evidence,
				d->fix);
		}
	}
}

void posture_report_free(struct posture_report *r)
{
	free(r->servers);
	r->servers = NULL;
	r->n = 0;
}
