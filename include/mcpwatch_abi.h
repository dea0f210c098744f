/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The kernel <-> user ABI of mcpwatch: every record that crosses the ring
 * buffer, the tracked-process map value and the counter indexes. Nothing
 * else crosses that boundary. Included by the bpf/ programs (with vmlinux.h) and
 * by user/ (with <stdint.h>), so it uses only fixed-width kernel-style types.
 */
#ifndef MCPWATCH_ABI_H
#define MCPWATCH_ABI_H

#ifndef __VMLINUX_H__
/* The same __u64 etc. that libbpf's headers use, so both can be included. */
#include <linux/types.h>
#endif

#define MW_COMM_LEN 16
/* Paths travel as NUL-separated components, leaf first (see mw_path). */
#define MW_PATH_MAX	 4096
#define MW_ARGS_MAX	 4096
#define MW_NAME_MAX	 256 /* one path component, with its NUL */
#define MW_PATH_DEPTH	 48  /* components walked before giving up */
#define MW_STDOUT_SAMPLE 1024
#define MW_SNIFF_LIMIT	 16 /* JSON-looking stdout writes sampled per process */
/* Tool-call tap: a read or write is copied in chunks, at most MW_IO_CHUNKS of
 * them; the rest of a larger call is counted (total) but not copied. */
#define MW_IO_CHUNK  4096
#define MW_IO_CHUNKS 8

enum mw_event_type {
	MW_EV_EXEC = 1,
	MW_EV_FORK = 2,
	MW_EV_EXIT = 3,
	MW_EV_OPEN = 4,
	MW_EV_CONNECT = 5,
	MW_EV_LISTEN = 6,
	MW_EV_STDOUT = 7,
	MW_EV_IO = 8,	 /* tool-call tap: bytes a tapped server read or wrote */
	MW_EV_URING = 9, /* a tracked process set up an io_uring instance */
	MW_EV_MAX,
};

/*
 * Per-CPU counters: [type] events sent, [MW_CNT_LOST + type] events lost
 * (ring buffer full; for MW_EV_OPEN also a full pending-open map, for
 * MW_EV_FORK a child not tracked because the tracked map was full),
 * [MW_CNT_FILTERED + type] events not sent because an in-kernel filter
 * proved that no rule can match them (MW_EV_OPEN: the open filter, counted
 * for tracked trees only, not for pending ones).
 */
#define MW_CNT_LOST	16
#define MW_CNT_FILTERED 32
#define MW_CNT_MAX	48

/*
 * The open filter: when `open_filter` says it is on, a successful open of a
 * tracked process is sent only if some component of its resolved path
 * matches an entry of the `open_names` LPM trie. The trie is looked up with
 * the first MW_OPEN_KEY_LEN bytes of a component (its NUL and whatever
 * follows included), so an entry "id_" matches components starting with
 * "id_", and an entry ".aws\0" (the NUL stored) only the component ".aws".
 * Failed opens are always sent.
 */
#define MW_OPEN_KEY_LEN	  32
#define MW_OPEN_NAMES_MAX 1024

struct mw_name_key {
	__u32 prefixlen; /* bits of data that must match */
	__u8 data[MW_OPEN_KEY_LEN];
};

/*
 * The `open_filter` map's one value. first2 has bit (b0 << 8 | b1) set for
 * the first two key bytes b0, b1 of every open_names entry (all 256 b1 for
 * a one-byte entry), so that most components cost a bit test, not a trie
 * lookup: a component is looked up only if its first two bytes (its NUL
 * included) have their bit set.
 */
#define MW_OPEN_FIRST2_WORDS (65536 / 64)

struct mw_open_filter {
	__u32 on; /* 1: the filter is on */
	__u32 pad;
	__u64 first2[MW_OPEN_FIRST2_WORDS];
};

/* Common header of every ring-buffer record. */
struct mw_hdr {
	__u16 type;  /* enum mw_event_type */
	__u16 size;  /* bytes of the whole record, header included */
	__u32 tgid;  /* process (thread group) id */
	__u32 pid;   /* thread id */
	__u32 flags; /* MW_F_* */
	__u64 ts_ns; /* CLOCK_BOOTTIME nanoseconds */
};

#define MW_F_TRACKED	(1u << 0) /* task was in a tracked (server) tree */
#define MW_F_PATH_TRUNC (1u << 1) /* walk hit MW_PATH_DEPTH or buffer end: leaf part only */
#define MW_F_ARGS_TRUNC (1u << 2) /* argv longer than MW_ARGS_MAX */
#define MW_F_PATH_RAW	(1u << 3) /* open: path is the user string, not resolved */
/* exec: the executable has no name in any mounted fs (memfd, unlinked file,
 * pseudo-fs dentry): exe is "" or a stale path, only exe_ino/exe_dev say what it is. */
#define MW_F_EXE_ANON (1u << 4)
/* exec: through a descriptor (execveat AT_EMPTY_PATH, fexecve): bprm->filename
 * was "/dev/fd/N". */
#define MW_F_EXE_FD (1u << 5)
/* listen: an AF_INET6 socket with IPV6_V6ONLY (a "::" bind then takes no IPv4) */
#define MW_F_V6ONLY (1u << 7)
/* In no tracked tree but pending (bpf/common.h `pending`): server_tgid holds
 * the pending root, not a server. Exec, fork, open and connect records. */
#define MW_F_PENDING (1u << 8)
/* open: sent because the file's inode is in secret_inodes, although no
 * component of its path passed the open filter (a hard link, a bind mount) */
#define MW_F_INODE_HIT (1u << 6)
/* open: submitted through io_uring (IORING_OP_OPENAT/OPENAT2), seen at its completion */
#define MW_F_URING (1u << 9)

/*
 * A path as the kernel saw it: `len` bytes of NUL-terminated components in
 * leaf-to-root order ("id_rsa\0.ssh\0root\0"); user space reverses them and
 * joins with '/'. Walking up d_parent and mount points in this order avoids
 * variable-offset prepends that the verifier rejects.
 */

struct mw_exec {
	struct mw_hdr h;
	__u32 ppid; /* real parent tgid */
	__u32 uid;
	__u32 gid;
	__u32 exe_len;	   /* bytes of exe components at data[0] */
	__u32 args_len;	   /* bytes of argv ("a\0b\0c\0") right after exe, at data[exe_len] */
	__u32 server_tgid; /* from the tracked map, 0 if untracked */
	__u64 cgroup_id;
	__u64 start_ns; /* task start_boottime */
	char comm[MW_COMM_LEN];
	/* The executable's identity, whatever its name: inode number and the
	 * kernel's s_dev of its superblock (MAJOR << 20 | MINOR, not st_dev's
	 * encoding). 0 when there was no file. */
	__u64 exe_ino;
	__u32 exe_dev;
	__u32 exe_pad;
	char data[MW_PATH_MAX + MW_ARGS_MAX]; /* only exe_len + args_len bytes are sent */
};

struct mw_fork {
	struct mw_hdr h; /* tgid = child */
	__u32 ppid;	 /* parent tgid */
	__u32 server_tgid;
	__u64 start_ns;
};

struct mw_exit {
	struct mw_hdr h;
	__s32 exit_code; /* wait status: status << 8, or signal (| 0x80 if core) */
	__u32 pad;
};

struct mw_open {
	struct mw_hdr h;
	__s64 ret; /* fd, or -errno */
	__s32 dfd;
	__u32 oflags;
	__u32 mode;
	__u32 path_len; /* path at data[0]: components (resolved) or raw string */
	__u32 base_len; /* MW_F_PATH_RAW relative: dir components at data[MW_PATH_MAX] */
	__u32 server_tgid;
	/* The opened file's identity (successful opens; 0 otherwise): i_ino and
	 * the superblock's s_dev in the kernel's encoding (major << 20 | minor). */
	__u64 ino;
	__u32 dev;
	__u32 pad;
	char data[MW_PATH_MAX * 2]; /* sent: path_len, or MW_PATH_MAX + base_len bytes */
};

/* Key of the `secret_inodes` map: a file user space learnt to be a secret. */
struct mw_inode_key {
	__u64 ino;
	__u32 dev; /* kernel encoding, as mw_open.dev */
	__u32 pad; /* 0 */
};
#define MW_SECRET_INODES_MAX 4096

#define MW_AF_INET     2
#define MW_AF_INET6    10
#define MW_IPPROTO_TCP 6
#define MW_IPPROTO_UDP 17

struct mw_sock {
	struct mw_hdr h; /* MW_EV_LISTEN or MW_EV_CONNECT */
	__u16 family;	 /* MW_AF_INET / MW_AF_INET6 */
	__u16 lport;	 /* host byte order */
	__u16 rport;	 /* host byte order */
	__u16 state;	 /* listen: 1 = listening, 0 = closed */
	__u8 laddr[16];	 /* network byte order; IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u32 server_tgid;
	__u8 protocol; /* MW_IPPROTO_TCP, or MW_IPPROTO_UDP (a bind of a tracked process) */
	__u8 pad[3];
	__u64 sock_cookie; /* the socket's cookie: the same for listen and close; 0 for UDP */
};

struct mw_stdout {
	struct mw_hdr h;
	__u32 fd;
	__u32 len;   /* bytes captured in data */
	__u64 count; /* bytes the write asked for */
	char data[MW_STDOUT_SAMPLE];
};

/* Direction and source of a tapped read or write. */
#define MW_IO_IN      0 /* the process read (or SSL_read) it */
#define MW_IO_OUT     1 /* the process wrote (or SSL_write) it */
#define MW_IO_SYSCALL 0 /* read/write/readv/writev/recvfrom/sendto/recvmsg/sendmsg */
#define MW_IO_TLS     1 /* plaintext at SSL_read/SSL_write of a shared libssl */
#define MW_FD_OTHER   0
#define MW_FD_STDIO   1 /* fd 0 or 1 (pipe, tty, file or socketpair) */
#define MW_FD_SOCKET  2 /* any other socket fd */

/*
 * One chunk of a tapped read or write: data holds bytes [offset, offset +
 * len) of the `total` bytes the call moved. A call larger than MW_IO_CHUNKS
 * chunks arrives with its tail missing; user space counts the gap.
 */
struct mw_io {
	struct mw_hdr h;
	__u8 dir;     /* MW_IO_IN / MW_IO_OUT */
	__u8 source;  /* MW_IO_SYSCALL / MW_IO_TLS */
	__u8 fd_kind; /* MW_FD_* */
	__u8 pad;
	__s32 fd;	   /* -1 for TLS */
	__u64 stream;	   /* kernel struct file * or the SSL *: one channel while it is open */
	__u64 total;	   /* bytes the call returned */
	__u32 offset;	   /* of data within the call */
	__u32 len;	   /* bytes in data */
	__u32 server_tgid; /* from the tracked map */
	__u32 pad2;
	char data[MW_IO_CHUNK]; /* only len bytes are sent */
};

/* The `tap_filter` bitmap: bit tgid % (64 * MW_TAP_FILTER_WORDS) of word
 * (tgid / 64) % MW_TAP_FILTER_WORDS is set for every tapped tgid. */
#define MW_TAP_FILTER_WORDS 64

/* Value of the `tap` map, keyed by tgid: what to copy of that process. */
#define MW_TAP_STDIO  (1u << 0) /* reads of fd 0, writes of fd 1 */
#define MW_TAP_SOCKET (1u << 1) /* reads and writes of socket fds */
/* Set by the kernel on a process whose stdout write may be an MCP handshake,
 * so that the requests it reads next are not lost while user space decides;
 * user space removes the entry when the write was not one. */
#define MW_TAP_PROVISIONAL (1u << 2)

/* Value of the `tracked` map, keyed by tgid. */
struct mw_tracked {
	__u32 server_tgid; /* root of the server tree this process belongs to */
	__u32 flags;
};

/*
 * An io_uring instance set up by a tracked process (io_uring_setup(2)): the
 * ring's fd and the sizes and IORING_SETUP_* flags the kernel settled on.
 */
struct mw_uring {
	struct mw_hdr h;
	__s32 fd;
	__u32 sq_entries;
	__u32 cq_entries;
	__u32 setup_flags;
	__u32 server_tgid;
	__u32 pad;
};

#define MW_SNIFF_DONE 0xffffu /* sniff map value: stop sampling this tgid */

#ifndef __VMLINUX_H__
_Static_assert(sizeof(struct mw_hdr) == 24, "mw_hdr layout");
_Static_assert(sizeof(struct mw_exec) == 24 + 24 + 16 + 16 + 16 + MW_PATH_MAX + MW_ARGS_MAX,
	       "mw_exec layout");
_Static_assert(sizeof(struct mw_fork) == 24 + 16, "mw_fork layout");
_Static_assert(sizeof(struct mw_exit) == 24 + 8, "mw_exit layout");
_Static_assert(sizeof(struct mw_open) == 24 + 48 + MW_PATH_MAX * 2, "mw_open layout");
_Static_assert(sizeof(struct mw_inode_key) == 16, "mw_inode_key layout");
_Static_assert(sizeof(struct mw_sock) == 24 + 8 + 32 + 16, "mw_sock layout");
_Static_assert(sizeof(struct mw_stdout) == 24 + 16 + MW_STDOUT_SAMPLE, "mw_stdout layout");
_Static_assert(sizeof(struct mw_io) == 24 + 40 + MW_IO_CHUNK, "mw_io layout");
_Static_assert(sizeof(struct mw_uring) == 24 + 24, "mw_uring layout");
_Static_assert(sizeof(struct mw_name_key) == 4 + MW_OPEN_KEY_LEN, "mw_name_key layout");
_Static_assert(sizeof(struct mw_open_filter) == 8 + 8 * MW_OPEN_FIRST2_WORDS,
	       "mw_open_filter layout");
_Static_assert(MW_CNT_FILTERED + MW_EV_MAX <= MW_CNT_MAX, "counter slots");
_Static_assert(MW_CNT_LOST + MW_EV_MAX <= MW_CNT_FILTERED, "counter slots");
#endif

#endif /* MCPWATCH_ABI_H */
