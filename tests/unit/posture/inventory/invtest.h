/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * invtest: owns what the inventory's unit tests share — the secrets planted
 * in tests/fixtures/clients/ (none may come out), splitting a command line
 * into an argv, parsing one document, and printing diagnostics.
 */
#ifndef MCPWATCH_TEST_INVTEST_H
#define MCPWATCH_TEST_INVTEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "posture/inventory.h"

#define FIXTURES "tests/fixtures/clients/"

/* The literal secrets planted in the fixtures: none may come out. */
static const char *const planted_secrets[] = {
    "ghp_FAKEfake0000FAKEfake0000FAKEfake0000",
    "Sup3rS3cretPw",
    "sk-live-FAKE0123456789abcdefFAKE",
    "BSAfakeFAKEfake0123456789",
    "xoxb-FAKE1234567890-fakefakefake",
    "FAKE1234567890-fakefakefake",
    "FAKEfake0123456789",
    NULL,
};

/* The pin evidence of a remote entry and of a local command. */
#define REMOTE "remote server; pin not applicable"
#define LOCAL  "local command; pin not applicable"

/* ---------------------------------------------------------------- helpers */

/* Split a command line on blanks into a static argv. */
struct words {
	char buf[1024];
	char *v[64];
	int n;
};

static inline void split(struct words *w, const char *line)
{
	char *save = NULL, *tok;

	snprintf(w->buf, sizeof(w->buf), "%s", line);
	w->n = 0;
	for (tok = strtok_r(w->buf, " ", &save); tok && w->n < 63; tok = strtok_r(NULL, " ", &save))
		w->v[w->n++] = tok;
	w->v[w->n] = NULL;
}

/* Everything the inventory says, checked for planted secrets. */
static inline void assert_no_secret_in(const char *s)
{
	const char *const *p;

	for (p = planted_secrets; s && *p; p++) {
		if (strstr(s, *p))
			fail_msg("secret \"%s\" leaked in \"%s\"", *p, s);
	}
}

static inline void assert_no_secrets(const struct inventory *inv)
{
	size_t i, j;

	for (i = 0; i < inv->n; i++) {
		const struct inv_server *s = &inv->servers[i];

		assert_no_secret_in(s->name);
		assert_no_secret_in(s->command);
		assert_no_secret_in(s->url);
		assert_no_secret_in(s->secret_evidence);
		assert_no_secret_in(s->pin_evidence);
		for (j = 0; j < s->nargs; j++)
			assert_no_secret_in(s->args[j]);
		for (j = 0; j < s->nenv; j++)
			assert_no_secret_in(s->env_keys[j]);
	}
	for (i = 0; i < inv->diag.nlines; i++)
		assert_no_secret_in(inv->diag.lines[i]);
}

static inline void print_diagnostics(const struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->diag.nlines; i++)
		print_message("diagnostic: %s\n", inv->diag.lines[i]);
}

static inline int parse(struct inventory *inv, const char *client, const char *doc)
{
	return inventory_parse_buffer(client, "/c.json", doc, strlen(doc), inv);
}

#endif /* MCPWATCH_TEST_INVTEST_H */
