// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/run: one probe run — options, target, start, the checks in order, the report. */
#include "posture/httpprobe/probe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/redact.h"
#include "posture/httpprobe/text.h"

#define DEFAULT_TIMEOUT_MS 1500
#define DEFAULT_MAX_BODY   (64 * 1024)
#define DEFAULT_MAX_HEADER (16 * 1024)
#define DEFAULT_BURST	   30

void probe_untested(struct probe *p, enum check_id id, const char *what)
{
	check_set(check(p, id), CHECK_NA, "not tested: %s (%.120s)", what,
		  p->stopped ? p->stop_reason : p->ex.error);
}

/* A pass on the requests that were answered; says so when some were not. */
void probe_pass_answered(struct probe *p, enum check_id id, unsigned answered, size_t asked,
			 const char *what)
{
	if (answered == asked)
		check_set(check(p, id), CHECK_PASS, "%s", what);
	else
		check_set(check(p, id), CHECK_PASS, "%s (only %u of %zu requests answered)", what,
			  answered, asked);
}

void probe_observe_response(struct probe *p)
{
	p->observed++;
	probe_observe_secrets(p);
	probe_observe_version(p);
	probe_observe_cors(p);
}

/* Checks fed by every response: pass only once something was seen. */
static void finish_observed_checks(struct probe *p)
{
	if (check(p, CHK_CREDENTIALS_EXPOSED)->status != CHECK_FAIL)
		check_set(check(p, CHK_CREDENTIALS_EXPOSED), CHECK_PASS,
			  "no secret pattern in %u responses", p->observed);
	if (check(p, CHK_VERSION_LEAK)->status != CHECK_FAIL) {
		if (p->out->server_header[0])
			check_set(check(p, CHK_VERSION_LEAK), CHECK_PASS,
				  "Server: %.60s names no product or version",
				  p->out->server_header);
		else
			check_set(check(p, CHK_VERSION_LEAK), CHECK_PASS,
				  "no Server or X-Powered-By header");
	}
	if (check(p, CHK_CORS)->status == CHECK_FAIL)
		return;
	if (!p->preflight_answered)
		probe_untested(p, CHK_CORS, "no answer to the CORS preflight");
	else if (p->cors_allowed[0])
		check_set(check(p, CHK_CORS), CHECK_PASS, "allows only the origin %s",
			  p->cors_allowed);
	else
		check_set(check(p, CHK_CORS), CHECK_PASS,
			  "no Access-Control-Allow-Origin for Origin " HTTPPROBE_PROBE_ORIGIN);
}

static void run_checks(struct probe *p)
{
	probe_check_https(p);
	probe_check_auth(p);
	probe_fetch_baseline(p);
	probe_check_admin_panel(p);
	probe_check_sensitive_files(p);
	probe_check_open_redirect(p);
	probe_check_cors_preflight(p);
	probe_check_error_leak(p);
	probe_check_origin_validation(p);
	probe_check_security_headers(p); /* after GET /, which may be the best response to read */
	probe_check_rate_limit(p);
	finish_observed_checks(p);
}

void httpprobe_opts_default(struct httpprobe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->max_body = DEFAULT_MAX_BODY;
	o->max_header = DEFAULT_MAX_HEADER;
	o->burst = DEFAULT_BURST;
}

static int resolve_opts(const struct httpprobe_opts *in, struct httpprobe_opts *o, char *err,
			size_t elen)
{
	httpprobe_opts_default(o);
	if (!in)
		return 0;
	if (in->timeout_ms < 0 || in->burst < 0) {
		http_set_text(err, elen, "httpprobe: timeout_ms %d or burst %d is negative",
			      in->timeout_ms, in->burst);
		return -EINVAL;
	}
	o->rate_limit = in->rate_limit;
	o->ca_file = in->ca_file;
	if (in->timeout_ms)
		o->timeout_ms = in->timeout_ms;
	if (in->max_body)
		o->max_body = in->max_body;
	if (in->max_header)
		o->max_header = in->max_header;
	if (in->burst)
		o->burst = in->burst < HTTPPROBE_BURST_MAX ? in->burst : HTTPPROBE_BURST_MAX;
	return 0;
}

static int check_target(const struct httpprobe_target *t, char *err, size_t elen)
{
	if ((t->family != AF_INET && t->family != AF_INET6) || t->port == 0 ||
	    !memchr(t->addr, '\0', sizeof(t->addr))) {
		http_set_text(err, elen,
			      "httpprobe: target needs family AF_INET/AF_INET6, an address "
			      "and a port (family %d, port %u)",
			      t->family, t->port);
		return -EINVAL;
	}
	if (t->tls_hint < HTTPPROBE_TLS_DETECT || t->tls_hint > HTTPPROBE_TLS_YES) {
		http_set_text(err, elen, "httpprobe: tls_hint %d is not -1, 0 or 1", t->tls_hint);
		return -EINVAL;
	}
	return 0;
}

static void report_init(struct httpprobe_report *out)
{
	memset(out, 0, sizeof(*out));
	for (int id = CHK_HTTPS; id <= CHK_RATE_LIMIT; id++)
		check_set(&out->checks[id], CHECK_NA, "not tested");
	check_set(&out->checks[CHK_REGISTRY], CHECK_NA, "cannot be known offline");
}

/* After a failed start: every HTTP check says why it was not tested. */
static void report_untested(struct httpprobe_report *out)
{
	for (int id = CHK_HTTPS; id <= CHK_RATE_LIMIT; id++)
		if (id != CHK_REGISTRY && id != CHK_BIND_SCOPE)
			check_set(&out->checks[id], CHECK_NA, "not tested: %.200s", out->error);
}

static int probe_start(struct probe *p, const struct httpprobe_target *t)
{
	char why[CHECK_EVIDENCE_MAX];
	enum check_status s;
	int rc = probe_pin_target(p, t);

	if (rc)
		return rc;
	s = httpprobe_bind_scope(t->family, t->addr, why, sizeof(why));
	check_set(&p->out->checks[CHK_BIND_SCOPE], s, "%s", why);
	rc = probe_alloc(p);
	if (!rc)
		rc = probe_detect_scheme(p, t);
	if (rc)
		return rc;
	p->deadline = probe_now_ms() + (int64_t)HTTPPROBE_BUDGET_STEPS * p->o.timeout_ms;
	p->max_requests = HTTPPROBE_MAX_REQUESTS;
	p->verify = p->o.ca_file != NULL && p->out->tls;
	p->primary.rank = -1;
	rc = probe_discover_mcp_path(p);
	if (rc)
		http_set_text(p->out->error, sizeof(p->out->error), "httpprobe: %s", p->ex.error);
	return rc;
}

/* Evidence quotes server data (Location, header values): mask anything secret-shaped. */
static void redact_report(struct httpprobe_report *out)
{
	for (int id = 0; id < CHK_COUNT; id++)
		redact_in_place(out->checks[id].evidence);
	redact_in_place(out->server_header);
	redact_in_place(out->error);
}

int httpprobe_run(const struct httpprobe_target *t, const struct httpprobe_opts *o,
		  struct httpprobe_report *out)
{
	struct probe *p;
	int rc;

	if (!out)
		return -EINVAL;
	report_init(out);
	if (!t) {
		http_set_text(out->error, sizeof(out->error), "httpprobe: no target");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		http_set_text(out->error, sizeof(out->error), "httpprobe: out of memory");
		return -ENOMEM;
	}
	p->out = out;
	rc = resolve_opts(o, &p->o, out->error, sizeof(out->error));
	if (!rc)
		rc = check_target(t, out->error, sizeof(out->error));
	if (!rc)
		rc = probe_start(p, t);
	if (!rc)
		run_checks(p);
	else
		report_untested(out);
	probe_free(p);
	redact_report(out);
	return rc;
}
