// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * TCP socket state changes: every listener opened or closed on the host
 * (global, rare), and outbound connects of tracked processes.
 */
#include "common.h"

#define MW_IPPROTO_TCP	6
#define MW_TCP_SYN_SENT 2
#define MW_TCP_CLOSE	7
#define MW_TCP_LISTEN	10

/* Addresses in network byte order, ports in host byte order. */
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
 * Note: listen() without bind() is assigned its port after this state
 * change, so such a listener reports lport 0; servers bind first.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_sock_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct mw_sock r = {};
	__u16 type = MW_EV_LISTEN;
	__u16 family;

	if (newstate == MW_TCP_LISTEN)
		r.state = 1;
	else if (newstate == MW_TCP_SYN_SENT)
		type = MW_EV_CONNECT;
	else if (!(oldstate == MW_TCP_LISTEN && newstate == MW_TCP_CLOSE))
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if ((family != MW_AF_INET && family != MW_AF_INET6) ||
	    BPF_CORE_READ(sk, sk_protocol) != MW_IPPROTO_TCP || tgid == self_tgid)
		return 0;
	mw_hdr_fill(&r.h, type, tgid, (__u32)pid_tgid);
	r.server_tgid = mw_tree_of(tgid, &r.h.flags);
	/* Connects are reported for tracked and pending trees only. */
	if (type == MW_EV_CONNECT && !(r.h.flags & (MW_F_TRACKED | MW_F_PENDING)))
		return 0;
	r.family = family;
	mw_sock_addrs_read(&r, sk);
	r.sock_cookie = bpf_get_socket_cookie((void *)sk);
	r.h.size = sizeof(r);
	mw_send(&r, sizeof(r), type);
	return 0;
}
