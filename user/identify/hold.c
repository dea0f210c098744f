// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Held actions in arrival order in one array: at most HOLD_MAX_TOTAL, so
 * the linear scans of release and expiry stay small, and nothing a pending
 * tree does can grow the agent's memory beyond that.
 */
#include "identify/hold.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct hold {
	int64_t window_ns;
	size_t n;
	struct held_event ev[HOLD_MAX_TOTAL];
	struct hold_stats st;
};

struct hold *hold_new(int64_t window_ns)
{
	struct hold *h = calloc(1, sizeof(*h));

	if (h)
		h->window_ns = window_ns;
	return h;
}

void held_event_clear(struct held_event *ev)
{
	proc_snapshot_free(ev->proc);
	free(ev->path);
	free(ev->local_addr);
	free(ev->remote_addr);
	memset(ev, 0, sizeof(*ev));
}

void hold_free(struct hold *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		held_event_clear(&h->ev[i]);
	free(h);
}

void hold_set_window(struct hold *h, int64_t window_ns)
{
	if (h)
		h->window_ns = window_ns;
}

int hold_add(struct hold *h, struct held_event *ev)
{
	size_t same = 0;

	if (!h || !ev->proc || h->window_ns <= 0 || h->n >= HOLD_MAX_TOTAL)
		goto drop;
	for (size_t i = 0; i < h->n; i++)
		same += h->ev[i].root == ev->root;
	if (same >= HOLD_MAX_PER_ROOT)
		goto drop;
	h->ev[h->n++] = *ev;
	memset(ev, 0, sizeof(*ev));
	h->st.held++;
	return 0;
drop:
	if (h)
		h->st.dropped++;
	held_event_clear(ev);
	return -1;
}

/* Is p server, or did server fork it (the lineage p had at the action)? */
static bool forked_by(const struct proc *p, uint32_t server, uint64_t start_ns)
{
	if (start_ns && p->start_ns && p->start_ns < start_ns)
		return false;
	return p->tgid == server || proc_forked_by(p, server);
}

/* Removes entry i, keeping the order of the others. */
static void take(struct hold *h, size_t i)
{
	memmove(&h->ev[i], &h->ev[i + 1], (h->n - i - 1) * sizeof(h->ev[0]));
	h->n--;
}

size_t hold_release(struct hold *h, uint32_t server, uint64_t server_start_ns, hold_replay_fn fn,
		    void *arg)
{
	size_t done = 0;

	if (!h || !server)
		return 0;
	for (size_t i = 0; i < h->n;) {
		struct held_event ev;

		if (!forked_by(h->ev[i].proc, server, server_start_ns)) {
			i++;
			continue;
		}
		/* Out of the array first: fn may add to the hold. */
		ev = h->ev[i];
		take(h, i);
		if (fn)
			fn(&ev, arg);
		held_event_clear(&ev);
		h->st.replayed++;
		done++;
	}
	return done;
}

size_t hold_expire(struct hold *h, int64_t now_ns)
{
	size_t gone = 0;

	if (!h)
		return 0;
	for (size_t i = 0; i < h->n;) {
		if (now_ns - h->ev[i].held_ns < h->window_ns) {
			i++;
			continue;
		}
		held_event_clear(&h->ev[i]);
		take(h, i);
		h->st.expired++;
		gone++;
	}
	return gone;
}

size_t hold_count(const struct hold *h)
{
	return h ? h->n : 0;
}

void hold_get_stats(const struct hold *h, struct hold_stats *s)
{
	if (h)
		*s = h->st;
	else
		memset(s, 0, sizeof(*s));
}
