// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * TCP socket state changes: every listener opened or closed on the host
 * (global, rare), and outbound connects of tracked processes.
 */
#include "common.h"
#include "sock.h"

#define MW_TCP_SYN_SENT 2
#define MW_TCP_CLOSE	7
#define MW_TCP_LISTEN	10

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
	r.protocol = MW_IPPROTO_TCP;
	r.h.flags |= mw_sock_v6only_flag(sk, family);
	mw_sock_addrs_read(&r, sk);
	r.sock_cookie = bpf_get_socket_cookie((void *)sk);
	r.h.size = sizeof(r);
	mw_send(&r, sizeof(r), type);
	return 0;
}
