// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the JSON-RPC decoder. The first input byte says whether the rest is a
 * cut message. Every field must be NUL-terminated inside its array, and the
 * message count within the batch bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identify/jsonrpc.h"

#define CHECK_STRING(m, field)                                                                     \
	do {                                                                                       \
		if (!memchr((m)->field, '\0', sizeof((m)->field)))                                 \
			abort();                                                                   \
	} while (0)

static void check_message(const struct jsonrpc_msg *m, void *arg)
{
	size_t len = *(size_t *)arg;

	if (m->kind > JSONRPC_ERROR || m->is_error < -1 || m->is_error > 1 || m->size > len ||
	    m->batch_index >= JSONRPC_MAX_BATCH)
		abort();
	CHECK_STRING(m, id);
	CHECK_STRING(m, method);
	CHECK_STRING(m, tool);
	CHECK_STRING(m, arguments);
	CHECK_STRING(m, argument_keys);
	CHECK_STRING(m, client_name);
	CHECK_STRING(m, client_version);
	CHECK_STRING(m, protocol_version);
	CHECK_STRING(m, text);
	CHECK_STRING(m, error_message);
	/* Text fields never hide anything behind a NUL byte. */
	if (m->kind == JSONRPC_INVALID && (m->tool[0] || m->text[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool cut;
	int n;

	if (size < 1)
		return 0;
	cut = data[0] & 1;
	data++;
	size--;
	n = jsonrpc_decode((const char *)data, size, cut, check_message, &size);
	if (n < 1 || n > JSONRPC_MAX_BATCH)
		abort();
	return 0;
}
