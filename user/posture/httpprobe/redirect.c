// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/redirect: where a Location sends a browser, and the open redirect check. */
#include "posture/httpprobe/probe.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "posture/httpprobe/text.h"

/* "scheme:" (letters, digits, + - .) at s: returns what follows it, or s if none. */
static const char *skip_scheme(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return s;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':' ? p + 1 : s;
}

/*
 * The authority of an absolute or scheme-relative Location, read as browsers
 * do (backslashes count as slashes, "https:host" is absolute); NULL if the
 * Location is a path.
 */
static const char *location_authority(const char *location, size_t *alen)
{
	const char *start = location, *after, *p;
	size_t slashes = 0;

	while (*start == ' ' || *start == '\t')
		start++;
	after = skip_scheme(start);
	if (after == start &&
	    !((start[0] == '/' || start[0] == '\\') && (start[1] == '/' || start[1] == '\\')))
		return NULL;
	for (p = after; *p == '/' || *p == '\\'; p++)
		slashes++;
	if (after != start && slashes == 0 && strncasecmp(start, "http", 4) != 0)
		return NULL; /* "mailto:x", "urn:y": no host to go to */
	*alen = strcspn(p, "/\\?#");
	return p;
}

/* host part of an authority: after the last '@', before a port, without a trailing dot. */
static const char *authority_host(const char *auth, size_t alen, size_t *hlen)
{
	const char *at = NULL, *colon;

	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	if (at) {
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	colon = memchr(auth, ':', alen);
	*hlen = colon ? (size_t)(colon - auth) : alen;
	while (*hlen > 0 && auth[*hlen - 1] == '.')
		(*hlen)--;
	return auth;
}

bool httpprobe_location_points_to(const char *location, const char *host)
{
	const char *auth, *h;
	size_t alen, hlen, want;

	if (!location || !host || !*host)
		return false;
	auth = location_authority(location, &alen);
	if (!auth)
		return false;
	h = authority_host(auth, alen, &hlen);
	want = strlen(host);
	if (hlen == want)
		return strncasecmp(h, host, want) == 0;
	return hlen > want && h[hlen - want - 1] == '.' &&
	       strncasecmp(h + hlen - want, host, want) == 0;
}

static bool copy_path(const char *src, char *path, size_t plen)
{
	size_t n = strlen(src);

	if (n == 0 || n >= plen || src[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)src[i] <= 0x20 || (unsigned char)src[i] >= 0x7f)
			return false;
	memcpy(path, src, n + 1);
	return true;
}

bool httpprobe_location_local_path(const char *location, const char *authority, char *path,
				   size_t plen)
{
	const char *auth;
	size_t alen;

	if (!location || !authority || !path || plen < 2)
		return false;
	while (*location == ' ' || *location == '\t')
		location++;
	auth = location_authority(location, &alen);
	if (!auth)
		return location[0] == '/' && copy_path(location, path, plen);
	if (alen != strlen(authority) || strncasecmp(auth, authority, alen) != 0)
		return false;
	if (auth[alen] == '\0')
		return copy_path("/", path, plen);
	return copy_path(auth + alen, path, plen);
}

void probe_check_open_redirect(struct probe *p)
{
	static const char *const paths[] = {
	    "/redirect?url=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	    "/login?next=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	    "/?redirect=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	    "/oauth/callback?redirect_uri=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	};
	unsigned answered = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct request rq = {"GET", paths[i], NULL, NULL, false};
		const char *loc;

		if (probe_request(p, &rq))
			continue;
		answered++;
		loc = probe_header(p, "Location");
		if (p->ex.head.status >= 300 && p->ex.head.status < 400 &&
		    httpprobe_location_points_to(loc, HTTPPROBE_PROBE_HOST)) {
			check_set(check(p, CHK_OPEN_REDIRECT), CHECK_FAIL,
				  "GET %.90s -> %d, Location: %.80s", paths[i], p->ex.head.status,
				  loc);
			return;
		}
	}
	if (!answered)
		probe_untested(p, CHK_OPEN_REDIRECT, "no answer for redirect paths");
	else
		probe_pass_answered(
		    p, CHK_OPEN_REDIRECT, answered, sizeof(paths) / sizeof(paths[0]),
		    "no redirect to " HTTPPROBE_PROBE_HOST
		    " from /redirect?url= /login?next= /?redirect= /oauth/callback");
}
