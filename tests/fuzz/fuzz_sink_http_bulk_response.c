// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the readers of HTTP receivers' answers: the Elasticsearch _bulk item
 * list and the Splunk HEC answer. Any input gives a status per record (and
 * no reads past it), a printable why, and a bounded HEC answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver/sinks/sink_net.h"

#define MAX_RECORDS 64

static void check_text(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sink_status status[MAX_RECORDS + 1];
	struct hec_answer a;
	char why[200];
	size_t n;

	if (size < 1)
		return 0;
	/* The first byte is the number of records the request carried. */
	n = data[0] % (MAX_RECORDS + 1);
	status[n] = (enum sink_status)0x5a5a;
	es_bulk_parse_response((const char *)data + 1, size - 1, n, status, why, sizeof(why));
	for (size_t i = 0; i < n; i++)
		if (status[i] != SINK_OK && status[i] != SINK_RETRY && status[i] != SINK_REJECT)
			abort();
	if (status[n] != (enum sink_status)0x5a5a)
		abort();
	check_text(why, sizeof(why));
	hec_parse_response((const char *)data + 1, size - 1, &a);
	check_text(a.text, sizeof(a.text));
	if (a.code < -1 || a.invalid_event < -1)
		abort();
	return 0;
}
