// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Tool-call tap for TLS servers on a shared libssl: the plaintext at
 * SSL_read/SSL_read_ex (on return, what was read) and SSL_write/
 * SSL_write_ex (on return, what was written). User space attaches these
 * per tapped process (uprobes with a pid only trap in that process), so no
 * other process on the host pays for them.
 */
#include "io.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct mw_io_args);
} pending_tls SEC(".maps");

static __always_inline int mw_tls_enter(void *ssl, const void *buf, void *outlen, __u8 dir,
					__u8 is_ex)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_io_args a = {};

	if (!mw_tap_flags(pid_tgid >> 32))
		return 0;
	a.buf = (__u64)buf;
	a.stream = (__u64)ssl;
	a.outlen = (__u64)outlen;
	a.fd = -1;
	a.dir = dir;
	a.source = MW_IO_TLS;
	a.is_ex = is_ex;
	if (bpf_map_update_elem(&pending_tls, &pid_tgid, &a, BPF_ANY))
		mw_count(MW_CNT_LOST + MW_EV_IO);
	return 0;
}

/* BPF_KPROBE reads the same registers for a uprobe (libbpf 1.1 has no BPF_UPROBE). */
SEC("uprobe")
int BPF_KPROBE(mw_ssl_read, void *ssl, void *buf, int num)
{
	return mw_tls_enter(ssl, buf, NULL, MW_IO_IN, 0);
}

SEC("uprobe")
int BPF_KPROBE(mw_ssl_read_ex, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
	return mw_tls_enter(ssl, buf, readbytes, MW_IO_IN, 1);
}

SEC("uprobe")
int BPF_KPROBE(mw_ssl_write, void *ssl, const void *buf, int num)
{
	return mw_tls_enter(ssl, buf, NULL, MW_IO_OUT, 0);
}

SEC("uprobe")
int BPF_KPROBE(mw_ssl_write_ex, void *ssl, const void *buf, __u64 num, __u64 *written)
{
	return mw_tls_enter(ssl, buf, written, MW_IO_OUT, 1);
}

/* One return probe for all four: the _ex forms return 1 and store the count. */
SEC("uretprobe")
int BPF_KRETPROBE(mw_ssl_return, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct mw_io_args *p = bpf_map_lookup_elem(&pending_tls, &pid_tgid);
	struct mw_io_args a;
	__u64 n = 0;

	if (!p)
		return 0;
	a = *p;
	bpf_map_delete_elem(&pending_tls, &pid_tgid);
	if (a.is_ex) {
		if (ret == 1)
			bpf_probe_read_user(&n, sizeof(n), (void *)a.outlen);
	} else if (ret > 0) {
		n = ret;
	}
	mw_io_report(&a, n);
	return 0;
}
