/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * config: owns the agent's configuration file (one JSON object, documented
 * in docs/config.md; deploy/config.json lists every key with its default):
 * the defaults, loading with FILE:LINE:COLUMN diagnostics (unknown keys,
 * wrong types and out-of-range values are errors), and freeing.
 */
#ifndef MCPWATCH_CONFIG_H
#define MCPWATCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "format/format.h"

struct diag;

struct config_doc;
struct json_value;
struct output;
#define CONFIG_FILE_MAX	       (1u << 20)
#define CONFIG_OUTPUT_NAME_MAX 63

/* A server selector: processes whose command line matches cmdline_glob
 * (op "glob" semantics: '*' crosses '/') are MCP servers named `name`. */
struct config_selector {
	char *name;
	char *cmdline_glob;
};

/* One entry of "outputs": the keys every output type has (docs/outputs.md),
 * and its object, checked against its sink's key table, for the sink. */
struct config_output {
	const struct json_value *cfg; /* in config.outputs_doc */
	char *type;
	char *name; /* as given, or "<type>-<n>" (the n-th output of that type) */
	enum record_format format;
	bool enabled;
	/* network outputs only */
	int batch_max_records;
	int batch_max_bytes;
	int batch_max_wait_ms;
	long long spool_max_bytes;
	int retry_initial_ms;
	int retry_max_ms;
};

struct config {
	char *host_name; /* NULL: gethostname() */

	/* "rules" */
	bool default_rules; /* load the embedded default rules first */
	char **rules_files; /* then these, in order */
	size_t nrules_files;

	/* "servers" */
	struct config_selector *selectors; /* added to the built-in ones */
	size_t nselectors;
	char **ignore_globs; /* command lines never treated as servers */
	size_t nignore_globs;
	char **launchers; /* extra launcher basenames ("uvx", "npx" are built in) */
	size_t nlaunchers;

	/* "alerts" */
	int aggregate_window_s; /* 0..3600, 0 = report every event */
	/* servers.hold_ms: how long the actions of a process that may still turn
	 * out to be a stdio server are held for its handshake; 0 = not held. */
	int hold_ms;

	/* "sensor" */
	int ringbuf_mb;		    /* power of two, 1..1024 */
	int lost_report_interval_s; /* 1..3600 */

	/* "posture" */
	bool probe_tls;
	int tls_probe_timeout_ms;     /* 10..60000 */
	int posture_interval_s;	      /* 10..86400 */
	bool posture_rate_limit;      /* opt-in: send a burst to test rate limiting */
	int posture_runtime_window_s; /* runtime findings count this long: 60..30 days */
	bool posture_enabled;	      /* the daemon grades and writes posture records */
	char *posture_fs_root;	  /* where client configs are read: NULL = "/" (a pod: "/host") */
	char **posture_home_dirs; /* globs of homes besides passwd's; none: /home/ *, /root */
	size_t nposture_home_dirs;

	/* "outputs": the common keys of each output, parsed and checked with
	 * its sink's keys; the parsed document that set them is kept (shared by
	 * copies) so that each sink reads its checked object with positions. */
	struct config_output *outputs;
	size_t noutputs;
	struct config_doc *outputs_doc; /* NULL when no document set "outputs" */
	char *spool_dir;		/* NULL: OUTPUT_SPOOL_DIR_DEFAULT (deliver/output.h) */

	/* "tap": the tool-call tap of MCP servers' traffic */
	bool tap_enabled;

	/* "audit" */
	bool audit_tool_calls; /* write a `tool_call` record per call */
	int audit_arguments;   /* 0 "keys": argument names only; 1 "redacted": values too */

	/* "health": no port; files for probes and the textfile collector */
	char *health_file;	   /* heartbeat for exec probes; NULL: none */
	char *health_metrics_file; /* Prometheus text; NULL: none */
	int health_interval_s;	   /* 1..3600 */

	/* "metadata": container and pod names (enrich/resolver) */
	int metadata_enabled;	       /* 0 "auto", 1 "on", 2 "off" */
	char *metadata_runtime_socket; /* asked before the default sockets; NULL: none */
	char *metadata_host_root;      /* prefix of the default sockets; NULL: posture.fs_root */
	int metadata_kubernetes;       /* 0 "auto", 1 "on", 2 "off" */
	char *metadata_node_name;      /* NULL: $MCPWATCH_NODE_NAME */
	char *metadata_api_url;	       /* NULL: from $KUBERNETES_SERVICE_HOST/PORT */
	char *metadata_ca_file;	       /* NULL: the ServiceAccount's ca.crt */
	char *metadata_token_file;     /* NULL: the ServiceAccount's token */

	/* "redaction" */
	char **redact_patterns; /* POSIX EREs, checked with regcomp at load */
	size_t nredact_patterns;
};

/* Fill c with the defaults; allocates nothing. */
void config_defaults(struct config *c);
/* Apply a config document to c (which holds defaults or an earlier load):
 * keys present replace c's values. 0 on success; -1 with one line per error
 * "NAME:LINE:COLUMN: message" written to diag (may be NULL), c unchanged. */
int config_load_buffer(struct config *c, const char *name, const char *buf, size_t len,
		       struct diag *diag);
/* Same for a file (at most CONFIG_FILE_MAX bytes); "PATH: reason" when unreadable. */
int config_load_file(struct config *c, const char *path, struct diag *diag);
/* Free what c owns and reset it to the defaults. */
void config_free(struct config *c);

/* Is key one of the keys every output object may have (read by the
 * framework, not by the sink)? The sinks accept these without reading them. */
bool config_output_key_is_common(const char *key);

/* The file that set "outputs" ("<config>" when none did). */
const char *config_outputs_file(const struct config *c);

/* Whether a and b configure the same outputs (each output's object compared
 * by value, in order) and the same spool directory: a reload that keeps
 * them keeps the running outputs. */
bool config_outputs_equal(const struct config *a, const struct config *b);
/* Whether a and b list the same redaction patterns, in order. */
bool config_redaction_equal(const struct config *a, const struct config *b);

/* Keys the agent set its kernel programs and workers up with, which a
 * reload cannot change: where next differs from running, next takes
 * running's value (so that it says what runs) and the key's dotted name
 * goes to names (up to max). Returns how many differed. */
#define CONFIG_RESTART_KEYS_MAX 16
size_t config_keep_restart_keys(const struct config *running, struct config *next,
				const char **names, size_t max);

/* The outputs of c (output_new: "outputs", "spool_dir"); one native stdout
 * output writing to stream when c lists none. NULL with the reason in err. */
struct output *config_output_new(const struct config *c, FILE *stream, char *err, size_t errlen);

#endif /* MCPWATCH_CONFIG_H */
