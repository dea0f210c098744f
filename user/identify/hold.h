/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * hold: owns the actions of pending trees (a process started with pipes or
 * sockets on stdin and stdout, and what it forked, before anything said
 * whether it is an MCP server) while the agent waits for the handshake.
 * Each held action keeps a snapshot of its process as it was then. When a
 * process is identified as a server, the actions of it and of the
 * processes it forked (fork-time lineage, not the current parent) are
 * handed back for the rules; the others expire after the window. Bounded
 * in total and per pending root; what does not fit is counted as dropped.
 */
#ifndef MCPWATCH_HOLD_H
#define MCPWATCH_HOLD_H

#include <stddef.h>
#include <stdint.h>

#include "identify/proctable.h"

#define HOLD_MAX_TOTAL	  1024
#define HOLD_MAX_PER_ROOT 256

/* One held action; the strings and proc are owned by the hold once added. */
struct held_event {
	int kind;	   /* the caller's event kind (enum rule_event) */
	uint32_t root;	   /* the kernel's pending root */
	int64_t time_ns;   /* CLOCK_REALTIME of the action */
	int64_t held_ns;   /* monotonic time it was held */
	struct proc *proc; /* snapshot (proc_snapshot) */
	char *path;	   /* open */
	uint32_t oflags;
	int64_t result;
	int family; /* connect */
	char *local_addr, *remote_addr;
	uint16_t local_port, remote_port;
};

struct hold_stats {
	uint64_t held, replayed, expired, dropped;
};

struct hold;

struct hold *hold_new(int64_t window_ns);
void hold_free(struct hold *h);
void hold_set_window(struct hold *h, int64_t window_ns);

/* Takes ev (its proc and strings), or frees it and counts a drop when full
 * or when the window is 0. 0 when held, -1 when dropped. */
int hold_add(struct hold *h, struct held_event *ev);

typedef void (*hold_replay_fn)(const struct held_event *ev, void *arg);
/* Hands back (then frees) the held actions of server and its fork-time
 * descendants, oldest first; returns how many. server_start_ns (0 if
 * unknown): a process started before the server cannot be its (a reused
 * pid in an old lineage). */
size_t hold_release(struct hold *h, uint32_t server, uint64_t server_start_ns, hold_replay_fn fn,
		    void *arg);
/* Frees the actions held longer than the window; returns how many. */
size_t hold_expire(struct hold *h, int64_t now_ns);
size_t hold_count(const struct hold *h);
void hold_get_stats(const struct hold *h, struct hold_stats *s);
/* Frees what ev owns (for a caller that built one and did not add it). */
void held_event_clear(struct held_event *ev);

#endif /* MCPWATCH_HOLD_H */
