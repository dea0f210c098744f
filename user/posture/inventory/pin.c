// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/pin: is the package or image a launch spec runs pinned to a version? */
#include "posture/inventory/pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posture/inventory/common.h"
#include "lib/names.h"

#define COMMIT_CHARS 40

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
	char shown[INV_WORD_SHOWN];
	const char *s = starts_with(spec, "npm:") ? spec + 4 : spec, *at, *hash;

	inv_shown_word(spec, shown, sizeof(shown));
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
	char shown[INV_WORD_SHOWN];
	const char *eq = strstr(s, "=="), *at;

	inv_shown_word(s, shown, sizeof(shown));
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
	char shown[INV_WORD_SHOWN];
	const char *digest = strstr(image, "@sha256:"), *slash = strrchr(image, '/'), *colon;

	inv_shown_word(image, shown, sizeof(shown));
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
	w = inv_words_of(command, args, nargs);
	if (!w) {
		snprintf(evidence, elen, "out of memory");
		return PIN_NA;
	}
	launch_parse(w, nargs + 1, &l);
	pin = launch_pin(&l, evidence, elen);
	free(w);
	return pin;
}

const char *inventory_pin_name(enum pin_state p)
{
	static const char *const names[] = {
	    [PIN_NA] = "n/a", [PIN_PINNED] = "pinned", [PIN_UNPINNED] = "unpinned"};

	return name_of(names, NAMES_LEN(names), p, "unknown");
}

/* The package or image without version, tag or digest, normalised for comparison. */
void pin_package_identity(enum launch_kind kind, const char *spec, char *out)
{
	char buf[INV_NORM_NAME];
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
		inv_normalized_name(buf, out);
	else
		memcpy(out, buf, n + 1);
}
