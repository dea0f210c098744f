/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * tlsprobe: owns the answer to "does this listening port speak TLS?". It
 * connects only to addresses of THIS host (loopback, or an address assigned
 * to a local interface: anything else is refused before any packet is sent),
 * sends one hand-built TLS ClientHello and classifies the first bytes of the
 * reply. Probes run on one worker thread with a bounded queue so the agent's
 * event loop never blocks; results come back through a pollable fd.
 */
#ifndef MCPWATCH_TLSPROBE_H
#define MCPWATCH_TLSPROBE_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tlsprobe_verdict {
	TLSPROBE_UNKNOWN = -1,	/* refused, unreachable, not local, internal error */
	TLSPROBE_PLAINTEXT = 0, /* replied without TLS, closed, or stayed silent */
	TLSPROBE_TLS = 1,	/* replied with a TLS handshake or alert record */
};

#define TLSPROBE_REASON_MAX 64	/* reasons are printable ASCII, at most 60 chars */
#define TLSPROBE_QUEUE_MAX  256 /* jobs queued + running + results unread */
#define TLSPROBE_HELLO_MAX  512

struct tlsprobe_job {
	int family;		     /* AF_INET or AF_INET6 */
	char addr[INET6_ADDRSTRLEN]; /* as bound: "0.0.0.0" and "::" mean loopback */
	uint16_t port;
	uint64_t cookie; /* caller's, returned with the result */
};

struct tlsprobe_result {
	uint64_t cookie;
	int family;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	enum tlsprobe_verdict verdict;
	char reason[TLSPROBE_REASON_MAX]; /* why, e.g. "replied with a TLS alert" */
};

struct tlsprobe;

/* Starts the worker. timeout_ms bounds each probe (connect + reply). NULL on error. */
struct tlsprobe *tlsprobe_start(int timeout_ms);
/* Queues a probe. 0, -EAGAIN when TLSPROBE_QUEUE_MAX is reached, -EINVAL. */
int tlsprobe_submit(struct tlsprobe *tp, const struct tlsprobe_job *job);
/* Readable when results are waiting; poll it, then drain with tlsprobe_next_result. */
int tlsprobe_result_fd(struct tlsprobe *tp);
/* Pops one result; false when none is left (and the fd is cleared). */
bool tlsprobe_next_result(struct tlsprobe *tp, struct tlsprobe_result *out);
/* Cancels the running probe, joins the worker, frees everything. NULL is fine. */
void tlsprobe_stop(struct tlsprobe *tp);

/*
 * One probe, synchronously (the worker's own routine; also for tests).
 * Returns the verdict and a reason in reason (rlen bytes, <= 60 chars).
 */
enum tlsprobe_verdict tlsprobe_check(int family, const char *addr, uint16_t port, int timeout_ms,
				     char *reason, size_t rlen);

/*
 * Which address to connect to for a listener bound to addr: 0.0.0.0 → 127.0.0.1,
 * :: → ::1, ::ffff:a.b.c.d → a.b.c.d; any other address only if it is loopback
 * or assigned to a local interface (getifaddrs). Fills ss/sslen. 0, or
 * -EADDRNOTAVAIL (not local) / -EINVAL (unparsable) with a reason.
 */
int tlsprobe_local_target(int family, const char *addr, uint16_t port, struct sockaddr_storage *ss,
			  socklen_t *sslen, char *reason, size_t rlen);

/* Classifies the first bytes a server sent back (len 0: it closed without a reply). */
enum tlsprobe_verdict tlsprobe_classify(const uint8_t *buf, size_t len, char *reason, size_t rlen);

/* Builds the ClientHello (SNI "localhost") into buf; returns its length or 0 if cap is short. */
size_t tlsprobe_build_client_hello(uint8_t *buf, size_t cap);

#endif /* MCPWATCH_TLSPROBE_H */
