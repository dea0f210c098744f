// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/errorleak: stack traces, paths and framework names in error answers. */
#include "posture/httpprobe/probe.h"

#include <string.h>

#include "posture/httpprobe/text.h"

static const char unknown_method_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"mcpwatch/no-such-method\",\"params\":{}}";

static const char malformed_body[] = "{bad";

struct leak_pattern {
	const char *text;
	const char *what;
};

static const struct leak_pattern leak_patterns[] = {
    {"    at ", "a stack trace ('    at ')"},
    {"&nbsp;at ", "a stack trace (HTML 'at' frames)"},
    {"Traceback (most recent call last)", "a Python traceback"},
    {"File \"/", "a Python traceback ('File \"/')"},
    {"/home/", "an absolute path (/home/)"},
    {"/root/", "an absolute path (/root/)"},
    {"/usr/", "an absolute path (/usr/)"},
    {"/app/", "an absolute path (/app/)"},
    {"node_modules", "a module path (node_modules)"},
};

static const char *const framework_names[] = {
    "Express",	 "Werkzeug",	  "Django",
    "Starlette", "FastAPI",	  "Flask",
    "Uvicorn",	 "Tornado",	  "Whitelabel Error Page",
    "Laravel",	 "Ruby on Rails", "ASP.NET",
    "Jetty",	 "Apache Tomcat",
};

static bool is_html(const char *body, size_t len, const char *content_type)
{
	size_t head = len < 512 ? len : 512;

	if (content_type && http_find_nocase(content_type, strlen(content_type), "text/html"))
		return true;
	return http_first_visible(body, len) == '<' &&
	       (http_find_nocase(body, head, "<html") ||
		http_find_nocase(body, head, "<!doctype html"));
}

bool httpprobe_find_error_leak(const char *body, size_t len, const char *content_type, char *what,
			       size_t wlen)
{
	size_t i;

	http_set_text(what, wlen, "%s", "");
	if (!body || len == 0)
		return false;
	for (i = 0; i < sizeof(leak_patterns) / sizeof(leak_patterns[0]); i++) {
		if (http_find_exact(body, len, leak_patterns[i].text)) {
			http_set_text(what, wlen, "%s", leak_patterns[i].what);
			return true;
		}
	}
	if (!is_html(body, len, content_type))
		return false;
	for (i = 0; i < sizeof(framework_names) / sizeof(framework_names[0]); i++) {
		if (http_find_exact(body, len, framework_names[i])) {
			http_set_text(what, wlen, "the framework name '%s' in an HTML page",
				      framework_names[i]);
			return true;
		}
	}
	return false;
}

void probe_check_error_leak(struct probe *p)
{
	const char *path = probe_post_path(p);
	const struct request rqs[] = {{"POST", path, malformed_body, NULL, false},
				      {"POST", path, unknown_method_body, NULL, false}};
	static const char *const names[] = {"malformed JSON", "an unknown method"};
	unsigned answered = 0;
	char what[96];

	for (size_t i = 0; i < 2; i++) {
		if (probe_request(p, &rqs[i]))
			continue;
		answered++;
		if (httpprobe_find_error_leak(p->body, p->ex.body_len,
					      probe_header(p, "Content-Type"), what,
					      sizeof(what))) {
			check_set(check(p, CHK_ERROR_LEAK), CHECK_FAIL, "POST %s with %s -> %d: %s",
				  path, names[i], p->ex.head.status, what);
			return;
		}
	}
	if (!answered)
		probe_untested(p, CHK_ERROR_LEAK, "no answer to bad requests");
	else
		check_set(check(p, CHK_ERROR_LEAK), CHECK_PASS,
			  "POST %s with malformed JSON and an unknown method: no trace, path or "
			  "framework name",
			  path);
}
