/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * caps: owns the names of Linux capabilities and the answer to "which ones
 * does this process hold": the effective set (capget(2)), written as names
 * for the start-up line, and the hint that turns an EPERM or EACCES from the
 * kernel into the capability a user has to add.
 */
#ifndef MCPWATCH_LIB_CAPS_H
#define MCPWATCH_LIB_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Numbers of linux/capability.h, also where old headers lack the new ones. */
#define CAPS_DAC_OVERRIDE    1
#define CAPS_DAC_READ_SEARCH 2
#define CAPS_SYS_PTRACE	     19
#define CAPS_SYS_ADMIN	     21
#define CAPS_SYS_RESOURCE    24
#define CAPS_PERFMON	     38
#define CAPS_BPF	     39
#define CAPS_LAST	     40 /* CAP_CHECKPOINT_RESTORE */

#define CAPS_BIT(cap) (UINT64_C(1) << (cap))

/* What the agent needs (deploy/capabilities.txt says why, README "Privileges"). */
#define CAPS_NEEDED                                                                                \
	(CAPS_BIT(CAPS_BPF) | CAPS_BIT(CAPS_PERFMON) | CAPS_BIT(CAPS_SYS_PTRACE) |                 \
	 CAPS_BIT(CAPS_DAC_READ_SEARCH))
/* Loading and attaching BPF tracing programs, maps and uprobes. */
#define CAPS_FOR_BPF (CAPS_BIT(CAPS_BPF) | CAPS_BIT(CAPS_PERFMON))

/* "CAP_BPF" for 39; NULL for a number the kernel does not name. */
const char *caps_name(int cap);

/* This process's effective set; 0 when capget(2) fails. */
uint64_t caps_effective(void);

/* Whether the effective set has every bit of need. */
bool caps_have(uint64_t need);

/*
 * The names of mask's bits, space-separated, into buf (always terminated,
 * "none" for 0); returns buf.
 */
char *caps_format(uint64_t mask, char *buf, size_t len);

/*
 * For err (a negative or positive errno) of a call that needs the
 * capabilities need while the process holds have: " (missing CAP_X CAP_Y)"
 * when err is EPERM or EACCES and some are missing, "" otherwise. As the
 * kernel does, CAP_SYS_ADMIN stands in for CAP_BPF and CAP_PERFMON, and
 * CAP_DAC_OVERRIDE for CAP_DAC_READ_SEARCH. Into buf; returns buf.
 */
char *caps_missing_hint(int err, uint64_t need, uint64_t have, char *buf, size_t len);

#endif /* MCPWATCH_LIB_CAPS_H */
