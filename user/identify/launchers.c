// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* launchers: programs that start other programs, and their spec syntax. */
#include "identify/launchers.h"
#include "lib/glob.h"
#include "lib/paths.h"

#include <string.h>
#include <strings.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Programs that start another program: the server is what they end up running. */
static const char *const runner_names[] = {
    "npx",    "npm",	"pnpm",	   "pnpx", "yarn",	"bunx",	   "uvx",   "uv",      "pipx",
    "docker", "podman", "nerdctl", "env",  "sudo",	"doas",	   "su",    "timeout", "nohup",
    "nice",   "setsid", "stdbuf",  "tini", "dumb-init", "runuser", "chpst", "xargs",
};

/* Shells start another program too, and run scripts. */
static const char *const shell_names[] = {
    "sh",   "bash",    "dash", "zsh",  "ksh",  "mksh",	"ash",
    "fish", "busybox", "csh",  "tcsh", "yash", "rbash",
};

/* Node scripts that are launchers when run as `node <script>`, and the launcher each is. */
static const struct {
	const char *script;
	const char *launcher;
} launcher_scripts[] = {
    {"npx", "npx"},	 {"npx-cli.js", "npx"}, {"npm", "npm"},	  {"npm-cli.js", "npm"},
    {"pnpm", "pnpm"},	 {"pnpm.cjs", "pnpm"},	{"pnpx", "pnpx"}, {"yarn", "yarn"},
    {"yarn.js", "yarn"}, {"bunx", "bunx"},
};

/* Interpreters: the program is named by their script or -m module, not by them. */
static const char *const interpreter_globs[] = {
    "node", "nodejs", "node[0-9]*", "python", "python[0-9]*", "deno",	 "bun",
    "ruby", "perl",   "php",	    "java",   "tsx",	      "ts-node",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

bool launcher_starts_program(const char *base)
{
	return in_list(base, runner_names, ARRAY_LEN(runner_names)) ||
	       in_list(base, shell_names, ARRAY_LEN(shell_names));
}

const char *launcher_is_script(const char *base)
{
	for (size_t i = 0; i < ARRAY_LEN(launcher_scripts); i++)
		if (strcmp(base, launcher_scripts[i].script) == 0)
			return launcher_scripts[i].launcher;
	return NULL;
}

bool launcher_is_interpreter(const char *base)
{
	for (size_t i = 0; i < ARRAY_LEN(interpreter_globs); i++)
		if (glob_match(interpreter_globs[i], base))
			return true;
	return false;
}

bool launcher_is_shell(const char *base)
{
	return in_list(base, shell_names, ARRAY_LEN(shell_names));
}

bool launcher_name_is(const char *base, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(base, name, n) != 0)
		return false;
	return base[n] == '\0' || strcasecmp(base + n, ".cmd") == 0 ||
	       strcasecmp(base + n, ".exe") == 0;
}

/* ---------------------------------------------------------------- spec syntax */

struct launcher_opts {
	const char *spec_opts;	  /* options whose value is the package (blank-separated) */
	const char *value_opts;	  /* other options that take a separate value */
	const char *short_values; /* single-letter options that take a value (docker) */
};

static const struct launcher_opts npx_opts = {
    .spec_opts = "-p --package",
    .value_opts = "-c --call --registry --cache --prefix --userconfig -w --workspace "
		  "--loglevel --node-options",
    .short_values = "",
};

static const struct launcher_opts dlx_opts = {
    .spec_opts = "-p --package",
    .value_opts = "--registry --reporter --dir -C --allow-build",
    .short_values = "",
};

static const struct launcher_opts py_opts = {
    .spec_opts = "--from --spec",
    .value_opts = "--with -w --with-editable --with-requirements --python -p --index "
		  "--index-url -i --extra-index-url --default-index --find-links -f "
		  "--constraints -c --overrides --build-constraints -b --cache-dir --directory "
		  "--project --config-file --env-file --index-strategy --keyring-provider "
		  "--resolution --prerelease --exclude-newer --refresh-package "
		  "--reinstall-package --upgrade-package -P --link-mode --color "
		  "--python-platform --config-setting -C --pip-args --backend "
		  "--allow-insecure-host",
    .short_values = "",
};

static const struct launcher_opts image_opts = {
    .spec_opts = "",
    .value_opts = "--env --volume --name --network --net --publish --mount --workdir --user "
		  "--entrypoint --label --env-file --add-host --cap-add --cap-drop --device "
		  "--dns --dns-search --dns-option --hostname --memory --memory-swap "
		  "--memory-reservation --cpus --cpu-shares --cpuset-cpus --platform --pull "
		  "--restart --security-opt --tmpfs --ulimit --log-driver --log-opt "
		  "--label-file --ipc --pid --userns --uts --cgroupns --cgroup-parent --gpus "
		  "--shm-size --stop-signal --stop-timeout --health-cmd --runtime --ip --ip6 "
		  "--mac-address --expose --link --volumes-from --group-add --attach --cidfile "
		  "--sysctl --storage-opt --pids-limit --network-alias --domainname "
		  "--annotation --detach-keys --secret --pod --arch --os --uidmap --gidmap "
		  "--timezone --umask --requires --oom-score-adj",
    .short_values = "acehlmpuvw",
};

/* One launcher syntax: program [sub [sub2]] [options] package-or-image [server args]. */
struct launch_syntax {
	const char *program; /* basename, also as .cmd / .exe */
	const char *sub;     /* sub-command word, NULL when none */
	const char *sub2;    /* second sub-command word, NULL when none */
	const char *launcher;
	enum launch_kind kind;
	const struct launcher_opts *opts;
};

/* First match wins. nerdctl shows as "podman run", as it always has. */
static const struct launch_syntax launch_syntaxes[] = {
    {"npx", NULL, NULL, "npx", LAUNCH_NPM, &npx_opts},
    {"npm", "exec", NULL, "npm exec", LAUNCH_NPM, &npx_opts},
    {"npm", "x", NULL, "npm exec", LAUNCH_NPM, &npx_opts},
    {"pnpx", NULL, NULL, "pnpm dlx", LAUNCH_NPM, &dlx_opts},
    {"pnpm", "dlx", NULL, "pnpm dlx", LAUNCH_NPM, &dlx_opts},
    {"bunx", NULL, NULL, "bunx", LAUNCH_NPM, &dlx_opts},
    {"bun", "x", NULL, "bunx", LAUNCH_NPM, &dlx_opts},
    {"yarn", "dlx", NULL, "yarn dlx", LAUNCH_NPM, &dlx_opts},
    {"uvx", NULL, NULL, "uvx", LAUNCH_PYPI, &py_opts},
    {"uv", "tool", "run", "uv tool run", LAUNCH_PYPI, &py_opts},
    {"uv", "tool", "uvx", "uv tool run", LAUNCH_PYPI, &py_opts},
    {"pipx", "run", NULL, "pipx run", LAUNCH_PYPI, &py_opts},
    {"docker", "run", NULL, "docker run", LAUNCH_IMAGE, &image_opts},
    {"docker", "container", "run", "docker run", LAUNCH_IMAGE, &image_opts},
    {"podman", "run", NULL, "podman run", LAUNCH_IMAGE, &image_opts},
    {"podman", "container", "run", "podman run", LAUNCH_IMAGE, &image_opts},
    {"nerdctl", "run", NULL, "podman run", LAUNCH_IMAGE, &image_opts},
    {"nerdctl", "container", "run", "podman run", LAUNCH_IMAGE, &image_opts},
};

/* Is word[0..len) one of the blank-separated words of list? */
static bool word_listed(const char *word, size_t len, const char *list)
{
	const char *p = list;
	size_t n;

	while (*p) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n && n == len && strncmp(p, word, len) == 0)
			return true;
		p += n;
	}
	return false;
}

/* "--name value", "--name=value", "-n value": *value set, *j left on the last word used. */
static bool option_with_value(const char *const *w, size_t n, size_t *j, const char *names,
			      const char **value)
{
	const char *word = w[*j], *eq = strchr(word, '=');

	if (eq && word[1] == '-' && word_listed(word, (size_t)(eq - word), names)) {
		*value = eq + 1;
		return true;
	}
	if (!word_listed(word, strlen(word), names))
		return false;
	*value = *j + 1 < n ? w[++*j] : NULL;
	return true;
}

/* -it, -e X, -eX: a cluster of short options; does it consume the next word? */
static bool short_cluster_takes_next(const char *word, const char *short_values)
{
	const char *p;

	for (p = word + 1; *p; p++) {
		if (strchr(short_values, *p))
			return p[1] == '\0';
	}
	return false;
}

/* Skip options up to the first positional word (the package or image). */
static void launcher_parse(const char *const *w, size_t n, size_t j,
			   const struct launch_syntax *syn, struct launch *l)
{
	const struct launcher_opts *o = syn->opts;
	const char *value, *spec = NULL, *positional = NULL;

	l->kind = syn->kind;
	l->launcher = syn->launcher;
	for (; j < n; j++) {
		if (strcmp(w[j], "--") == 0) {
			j++;
			break;
		}
		if (w[j][0] != '-' || w[j][1] == '\0')
			break;
		if (option_with_value(w, n, &j, o->spec_opts, &value)) {
			if (!spec)
				spec = value;
		} else if (option_with_value(w, n, &j, o->value_opts, &value)) {
			continue;
		} else if (w[j][1] != '-' && *o->short_values &&
			   short_cluster_takes_next(w[j], o->short_values)) {
			j++;
		}
	}
	if (j < n)
		positional = w[j];
	l->spec = spec ? spec : positional;
	l->bin = spec ? positional : NULL;
	l->rest = positional ? j + 1 : n;
}

static bool is_assignment(const char *word)
{
	const char *eq = strchr(word, '=');

	return eq && eq != word && !memchr(word, '/', (size_t)(eq - word));
}

/* env [-u NAME] [NAME=value]... cmd, cmd /c cmd: the command they run. */
static size_t skip_wrappers(const char *const *w, size_t n)
{
	size_t i = 0;
	int depth;

	for (depth = 0; depth < 4 && i < n; depth++) {
		const char *b = path_base(w[i]);

		if (launcher_name_is(b, "env")) {
			for (i++; i < n && (w[i][0] == '-' || is_assignment(w[i])); i++) {
				if (strcmp(w[i], "-u") == 0 || strcmp(w[i], "-C") == 0)
					i++;
			}
		} else if (launcher_name_is(b, "cmd") && i + 1 < n &&
			   strcasecmp(w[i + 1], "/c") == 0) {
			i += 2;
		} else {
			break;
		}
	}
	return i;
}

static bool word_at(const char *const *w, size_t n, size_t i, const char *word)
{
	return !word || (i < n && strcmp(w[i], word) == 0);
}

/* The syntax program b at w[i] uses, and where its options start; NULL: a local command. */
static const struct launch_syntax *syntax_of(const char *b, const char *const *w, size_t n,
					     size_t i, size_t *first)
{
	for (size_t k = 0; k < ARRAY_LEN(launch_syntaxes); k++) {
		const struct launch_syntax *s = &launch_syntaxes[k];

		if (!launcher_name_is(b, s->program) || !word_at(w, n, i + 1, s->sub) ||
		    !word_at(w, n, i + 2, s->sub ? s->sub2 : NULL))
			continue;
		*first = i + 1 + (s->sub != NULL) + (s->sub2 != NULL);
		return s;
	}
	return NULL;
}

void launch_parse(const char *const *w, size_t n, struct launch *l)
{
	size_t i = skip_wrappers(w, n), first;
	const struct launch_syntax *syn;
	const char *b, *script;

	memset(l, 0, sizeof(*l));
	l->kind = i < n ? LAUNCH_LOCAL : LAUNCH_EMPTY;
	l->cmd = i;
	l->rest = i + 1;
	if (i >= n)
		return;
	b = path_base(w[i]);
	/* npm >= 7 shows a running npx as "node .../npx-cli.js" or "npm exec" */
	if (launcher_name_is(b, "node") && i + 1 < n &&
	    (script = launcher_is_script(path_base(w[i + 1])))) {
		b = script;
		i++;
	}
	syn = syntax_of(b, w, n, i, &first);
	if (syn)
		launcher_parse(w, n, first, syn, l);
}
