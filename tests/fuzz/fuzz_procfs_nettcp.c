// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the /proc/net/tcp{,6} parser; the first byte picks the family. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sense/procfs.h"

static int check_listener(const struct proc_listener *l, void *arg)
{
	if (strnlen(l->addr, sizeof(l->addr)) == sizeof(l->addr) ||
	    (l->family != AF_INET && l->family != AF_INET6) || l->tgid != 0)
		abort();
	(*(int *)arg)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[200];
	int family, seen = 0, ret;

	if (size < 1)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	ret = procfs_parse_net_tcp((const char *)data + 1, size - 1, family, check_listener, &seen,
				   err, sizeof(err));
	if (ret >= 0 && ret != seen)
		abort();
	return 0;
}
