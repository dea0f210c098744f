// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the client-config parser and the command-line analysis. The first
 * byte picks the mode: below 0x80 its value picks the client and the rest
 * is a config document; from 0x80 the rest is an argv (NUL-separated) given
 * to inventory_pin_state and inventory_matches_cmdline. Every entry that
 * comes out must be complete and consistent with its transport.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posture/inventory.h"

#define MAX_WORDS 64

static const char *const clients[] = {"claude-desktop", "claude-code", "cursor",
				      "vscode",		"windsurf",    "gemini-cli"};

static void check_evidence(const char *ev)
{
	if (strnlen(ev, INVENTORY_EVIDENCE_MAX) >= INVENTORY_EVIDENCE_MAX)
		abort();
}

static void check_server(const struct inv_server *s)
{
	size_t i;

	if (!s->name || !s->client || !s->declared_in || s->user)
		abort();
	if (s->transport == INV_STDIO ? !s->command : !s->url || s->command)
		abort();
	if (s->nargs > INVENTORY_MAX_ARGS || (s->transport != INV_STDIO && s->nargs))
		abort();
	for (i = 0; i < s->nargs; i++) {
		if (!s->args[i])
			abort();
	}
	for (i = 0; i < s->nenv; i++) {
		if (!s->env_keys[i])
			abort();
	}
	if (s->inline_secret != (s->secret_evidence[0] != '\0'))
		abort();
	check_evidence(s->secret_evidence);
	check_evidence(s->pin_evidence);
	if (s->transport != INV_STDIO && s->pin != PIN_NA)
		abort();
	/* an entry's own command line is a running process to compare with */
	if (s->command) {
		char **argv = calloc(s->nargs + 1, sizeof(char *));

		if (!argv)
			return;
		argv[0] = s->command;
		for (i = 0; i < s->nargs; i++)
			argv[i + 1] = s->args[i];
		inventory_matches_cmdline(s, argv, (int)s->nargs + 1);
		free(argv);
	}
}

static void fuzz_document(const char *client, const uint8_t *data, size_t size)
{
	struct inventory inv = {0};
	int rc = inventory_parse_buffer(client, "/fuzz.json", (const char *)data, size, &inv);
	size_t i;

	if (rc < -1 || (rc == -1 && inv.diag.nlines == 0) || (rc >= 0 && (size_t)rc != inv.n))
		abort();
	for (i = 0; i < inv.n; i++)
		check_server(&inv.servers[i]);
	for (i = 0; i < inv.diag.nlines; i++) {
		if (!inv.diag.lines[i] || strpbrk(inv.diag.lines[i], "\n\r"))
			abort();
	}
	inventory_free(&inv);
}

static void fuzz_argv(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *words[MAX_WORDS + 1], ev[INVENTORY_EVIDENCE_MAX];
	struct inv_server s = {0};
	size_t i, n = 0;

	if (!buf)
		return;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i <= size && n < MAX_WORDS; i += strlen(buf + i) + 1)
		words[n++] = buf + i;
	words[n] = NULL;
	inventory_pin_state(words[0], words + 1, n - 1, ev, sizeof(ev));
	check_evidence(ev);
	/* the first half is the configured entry, the second the running process */
	s.command = words[0];
	s.args = words + 1;
	s.nargs = n / 2 ? n / 2 - 1 : 0;
	inventory_matches_cmdline(&s, words + n / 2, (int)(n - n / 2));
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 0x80)
		fuzz_argv(data + 1, size - 1);
	else
		fuzz_document(clients[data[0] % 6], data + 1, size - 1);
	return 0;
}
