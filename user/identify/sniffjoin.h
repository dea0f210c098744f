/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * sniffjoin: owns the joining of a process's stdout samples (MW_EV_STDOUT,
 * one per write or per iovec, in order) into the message they spell, so
 * that a handshake written in pieces (split writes, a writev whose JSON is
 * in a later iovec, a leading newline) is recognised like one written at
 * once. Bounded: SNIFFJOIN_BYTES per process, SNIFFJOIN_SLOTS processes
 * (the least recently fed gives way).
 */
#ifndef MCPWATCH_SNIFFJOIN_H
#define MCPWATCH_SNIFFJOIN_H

#include <stddef.h>
#include <stdint.h>

#define SNIFFJOIN_BYTES 4096
#define SNIFFJOIN_SLOTS 64

struct sniffjoin;

struct sniffjoin *sniffjoin_new(void);
void sniffjoin_free(struct sniffjoin *j);

/*
 * Appends one sample of tgid's stdout: len bytes of a write of count bytes
 * (len < count: the sample was cut, nothing after it can be joined). 1 when
 * the joined bytes now hold a server identity (name and version filled as
 * mcp_parse_server_info does; tgid's bytes are then forgotten), else 0.
 * Complete lines that are not one are dropped as they end.
 */
int sniffjoin_feed(struct sniffjoin *j, uint32_t tgid, const char *data, size_t len, uint64_t count,
		   char *name, size_t nlen, char *version, size_t vlen);

/* Forgets tgid's bytes (it exited, or was identified another way). */
void sniffjoin_forget(struct sniffjoin *j, uint32_t tgid);

#endif /* MCPWATCH_SNIFFJOIN_H */
