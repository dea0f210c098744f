/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * posture: owns the grade — per server, the score over the checks that
 * apply (AgentGrade weights), the cap a critical runtime finding puts on
 * it, the letter (A 90-100, B 75-89, C 60-74, D 40-59, F 0-39); the host's
 * grade from its servers; and the report's JSON and terminal forms.
 * It does not probe or scan: the collector fills the checks.
 */
#ifndef MCPWATCH_POSTURE_H
#define MCPWATCH_POSTURE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "posture/checks.h"

#define POSTURE_MAX_DECL      8
#define POSTURE_MAX_ENDPOINTS 8

struct posture_endpoint {
	char addr[64];
	uint16_t port;
	bool tls;
	char mcp_path[128];
};

struct posture_server {
	char name[256];
	uint32_t pid; /* 0 when not running */
	bool running;
	char transport[8]; /* "stdio", "http", "sse" */
	char client[32];   /* which client config declares it ("" if none) */
	char declared_in[POSTURE_MAX_DECL][512];
	size_t ndeclared;
	char command[1024]; /* redacted command line or URL */
	struct posture_endpoint endpoints[POSTURE_MAX_ENDPOINTS];
	size_t nendpoints;
	struct check_result checks[CHK_COUNT];
	/* computed by posture_grade_server */
	int score;
	char grade;
	char cap_reason[160];
};

struct posture_report {
	char host[256];
	int score;
	char grade;
	struct posture_server *servers;
	size_t n;
};

char posture_letter(int score);
/* Score = 100 * passed weight / applicable weight (100 when nothing applies), then caps. */
void posture_grade_server(struct posture_server *s);
/* Host = its weakest server (A with no servers). */
void posture_grade_host(struct posture_report *r);

cJSON *posture_server_json(const struct posture_server *s);
/* {"host": {"name", "grade", "score"}, "servers": [...]} */
cJSON *posture_report_json(const struct posture_report *r);
/* A table for people: server, transport, grade, score, failing checks with evidence and fix. */
void posture_print_table(const struct posture_report *r, FILE *f, bool color);

void posture_report_free(struct posture_report *r);

#endif /* MCPWATCH_POSTURE_H */
