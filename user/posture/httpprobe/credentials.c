// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe/credentials: secrets exposed in any response, headers or body. */
#include "posture/httpprobe/probe.h"

#include <stdio.h>
#include <string.h>

#include "lib/redact.h"
#include "posture/httpprobe/text.h"

#define WINDOW_BEFORE 32 /* redacted context shown before a masked secret */

/*
 * MCP protocol fields whose names look like secrets to the redactor but hold
 * none: a progress token is a request id, token budgets are counts.
 */
static const char *const benign_keys[] = {"\"progressToken\"", "\"maxTokens\"",
					  "\"max_tokens\"",    "\"inputTokens\"",
					  "\"outputTokens\"",  "\"totalTokens\""};

/* Turn "progressToken" into "progress_oken" so that the redactor passes it by. */
static void neutralise_benign_keys(char *s)
{
	for (size_t k = 0; k < sizeof(benign_keys) / sizeof(benign_keys[0]); k++) {
		size_t klen = strlen(benign_keys[k]);

		for (char *at = strstr(s, benign_keys[k]); at;
		     at = strstr(at + klen, benign_keys[k])) {
			char *t = strstr(at, "oken");

			if (t && t > at && t < at + klen)
				t[-1] = '_';
		}
	}
}

bool httpprobe_find_secret(const char *text, char *copy, char *redacted, size_t buflen,
			   char *window, size_t wlen)
{
	size_t i = 0, start;

	snprintf(copy, buflen, "%s", text);
	neutralise_benign_keys(copy);
	redact_string(copy, redacted, buflen);
	while (copy[i] && copy[i] == redacted[i])
		i++;
	if (!copy[i] && !redacted[i])
		return false;
	start = i > WINDOW_BEFORE ? i - WINDOW_BEFORE : 0;
	http_set_text(window, wlen, "%.*s", (int)(i - start + strlen(REDACT_MASK)),
		      redacted + start);
	return true;
}

/* Does text hold a secret? window gets the redacted text around the first one. */
static bool secret_window(struct probe *p, const char *text, char *window, size_t wlen)
{
	return httpprobe_find_secret(text, p->plain, p->scratch, p->scratch_len, window, wlen);
}

/* The header block without the lines whose values are not the server's secrets to leak. */
static void filtered_head_text(struct probe *p)
{
	static const char *const skip[] = {
	    "www-authenticate:", "proxy-authenticate:", "set-cookie:"};
	size_t pos = 0, next, out = 0;

	while (pos < p->ex.raw_len) {
		const char *line = p->raw + pos;
		bool keep = true;

		http_line_length(line, p->ex.raw_len - pos, &next);
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			keep = keep && !http_starts_with_nocase(line, skip[i]);
		if (keep) {
			memcpy(p->headtext + out, line, next);
			out += next;
		}
		pos += next;
	}
	for (size_t i = 0; i < out; i++)
		if (p->headtext[i] == '\0')
			p->headtext[i] = ' ';
	p->headtext[out] = '\0';
}

void probe_observe_secrets(struct probe *p)
{
	struct check_result *r = check(p, CHK_CREDENTIALS_EXPOSED);
	char window[96];

	if (r->status == CHECK_FAIL)
		return;
	filtered_head_text(p);
	if (secret_window(p, p->headtext, window, sizeof(window)))
		check_set(r, CHECK_FAIL, "%s response headers match a secret pattern: '%s'",
			  p->ex.label, window);
	else if (secret_window(p, p->body, window, sizeof(window)))
		check_set(r, CHECK_FAIL, "%s response body matches a secret pattern: '%s'",
			  p->ex.label, window);
}
