// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the TLS reply classifier: reasons stay printable and at most 60 chars. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "posture/tlsprobe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char reason[TLSPROBE_REASON_MAX], tiny[5];
	enum tlsprobe_verdict v = tlsprobe_classify(data, size, reason, sizeof(reason));

	if (v != TLSPROBE_TLS && v != TLSPROBE_PLAINTEXT)
		abort();
	if (strlen(reason) > 60)
		abort();
	for (const char *p = reason; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			abort();
	}
	if (tlsprobe_classify(data, size, tiny, sizeof(tiny)) != v || strlen(tiny) > 4)
		abort();
	return 0;
}
