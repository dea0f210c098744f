/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Shared by every BPF program file: the maps more than one program touches
 * (events ring, counters, tracked trees, stdout sniff state, per-CPU record
 * scratch), the agent's own tgid, and the small helpers that fill a record
 * header and send a record. Maps are __weak so that the identical copies in
 * each object are merged into one by `bpftool gen object`.
 */
#ifndef MCPWATCH_BPF_COMMON_H
#define MCPWATCH_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#include "mcpwatch_abi.h"

/* Default ring size; user space resizes it before load. */
#define MW_RINGBUF_DEFAULT (8u << 20)

/*
 * Scratch slots, one per record kind, so that the exec, open and stdout
 * producers never share a buffer even if one of them is preempted on this
 * CPU by another (sleepable-context tracepoints run with migration, not
 * preemption, disabled on newer kernels).
 */
enum mw_scratch_slot {
	MW_SLOT_EXEC = 0,
	MW_SLOT_OPEN = 1,
	MW_SLOT_STDOUT = 2,
	MW_SLOT_IO = 3,
	MW_SLOT_MAX,
};

/*
 * The tool-call tap's walk over the buffers of one call (bpf/io.h). It lives
 * in map memory, whose contents the verifier does not track: held in
 * registers, its byte counts become precise through the comparisons of the
 * walk and the verifier explores every combination of them (over a million
 * instructions); read from the map each step, they are just unknown.
 */
struct mw_io_cursor {
	__u64 src;    /* next user byte to copy */
	__u64 left;   /* bytes left in the current buffer */
	__u64 done;   /* bytes of the call walked so far */
	__u32 iov_i;  /* next iovec to read */
	__u32 chunks; /* chunks sent */
};

/*
 * A record under construction. The slack lets the path walker write a full
 * MW_NAME_MAX component at any masked offset without the verifier seeing an
 * out-of-bounds access; it is never sent.
 */
struct mw_scratch {
	union {
		struct mw_exec exec;
		struct mw_open open;
		struct mw_stdout out;
		struct mw_io io;
	};
	char slack[MW_NAME_MAX];
	struct mw_io_cursor io_cur; /* MW_SLOT_IO only */
	__u32 filter_want;	    /* MW_SLOT_OPEN: no open_names entry matched yet */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, MW_RINGBUF_DEFAULT);
} events SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MW_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct mw_tracked);
} tracked SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} sniff SEC(".maps") __weak;

/*
 * Pending trees (identity races): tgid -> the pending root, for processes
 * that are in no tracked tree but exec'd with pipes or sockets on fds 0 and
 * 1 (how a stdio MCP server is started), and for the children they fork.
 * Their execs, opens (behind the open filter) and connects go to user
 * space flagged MW_F_PENDING, which holds them until the process is
 * identified as a server or the hold expires; their stdout (and any fd
 * sharing its file) is sampled for the handshake whatever it starts with.
 * Inherited at fork like `tracked`, dropped at exit, and over once the
 * root's hold window (pend_hold_ns after its exec) has passed: a process
 * that is not a server (a pipeline stage, a language server) pays for it
 * that long, not for its lifetime.
 */
struct mw_pending {
	__u32 root;
	__u32 pad;
	__u64 until_ns; /* bpf_ktime_get_ns() at which the tree stops being pending */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct mw_pending);
} pending SEC(".maps") __weak;

/*
 * A prefilter in front of a tgid hash map (`tap`, `pending`): bit
 * (tgid % 4096) is set for every tgid in the map (and not cleared: a stale
 * bit costs one hash lookup). An array with one entry is read without
 * hashing, so the reads and writes of every other process cost a load and a
 * bit test, not a hash lookup.
 */
struct mw_tgid_bits {
	__u64 bits[MW_TAP_FILTER_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mw_tgid_bits);
} tap_filter SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mw_tgid_bits);
} pend_filter SEC(".maps") __weak;

/* False when tgid is surely not in the map filter (tap_filter, pend_filter) guards. */
static __always_inline bool mw_bits_test(void *filter, __u32 tgid)
{
	__u32 zero = 0;
	struct mw_tgid_bits *f = bpf_map_lookup_elem(filter, &zero);

	return f && (f->bits[(tgid >> 6) & (MW_TAP_FILTER_WORDS - 1)] & (1ull << (tgid & 63)));
}

/* Sets tgid's bit without an atomic (BPF atomics other than add need a newer
 * kernel): a concurrent update may lose a bit, which costs what each caller
 * says. */
static __always_inline void mw_bits_set(void *filter, __u32 tgid)
{
	__u32 zero = 0;
	struct mw_tgid_bits *f = bpf_map_lookup_elem(filter, &zero);

	if (f)
		f->bits[(tgid >> 6) & (MW_TAP_FILTER_WORDS - 1)] |= 1ull << (tgid & 63);
}

/* Tool-call tap: tgid → MW_TAP_* for the server processes user space tapped. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} tap SEC(".maps") __weak;

/* The open filter (include/mcpwatch_abi.h): whether it is on, and its prefilter. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mw_open_filter);
} open_filter SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MW_OPEN_NAMES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct mw_name_key);
	__type(value, __u8);
} open_names SEC(".maps") __weak;

/*
 * Files user space learnt to be secrets (the credential files the rules name,
 * found under the homes), by identity: an open the open filter would drop is
 * still sent when its inode is here — a hard link or a bind mount gives the
 * same file another path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MW_SECRET_INODES_MAX);
	__type(key, struct mw_inode_key);
	__type(value, __u8);
} secret_inodes SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MW_SLOT_MAX);
	__type(key, __u32);
	__type(value, struct mw_scratch);
} scratch SEC(".maps") __weak;

/* The agent's own tgid, set before load; defined in process.bpf.c. */
extern const volatile __u32 self_tgid;

static __always_inline struct mw_scratch *mw_scratch_get(__u32 slot)
{
	return bpf_map_lookup_elem(&scratch, &slot);
}

static __always_inline void mw_count(__u32 idx)
{
	__u64 *cnt = bpf_map_lookup_elem(&counters, &idx);

	/* Per-CPU slot: a plain increment cannot race. */
	if (cnt)
		(*cnt)++;
}

/*
 * Wake-ups, batched. Waking the agent for every record costs the sending CPU
 * an irq_work and the agent an epoll round trip per event, which under an
 * open storm is most of both sides' time. A record wakes the agent only when
 * MW_WAKE_NS passed since the last wake or MW_WAKE_BYTES are waiting; the
 * others are left for the agent, which drains the ring after every wake-up
 * and, while records keep coming, polls again within a few milliseconds
 * (agent.c: BUSY_POLL_MS), so a record trailing a burst is late by that at
 * most. A lone record (none in the last MW_WAKE_NS) wakes at once.
 */
#define MW_WAKE_NS    1000000ULL
#define MW_WAKE_BYTES (256U << 10)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64); /* bpf_ktime_get_ns() of the last wake-up */
} wake SEC(".maps") __weak;

static __always_inline __u64 mw_wake_flags(void)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&wake, &zero);
	__u64 now = bpf_ktime_get_ns();

	if (!last)
		return 0;
	/* Racy across CPUs on purpose: a lost update costs one extra wake-up. */
	if (now - *last >= MW_WAKE_NS ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= MW_WAKE_BYTES) {
		*last = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

/* Sends size bytes of rec and counts it as sent or lost. */
static __always_inline void mw_send(void *rec, __u64 size, __u32 type)
{
	if (bpf_ringbuf_output(&events, rec, size, mw_wake_flags()))
		mw_count(MW_CNT_LOST + type);
	else
		mw_count(type);
}

static __always_inline void mw_hdr_fill(struct mw_hdr *h, __u16 type, __u32 tgid, __u32 pid)
{
	h->type = type;
	h->size = 0;
	h->tgid = tgid;
	h->pid = pid;
	h->flags = 0;
	h->ts_ns = bpf_ktime_get_boot_ns();
}

/* Returns the server tgid of a tracked process (and flags it), or 0. */
static __always_inline __u32 mw_tracked_server(__u32 tgid, __u32 *flags)
{
	struct mw_tracked *t = bpf_map_lookup_elem(&tracked, &tgid);

	if (!t)
		return 0;
	*flags |= MW_F_TRACKED;
	return t->server_tgid;
}

/* tgid's pending entry (see `pending`), NULL when it is not pending; an
 * entry past its window is deleted here. */
static __always_inline struct mw_pending *mw_pending_get(__u32 tgid)
{
	struct mw_pending *p;

	if (!mw_bits_test(&pend_filter, tgid))
		return NULL;
	p = bpf_map_lookup_elem(&pending, &tgid);
	if (p && bpf_ktime_get_ns() >= p->until_ns) {
		bpf_map_delete_elem(&pending, &tgid);
		return NULL;
	}
	return p;
}

/* The pending root of tgid, 0 when it is not pending. */
static __always_inline __u32 mw_pending_root(__u32 tgid)
{
	struct mw_pending *p = mw_pending_get(tgid);

	return p ? p->root : 0;
}

/* Makes tgid pending under root until until_ns (a racy, non-atomic filter
 * update loses only a bit another CPU set at the same time, as in
 * mw_tap_provisional). */
static __always_inline void mw_pending_set(__u32 tgid, __u32 root, __u64 until_ns)
{
	struct mw_pending v = {.root = root, .until_ns = until_ns};

	if (!bpf_map_update_elem(&pending, &tgid, &v, BPF_ANY))
		mw_bits_set(&pend_filter, tgid);
}

/*
 * The tree of tgid for a record: the tracked server (MW_F_TRACKED), else
 * the pending root (MW_F_PENDING; user space reads server_tgid as that
 * root), else 0.
 */
static __always_inline __u32 mw_tree_of(__u32 tgid, __u32 *flags)
{
	__u32 srv = mw_tracked_server(tgid, flags), root;

	if (srv)
		return srv;
	root = mw_pending_root(tgid);
	if (root)
		*flags |= MW_F_PENDING;
	return root;
}

#endif /* MCPWATCH_BPF_COMMON_H */
