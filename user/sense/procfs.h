/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * procfs: owns the one-time start-up scan of /proc — which processes exist
 * (stat, status, exe, cmdline, cgroup) and which TCP sockets are listening
 * and UDP sockets bound (and who holds them). Everything read from /proc is outside input: reads
 * are bounded, every parser is a pure function over (buf, len) that can be fuzzed, and content is
 * never trusted. Every function takes proc_root (normally
 * "/proc") so tests can point it at a fixture tree.
 *
 * Namespaces: <proc_root>/net/tcp{,6} show the network namespace of the
 * process doing the scan, and <proc_root> lists the pids of its pid
 * namespace. The agent is expected to run in the host namespaces (systemd
 * service, or a DaemonSet with hostNetwork: true and hostPID: true); in a
 * private namespace it sees only its own container.
 */
#ifndef MCPWATCH_PROCFS_H
#define MCPWATCH_PROCFS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sense/container.h"

#define PROCFS_CMDLINE_MAX   (64 * 1024) /* bytes of cmdline read; longer is cut */
#define PROCFS_EXE_MAX	     4096
#define PROCFS_COMM_MAX	     16
#define PROCFS_LISTENERS_MAX 65536 /* listeners kept from net/{tcp,tcp6,udp,udp6} */

/* What stat says about a process (fields 1-4, 9 and 22 of proc(5)). */
struct proc_stat {
	uint32_t pid, ppid;
	char state;
	uint32_t flags;	      /* PF_* */
	uint64_t start_ticks; /* since boot, in clock ticks */
	char comm[PROCFS_COMM_MAX];
};

struct proc_info {
	uint32_t tgid, ppid, uid; /* uid: real uid */
	uint64_t start_ns;	  /* since boot (CLOCK_BOOTTIME), clock-tick precision */
	char state;		  /* R, S, D, Z, ... */
	bool kernel_thread;	  /* PF_KTHREAD, or no cmdline and no exe: caller skips */
	char comm[PROCFS_COMM_MAX];
	char exe[PROCFS_EXE_MAX]; /* "" if unreadable (kernel thread, zombie, EACCES) */
	char **argv;		  /* argc strings + NULL, one allocation: procfs_free_process */
	int argc;
	char container_id[CONTAINER_ID_LEN + 1]; /* "" outside a container */
	const char *container_runtime;		 /* static string or NULL */
	char pod_uid[CONTAINER_POD_UID_LEN + 1]; /* "" if not a Kubernetes pod */
};

/*
 * Reads one process. Returns 0; -ENOENT if it is gone (a normal race: skip
 * it quietly); other -errno with a one-line reason in err. On success the
 * caller frees with procfs_free_process().
 */
int procfs_read_process(const char *proc_root, uint32_t tgid, struct proc_info *out, char *err,
			size_t errlen);
void procfs_free_process(struct proc_info *info);

/* Numeric entries of proc_root, sorted ascending; *pids is malloc'd. */
int procfs_list_pids(const char *proc_root, uint32_t **pids, size_t *n, char *err, size_t errlen);

/* Parsers (pure, bounded; buf need not be NUL-terminated). 0 or -EINVAL + err. */
int procfs_parse_stat(const char *buf, size_t len, struct proc_stat *out, char *err, size_t errlen);
int procfs_parse_status_uid(const char *buf, size_t len, uint32_t *uid, char *err, size_t errlen);
/*
 * NUL-separated cmdline into a NULL-terminated vector held in one allocation
 * (free(*argv) frees it all). A last argument without its NUL is kept (a
 * process may rewrite its cmdline). Empty input gives argc 0, *argv NULL.
 * Returns 0 or -ENOMEM/-EINVAL.
 */
int procfs_parse_cmdline(const char *buf, size_t len, char ***argv, int *argc);
/* Clock ticks since boot to nanoseconds; UINT64_MAX on overflow. */
uint64_t procfs_ticks_to_ns(uint64_t ticks, long ticks_per_sec);

struct proc_listener {
	int family;   /* AF_INET or AF_INET6 (IPv4-mapped IPv6 is reported as AF_INET) */
	int protocol; /* IPPROTO_TCP (listening) or IPPROTO_UDP (bound, not connected) */
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	uint64_t inode;
	uint32_t tgid; /* 0 if unknown */
};

/* Called for each LISTEN socket; return non-zero to stop the parse with that value. */
typedef int (*procfs_listener_fn)(const struct proc_listener *l, void *arg);

/*
 * Parses net/tcp (family AF_INET) or net/tcp6 (AF_INET6) text: whole lines
 * only (a trailing line without '\n' is parsed too). The header line is
 * skipped. Returns the number of listeners reported, the callback's non-zero
 * value, or -EINVAL with the line at fault in err.
 */
int procfs_parse_net_tcp(const char *buf, size_t len, int family, procfs_listener_fn fn, void *arg,
			 char *err, size_t errlen);
/* The same for net/udp{,6}: sockets bound to a port and not connected (state 07). */
int procfs_parse_net_udp(const char *buf, size_t len, int family, procfs_listener_fn fn, void *arg,
			 char *err, size_t errlen);

/*
 * All TCP listeners and bound UDP sockets of the scanning process's network
 * namespace, with the tgid that holds each socket (lowest pid among holders;
 * 0 if none found). UDP sockets on a port of ip_local_port_range are left
 * out: a socket that sent without bind() got one, and looks the same.
 * *out is malloc'd (free it); missing tcp6, udp or udp6 is not an error.
 */
/*
 * The path of the first file mapped in a /proc/<pid>/maps text whose
 * basename starts with prefix ("libssl.so"): 0 and out filled, -ENOENT when
 * none is, -ENAMETOOLONG when the path does not fit. Pure; fuzzed.
 */
int procfs_maps_find(const char *buf, size_t len, const char *prefix, char *out, size_t outlen);
/* The same over <proc_root>/<tgid>/maps (its first PROCFS_MAPS_MAX bytes). */
#define PROCFS_MAPS_MAX (1u << 20)
int procfs_find_mapped(const char *proc_root, uint32_t tgid, const char *prefix, char *out,
		       size_t outlen);

int procfs_read_listeners(const char *proc_root, struct proc_listener **out, size_t *n, char *err,
			  size_t errlen);

#endif /* MCPWATCH_PROCFS_H */
