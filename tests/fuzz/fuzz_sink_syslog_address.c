// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the syslog sink's readers: the configured address, the facility
 * name, a record's severity and host (read once when a record is made,
 * user/deliver/record.h) and the RFC 5424 header built from record fields. Accepted addresses are
 * well formed; headers stay in bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/record.h"
#include "deliver/sinks/sink_net.h"

static void check_address(const struct syslog_address *a)
{
	if (a->transport == SYSLOG_UNIX) {
		if (!a->path[0])
			abort();
		return;
	}
	if (!a->host[0] || !a->port[0] || strchr(a->host, '/') || atoi(a->port) < 1 ||
	    atoi(a->port) > 65535)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syslog_address a;
	char *s = malloc(size + 1), why[200], head[700], host[256];
	size_t n;
	int sev;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (syslog_address_parse(s, &a, why, sizeof(why)) == 0)
		check_address(&a);
	syslog_facility_parse(s);
	record_facts_of_text((const char *)data, size, host, sizeof(host), &sev);
	if (sev < 0 || sev > 7 || strlen(host) >= sizeof(host))
		abort();
	n = syslog_format_header(head, sizeof(head), 16 * 8 + sev, (int64_t)size * 999999937, s, s,
				 (long)size, s);
	if (n == 0 || n >= sizeof(head) || strlen(head) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)head[i] < 0x20 || (unsigned char)head[i] >= 0x7f)
			abort();
	free(s);
	return 0;
}
