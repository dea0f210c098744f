// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the tool-call tap's sessions: the input is a script of chunks (which
 * channel, direction, kind, how the kernel cut the call) and their bytes, as
 * a hostile server and client could make them. The tap must neither crash nor
 * grow: in-flight calls stay bounded and every call handed out is well formed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identify/tap.h"
#include "mcpwatch_abi.h"

static void check_call(const struct tap_call *c, void *arg)
{
	if (strnlen(c->id, sizeof(c->id)) == sizeof(c->id) ||
	    strnlen(c->method, sizeof(c->method)) == sizeof(c->method) ||
	    strnlen(c->arguments, sizeof(c->arguments)) == sizeof(c->arguments) ||
	    (c->end_ns && c->outcome == TAP_PENDING))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tap_hooks hooks = {check_call, check_call, NULL};
	struct tap *t = tap_new(&hooks);
	const struct tap_call *fl[4];
	int64_t now = 0;

	while (t && size >= 4) {
		/* Header: channel, direction and kind, length, cut. */
		uint8_t chan = data[0] & 7, flags = data[1], len = data[2], cut = data[3];
		struct tap_chunk ch = {
		    .tgid = 100 + (chan & 1),
		    .server_tgid = 100,
		    .stream = 0x1000 + chan,
		    .dir = flags & 1 ? MW_IO_OUT : MW_IO_IN,
		    .source = flags & 2 ? MW_IO_TLS : MW_IO_SYSCALL,
		    .fd_kind = flags & 4 ? MW_FD_SOCKET : MW_FD_STDIO,
		    .offset = (uint32_t)(cut & 3) * MW_IO_CHUNK,
		    .time_ns = now += 1000000,
		};

		data += 4;
		size -= 4;
		ch.len = len < size ? len : size;
		ch.data = (const char *)data;
		ch.total = ch.offset + ch.len + (cut & 4 ? MW_IO_CHUNK : 0);
		tap_feed(t, &ch);
		data += ch.len;
		size -= ch.len;
	}
	if (t && tap_inflight(t, 100, fl, 4) > TAP_MAX_INFLIGHT)
		abort();
	tap_process_gone(t, 100, now);
	tap_free(t);
	return 0;
}
