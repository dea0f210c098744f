/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * main: parses the command line and wires the modules together. Nothing
 * else lives here.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "posture/grade.h"
#include "deliver/output.h"
#include "posture/posture.h"
#include "config.h"
#include "format/format.h"
#include "detect/rules.h"
#include "lib/caps.h"
#include "lib/diag.h"

/* Diagnostics of the files the command line names go to stderr, one a line. */
static struct diag *stderr_diag(void)
{
	static struct diag d;

	diag_init(&d, stderr, false);
	return &d;
}

static const char usage_text[] =
    "usage: mcpwatch run [--config FILE] [--rules FILE]... [--no-default-rules] [-v[v]]\n"
    "       mcpwatch rules check [--no-default-rules] FILE...\n"
    "       mcpwatch rules fields\n"
    "       mcpwatch grade [--json] [--config FILE] [--rate-limit] [--fs-root DIR] [--proc-root "
    "DIR]\n"
    "       mcpwatch format --format native|ocsf|ecs|falco < RECORDS.ndjson\n"
    "       mcpwatch --version | --help\n"
    "\n"
    "run          watch MCP servers on this host; JSON records on stdout\n"
    "rules check  validate rule files; errors as FILE:LINE:COLUMN: message\n"
    "rules fields list the event fields rules can test\n"
    "grade        grade the MCP servers on this host (A-F) and say what to fix first\n"
    "format       native records (stdin) to OCSF, ECS or Falco JSON (stdout)\n"
    "-v           log identity and TLS decisions on stderr; -vv adds libbpf debug\n"
    "\n"
    "exit codes: 0 ok, 1 runtime error, 2 bad usage/config/rules,\n"
    "            3 not root or missing capability, 4 kernel not supported\n";

/* What is lost without each capability that is not strictly required. */
static const struct {
	int cap;
	const char *without;
} optional_caps[] = {
    {CAPS_SYS_PTRACE, "the executable, open files and memory maps of processes of other users, "
		      "or of root processes holding capabilities mcpwatch lacks, cannot be read: "
		      "such MCP servers go unidentified, alerts lack process.exe, listeners lack "
		      "their process"},
    {CAPS_DAC_READ_SEARCH, "other users' private files cannot be read: client configurations "
			   "in their homes are missing from the grade, and the listeners of their "
			   "processes lack their process"},
};

/* One line for each capability whose absence narrows what is seen. */
static void warn_missing_caps(uint64_t have)
{
	char hint[256];

	for (size_t i = 0; i < sizeof(optional_caps) / sizeof(optional_caps[0]); i++)
		if (*caps_missing_hint(EPERM, CAPS_BIT(optional_caps[i].cap), have, hint,
				       sizeof(hint)))
			fprintf(stderr, "mcpwatch: without %s, %s\n",
				caps_name(optional_caps[i].cap), optional_caps[i].without);
}

/*
 * BPF needs CAP_BPF+CAP_PERFMON (or CAP_SYS_ADMIN): without them nothing
 * works and run refuses to start. Every other capability only narrows what
 * is seen, so its absence is said, not refused. One line says what the agent
 * runs with, so an operator sees what a unit or a pod really granted.
 */
static int check_privileges(int verbose)
{
	uint64_t have = caps_effective();
	uint64_t bpf = have & CAPS_BIT(CAPS_SYS_ADMIN) ? CAPS_FOR_BPF : have & CAPS_FOR_BPF;
	uint64_t extra = have & ~CAPS_NEEDED;
	char names[1024];
	int nextra = 0;

	if (!have && geteuid() == 0)
		return 0; /* capget failed: a root of old, let the kernel decide */
	if (bpf != CAPS_FOR_BPF) {
		fprintf(stderr,
			"mcpwatch: needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) to load "
			"its BPF programs%s; run it with sudo or as a privileged container\n",
			caps_missing_hint(EPERM, CAPS_FOR_BPF, have, names, sizeof(names)));
		return -1;
	}
	for (int cap = 0; cap < 64; cap++)
		nextra += (extra & CAPS_BIT(cap)) != 0;
	fprintf(stderr, "mcpwatch: running as uid %u with capabilities %s", (unsigned)geteuid(),
		caps_format(have & CAPS_NEEDED, names, sizeof(names)));
	if (nextra && verbose)
		fprintf(stderr, ", and not needed %s", caps_format(extra, names, sizeof(names)));
	else if (nextra)
		fprintf(stderr, ", and %d more not needed", nextra);
	fputc('\n', stderr);
	warn_missing_caps(have);
	return 0;
}

static int load_rules(struct ruleset *rs, const struct config *cfg, char **extra, int nextra,
		      struct diag *diag)
{
	if (cfg->default_rules && ruleset_load_defaults(rs, diag) != 0)
		return -1;
	for (size_t i = 0; i < cfg->nrules_files; i++)
		if (ruleset_load_file(rs, cfg->rules_files[i], diag) != 0)
			return -1;
	for (int i = 0; i < nextra; i++)
		if (ruleset_load_file(rs, extra[i], diag) != 0)
			return -1;
	return 0;
}

/* What `run` was given, to load the config and rules at start and again on SIGHUP. */
struct run_sources {
	const char *config_path; /* NULL: the defaults */
	char **extra_rules;	 /* --rules, after the config's */
	int nextra;
	bool no_defaults; /* --no-default-rules */
};

/* Fills cfg (started with config_defaults by the caller, freed by it) and
 * *rules; 0, MW_EXIT_USAGE (diagnostics said why) or MW_EXIT_RUNTIME. */
static int load_sources(void *arg, struct config *cfg, struct ruleset **rules, struct diag *diag)
{
	const struct run_sources *src = arg;

	*rules = NULL;
	if (src->config_path && config_load_file(cfg, src->config_path, diag) != 0)
		return MW_EXIT_USAGE;
	if (src->no_defaults)
		cfg->default_rules = false;
	*rules = ruleset_new();
	if (!*rules)
		return MW_EXIT_RUNTIME;
	if (load_rules(*rules, cfg, src->extra_rules, src->nextra, diag) != 0) {
		ruleset_free(*rules);
		*rules = NULL;
		return MW_EXIT_USAGE;
	}
	return 0;
}

static int cmd_rules_check(int argc, char **argv)
{
	bool defaults = true;
	int bad = 0, first = 0;

	if (argc > 0 && strcmp(argv[0], "--no-default-rules") == 0) {
		defaults = false;
		first = 1;
	}
	if (argc - first < 1) {
		fputs(usage_text, stderr);
		return MW_EXIT_USAGE;
	}
	for (int i = first; i < argc; i++) {
		struct ruleset *rs = ruleset_new();
		struct diag diag;

		diag_init(&diag, stderr, false);

		if (!rs)
			return MW_EXIT_RUNTIME;
		/* Checked on top of the defaults, as `run` loads it: overrides need them. */
		if (defaults && ruleset_load_defaults(rs, &diag) != 0)
			bad++;
		else if (ruleset_load_file(rs, argv[i], &diag) != 0)
			bad++;
		else
			printf("%s: ok, %zu rules\n", argv[i], ruleset_count(rs));
		ruleset_free(rs);
	}
	return bad ? MW_EXIT_USAGE : MW_EXIT_OK;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"rules", required_argument, NULL, 'r'},
	    {"no-default-rules", no_argument, NULL, 'n'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL;
	char **extra = calloc((size_t)argc + 1, sizeof(*extra));
	int nextra = 0, opt, rc;
	int verbose = 0;
	bool no_defaults = false;
	struct config cfg;
	struct ruleset *rs = NULL;

	if (!extra)
		return MW_EXIT_RUNTIME;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:r:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			extra[nextra++] = optarg;
			break;
		case 'n':
			no_defaults = true;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(extra);
			return MW_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			free(extra);
			return MW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mcpwatch: unexpected argument '%s'\n%s", argv[optind], usage_text);
		free(extra);
		return MW_EXIT_USAGE;
	}
	struct run_sources src = {config_path, extra, nextra, no_defaults};

	config_defaults(&cfg);
	rc = load_sources(&src, &cfg, &rs, stderr_diag());
	if (rc)
		goto out;
	if (check_privileges(verbose) != 0) {
		rc = MW_EXIT_PRIVILEGE;
		goto out;
	}
	struct agent_opts ao = {.cfg = &cfg,
				.rules = rs,
				.out = stdout,
				.proc_root = "/proc",
				.verbose = verbose,
				.reload = load_sources,
				.reload_arg = &src};
	rc = agent_run(&ao);
out:
	ruleset_free(rs);
	config_free(&cfg);
	free(extra);
	return rc;
}

static int cmd_grade(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"config", required_argument, NULL, 'c'},
	    {"rate-limit", no_argument, NULL, 'r'},
	    {"fs-root", required_argument, NULL, 'f'},
	    {"proc-root", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *fs_root = "", *proc_root = "/proc";
	bool json = false, rate_limit = false;
	struct config cfg;
	struct posture_report rep;
	struct grade_opts go = {0};
	struct identity *id;
	char host[256], err[512];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jc:rf:p:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			rate_limit = true;
			break;
		case 'f':
			fs_root = optarg;
			break;
		case 'p':
			proc_root = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return MW_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return MW_EXIT_USAGE;
		}
	}
	config_defaults(&cfg);
	if (config_path && config_load_file(&cfg, config_path, stderr_diag()) != 0)
		return MW_EXIT_USAGE;
	if (rate_limit)
		cfg.posture_rate_limit = true;
	if (cfg.host_name)
		snprintf(host, sizeof(host), "%s", cfg.host_name);
	else if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	if (geteuid() != 0)
		fprintf(stderr, "mcpwatch: not root: other users' processes and configs may be "
				"missing from the grade\n");
	else
		warn_missing_caps(caps_effective());
	go.identity = id = agent_identity_from_config(&cfg);
	go.rate_limit = cfg.posture_rate_limit;
	go.runtime_window_s = cfg.posture_runtime_window_s;
	go.proc_root = proc_root;
	go.fs_root = strcmp(fs_root, "/") == 0 ? "" : fs_root;
	go.home_globs = (const char *const *)cfg.posture_home_dirs;
	go.nhome_globs = cfg.nposture_home_dirs;
	go.host = host;
	go.skip_tgid = (uint32_t)getpid();
	go.diag = stderr_diag();
	if (!id || grade_collect(&go, &rep, err, sizeof(err)) != 0) {
		fprintf(stderr, "mcpwatch: grade: %s\n", id ? err : "out of memory");
		identity_free(id);
		config_free(&cfg);
		return MW_EXIT_RUNTIME;
	}
	if (json) {
		cJSON *j = posture_report_json(&rep);
		char *text = cJSON_Print(j);

		if (text)
			puts(text);
		cJSON_free(text);
		cJSON_Delete(j);
	} else {
		posture_print_table(&rep, stdout, isatty(STDOUT_FILENO) && !getenv("NO_COLOR"));
	}
	posture_report_free(&rep);
	identity_free(id);
	config_free(&cfg);
	return MW_EXIT_OK;
}

#define FORMAT_LINE_MAX (1 << 20)

/* Native NDJSON on stdin → the same records in another format, one per line. */
static int cmd_format(int argc, char **argv)
{
	const char *name = NULL;
	enum record_format f;
	char *buf, *out, err[128];
	long lineno = 0, skipped = 0;
	size_t len;
	int c;

	if (argc == 3 && strcmp(argv[1], "--format") == 0)
		name = argv[2];
	else if (argc == 2 && strncmp(argv[1], "--format=", 9) == 0)
		name = argv[1] + 9;
	if (format_parse(name, &f) != 0) {
		fprintf(stderr, "mcpwatch: format: needs --format native|ocsf|ecs|falco\n%s",
			usage_text);
		return MW_EXIT_USAGE;
	}
	buf = malloc(FORMAT_LINE_MAX);
	if (!buf)
		return MW_EXIT_RUNTIME;
	while (fgets(buf, FORMAT_LINE_MAX, stdin)) {
		len = strlen(buf);
		lineno++;
		if (len == FORMAT_LINE_MAX - 1 && buf[len - 1] != '\n') {
			while ((c = getchar()) != EOF && c != '\n')
				; /* bounded: the rest of an overlong line is dropped */
			snprintf(err, sizeof(err), "longer than %d bytes", FORMAT_LINE_MAX - 1);
		} else if (format_line(f, buf, len, &out, err, sizeof(err)) == 0) {
			if (out)
				printf("%s\n", out);
			cJSON_free(out);
			continue;
		}
		fprintf(stderr, "mcpwatch: format: stdin:%ld: %s, skipped\n", lineno, err);
		skipped++;
	}
	free(buf);
	if (fflush(stdout) != 0 || ferror(stdin))
		return MW_EXIT_RUNTIME;
	return skipped ? MW_EXIT_RUNTIME : MW_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return MW_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("mcpwatch %s\n", MW_VERSION);
		return MW_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return MW_EXIT_OK;
	}
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "grade") == 0)
		return cmd_grade(argc - 1, argv + 1);
	if (strcmp(argv[1], "format") == 0)
		return cmd_format(argc - 1, argv + 1);
	if (strcmp(argv[1], "rules") == 0 && argc >= 3 && strcmp(argv[2], "check") == 0)
		return cmd_rules_check(argc - 3, argv + 3);
	if (strcmp(argv[1], "rules") == 0 && argc == 3 && strcmp(argv[2], "fields") == 0) {
		field_catalogue_print(stdout);
		return 0;
	}
	fprintf(stderr, "mcpwatch: unknown command '%s'\n%s", argv[1], usage_text);
	return MW_EXIT_USAGE;
}
