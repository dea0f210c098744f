// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/access: who can reach what — bind scope, HTTPS, auth, admin pages, sensitive files. */
#include "posture/httpprobe/probe.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "posture/httpprobe/text.h"

static enum check_status bind_scope_v4(struct in_addr a, const char *addr, char *why, size_t wlen)
{
	if (a.s_addr == htonl(INADDR_ANY)) {
		http_set_text(why, wlen, "bound to 0.0.0.0: reachable from every interface");
		return CHECK_FAIL;
	}
	if ((ntohl(a.s_addr) >> 24) == 127) {
		http_set_text(why, wlen, "bound to loopback %s", addr);
		return CHECK_PASS;
	}
	http_set_text(why, wlen, "bound to %s: reachable from that interface's network", addr);
	return CHECK_FAIL;
}

enum check_status httpprobe_bind_scope(int family, const char *addr, char *why, size_t wlen)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (addr && family == AF_INET && inet_pton(AF_INET, addr, &a4) == 1)
		return bind_scope_v4(a4, addr, why, wlen);
	if (!addr || family != AF_INET6 || inet_pton(AF_INET6, addr, &a6) != 1) {
		http_set_text(why, wlen, "bound address not understood");
		return CHECK_NA;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], 4);
		return bind_scope_v4(a4, addr, why, wlen);
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&a6)) {
		http_set_text(why, wlen, "bound to [::]: reachable from every interface");
		return CHECK_FAIL;
	}
	if (IN6_IS_ADDR_LOOPBACK(&a6)) {
		http_set_text(why, wlen, "bound to loopback ::1");
		return CHECK_PASS;
	}
	http_set_text(why, wlen, "bound to %.46s: reachable from that interface's network", addr);
	return CHECK_FAIL;
}

void probe_check_https(struct probe *p)
{
	struct check_result *r = check(p, CHK_HTTPS);

	if (!p->out->tls)
		check_set(r, CHECK_FAIL, "plain HTTP on %s", p->authority);
	else if (p->out->cert_verified)
		check_set(r, CHECK_PASS, "served over TLS (certificate verified)");
	else if (p->o.ca_file)
		check_set(r, CHECK_PASS,
			  "served over TLS (certificate did NOT verify against %.80s)",
			  p->o.ca_file);
	else
		check_set(r, CHECK_PASS, "served over TLS (certificate not verified: no CA given)");
}

void probe_check_auth(struct probe *p)
{
	struct check_result *r = check(p, CHK_AUTH);

	if (!p->out->mcp_path[0])
		check_set(r, CHECK_NA, "no MCP endpoint found (POST /mcp -> %d)",
			  p->out->init_status);
	else if (p->mcp_answer == HTTPPROBE_MCP_AUTH)
		check_set(r, CHECK_PASS, "%s without credentials -> %d", p->mcp_label,
			  p->out->init_status);
	else
		check_set(r, CHECK_FAIL, "%s without credentials -> %d", p->mcp_label,
			  p->out->init_status);
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* A catch-all server answers every path with the same page: that page is no evidence. */
void probe_fetch_baseline(struct probe *p)
{
	const struct request rq = {"GET", "/mcpwatch-probe-no-such-page", NULL, NULL, false};

	p->baseline_status = 0;
	if (probe_request(p, &rq) == 0) {
		p->baseline_status = p->ex.head.status;
		p->baseline_len = p->ex.body_len;
		p->baseline_hash = fnv1a(p->body, p->ex.body_len);
	}
}

static bool same_as_baseline(struct probe *p)
{
	return p->baseline_status == 200 && p->ex.body_len == p->baseline_len &&
	       fnv1a(p->body, p->ex.body_len) == p->baseline_hash;
}

void probe_check_admin_panel(struct probe *p)
{
	static const char *const paths[] = {"/admin", "/dashboard", "/_internal",
					    "/debug", "/console",   "/admin/"};
	unsigned answered = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct request rq = {"GET", paths[i], NULL, NULL, false};

		if (probe_request(p, &rq))
			continue;
		answered++;
		if (p->ex.head.status == 200 && p->ex.body_len > 0 && !same_as_baseline(p)) {
			check_set(check(p, CHK_ADMIN_PANEL), CHECK_FAIL,
				  "GET %s -> 200 with a %zu-byte page%s", paths[i], p->ex.body_len,
				  p->ex.body_cut ? "+" : "");
			return;
		}
	}
	if (!answered)
		probe_untested(p, CHK_ADMIN_PANEL, "no answer for admin paths");
	else
		probe_pass_answered(
		    p, CHK_ADMIN_PANEL, answered, sizeof(paths) / sizeof(paths[0]),
		    "no page at /admin /dashboard /_internal /debug /console /admin/");
}

bool httpprobe_is_directory_listing(const char *body, size_t len)
{
	return http_find_nocase(body, len, "Index of /") ||
	       http_find_nocase(body, len, "<title>Directory listing") ||
	       http_find_nocase(body, len, "Directory listing for /");
}

/* A line "KEY=value" (or "export KEY=value"), as in an env file. */
static bool has_env_line(const char *body, size_t len)
{
	size_t pos = 0, next;

	while (pos < len) {
		const char *line = body + pos;
		size_t n = http_line_length(line, len - pos, &next), i = 0;

		if (n >= 7 && memcmp(line, "export ", 7) == 0)
			i = 7;
		if (i < n && (isalpha((unsigned char)line[i]) || line[i] == '_')) {
			while (i < n && (isalnum((unsigned char)line[i]) || line[i] == '_'))
				i++;
			if (i < n && line[i] == '=')
				return true;
		}
		pos += next;
	}
	return false;
}

const char *httpprobe_sensitive_file_match(const char *path, const char *body, size_t len)
{
	char first = http_first_visible(body, len);

	if (!path || !body || len == 0)
		return NULL;
	if (strcmp(path, "/") == 0)
		return httpprobe_is_directory_listing(body, len) ? "a directory listing" : NULL;
	/* An HTML page (a catch-all front end) is not the file asked for. */
	if (first == '<')
		return NULL;
	if (strcmp(path, "/.git/config") == 0)
		return http_find_exact(body, len, "[core]") ? "a git config ([core])" : NULL;
	if (has_env_line(body, len))
		return "KEY=value lines";
	if ((strcmp(path, "/config") == 0 || strcmp(path, "/config.json") == 0) && first == '{' &&
	    !http_find_exact(body, len, "\"jsonrpc\"") && !http_find_exact(body, len, "\"error\""))
		return "a JSON object";
	return NULL;
}

void probe_check_sensitive_files(struct probe *p)
{
	static const char *const paths[] = {"/.env", "/.git/config", "/config", "/config.json",
					    "/"};
	unsigned answered = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct request rq = {"GET", paths[i], NULL, NULL, false};
		const char *match;

		if (probe_request(p, &rq))
			continue;
		answered++;
		if (strcmp(paths[i], "/") == 0)
			probe_capture_primary(p, 1);
		if (p->ex.head.status != 200 || (strcmp(paths[i], "/") && same_as_baseline(p)))
			continue;
		match = httpprobe_sensitive_file_match(paths[i], p->body, p->ex.body_len);
		if (match) {
			check_set(check(p, CHK_SENSITIVE_FILES), CHECK_FAIL,
				  "GET %s -> 200 with %s", paths[i], match);
			return;
		}
	}
	if (!answered)
		probe_untested(p, CHK_SENSITIVE_FILES, "no answer for sensitive paths");
	else
		probe_pass_answered(
		    p, CHK_SENSITIVE_FILES, answered, sizeof(paths) / sizeof(paths[0]),
		    "/.env /.git/config /config /config.json not served, no listing at /");
}
