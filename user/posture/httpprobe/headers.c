// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/headers: security headers, CORS and version leaks in response headers. */
#include "posture/httpprobe/probe.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "posture/httpprobe/text.h"

static const char *const product_names[] = {
    "express", "uvicorn",  "gunicorn", "hypercorn", "werkzeug",	 "nginx",   "apache",
    "jetty",   "kestrel",  "node",     "python",    "deno",	 "bun",	    "starlette",
    "fastapi", "tornado",  "envoy",    "caddy",	    "openresty", "iis",	    "lighttpd",
    "tomcat",  "cowboy",   "puma",     "waitress",  "daphne",	 "aiohttp", "php",
    "asp.net", "golang",   "go-http",  "hono",	    "fastify",	 "koa",	    "flask",
    "django",  "cherrypy", "twisted",  "undertow",  "netty",	 "traefik", "haproxy",
};

static const char *product_in(const char *value)
{
	size_t len = strlen(value);

	for (size_t i = 0; i < sizeof(product_names) / sizeof(product_names[0]); i++)
		if (http_find_nocase(value, len, product_names[i]))
			return product_names[i];
	return NULL;
}

bool httpprobe_find_version_leak(const char *name, const char *value, char *what, size_t wlen)
{
	http_set_text(what, wlen, "%s", "");
	if (!name || !value || !*value)
		return false;
	/* These headers exist only to name the stack. */
	if (strcasecmp(name, "X-Powered-By") == 0 || strcasecmp(name, "X-AspNet-Version") == 0 ||
	    strcasecmp(name, "X-AspNetMvc-Version") == 0 || strcasecmp(name, "X-Generator") == 0) {
		http_set_text(what, wlen, "%s: %.64s", name, value);
		return true;
	}
	if (strcasecmp(name, "Server") != 0)
		return false;
	if (strpbrk(value, "0123456789") || product_in(value)) {
		http_set_text(what, wlen, "Server: %.64s", value);
		return true;
	}
	return false;
}

enum httpprobe_cors httpprobe_cors_classify(const char *acao, const char *sent_origin)
{
	const char *v = acao;
	size_t n;

	if (!v)
		return HTTPPROBE_CORS_NONE;
	n = strlen(v);
	http_trim_span(&v, &n);
	if (n == 0)
		return HTTPPROBE_CORS_NONE;
	if (n == 1 && v[0] == '*')
		return HTTPPROBE_CORS_WILDCARD;
	if (sent_origin && n == strlen(sent_origin) && strncasecmp(v, sent_origin, n) == 0)
		return HTTPPROBE_CORS_REFLECTED;
	if (n == 4 && strncasecmp(v, "null", 4) == 0)
		return HTTPPROBE_CORS_NULL;
	return HTTPPROBE_CORS_RESTRICTED;
}

void probe_observe_version(struct probe *p)
{
	static const char *const names[] = {"Server", "X-Powered-By", "X-AspNet-Version",
					    "X-AspNetMvc-Version", "X-Generator"};
	struct check_result *r = check(p, CHK_VERSION_LEAK);
	const char *server = probe_header(p, "Server");
	char what[96];

	if (server && *server && !p->out->server_header[0])
		http_set_text(p->out->server_header, sizeof(p->out->server_header), "%s", server);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && r->status != CHECK_FAIL; i++)
		if (httpprobe_find_version_leak(names[i], probe_header(p, names[i]), what,
						sizeof(what)))
			check_set(r, CHECK_FAIL, "%s (%s)", what, p->ex.label);
}

void probe_observe_cors(struct probe *p)
{
	static const char *const verdicts[] = {
	    [HTTPPROBE_CORS_WILDCARD] = "allows every origin",
	    [HTTPPROBE_CORS_REFLECTED] = "echoes the request's Origin",
	    [HTTPPROBE_CORS_NULL] = "allows the 'null' origin",
	};
	const char *acao = probe_header(p, "Access-Control-Allow-Origin");
	enum httpprobe_cors v = httpprobe_cors_classify(acao, p->ex.sent_origin);
	struct check_result *r = check(p, CHK_CORS);

	if (v == HTTPPROBE_CORS_RESTRICTED && !p->cors_allowed[0])
		http_set_text(p->cors_allowed, sizeof(p->cors_allowed), "%.80s", acao);
	if (r->status == CHECK_FAIL || v == HTTPPROBE_CORS_NONE || v == HTTPPROBE_CORS_RESTRICTED)
		return;
	if (p->ex.sent_origin)
		check_set(r, CHECK_FAIL,
			  "%s with Origin %s: Access-Control-Allow-Origin: %.60s (%s)", p->ex.label,
			  p->ex.sent_origin, acao, verdicts[v]);
	else
		check_set(r, CHECK_FAIL, "%s: Access-Control-Allow-Origin: %.60s (%s)", p->ex.label,
			  acao, verdicts[v]);
}

void probe_capture_primary(struct probe *p, int rank)
{
	struct primary *pr = &p->primary;
	const char *v;

	if (!p->ex.answered || rank <= pr->rank)
		return;
	pr->rank = rank;
	http_set_text(pr->label, sizeof(pr->label), "%s -> %d", p->ex.label, p->ex.head.status);
	v = probe_header(p, "Content-Security-Policy");
	http_set_text(pr->csp, sizeof(pr->csp), "%s", v ? v : "");
	v = probe_header(p, "Strict-Transport-Security");
	http_set_text(pr->hsts, sizeof(pr->hsts), "%s", v ? v : "");
	v = probe_header(p, "X-Frame-Options");
	http_set_text(pr->xfo, sizeof(pr->xfo), "%s", v ? v : "");
	v = probe_header(p, "X-Content-Type-Options");
	http_set_text(pr->xcto, sizeof(pr->xcto), "%s", v ? v : "");
}

static void check_header_present(struct probe *p, enum check_id id, const char *name,
				 const char *value, bool sane)
{
	if (!value[0])
		check_set(check(p, id), CHECK_FAIL, "no %s on %s", name, p->primary.label);
	else
		check_set(check(p, id), sane ? CHECK_PASS : CHECK_FAIL, "%s: %.100s%s", name, value,
			  sane ? "" : " (not a safe value)");
}

/* max-age=N with N > 0 */
static bool hsts_max_age_positive(const char *v)
{
	const char *m = http_find_nocase(v, strlen(v), "max-age");

	if (!m)
		return false;
	m += 7;
	while (*m == ' ' || *m == '=' || *m == '"')
		m++;
	while (*m == '0')
		m++;
	return isdigit((unsigned char)*m);
}

void probe_check_security_headers(struct probe *p)
{
	const struct primary *pr = &p->primary;
	const char *csp = pr->csp;
	bool frame_csp = http_find_nocase(csp, strlen(csp), "frame-ancestors") != NULL;

	check_header_present(p, CHK_CSP, "Content-Security-Policy", csp, true);
	if (!p->out->tls)
		check_set(check(p, CHK_HSTS), CHECK_FAIL, "plain HTTP: no HSTS possible");
	else
		check_header_present(p, CHK_HSTS, "Strict-Transport-Security", pr->hsts,
				     hsts_max_age_positive(pr->hsts));
	if (!pr->xfo[0] && frame_csp)
		check_set(check(p, CHK_X_FRAME_OPTIONS), CHECK_PASS,
			  "framing limited by Content-Security-Policy frame-ancestors");
	else
		check_header_present(p, CHK_X_FRAME_OPTIONS, "X-Frame-Options", pr->xfo,
				     strcasecmp(pr->xfo, "DENY") == 0 ||
					 strcasecmp(pr->xfo, "SAMEORIGIN") == 0);
	check_header_present(p, CHK_X_CONTENT_TYPE_OPTIONS, "X-Content-Type-Options", pr->xcto,
			     strcasecmp(pr->xcto, "nosniff") == 0);
}

void probe_check_cors_preflight(struct probe *p)
{
	const char *path = p->out->mcp_path[0] ? probe_post_path(p) : "/";
	const struct request rq = {"OPTIONS", path, NULL, HTTPPROBE_PROBE_ORIGIN, true};

	p->preflight_answered = probe_request(p, &rq) == 0;
}
