// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Fuzz the /proc/<pid>/{stat,status,cmdline} parsers with one input each. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sense/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct proc_stat st;
	char err[160], **argv;
	uint32_t uid;
	int argc;

	if (procfs_parse_stat(buf, size, &st, err, sizeof(err)) == 0 &&
	    strnlen(st.comm, sizeof(st.comm)) == sizeof(st.comm))
		abort(); /* comm must stay NUL-terminated */
	procfs_parse_status_uid(buf, size, &uid, err, sizeof(err));
	if (procfs_parse_cmdline(buf, size, &argv, &argc) == 0) {
		for (int i = 0; i < argc; i++) {
			if (!argv[i] || strlen(argv[i]) > size)
				abort();
		}
		if (argc && argv[argc])
			abort();
		free(argv);
	}
	procfs_ticks_to_ns(size ? data[0] * 0x0101010101010101ull : 0, 100);
	return 0;
}
