/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * agent: owns the running monitor — wires sensor events through the
 * process table, server identity and rules to alerts, runs the start-up
 * /proc scan, the listener TLS checks, loss reporting and the agent
 * records (ready, lost, stopping), until SIGINT/SIGTERM.
 */
#ifndef MCPWATCH_AGENT_H
#define MCPWATCH_AGENT_H

#include <stdbool.h>
#include <stdio.h>

#include "config.h"
#include "detect/rules.h"

struct diag;

/* Exit codes, documented in the README. */
enum mw_exit_code {
	MW_EXIT_OK = 0,
	MW_EXIT_RUNTIME = 1,
	MW_EXIT_USAGE = 2,     /* bad command line, config or rules */
	MW_EXIT_PRIVILEGE = 3, /* not root / missing capability */
	MW_EXIT_KERNEL = 4,    /* no BTF, BPF programs refused */
};

struct agent_opts {
	const struct config *cfg;
	const struct ruleset *rules;
	FILE *out;	       /* the stream; stdout */
	const char *proc_root; /* "/proc" */
	int verbose;	       /* 1: agent decisions on stderr; 2: also libbpf debug */
	/* SIGHUP: loads the config and rules again into cfg (config_defaults
	 * done) and *rules, reporting to diag; 0 or an enum mw_exit_code.
	 * NULL: SIGHUP only reopens the outputs. */
	int (*reload)(void *arg, struct config *cfg, struct ruleset **rules, struct diag *diag);
	void *reload_arg;
};

/* An identity module with the config's selectors, ignores and launchers. */
struct identity *agent_identity_from_config(const struct config *cfg);

/* Runs until a signal; returns an enum mw_exit_code. */
int agent_run(const struct agent_opts *opts);

#endif /* MCPWATCH_AGENT_H */
