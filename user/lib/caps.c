/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "lib/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const caps_names[CAPS_LAST + 1] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const char *caps_name(int cap)
{
	return cap >= 0 && cap <= CAPS_LAST ? caps_names[cap] : NULL;
}

uint64_t caps_effective(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) != 0)
		return 0;
	return (uint64_t)data[0].effective | (uint64_t)data[1].effective << 32;
}

bool caps_have(uint64_t need)
{
	return (caps_effective() & need) == need;
}

char *caps_format(uint64_t mask, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (int cap = 0; cap < 64; cap++) {
		const char *name = caps_name(cap);
		char unknown[16];
		int n;

		if (!(mask & CAPS_BIT(cap)))
			continue;
		if (!name) {
			snprintf(unknown, sizeof(unknown), "cap_%d", cap);
			name = unknown;
		}
		n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", name);
		if (n < 0 || (size_t)n >= len - used) {
			buf[used] = '\0'; /* whole names only */
			break;
		}
		used += (size_t)n;
	}
	if (!mask)
		snprintf(buf, len, "none");
	return buf;
}

char *caps_missing_hint(int err, uint64_t need, uint64_t have, char *buf, size_t len)
{
	char names[256];

	if (!len)
		return buf;
	buf[0] = '\0';
	if (err < 0)
		err = -err;
	if (have & CAPS_BIT(CAPS_SYS_ADMIN))
		have |= CAPS_FOR_BPF;
	if (have & CAPS_BIT(CAPS_DAC_OVERRIDE))
		have |= CAPS_BIT(CAPS_DAC_READ_SEARCH);
	if ((err != EPERM && err != EACCES) || !(need & ~have))
		return buf;
	snprintf(buf, len, " (missing %s)", caps_format(need & ~have, names, sizeof(names)));
	return buf;
}
