// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the /proc/net/{tcp,tcp6,udp,udp6} parsers; bit 0 of the first byte
 * picks the family, bit 1 the protocol. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sense/procfs.h"

struct fuzz_seen {
	int count, protocol;
};

static int check_listener(const struct proc_listener *l, void *arg)
{
	struct fuzz_seen *s = arg;

	if (strnlen(l->addr, sizeof(l->addr)) == sizeof(l->addr) ||
	    (l->family != AF_INET && l->family != AF_INET6) || l->tgid != 0 ||
	    l->protocol != s->protocol || (l->protocol == IPPROTO_UDP && l->port == 0))
		abort();
	s->count++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_seen seen = {0};
	char err[200];
	int family, ret;

	if (size < 1)
		return 0;
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	seen.protocol = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;
	if (seen.protocol == IPPROTO_UDP)
		ret = procfs_parse_net_udp((const char *)data + 1, size - 1, family, check_listener,
					   &seen, err, sizeof(err));
	else
		ret = procfs_parse_net_tcp((const char *)data + 1, size - 1, family, check_listener,
					   &seen, err, sizeof(err));
	if (ret >= 0 && ret != seen.count)
		abort();
	return 0;
}
