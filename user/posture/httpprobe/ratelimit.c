// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/ratelimit: the opt-in burst that tests rate limiting. */
#include "posture/httpprobe/probe.h"

#include <stdint.h>

void probe_check_rate_limit(struct probe *p)
{
	const struct request rq = {"GET", p->out->mcp_path, NULL, NULL, false};
	int64_t start = probe_now_ms();
	int sent = 0;

	if (!p->o.rate_limit) {
		check_set(check(p, CHK_RATE_LIMIT), CHECK_NA, "not tested (opt-in)");
		return;
	}
	if (!p->out->mcp_path[0]) {
		check_set(check(p, CHK_RATE_LIMIT), CHECK_NA, "no MCP endpoint found");
		return;
	}
	p->deadline += (int64_t)HTTPPROBE_BURST_STEPS * p->o.timeout_ms;
	p->max_requests = p->out->requests + (unsigned)p->o.burst;
	for (; sent < p->o.burst && probe_request(p, &rq) == 0; sent++) {
		const char *retry = probe_header(p, "Retry-After");

		if (p->ex.head.status != 429)
			continue;
		if (retry && *retry)
			check_set(check(p, CHK_RATE_LIMIT), CHECK_PASS,
				  "request %d of a burst -> 429, Retry-After: %.20s", sent + 1,
				  retry);
		else
			check_set(check(p, CHK_RATE_LIMIT), CHECK_FAIL,
				  "request %d of a burst -> 429 without Retry-After", sent + 1);
		return;
	}
	if (!sent)
		probe_untested(p, CHK_RATE_LIMIT, "no answer to the burst");
	else
		check_set(check(p, CHK_RATE_LIMIT), CHECK_FAIL,
			  "%d GETs of %s in %lld ms: none answered 429", sent, p->out->mcp_path,
			  (long long)(probe_now_ms() - start));
}
