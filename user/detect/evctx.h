/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * evctx: owns the fields of one observed event as rules and alerts see
 * them — the process, its parent, its server, and the file or socket — and
 * helpers to read them. The field catalogue (detect/fields.h) serves them
 * to rules by id: evctx_source(), evctx_get_field().
 */
#ifndef MCPWATCH_EVCTX_H
#define MCPWATCH_EVCTX_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/field_value.h"
#include "enrich/workload.h"
#include "identify/proctable.h"
#include "identify/tap.h"

/* uapi IORING_SETUP_SQPOLL: the ring's requests are submitted by a kernel thread */
#define EVCTX_IORING_SETUP_SQPOLL (1u << 1)
#define EVCTX_MCP_CANDIDATES	  8 /* requests named when several were in flight */

struct evctx {
	enum rule_event kind;
	int64_t time_ns;	   /* CLOCK_REALTIME */
	const struct proc *proc;   /* never NULL */
	const struct proc *parent; /* may be NULL */
	const struct proc *server; /* may be NULL */
	struct {
		const char *path;
		uint32_t oflags;
		int64_t result;
		/* The learnt path of the file's inode (detect/secret_ids.h),
		 * NULL when it is no learnt secret: then the path itself. */
		const char *canonical_path;
		uint64_t ino;	 /* st_ino; 0: unknown (a failed open) */
		char device[24]; /* st_dev as "major:minor" when ino is known */
		bool via_uring;	 /* submitted through io_uring, not an open syscall */
	} file;
	struct { /* io_uring: a ring set up */
		int32_t fd;
		uint32_t sq_entries, cq_entries, setup_flags;
	} uring;
	struct {
		int family; /* AF_INET / AF_INET6 */
		const char *local_addr, *remote_addr;
		uint16_t local_port, remote_port;
		int tls; /* 1 TLS, 0 plaintext, -1 unknown */
		const char *tls_evidence;
		int protocol; /* IPPROTO_UDP, or IPPROTO_TCP (also 0) */
		int v6only;   /* AF_INET6 with IPV6_V6ONLY: 1, 0, -1 unknown (start-up scan) */
	} net;
	const char *user_name; /* NULL when the uid has no name */
	/* The container and pod of proc as known when the event was handled
	 * (enrich/resolver); all "" outside containers or when not filled. */
	struct workload workload;
	/*
	 * The MCP request behind the event (tool-call tap): for tool_call and
	 * tool_result events the call itself; for the others the request the
	 * server was serving when it happened — call when exactly one was in
	 * flight, candidates when several were (never a guess), none when idle
	 * or untapped.
	 */
	struct {
		const struct tap_call *call;
		const struct tap_call *candidates[EVCTX_MCP_CANDIDATES];
		size_t ncandidates;	 /* all in flight, may exceed the array */
		const char *result_text; /* tool_result: the result's text content */
	} mcp;
	/* > 0: the event was held this long while its process's tree was
	 * pending (identify/hold), and is evaluated now that it is known. */
	int64_t held_ns;
};

/* Fills c->mcp from the calls server_tgid has in flight. */
void evctx_attribute(struct evctx *c, const struct tap *tap, uint32_t server_tgid);

/* An open's canonical path: the learnt path of a secret's inode, else the
 * path; and whether it was recognised by inode (the two differ). */
const char *evctx_file_canonical(const struct evctx *c);
bool evctx_file_by_inode(const struct evctx *c);

/* "O_RDONLY|O_CLOEXEC" */
void evctx_format_oflags(uint32_t oflags, char *out, size_t outlen);
/* Loopback (127/8, ::1, ::ffff:127/104)? */
bool evctx_addr_is_loopback(const char *addr);
/* network.transport: "udp" or "tcp". */
const char *evctx_transport(const struct evctx *c);
/* A listener that takes IPv4 and IPv6 alike ("::" without IPV6_V6ONLY):
 * 1, 0, or -1 when its IPV6_V6ONLY is unknown. */
int evctx_dual_stack(const struct evctx *c);

#endif /* MCPWATCH_EVCTX_H */
