// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the redactor: as a string (in place, into a big buffer, into a short
 * one), and as an argv split on '\n'. Masking never makes text longer, and
 * all three string forms agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/redact.h"

#define MAX_ARGS 32

static void fuzz_argv(char *text)
{
	char *argv[MAX_ARGS], *save = NULL;
	int argc = 0;

	for (char *tok = strtok_r(text, "\n", &save); tok && argc < MAX_ARGS;
	     tok = strtok_r(NULL, "\n", &save))
		argv[argc++] = tok;
	redact_argv(argv, argc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1), *inplace = malloc(size + 1), *out = malloc(size + 1);
	char small[16];
	size_t n, m, k;

	if (!in || !inplace || !out)
		abort();
	memcpy(in, data, size);
	in[size] = '\0';
	memcpy(inplace, in, size + 1);
	n = redact_in_place(inplace);
	m = redact_string(in, out, size + 1);
	k = redact_string(in, small, sizeof(small));
	if (n != strlen(inplace) || n > strlen(in) || m != n || strcmp(out, inplace) != 0 ||
	    k != n || strncmp(small, inplace, sizeof(small) - 1) != 0)
		abort();
	fuzz_argv(in);
	free(in);
	free(inplace);
	free(out);
	return 0;
}
