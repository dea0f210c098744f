// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/match: does a running process's argv correspond to a configured entry? */
#include "posture/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identify/launchers.h"
#include "lib/paths.h"
#include "lib/redact.h"
#include "posture/inventory/common.h"
#include "posture/inventory/pin.h"

#define LOOK_AHEAD 4 /* argv words searched for the resolved server */

static bool names_match(const char *a, const char *b)
{
	char na[INV_NORM_NAME], nb[INV_NORM_NAME];

	inv_normalized_name(a, na);
	inv_normalized_name(b, nb);
	return na[0] && streq(na, nb);
}

/* A relative path in the config matches the absolute path it became. */
static bool arg_matches(const char *configured, const char *running)
{
	size_t n, m;

	if (streq(configured, running))
		return true;
	if (starts_with(configured, "./"))
		configured += 2;
	n = strlen(configured);
	m = strlen(running);
	return n && configured[0] != '/' && configured[0] != '-' && m > n &&
	       running[m - n - 1] == '/' && streq(running + m - n, configured);
}

static bool tails_match(const char *const *a, size_t na, size_t ia, const char *const *b, size_t nb,
			size_t ib)
{
	if (ia > na || ib > nb || na - ia != nb - ib)
		return false;
	for (; ia < na; ia++, ib++) {
		if (!arg_matches(a[ia], b[ib]))
			return false;
	}
	return true;
}

static bool same_package(const struct launch *a, const struct launch *b)
{
	char pa[INV_NORM_NAME], pb[INV_NORM_NAME];

	if (!a->spec || !b->spec || a->kind != b->kind)
		return false;
	pin_package_identity(a->kind, a->spec, pa);
	pin_package_identity(b->kind, b->spec, pb);
	return pa[0] && streq(pa, pb);
}

/* An interpreter or shell: the server's own program can follow it and its options. */
static bool is_interpreter(const char *base)
{
	char norm[INV_NORM_NAME];

	inv_normalized_name(base, norm);
	return launcher_is_interpreter(base) || launcher_is_interpreter(norm) ||
	       launcher_is_shell(norm);
}

/* Word k of run can be the server's own program: first, or after an interpreter and its options. */
static bool program_position(const char *const *run, size_t k)
{
	size_t i;

	if (k == 0)
		return true;
	if (!is_interpreter(path_base(run[0])))
		return false;
	for (i = 1; i < k; i++) {
		if (run[i][0] != '-')
			return false;
	}
	return true;
}

static bool local_matches(const char *const *cfg, size_t ncfg, const struct launch *lc,
			  const char *const *run, size_t nrun)
{
	const char *want = path_base(cfg[lc->cmd]);
	size_t k;

	for (k = 0; k < nrun && k < LOOK_AHEAD; k++) {
		if (names_match(path_base(run[k]), want) && program_position(run, k) &&
		    tails_match(cfg, ncfg, lc->cmd + 1, run, nrun, k + 1))
			return true;
	}
	return false;
}

/* .../node_modules/@scope/pkg/dist/index.js, .../.bin/mcp-server-x, .../bin/pkg-name */
static bool names_npm_package(const char *word, const char *pkg, const char *bin)
{
	const char *seg = strrchr(pkg, '/'), *base = path_base(word), *hit;
	size_t n = strlen(pkg);
	char mcp_seg[INV_NORM_NAME];

	seg = seg ? seg + 1 : pkg;
	for (hit = strstr(word, pkg); hit; hit = strstr(hit + 1, pkg)) {
		if (hit > word && hit[-1] == '/' && (hit[n] == '/' || hit[n] == '\0'))
			return true;
	}
	snprintf(mcp_seg, sizeof(mcp_seg), "mcp-%s", seg);
	return streq(base, seg) || streq(base, mcp_seg) || (bin && streq(base, bin));
}

static bool npm_resolved_matches(const char *const *cfg, size_t ncfg, const struct launch *lc,
				 const char *const *run, size_t nrun)
{
	char pkg[INV_NORM_NAME];
	size_t k;

	pin_package_identity(LAUNCH_NPM, lc->spec, pkg);
	if (!pkg[0])
		return false;
	for (k = 0; k < nrun && k < LOOK_AHEAD; k++) {
		if (names_npm_package(run[k], pkg, lc->bin) && program_position(run, k) &&
		    tails_match(cfg, ncfg, lc->rest, run, nrun, k + 1))
			return true;
	}
	return false;
}

/* uvx pkg → .../bin/pkg or python -m pkg_module; --from pkg cmd → .../bin/cmd */
static bool pypi_resolved_matches(const char *const *cfg, size_t ncfg, const struct launch *lc,
				  const char *const *run, size_t nrun)
{
	char pkg[INV_NORM_NAME];
	const char *bin = lc->bin;
	size_t k;

	pin_package_identity(LAUNCH_PYPI, lc->spec, pkg);
	if (!pkg[0])
		return false;
	for (k = 0; k < nrun && k < LOOK_AHEAD; k++) {
		const char *base = path_base(run[k]);

		if (!program_position(run, k))
			continue;
		if ((names_match(base, pkg) || (bin && names_match(base, bin))) &&
		    tails_match(cfg, ncfg, lc->rest, run, nrun, k + 1))
			return true;
		if (streq(run[k], "-m") && k + 1 < nrun && names_match(run[k + 1], pkg) &&
		    tails_match(cfg, ncfg, lc->rest, run, nrun, k + 2))
			return true;
	}
	return false;
}

static bool words_match(const char *const *cfg, size_t ncfg, const char *const *run, size_t nrun)
{
	struct launch lc, lr;

	launch_parse(cfg, ncfg, &lc);
	launch_parse(run, nrun, &lr);
	if (lc.kind == LAUNCH_EMPTY || lr.kind == LAUNCH_EMPTY)
		return false;
	if (lc.kind != LAUNCH_LOCAL && same_package(&lc, &lr) &&
	    tails_match(cfg, ncfg, lc.rest, run, nrun, lr.rest))
		return true;
	if (lc.kind == LAUNCH_LOCAL)
		return local_matches(cfg, ncfg, &lc, run, nrun);
	if (!lc.spec)
		return false;
	if (lc.kind == LAUNCH_NPM)
		return npm_resolved_matches(cfg, ncfg, &lc, run, nrun);
	if (lc.kind == LAUNCH_PYPI)
		return pypi_resolved_matches(cfg, ncfg, &lc, run, nrun);
	return false; /* a container's processes are in their own namespace */
}

bool inventory_matches_cmdline(const struct inv_server *s, char *const *argv, int argc)
{
	const char **cfg;
	char **run;
	size_t i, nrun;
	bool match = false;

	if (!s || !s->command || !argv || argc <= 0)
		return false;
	nrun = (size_t)argc;
	cfg = inv_words_of(s->command, s->args, s->args ? s->nargs : 0);
	run = calloc(nrun, sizeof(*run));
	if (!cfg || !run)
		goto out;
	/* configured arguments are stored redacted: compare like with like */
	for (i = 0; i < nrun; i++) {
		run[i] = strdup(argv[i] ? argv[i] : "");
		if (!run[i])
			goto out;
	}
	redact_argv(run, argc);
	match = words_match(cfg, s->nargs + 1, (const char *const *)run, nrun);
out:
	free(cfg);
	if (run)
		inv_strv_free(run, nrun);
	return match;
}
