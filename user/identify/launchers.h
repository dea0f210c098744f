/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * launchers: owns what mcpwatch knows about programs that start other
 * programs, in one place. Two questions, two named lists:
 *
 *  - "Does this program start another program?" (identity: the server is
 *    what a launcher ends up running): launcher_starts_program() for
 *    package runners, container runners, wrappers and shells;
 *    launcher_is_script() for the node scripts that are launchers
 *    (`node .../npx-cli.js`); launcher_is_interpreter() and
 *    launcher_is_shell() for the programs that run a script or module that
 *    names the program (`node server.js`, `python -m mcp_server_x`).
 *
 *  - "Which launcher spec syntax does this command line use?" (the posture
 *    inventory: pin analysis and matching a running argv to a configured
 *    entry): launch_parse() reads npx / npm exec / pnpm dlx / bunx / yarn
 *    dlx (an npm package), uvx / uv tool run / pipx run (a PyPI package)
 *    and docker / podman / nerdctl run (an image), behind env and cmd /c
 *    wrappers, into the package or image and where the server's own
 *    arguments start.
 */
#ifndef MCPWATCH_LAUNCHERS_H
#define MCPWATCH_LAUNCHERS_H

#include <stdbool.h>
#include <stddef.h>

/* By basename: does this program start another program (npx, uvx, docker, env, sh ...)? */
bool launcher_starts_program(const char *base);
/* By basename: is this script, run by an interpreter, a launcher (npx-cli.js, yarn.js ...)?
 * Returns the launcher it is ("npx"), or NULL. */
const char *launcher_is_script(const char *base);
/* By basename (versions such as node18 or python3.12 included): does this
 * program run a script or module that names the program it runs? */
bool launcher_is_interpreter(const char *base);
/* By basename: is it a shell (a program that starts another and runs scripts)? */
bool launcher_is_shell(const char *base);

enum launch_kind { LAUNCH_EMPTY, LAUNCH_LOCAL, LAUNCH_NPM, LAUNCH_PYPI, LAUNCH_IMAGE };

/* How a command line starts its server. Indexes are into the word vector w[0..n). */
struct launch {
	enum launch_kind kind;
	const char *launcher; /* "npx", "uv tool run", "docker run", ... */
	const char *spec;     /* package or image as written; NULL when missing */
	const char *bin;      /* command named after -p / --from / --spec, else NULL */
	size_t cmd;	      /* the effective command word, after env / cmd /c wrappers */
	size_t rest;	      /* first argument handed to the server */
};

/* Read the command line w[0..n) (w[0] the command). Strings of *l point into w. */
void launch_parse(const char *const *w, size_t n, struct launch *l);

/* "npx" also as "npx.cmd" / "npx.exe" (configs copied from Windows). */
bool launcher_name_is(const char *base, const char *name);

#endif /* MCPWATCH_LAUNCHERS_H */
