/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Reading a struct sock into a struct mw_sock, shared by the TCP state
 * tracepoint (net.bpf.c) and the UDP bind hook (syscalls.bpf.c), so that a
 * listener reads the same whichever program saw it. Every read is a probe
 * read: the bind hook reaches the sock through plain kernel pointers.
 */
#ifndef MCPWATCH_BPF_SOCK_H
#define MCPWATCH_BPF_SOCK_H

#include "common.h"

/* Addresses in network byte order, ports in host byte order; r->family set. */
static __always_inline void mw_sock_addrs_read(struct mw_sock *r, const struct sock *sk)
{
	r->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	/*
	 * Closing a listener on an ephemeral port releases the port (num = 0)
	 * before the state change is traced; inet_sport still holds it.
	 */
	if (!r->lport)
		r->lport = bpf_ntohs(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	r->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (r->family == MW_AF_INET) {
		__be32 l4 = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__be32 r4 = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(r->laddr, &l4, sizeof(l4));
		__builtin_memcpy(r->raddr, &r4, sizeof(r4));
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)r->laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)r->raddr, sk, __sk_common.skc_v6_daddr);
	}
}

/*
 * MW_F_V6ONLY for an AF_INET6 socket with IPV6_V6ONLY: "::" then takes
 * IPv6 only, without it the same bind also takes every IPv4 address.
 * skc_ipv6only is a bitfield, read through its CO-RE byte offset and shifts.
 */
static __always_inline __u32 mw_sock_v6only_flag(const struct sock *sk, __u16 family)
{
	const struct sock_common *skc = &sk->__sk_common;

	if (family != MW_AF_INET6)
		return 0;
	return BPF_CORE_READ_BITFIELD_PROBED(skc, skc_ipv6only) ? MW_F_V6ONLY : 0;
}

#endif /* MCPWATCH_BPF_SOCK_H */
