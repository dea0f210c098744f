// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/secrets: literal secrets in a client config's values. */
#include "posture/inventory/secrets.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/redact.h"
#include "posture/inventory/common.h"

/* s without ${...} and $NAME references: what a client does not take literally. */
char *secret_strip_references(const char *s)
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
bool secret_in_pair(const char *key, const char *sep, const char *value)
{
	char *lit = secret_strip_references(value), *pair = NULL;
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

bool secret_in_literal(const char *value)
{
	char *lit = secret_strip_references(value);
	bool secret;

	if (!lit)
		return true;
	secret = !is_blank(lit) && redaction_changes(lit);
	free(lit);
	return secret;
}

void secret_found(struct secret_scan *ss, const char *fmt, ...)
{
	va_list ap;

	if (ss->count++ == 0) {
		va_start(ap, fmt);
		vsnprintf(ss->evidence, sizeof(ss->evidence), fmt, ap);
		va_end(ap);
	}
}
