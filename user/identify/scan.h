/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * scan: owns filling a process table from /proc and classifying what it
 * found with the identity module, parents first — the start-up scan of the
 * agent and the one-shot scan of `mcpwatch grade`.
 */
#ifndef MCPWATCH_SCAN_H
#define MCPWATCH_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "identify/identity.h"
#include "identify/proctable.h"

/*
 * Add every user-space process under proc_root (except skip_tgid) that the
 * table does not know yet, then classify all of them in start order.
 * Returns the number of servers found, or -1 with err filled.
 */
int scan_processes(const char *proc_root, uint32_t skip_tgid, struct proc_table *t,
		   const struct identity *id, identity_join_fn join, void *arg, char *err,
		   size_t errlen);

#endif /* MCPWATCH_SCAN_H */
