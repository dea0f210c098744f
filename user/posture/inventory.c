// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory: the MCP servers configured in every MCP client's files. */
#include "posture/inventory.h"
#include "lib/paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "lib/json.h"
#include "lib/redact.h"

#define NAME_SHOWN   64	 /* server, env and header names in messages */
#define WORD_SHOWN   120 /* a package or image in pin evidence */
#define MAX_USERS    4096
#define LOOK_AHEAD   4 /* argv words searched for the resolved server */
#define NORM_NAME    256
#define COMMIT_CHARS 40

/* ---------------------------------------------------------------- small helpers */

static bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_hex(s[i]))
			return false;
	}
	return s[n] == '\0';
}

/* "npx" also as "npx.cmd" / "npx.exe" (configs copied from Windows). */
static bool name_is(const char *base, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(base, name, n) != 0)
		return false;
	return base[n] == '\0' || strcasecmp(base + n, ".cmd") == 0 ||
	       strcasecmp(base + n, ".exe") == 0;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++) {
		if (streq(s, *list))
			return true;
	}
	return false;
}

/* Room for one more item in an array holding n: capacity 4, then doubling. */
static bool array_reserve(void *arrayp, size_t n, size_t size)
{
	void *old, *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return true;
	memcpy(&old, arrayp, sizeof(old));
	p = realloc(old, (n ? 2 * n : 4) * size);
	if (!p)
		return false;
	memcpy(arrayp, &p, sizeof(p));
	return true;
}

static bool strv_push(char ***v, size_t *n, const char *s)
{
	char *copy = strdup(s);

	if (!copy || !array_reserve(v, *n, sizeof(char *))) {
		free(copy);
		return false;
	}
	(*v)[(*n)++] = copy;
	return true;
}

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A word for a message: redacted (it may be a URL with a password), cut, printable. */
static void shown_word(const char *in, char *out, size_t outlen)
{
	char *p;

	redact_string(in, out, outlen);
	for (p = out; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
}

static void shown_name(const char *s, char *out)
{
	json_quote_for_message(s, strlen(s), out, NAME_SHOWN);
}

/* ---------------------------------------------------------------- diagnostics */

static void add_diag(struct inventory *inv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_diag(struct inventory *inv, const char *fmt, ...)
{
	char line[512], *p;
	va_list ap;

	if (inv->ndiag > INVENTORY_MAX_DIAG)
		return;
	if (inv->ndiag == INVENTORY_MAX_DIAG) {
		snprintf(line, sizeof(line), "further diagnostics suppressed");
	} else {
		va_start(ap, fmt);
		vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
	}
	for (p = line; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	strv_push(&inv->diagnostics, &inv->ndiag, line);
}

/* ---------------------------------------------------------------- package specs */

/* 1.2.3, v1.2.3, =1.2.3, 1.2.3-rc.1+build: one exact release. */
static bool is_exact_semver(const char *v)
{
	int part;

	if (*v == 'v' || *v == '=')
		v++;
	for (part = 0; part < 3; part++) {
		if (!is_digit(*v))
			return false;
		while (is_digit(*v))
			v++;
		if (part < 2 && *v++ != '.')
			return false;
	}
	if (*v != '\0' && *v != '-' && *v != '+')
		return false;
	if (*v && !v[1])
		return false;
	for (; *v; v++) {
		if (!is_digit(*v) && !is_alpha(*v) && !strchr(".-+", *v))
			return false;
	}
	return true;
}

static bool is_local_path(const char *s)
{
	return s[0] == '.' || s[0] == '/' || s[0] == '~' || starts_with(s, "file:");
}

static bool is_npm_git_or_url(const char *s)
{
	static const char *const prefixes[] = {"git+",	"git@",	      "git:",  "github:", "gitlab:",
					       "gist:", "bitbucket:", "http:", "https:",  NULL};
	const char *const *p;

	for (p = prefixes; *p; p++) {
		if (starts_with(s, *p))
			return true;
	}
	return s[0] != '@' && strchr(s, '/') != NULL; /* "owner/repo" shorthand */
}

static const char *npm_version_at(const char *spec)
{
	return strchr(spec[0] == '@' ? spec + 1 : spec, '@');
}

static enum pin_state npm_spec_pin(const char *launcher, const char *spec, char *ev, size_t elen)
{
	char shown[WORD_SHOWN];
	const char *s = starts_with(spec, "npm:") ? spec + 4 : spec, *at, *hash;

	shown_word(spec, shown, sizeof(shown));
	if (is_local_path(s)) {
		snprintf(ev, elen, "%s runs local package %s; pin not applicable", launcher, shown);
		return PIN_NA;
	}
	if (is_npm_git_or_url(s)) {
		hash = strrchr(s, '#');
		if (hash && all_hex(hash + 1, COMMIT_CHARS)) {
			snprintf(ev, elen, "%s package %s pinned to a commit", launcher, shown);
			return PIN_PINNED;
		}
		snprintf(ev, elen, "%s package %s is a git or URL reference without a commit",
			 launcher, shown);
		return PIN_UNPINNED;
	}
	at = npm_version_at(s);
	if (!at || !at[1]) {
		snprintf(ev, elen,
			 "%s package %s has no version: the latest release runs at each start",
			 launcher, shown);
		return PIN_UNPINNED;
	}
	if (is_exact_semver(at + 1)) {
		snprintf(ev, elen, "%s package %s pinned to an exact version", launcher, shown);
		return PIN_PINNED;
	}
	snprintf(ev, elen, "%s package %s names %s, not an exact version", launcher, shown,
		 is_alpha(at[1]) ? "a tag" : "a range");
	return PIN_UNPINNED;
}

static enum pin_state git_rev_pin(const char *launcher, const char *s, const char *shown, char *ev,
				  size_t elen)
{
	const char *at = strrchr(s, '@'), *slash = strrchr(s, '/');

	if (at && slash && at > slash && all_hex(at + 1, COMMIT_CHARS)) {
		snprintf(ev, elen, "%s package %s pinned to a commit", launcher, shown);
		return PIN_PINNED;
	}
	snprintf(ev, elen, "%s package %s is a git or URL reference without a commit", launcher,
		 shown);
	return PIN_UNPINNED;
}

/* pkg==1.2.3 (PEP 440) or pkg@1.2.3 (uvx) pin; ranges, tags and nothing do not. */
static enum pin_state python_spec_pin(const char *launcher, const char *s, char *ev, size_t elen)
{
	char shown[WORD_SHOWN];
	const char *eq = strstr(s, "=="), *at;

	shown_word(s, shown, sizeof(shown));
	if (is_local_path(s)) {
		snprintf(ev, elen, "%s runs local package %s; pin not applicable", launcher, shown);
		return PIN_NA;
	}
	if (starts_with(s, "git+") || strstr(s, "://"))
		return git_rev_pin(launcher, s, shown, ev, elen);
	if (eq) {
		while (*eq == '=')
			eq++;
		if (is_digit(*eq) && !strpbrk(eq, "*,;<>!~ ")) {
			snprintf(ev, elen, "%s package %s pinned to an exact version", launcher,
				 shown);
			return PIN_PINNED;
		}
	}
	if (strpbrk(s, "<>~!=")) {
		snprintf(ev, elen, "%s package %s names a range, not an exact version", launcher,
			 shown);
		return PIN_UNPINNED;
	}
	at = strchr(s, '@');
	if (at && is_digit(at[1])) {
		snprintf(ev, elen, "%s package %s pinned to an exact version", launcher, shown);
		return PIN_PINNED;
	}
	if (at && at[1]) {
		snprintf(ev, elen, "%s package %s names a tag, not an exact version", launcher,
			 shown);
		return PIN_UNPINNED;
	}
	snprintf(ev, elen, "%s package %s has no version: the latest release runs at each start",
		 launcher, shown);
	return PIN_UNPINNED;
}

/* registry[:port]/repo[:tag][@sha256:digest] */
static enum pin_state image_pin(const char *launcher, const char *image, char *ev, size_t elen)
{
	char shown[WORD_SHOWN];
	const char *digest = strstr(image, "@sha256:"), *slash = strrchr(image, '/'), *colon;

	shown_word(image, shown, sizeof(shown));
	if (digest && all_hex(digest + 8, 64)) {
		snprintf(ev, elen, "%s image %s pinned by digest", launcher, shown);
		return PIN_PINNED;
	}
	if (digest || strchr(image, '@')) {
		snprintf(ev, elen, "%s image %s has a malformed digest", launcher, shown);
		return PIN_UNPINNED;
	}
	colon = strchr(slash ? slash + 1 : image, ':');
	if (!colon || !colon[1]) {
		snprintf(ev, elen, "%s image %s has no tag: latest runs", launcher, shown);
		return PIN_UNPINNED;
	}
	if (streq(colon + 1, "latest")) {
		snprintf(ev, elen, "%s image %s uses tag latest", launcher, shown);
		return PIN_UNPINNED;
	}
	snprintf(ev, elen, "%s image %s pinned to a tag", launcher, shown);
	return PIN_PINNED;
}

/* ---------------------------------------------------------------- launchers */

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
static void launcher_parse(const char *const *w, size_t n, size_t j, const char *launcher,
			   enum launch_kind kind, const struct launcher_opts *o, struct launch *l)
{
	const char *value, *spec = NULL, *positional = NULL;

	l->kind = kind;
	l->launcher = launcher;
	for (; j < n; j++) {
		if (streq(w[j], "--")) {
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

		if (name_is(b, "env")) {
			for (i++; i < n && (w[i][0] == '-' || is_assignment(w[i])); i++) {
				if (streq(w[i], "-u") || streq(w[i], "-C"))
					i++;
			}
		} else if (name_is(b, "cmd") && i + 1 < n && strcasecmp(w[i + 1], "/c") == 0) {
			i += 2;
		} else {
			break;
		}
	}
	return i;
}

static bool word_at(const char *const *w, size_t n, size_t i, const char *word)
{
	return i < n && streq(w[i], word);
}

static void launch_parse(const char *const *w, size_t n, struct launch *l)
{
	size_t i = skip_wrappers(w, n);
	const char *b;

	memset(l, 0, sizeof(*l));
	l->kind = i < n ? LAUNCH_LOCAL : LAUNCH_EMPTY;
	l->cmd = i;
	l->rest = i + 1;
	if (i >= n)
		return;
	b = path_base(w[i]);
	/* npm >= 7 shows a running npx as "node .../npx-cli.js" or "npm exec" */
	if (name_is(b, "node") && i + 1 < n) {
		if (streq(path_base(w[i + 1]), "npx-cli.js")) {
			b = "npx";
			i++;
		} else if (streq(path_base(w[i + 1]), "npm-cli.js")) {
			b = "npm";
			i++;
		}
	}
	if (name_is(b, "npx"))
		launcher_parse(w, n, i + 1, "npx", LAUNCH_NPM, &npx_opts, l);
	else if (name_is(b, "npm") && (word_at(w, n, i + 1, "exec") || word_at(w, n, i + 1, "x")))
		launcher_parse(w, n, i + 2, "npm exec", LAUNCH_NPM, &npx_opts, l);
	else if (name_is(b, "pnpx") || (name_is(b, "pnpm") && word_at(w, n, i + 1, "dlx")))
		launcher_parse(w, n, name_is(b, "pnpx") ? i + 1 : i + 2, "pnpm dlx", LAUNCH_NPM,
			       &dlx_opts, l);
	else if (name_is(b, "bunx") || (name_is(b, "bun") && word_at(w, n, i + 1, "x")))
		launcher_parse(w, n, name_is(b, "bunx") ? i + 1 : i + 2, "bunx", LAUNCH_NPM,
			       &dlx_opts, l);
	else if (name_is(b, "yarn") && word_at(w, n, i + 1, "dlx"))
		launcher_parse(w, n, i + 2, "yarn dlx", LAUNCH_NPM, &dlx_opts, l);
	else if (name_is(b, "uvx"))
		launcher_parse(w, n, i + 1, "uvx", LAUNCH_PYPI, &py_opts, l);
	else if (name_is(b, "uv") && word_at(w, n, i + 1, "tool") &&
		 (word_at(w, n, i + 2, "run") || word_at(w, n, i + 2, "uvx")))
		launcher_parse(w, n, i + 3, "uv tool run", LAUNCH_PYPI, &py_opts, l);
	else if (name_is(b, "pipx") && word_at(w, n, i + 1, "run"))
		launcher_parse(w, n, i + 2, "pipx run", LAUNCH_PYPI, &py_opts, l);
	else if ((name_is(b, "docker") || name_is(b, "podman") || name_is(b, "nerdctl")) &&
		 (word_at(w, n, i + 1, "run") ||
		  (word_at(w, n, i + 1, "container") && word_at(w, n, i + 2, "run"))))
		launcher_parse(w, n, word_at(w, n, i + 1, "run") ? i + 2 : i + 3,
			       name_is(b, "docker") ? "docker run" : "podman run", LAUNCH_IMAGE,
			       &image_opts, l);
}

/* ---------------------------------------------------------------- pin state */

/* w[0] = command, then args; NULL on allocation failure. */
static const char **words_of(const char *command, char *const *args, size_t nargs)
{
	const char **w = malloc((nargs + 1) * sizeof(*w));
	size_t i;

	if (!w)
		return NULL;
	w[0] = command;
	for (i = 0; i < nargs; i++)
		w[i + 1] = args[i] ? args[i] : "";
	return w;
}

static enum pin_state launch_pin(const struct launch *l, char *ev, size_t elen)
{
	switch (l->kind) {
	case LAUNCH_NPM:
	case LAUNCH_PYPI:
	case LAUNCH_IMAGE:
		if (!l->spec) {
			snprintf(ev, elen, "%s without a package or image; pin not applicable",
				 l->launcher);
			return PIN_NA;
		}
		if (l->kind == LAUNCH_NPM)
			return npm_spec_pin(l->launcher, l->spec, ev, elen);
		if (l->kind == LAUNCH_PYPI)
			return python_spec_pin(l->launcher, l->spec, ev, elen);
		return image_pin(l->launcher, l->spec, ev, elen);
	case LAUNCH_LOCAL:
		snprintf(ev, elen, "local command; pin not applicable");
		return PIN_NA;
	case LAUNCH_EMPTY:
	default:
		snprintf(ev, elen, "no command; pin not applicable");
		return PIN_NA;
	}
}

enum pin_state inventory_pin_state(const char *command, char *const *args, size_t nargs,
				   char *evidence, size_t elen)
{
	char scratch[INVENTORY_EVIDENCE_MAX];
	const char **w;
	struct launch l;
	enum pin_state pin;

	if (!evidence || elen == 0) {
		evidence = scratch;
		elen = sizeof(scratch);
	}
	if (!command || !*command) {
		snprintf(evidence, elen, "remote server; pin not applicable");
		return PIN_NA;
	}
	if (!args)
		nargs = 0;
	w = words_of(command, args, nargs);
	if (!w) {
		snprintf(evidence, elen, "out of memory");
		return PIN_NA;
	}
	launch_parse(w, nargs + 1, &l);
	pin = launch_pin(&l, evidence, elen);
	free(w);
	return pin;
}

/* ---------------------------------------------------------------- literal secrets */

/* s without ${...} and $NAME references: what a client does not take literally. */
static char *strip_references(const char *s)
{
	size_t i = 0, o = 0, n = strlen(s);
	char *out = malloc(n + 1);
	const char *close;

	if (!out)
		return NULL;
	while (i < n) {
		if (s[i] == '$' && s[i + 1] == '{' && (close = strchr(s + i + 2, '}'))) {
			i = (size_t)(close - s) + 1;
			continue;
		}
		if (s[i] == '$' && (is_alpha(s[i + 1]) || s[i + 1] == '_')) {
			for (i++; is_alpha(s[i]) || is_digit(s[i]) || s[i] == '_'; i++)
				;
			continue;
		}
		out[o++] = s[i++];
	}
	out[o] = '\0';
	return out;
}

static bool is_blank(const char *s)
{
	for (; *s; s++) {
		if (*s != ' ' && *s != '\t')
			return false;
	}
	return true;
}

/* Does the redactor mask anything in text? Out of memory counts as yes. */
static bool redaction_changes(const char *text)
{
	size_t n = strlen(text);
	char *out = malloc(n + 1);
	bool changed;

	if (!out)
		return true;
	redact_string(text, out, n + 1);
	changed = strcmp(out, text) != 0;
	free(out);
	return changed;
}

/* "KEY<sep>literal" masked? A bare path is where a secret is, not a secret. */
static bool pair_holds_secret(const char *key, const char *sep, const char *value)
{
	char *lit = strip_references(value), *pair = NULL;
	bool secret;

	if (!lit)
		return true;
	if (is_blank(lit)) {
		secret = false;
	} else if ((lit[0] == '/' || starts_with(lit, "~/")) && !strchr(lit, ' ') &&
		   !redaction_changes(lit)) {
		secret = false;
	} else if (asprintf(&pair, "%s%s%s", key, sep, lit) < 0) {
		pair = NULL;
		secret = true;
	} else {
		secret = redaction_changes(pair);
	}
	free(pair);
	free(lit);
	return secret;
}

static bool literal_holds_secret(const char *value)
{
	char *lit = strip_references(value);
	bool secret;

	if (!lit)
		return true;
	secret = !is_blank(lit) && redaction_changes(lit);
	free(lit);
	return secret;
}

/* The first finding is the evidence; the count of the others is appended at the end. */
struct secret_scan {
	int count;
	char evidence[INVENTORY_EVIDENCE_MAX];
};

static void secret_found(struct secret_scan *ss, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void secret_found(struct secret_scan *ss, const char *fmt, ...)
{
	va_list ap;

	if (ss->count++ == 0) {
		va_start(ap, fmt);
		vsnprintf(ss->evidence, sizeof(ss->evidence), fmt, ap);
		va_end(ap);
	}
}

/* ---------------------------------------------------------------- one entry */

struct doc_ctx {
	const char *client;
	const char *path;
	const char *user;
	const char *project; /* inside ~/.claude.json "projects" */
	struct inventory *out;
	char ***projects; /* collects "projects" keys when not NULL */
	size_t *nprojects;
	int added;
	bool out_of_memory;
};

/* What an entry says, validated; strings point into the JSON tree. */
struct entry_fields {
	const char *type, *command, *url, *url_key;
	const struct json_value *args, *env, *headers;
	bool disabled;
	enum inv_transport transport;
};

static void entry_diag(struct doc_ctx *c, const struct json_value *at, const char *where,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void entry_diag(struct doc_ctx *c, const struct json_value *at, const char *where,
		       const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_diag(c->out, "%s:%d:%d: %s: %s", c->path, at->line, at->col, where, msg);
}

/* *s = the string at key (NULL when absent); false (diagnosed) when not a string. */
static bool optional_string(struct doc_ctx *c, const struct json_value *e, const char *key,
			    const char *where, const char **s)
{
	const struct json_value *v = json_object_get(e, key);

	*s = NULL;
	if (!v)
		return true;
	*s = json_get_string(v);
	if (*s)
		return true;
	entry_diag(c, v, where, "\"%s\": expected a string, got %s", key,
		   v->type == JSON_STRING ? "a string holding NUL" : json_type_name(v->type));
	return false;
}

static bool optional_typed(struct doc_ctx *c, const struct json_value *e, const char *key,
			   enum json_type type, const char *where, const struct json_value **v)
{
	*v = json_object_get(e, key);
	if (!*v || (*v)->type == type)
		return true;
	entry_diag(c, *v, where, "\"%s\": expected %s, got %s", key,
		   type == JSON_ARRAY ? "an array" : "an object", json_type_name((*v)->type));
	return false;
}

static bool all_strings(struct doc_ctx *c, const struct json_value *v, const char *key,
			const char *where)
{
	size_t i, n = v->type == JSON_ARRAY ? v->array.n : v->object.n;
	const struct json_value *item;

	if (v->type == JSON_ARRAY && n > INVENTORY_MAX_ARGS) {
		entry_diag(c, v, where, "\"%s\": more than %d items", key, INVENTORY_MAX_ARGS);
		return false;
	}
	for (i = 0; i < n; i++) {
		item = v->type == JSON_ARRAY ? v->array.items[i] : v->object.members[i].value;
		if (!json_get_string(item)) {
			entry_diag(c, item, where, "\"%s\" item %zu: expected a string, got %s",
				   key, i, json_type_name(item->type));
			return false;
		}
	}
	return true;
}

static bool read_fields(struct doc_ctx *c, const struct json_value *e, const char *where,
			struct entry_fields *f)
{
	static const char *const url_keys[] = {"httpUrl", "url", "serverUrl", NULL};
	const struct json_value *v;
	const char *const *k;
	const char *url;

	if (!optional_string(c, e, "type", where, &f->type) ||
	    !optional_string(c, e, "command", where, &f->command) ||
	    !optional_typed(c, e, "args", JSON_ARRAY, where, &f->args) ||
	    !optional_typed(c, e, "env", JSON_OBJECT, where, &f->env) ||
	    !optional_typed(c, e, "headers", JSON_OBJECT, where, &f->headers))
		return false;
	if ((f->args && !all_strings(c, f->args, "args", where)) ||
	    (f->env && !all_strings(c, f->env, "env", where)) ||
	    (f->headers && !all_strings(c, f->headers, "headers", where)))
		return false;
	for (k = url_keys; *k; k++) {
		if (!optional_string(c, e, *k, where, &url))
			return false;
		if (url && !f->url) {
			f->url = url;
			f->url_key = *k;
		}
	}
	v = json_object_get(e, "disabled");
	if (v && !json_get_bool(v, &f->disabled))
		entry_diag(c, v, where, "\"disabled\": expected a boolean, got %s; ignored",
			   json_type_name(v->type));
	return true;
}

/* Without a "type": Gemini's "url" is SSE, "httpUrl" streamable HTTP; others by path. */
static enum inv_transport remote_transport(const struct doc_ctx *c, const struct entry_fields *f)
{
	size_t n = strcspn(f->url, "?#");

	if (streq(f->url_key, "httpUrl"))
		return INV_HTTP;
	if (streq(c->client, "gemini-cli") && streq(f->url_key, "url"))
		return INV_SSE;
	if (n >= 4 && strncmp(f->url + n - 4, "/sse", 4) == 0)
		return INV_SSE;
	return INV_HTTP;
}

static bool decide_transport(struct doc_ctx *c, const struct json_value *e, const char *where,
			     struct entry_fields *f)
{
	static const char *const http_types[] = {"http", "streamable-http", "streamableHttp",
						 "streamable_http", NULL};

	if (!f->type) {
		if (!f->command && !f->url) {
			entry_diag(c, e, where, "no \"command\" and no URL; entry skipped");
			return false;
		}
		f->transport = f->command ? INV_STDIO : remote_transport(c, f);
		return true;
	}
	if (streq(f->type, "stdio"))
		f->transport = INV_STDIO;
	else if (streq(f->type, "sse"))
		f->transport = INV_SSE;
	else if (in_list(f->type, http_types))
		f->transport = INV_HTTP;
	else {
		char shown[NAME_SHOWN];

		shown_name(f->type, shown);
		entry_diag(c, json_object_get(e, "type"), where, "unknown \"type\" \"%s\"", shown);
		return false;
	}
	if (f->transport == INV_STDIO ? !f->command : !f->url) {
		entry_diag(c, e, where, "\"type\" \"%s\" without %s; entry skipped", f->type,
			   f->transport == INV_STDIO ? "\"command\"" : "a URL");
		return false;
	}
	return true;
}

/* Arguments (and the command, as argv[0]): found secrets masked, references kept. */
static int take_argv(const struct entry_fields *f, struct inv_server *s, struct secret_scan *ss)
{
	size_t n = f->args ? f->args->array.n : 0, i, total = n + 1;
	char **lit = calloc(total, sizeof(char *)), **litr = calloc(total, sizeof(char *));
	char **red = calloc(total, sizeof(char *));
	int rc = -1;

	s->args = calloc(n ? n : 1, sizeof(char *));
	if (!lit || !litr || !red || !s->args)
		goto out;
	for (i = 0; i < total; i++) {
		const char *a = i == 0 ? f->command : json_get_string(f->args->array.items[i - 1]);

		lit[i] = strip_references(a);
		litr[i] = lit[i] ? strdup(lit[i]) : NULL;
		red[i] = strdup(a);
		if (!lit[i] || !litr[i] || !red[i])
			goto out;
	}
	redact_argv(litr, (int)total);
	redact_argv(red, (int)total);
	for (i = 0; i < total; i++) {
		const char *a = i == 0 ? f->command : json_get_string(f->args->array.items[i - 1]);
		bool secret = strcmp(lit[i], litr[i]) != 0;
		const char *keep = !secret ? a : strcmp(red[i], a) ? red[i] : REDACT_MASK;

		if (secret && i == 0)
			secret_found(ss, "command holds a literal secret");
		else if (secret)
			secret_found(ss, "args[%zu] holds a literal secret", i - 1);
		if (i == 0)
			s->command = strdup(keep);
		else
			s->args[s->nargs++] = strdup(keep);
		if (i == 0 ? !s->command : !s->args[s->nargs - 1])
			goto out;
	}
	rc = 0;
out:
	if (lit)
		strv_free(lit, total);
	if (litr)
		strv_free(litr, total);
	if (red)
		strv_free(red, total);
	return rc;
}

static int take_env(const struct entry_fields *f, struct inv_server *s, struct secret_scan *ss)
{
	const struct json_member *m;
	char shown[NAME_SHOWN];
	size_t i;

	for (i = 0; f->env && i < f->env->object.n; i++) {
		m = &f->env->object.members[i];
		if (!strv_push(&s->env_keys, &s->nenv, m->key))
			return -1;
		if (pair_holds_secret(m->key, "=", json_get_string(m->value))) {
			shown_name(m->key, shown);
			secret_found(ss, "env %s holds a literal secret", shown);
		}
	}
	return 0;
}

static void scan_headers(const struct entry_fields *f, struct secret_scan *ss)
{
	const struct json_member *m;
	char shown[NAME_SHOWN];
	const char *v;
	size_t i;

	for (i = 0; f->headers && i < f->headers->object.n; i++) {
		m = &f->headers->object.members[i];
		v = json_get_string(m->value);
		if (!pair_holds_secret(m->key, ": ", v))
			continue;
		shown_name(m->key, shown);
		secret_found(ss, "headers.%s holds a literal %s", shown,
			     strncasecmp(v, "bearer ", 7) == 0 ? "bearer token" : "secret");
	}
}

static int take_url(const struct entry_fields *f, struct inv_server *s, struct secret_scan *ss)
{
	size_t n;

	if (!f->url)
		return 0;
	if (!literal_holds_secret(f->url)) {
		s->url = strdup(f->url);
		return s->url ? 0 : -1;
	}
	secret_found(ss, "%s holds a literal secret", f->url_key);
	n = strlen(f->url);
	s->url = malloc(n + 1);
	if (!s->url)
		return -1;
	redact_string(f->url, s->url, n + 1);
	if (streq(s->url, f->url))
		snprintf(s->url, n + 1, "%s", REDACT_MASK);
	return 0;
}

static void server_free(struct inv_server *s)
{
	free(s->name);
	free(s->client);
	free(s->declared_in);
	free(s->user);
	free(s->project);
	free(s->command);
	strv_free(s->args, s->nargs);
	free(s->url);
	strv_free(s->env_keys, s->nenv);
	memset(s, 0, sizeof(*s));
}

static char *strdup_or_null(const char *s, bool *failed)
{
	char *copy = s ? strdup(s) : NULL;

	if (s && !copy)
		*failed = true;
	return copy;
}

static int build_server(struct doc_ctx *c, const char *name, const struct entry_fields *f,
			struct inv_server *s)
{
	struct secret_scan ss = {0};
	bool failed = false;

	s->name = strdup_or_null(name, &failed);
	s->client = strdup_or_null(c->client, &failed);
	s->declared_in = strdup_or_null(c->path, &failed);
	s->user = strdup_or_null(c->user, &failed);
	s->project = strdup_or_null(c->project, &failed);
	s->transport = f->transport;
	s->disabled = f->disabled;
	if (failed)
		return -1;
	if (f->transport == INV_STDIO && take_argv(f, s, &ss))
		return -1;
	if (take_env(f, s, &ss) || take_url(f, s, &ss))
		return -1;
	scan_headers(f, &ss);
	s->inline_secret = ss.count > 0;
	if (ss.count > 1) {
		size_t len = strlen(ss.evidence);

		snprintf(ss.evidence + len, sizeof(ss.evidence) - len, " (and %d more)",
			 ss.count - 1);
	}
	memcpy(s->secret_evidence, ss.evidence, sizeof(s->secret_evidence));
	if (f->transport == INV_STDIO)
		s->pin = inventory_pin_state(s->command, s->args, s->nargs, s->pin_evidence,
					     sizeof(s->pin_evidence));
	else
		s->pin =
		    inventory_pin_state(NULL, NULL, 0, s->pin_evidence, sizeof(s->pin_evidence));
	return 0;
}

static void parse_entry(struct doc_ctx *c, const char *section, const struct json_member *m)
{
	struct entry_fields f = {0};
	struct inv_server s = {0};
	char where[512], shown[NAME_SHOWN];

	json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
	snprintf(where, sizeof(where), "%s.%s", section, shown);
	if (m->value->type != JSON_OBJECT) {
		entry_diag(c, m->value, where, "expected an object, got %s",
			   json_type_name(m->value->type));
		return;
	}
	if (!read_fields(c, m->value, where, &f) || !decide_transport(c, m->value, where, &f))
		return;
	if (c->out->n >= INVENTORY_MAX_SERVERS) {
		entry_diag(c, m->value, where, "more than %d servers; entry skipped",
			   INVENTORY_MAX_SERVERS);
		return;
	}
	if (build_server(c, m->key, &f, &s) ||
	    !array_reserve(&c->out->servers, c->out->n, sizeof(s))) {
		server_free(&s);
		c->out_of_memory = true;
		return;
	}
	c->out->servers[c->out->n++] = s;
	c->added++;
}

static void parse_section(struct doc_ctx *c, const char *section, const struct json_value *v)
{
	size_t i;

	if (!v)
		return;
	if (v->type != JSON_OBJECT) {
		add_diag(c->out, "%s:%d:%d: %s: expected an object, got %s", c->path, v->line,
			 v->col, section, json_type_name(v->type));
		return;
	}
	for (i = 0; i < v->object.n && !c->out_of_memory; i++)
		parse_entry(c, section, &v->object.members[i]);
}

/* ---------------------------------------------------------------- documents */

/* Distinct project directories (trailing '/' dropped), at most INVENTORY_MAX_PROJECTS;
 * false when out of memory. */
static bool project_list_add(char ***v, size_t *n, const char *dir)
{
	size_t i, len = strlen(dir);
	char *copy;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (i = 0; i < *n; i++) {
		if (strlen((*v)[i]) == len && strncmp((*v)[i], dir, len) == 0)
			return true;
	}
	if (*n >= INVENTORY_MAX_PROJECTS)
		return true;
	copy = strndup(dir, len);
	if (!copy || !array_reserve(v, *n, sizeof(char *))) {
		free(copy);
		return false;
	}
	(*v)[(*n)++] = copy;
	return true;
}

/* Claude Code keeps per-project servers in ~/.claude.json and names each project directory. */
static void parse_claude_projects(struct doc_ctx *c, const struct json_value *projects)
{
	const char *scope = c->project;
	const struct json_member *m;
	char section[512], shown[NAME_SHOWN];
	size_t i;

	if (!projects)
		return;
	if (projects->type != JSON_OBJECT) {
		add_diag(c->out, "%s:%d:%d: projects: expected an object, got %s", c->path,
			 projects->line, projects->col, json_type_name(projects->type));
		return;
	}
	for (i = 0; i < projects->object.n && !c->out_of_memory; i++) {
		m = &projects->object.members[i];
		if (strlen(m->key) != m->key_len || m->value->type != JSON_OBJECT)
			continue;
		if (c->projects && m->key[0] == '/' &&
		    !project_list_add(c->projects, c->nprojects, m->key)) {
			c->out_of_memory = true;
			return;
		}
		json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
		snprintf(section, sizeof(section), "projects[\"%s\"].mcpServers", shown);
		c->project = m->key;
		parse_section(c, section, json_object_get(m->value, "mcpServers"));
		c->project = scope;
	}
}

static void parse_root(struct doc_ctx *c, const struct json_value *root)
{
	const struct json_value *mcp;

	if (streq(c->client, "vscode")) {
		/* mcp.json has "servers"; settings.json the older "mcp": {"servers"} */
		mcp = json_object_get(root, "mcp");
		parse_section(c, "servers", json_object_get(root, "servers"));
		if (mcp && mcp->type == JSON_OBJECT)
			parse_section(c, "mcp.servers", json_object_get(mcp, "servers"));
		return;
	}
	parse_section(c, "mcpServers", json_object_get(root, "mcpServers"));
	if (streq(c->client, "claude-code"))
		parse_claude_projects(c, json_object_get(root, "projects"));
}

/* Blank // and block comments, then trailing commas, keeping every line where it was. */
static void blank_jsonc(char *s, size_t len)
{
	bool in_string = false;
	size_t i, j;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = false;
		} else if (s[i] == '"') {
			in_string = true;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			for (; i < len && s[i] != '\n'; i++)
				s[i] = ' ';
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			s[i] = s[i + 1] = ' ';
			for (i += 2; i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/');
			     i++) {
				if (s[i] != '\n')
					s[i] = ' ';
			}
			if (i < len)
				s[i] = s[i + 1] = ' ';
			i++;
		}
	}
	for (in_string = false, i = 0; i < len; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = false;
		} else if (s[i] == '"') {
			in_string = true;
		} else if (s[i] == ',') {
			for (j = i + 1; j < len && s[j] && strchr(" \t\r\n", s[j]); j++)
				;
			if (j < len && (s[j] == '}' || s[j] == ']'))
				s[i] = ' ';
		}
	}
}

static bool client_known(const char *client)
{
	static const char *const clients[] = {"claude-desktop", "claude-code", "cursor", "vscode",
					      "windsurf",	"gemini-cli",  NULL};

	return client && in_list(client, clients);
}

static int parse_document(struct doc_ctx *c, const char *buf, size_t len)
{
	struct json_error err;
	struct json_value *root;
	char *copy = NULL;

	if (!client_known(c->client)) {
		add_diag(c->out, "%s: unknown MCP client \"%s\"", c->path,
			 c->client ? c->client : "(null)");
		return -1;
	}
	if (streq(c->client, "vscode") || streq(c->client, "gemini-cli")) {
		copy = malloc(len ? len : 1);
		if (!copy) {
			c->out_of_memory = true;
			return -1;
		}
		memcpy(copy, buf, len);
		blank_jsonc(copy, len);
		buf = copy;
	}
	root = json_parse(buf, len, &err);
	free(copy);
	if (!root) {
		add_diag(c->out, "%s:%d:%d: %s", c->path, err.line, err.col, err.message);
		return -1;
	}
	if (root->type != JSON_OBJECT) {
		add_diag(c->out, "%s: expected a JSON object at the top, got %s", c->path,
			 json_type_name(root->type));
		json_free(root);
		return -1;
	}
	parse_root(c, root);
	json_free(root);
	return c->out_of_memory ? -1 : c->added;
}

int inventory_parse_buffer(const char *client, const char *path, const char *buf, size_t len,
			   struct inventory *out)
{
	struct doc_ctx c = {.client = client, .path = path ? path : "(buffer)", .out = out};

	if (!out)
		return -1;
	if (!buf) {
		add_diag(out, "%s: no data", c.path);
		return -1;
	}
	return parse_document(&c, buf, len);
}

/* ---------------------------------------------------------------- scanning the host */

struct user_ent {
	char *name;
	char *home;
	unsigned long uid;
};

struct scan {
	const char *prefix;
	struct inventory *out;
	struct user_ent *users;
	size_t nusers;
	char **seen; /* logical paths already considered */
	size_t nseen;
	char **projects;
	size_t nprojects;
	size_t nread;
	bool out_of_memory;
};

static void add_user(struct scan *sc, const char *name, unsigned long uid, const char *home)
{
	struct user_ent u = {0};

	if (home[0] != '/' || sc->nusers >= MAX_USERS)
		return;
	u.name = strdup(name);
	u.home = strdup(home);
	u.uid = uid;
	if (!u.name || !u.home || !array_reserve(&sc->users, sc->nusers, sizeof(u))) {
		free(u.name);
		free(u.home);
		sc->out_of_memory = true;
		return;
	}
	sc->users[sc->nusers++] = u;
}

/* name:password:uid:gid:gecos:home:shell */
static void add_passwd_line(struct scan *sc, char *line)
{
	char *field[7], *p = line, *end;
	unsigned long uid;
	int i;

	for (i = 0; i < 7; i++) {
		field[i] = p;
		p = strchr(p, ':');
		if (!p && i < 6)
			return;
		if (p)
			*p++ = '\0';
	}
	errno = 0;
	uid = strtoul(field[2], &end, 10);
	if (!field[0][0] || end == field[2] || *end || errno)
		return;
	add_user(sc, field[0], uid, field[5]);
}

static void load_users_from_file(struct scan *sc)
{
	char path[4096], why[128], *text, *line, *save = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/etc/passwd", sc->prefix);
	text = json_read_file(path, INVENTORY_FILE_MAX, &len, why, sizeof(why));
	if (!text) {
		add_diag(sc->out, "%s: %s", path, why);
		return;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		add_passwd_line(sc, line);
	free(text);
}

static void load_users(struct scan *sc)
{
	struct passwd *pw;
	size_t i;

	if (sc->prefix[0]) {
		load_users_from_file(sc);
	} else {
		setpwent();
		while ((pw = getpwent()) && !sc->out_of_memory)
			add_user(sc, pw->pw_name, pw->pw_uid, pw->pw_dir ? pw->pw_dir : "");
		endpwent();
	}
	for (i = 0; i < sc->nusers; i++) {
		if (streq(sc->users[i].home, "/root"))
			return;
	}
	add_user(sc, "root", 0, "/root");
}

static bool seen_before(struct scan *sc, const char *path)
{
	size_t i;

	for (i = 0; i < sc->nseen; i++) {
		if (streq(sc->seen[i], path))
			return true;
	}
	if (!strv_push(&sc->seen, &sc->nseen, path))
		sc->out_of_memory = true;
	return false;
}

static void owner_name(const struct scan *sc, unsigned long uid, char *out, size_t outlen)
{
	size_t i;

	for (i = 0; i < sc->nusers; i++) {
		if (sc->users[i].uid == uid) {
			snprintf(out, outlen, "%s", sc->users[i].name);
			return;
		}
	}
	snprintf(out, outlen, "%lu", uid);
}

/* lstat under the prefix: false when absent (silently), already read, or refused (diagnosed). */
static bool stat_config(struct scan *sc, const char *logical, const char *real, struct stat *st)
{
	if (lstat(real, st) != 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			add_diag(sc->out, "%s: %s", logical, strerror(errno));
		return false;
	}
	if (S_ISLNK(st->st_mode) && sc->prefix[0]) {
		/* an absolute link would resolve outside the scanned root */
		add_diag(sc->out, "%s: symbolic link not followed under a root prefix", logical);
		return false;
	}
	if (S_ISLNK(st->st_mode) && stat(real, st) != 0) {
		add_diag(sc->out, "%s: %s", logical, strerror(errno));
		return false;
	}
	/* a project directory may be a home too: each file is read once */
	if (seen_before(sc, logical))
		return false;
	if (sc->nread >= INVENTORY_MAX_FILES) {
		if (sc->nread++ == INVENTORY_MAX_FILES)
			add_diag(sc->out, "%s: more than %d config files; the rest are skipped",
				 logical, INVENTORY_MAX_FILES);
		return false;
	}
	sc->nread++;
	return true;
}

/* Read and parse one config file: a home's (home_user) or a project's (its owner). */
static void read_config(struct scan *sc, const char *client, const char *logical,
			const char *home_user, const char *project)
{
	char real[4096], why[128], owner[64];
	struct doc_ctx c = {.client = client, .path = logical, .out = sc->out};
	struct stat st;
	size_t len, max;
	char *buf;

	if ((size_t)snprintf(real, sizeof(real), "%s%s", sc->prefix, logical) >= sizeof(real) ||
	    !stat_config(sc, logical, real, &st))
		return;
	max = ends_with(logical, "/.claude.json") ? INVENTORY_CLAUDE_JSON_MAX : INVENTORY_FILE_MAX;
	buf = json_read_file(real, max, &len, why, sizeof(why));
	if (!buf) {
		add_diag(sc->out, "%s: %s", logical, why);
		return;
	}
	owner_name(sc, st.st_uid, owner, sizeof(owner));
	c.user = home_user ? home_user : owner;
	c.project = project;
	if (streq(client, "claude-code") && home_user) {
		c.projects = &sc->projects;
		c.nprojects = &sc->nprojects;
	}
	if (parse_document(&c, buf, len) < 0 && c.out_of_memory)
		sc->out_of_memory = true;
	free(buf);
}

struct config_place {
	const char *client;
	const char *path; /* relative to a home or project directory, or absolute */
};

static const struct config_place home_configs[] = {
    {"claude-desktop", ".config/Claude/claude_desktop_config.json"},
    {"claude-code", ".claude.json"},
    {"cursor", ".cursor/mcp.json"},
    {"vscode", ".config/Code/User/mcp.json"},
    {"vscode", ".config/Code/User/settings.json"},
    {"windsurf", ".codeium/windsurf/mcp_config.json"},
    {"gemini-cli", ".gemini/settings.json"},
};

static const struct config_place project_configs[] = {
    {"claude-code", ".mcp.json"},
    {"cursor", ".cursor/mcp.json"},
    {"vscode", ".vscode/mcp.json"},
    {"gemini-cli", ".gemini/settings.json"},
};

static const struct config_place system_configs[] = {
    {"claude-code", "/etc/claude-code/managed-mcp.json"},
    {"gemini-cli", "/etc/gemini-cli/settings.json"},
};

static void read_configs_in(struct scan *sc, const char *dir, const struct config_place *places,
			    size_t nplaces, const char *home_user)
{
	char path[4096];
	size_t i;

	for (i = 0; i < nplaces && !sc->out_of_memory; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", dir,
				     ends_with(dir, "/") ? "" : "/", places[i].path) < sizeof(path))
			read_config(sc, places[i].client, path, home_user, home_user ? NULL : dir);
	}
}

static bool home_seen(const struct scan *sc, size_t upto)
{
	size_t i;

	for (i = 0; i < upto; i++) {
		if (streq(sc->users[i].home, sc->users[upto].home))
			return true;
	}
	return false;
}

/* ".." could climb out of a root prefix. */
static bool project_dir_ok(struct scan *sc, const char *dir)
{
	char shown[NAME_SHOWN];

	if (dir[0] == '/' && !strstr(dir, "/../") && !ends_with(dir, "/.."))
		return true;
	shown_name(dir, shown);
	add_diag(sc->out, "project directory \"%s\": not an absolute path without ..", shown);
	return false;
}

static void scan_projects(struct scan *sc)
{
	size_t i;

	if (sc->nprojects >= INVENTORY_MAX_PROJECTS)
		add_diag(sc->out, "%d project directories or more; further ones are skipped",
			 INVENTORY_MAX_PROJECTS);
	for (i = 0; i < sc->nprojects && !sc->out_of_memory; i++) {
		if (!project_dir_ok(sc, sc->projects[i]))
			continue;
		read_configs_in(sc, sc->projects[i], project_configs,
				sizeof(project_configs) / sizeof(project_configs[0]), NULL);
	}
}

static void scan_free(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nusers; i++) {
		free(sc->users[i].name);
		free(sc->users[i].home);
	}
	free(sc->users);
	strv_free(sc->seen, sc->nseen);
	strv_free(sc->projects, sc->nprojects);
}

int inventory_scan(const char *root_prefix, const char *const *extra_project_dirs, size_t nextra,
		   struct inventory *out)
{
	struct scan sc = {.prefix = root_prefix ? root_prefix : "", .out = out};
	size_t i;

	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	/* the caller's directories first: a long ~/.claude.json must not crowd them out */
	for (i = 0; extra_project_dirs && i < nextra && !sc.out_of_memory; i++) {
		if (extra_project_dirs[i] &&
		    !project_list_add(&sc.projects, &sc.nprojects, extra_project_dirs[i]))
			sc.out_of_memory = true;
	}
	load_users(&sc);
	for (i = 0; i < sizeof(system_configs) / sizeof(system_configs[0]); i++)
		read_config(&sc, system_configs[i].client, system_configs[i].path,
			    INVENTORY_ALL_USERS, NULL);
	for (i = 0; i < sc.nusers && !sc.out_of_memory; i++) {
		if (!home_seen(&sc, i))
			read_configs_in(&sc, sc.users[i].home, home_configs,
					sizeof(home_configs) / sizeof(home_configs[0]),
					sc.users[i].name);
	}
	scan_projects(&sc);
	scan_free(&sc);
	return sc.out_of_memory ? -1 : (int)out->n;
}

void inventory_free(struct inventory *inv)
{
	size_t i;

	if (!inv)
		return;
	for (i = 0; i < inv->n; i++)
		server_free(&inv->servers[i]);
	free(inv->servers);
	strv_free(inv->diagnostics, inv->ndiag);
	memset(inv, 0, sizeof(*inv));
}

/* ---------------------------------------------------------------- running processes */

/* Names compared loosely: "python3.11" is "python", "mcp_server" is "mcp-server". */
static void normalized_name(const char *s, char *out)
{
	size_t i, n = strlen(s);

	while (n > 0 && (is_digit(s[n - 1]) || s[n - 1] == '.'))
		n--;
	if (n >= NORM_NAME)
		n = NORM_NAME - 1;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		out[i] = ch == '_' || ch == '.' ? '-' : (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch;
	}
	out[n] = '\0';
}

static bool names_match(const char *a, const char *b)
{
	char na[NORM_NAME], nb[NORM_NAME];

	normalized_name(a, na);
	normalized_name(b, nb);
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

/* The package or image without version, tag or digest, normalised for comparison. */
static void package_identity(enum launch_kind kind, const char *spec, char *out)
{
	char buf[NORM_NAME];
	const char *s = spec, *cut, *slash;
	size_t n;

	if (kind == LAUNCH_NPM) {
		s = starts_with(s, "npm:") ? s + 4 : s;
		cut = npm_version_at(s);
	} else if (kind == LAUNCH_PYPI) {
		cut = s + strcspn(s, "=<>~!@[; ");
	} else {
		cut = strchr(s, '@');
		slash = strrchr(s, '/');
		if (!cut)
			cut = strchr(slash ? slash + 1 : s, ':');
	}
	n = cut ? (size_t)(cut - s) : strlen(s);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (kind == LAUNCH_PYPI)
		normalized_name(buf, out);
	else
		memcpy(out, buf, n + 1);
}

static bool same_package(const struct launch *a, const struct launch *b)
{
	char pa[NORM_NAME], pb[NORM_NAME];

	if (!a->spec || !b->spec || a->kind != b->kind)
		return false;
	package_identity(a->kind, a->spec, pa);
	package_identity(b->kind, b->spec, pb);
	return pa[0] && streq(pa, pb);
}

static bool is_interpreter(const char *base)
{
	static const char *const names[] = {"node", "nodejs", "python", "bash", "sh",	"dash",
					    "zsh",  "deno",   "bun",	"ruby", "perl", NULL};
	const char *const *p;

	for (p = names; *p; p++) {
		if (names_match(base, *p))
			return true;
	}
	return false;
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
	char mcp_seg[NORM_NAME];

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
	char pkg[NORM_NAME];
	size_t k;

	package_identity(LAUNCH_NPM, lc->spec, pkg);
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
	char pkg[NORM_NAME];
	const char *bin = lc->bin;
	size_t k;

	package_identity(LAUNCH_PYPI, lc->spec, pkg);
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
	cfg = words_of(s->command, s->args, s->args ? s->nargs : 0);
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
		strv_free(run, nrun);
	return match;
}

const char *inventory_transport_name(enum inv_transport t)
{
	switch (t) {
	case INV_STDIO:
		return "stdio";
	case INV_HTTP:
		return "http";
	case INV_SSE:
		return "sse";
	}
	return "unknown";
}

const char *inventory_pin_name(enum pin_state p)
{
	switch (p) {
	case PIN_NA:
		return "n/a";
	case PIN_PINNED:
		return "pinned";
	case PIN_UNPINNED:
		return "unpinned";
	}
	return "unknown";
}
