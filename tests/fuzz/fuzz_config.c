// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the configuration loader: valid or not, no crash, no leak, and a
 * successful load leaves values inside their documented ranges. */
#include <stdint.h>
#include <stdlib.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;

	config_defaults(&c);
	if (!config_load_buffer(&c, "fuzz", (const char *)data, size, NULL)) {
		if (c.ringbuf_mb < 1 || c.ringbuf_mb > 1024 || (c.ringbuf_mb & (c.ringbuf_mb - 1)))
			abort();
		if (c.noutputs && !c.outputs_doc)
			abort();
		/* Every output keeps its checked object for its sink. */
		for (size_t i = 0; i < c.noutputs; i++)
			if (!c.outputs[i].cfg)
				abort();
	}
	config_free(&c);
	return 0;
}
