/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * sensor: owns the BPF skeleton (open, configure, load, attach, destroy),
 * the ring-buffer consumer, the per-CPU counters and the kernel maps that
 * user space writes (tracked server trees, stdout sniff state). It decodes
 * raw ABI records (include/mcpwatch_abi.h) into struct sensor_event and hands
 * them to one callback; it knows nothing of servers or rules.
 */
#ifndef MCPWATCH_SENSOR_H
#define MCPWATCH_SENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcpwatch_abi.h"

struct sensor;

/* A decoded event. Pointers are valid only during the callback. */
struct sensor_event {
	enum mw_event_type type;
	uint32_t tgid, pid;
	uint32_t flags;	       /* MW_F_* */
	uint32_t server_tgid;  /* kernel's view of the tracked tree, 0 if none */
	uint32_t pending_root; /* MW_F_PENDING: root of the pending tree, else 0 */
	int64_t time_ns;       /* CLOCK_REALTIME nanoseconds */
	union {
		struct {
			uint32_t ppid, uid, gid;
			uint64_t cgroup_id, start_ns;
			const char *comm;
			const char *exe;	 /* absolute path, "" if unknown */
			const char *const *argv; /* argc entries */
			int argc;
			/* The executable's inode and device (st_dev encoding, as
			 * stat(2) gives it); 0 when unknown. See MW_F_EXE_ANON, MW_F_EXE_FD. */
			uint64_t exe_ino, exe_dev;
		} exec;
		struct {
			uint32_t ppid;
			uint64_t start_ns;
		} fork;
		struct {
			int32_t exit_code;
		} exit;
		struct {
			/*
			 * Absolute, normalised. With MW_F_PATH_RAW (failed open)
			 * the user's string joined to its base directory; left
			 * relative only if that directory was unknown (bad dirfd).
			 */
			const char *path;
			int64_t ret; /* fd or -errno */
			uint32_t oflags, mode;
			/* The opened file (ret >= 0; else 0): st_ino and st_dev
			 * as stat(2) gives them. MW_F_INODE_HIT in flags: sent
			 * for the inode alone (sensor_set_secret_inodes). */
			uint64_t ino, dev;
		} open;
		struct {
			int family;		   /* AF_INET / AF_INET6 */
			int protocol;		   /* IPPROTO_TCP, or IPPROTO_UDP (listen) */
			bool v6only;		   /* AF_INET6 with IPV6_V6ONLY */
			const char *laddr, *raddr; /* textual */
			uint16_t lport, rport;
			/* MW_EV_LISTEN: true = started, false = closed (TCP only:
			 * a UDP listener is its bind, and its close is not seen) */
			bool listening;
			uint64_t sock_cookie;
		} sock;
		struct {
			uint32_t fd;
			const char *data;
			size_t len;
			uint64_t count;
		} out;
		struct {		  /* MW_EV_IO: a chunk of a tapped read or write */
			uint8_t dir;	  /* MW_IO_IN / MW_IO_OUT */
			uint8_t source;	  /* MW_IO_SYSCALL / MW_IO_TLS */
			uint8_t fd_kind;  /* MW_FD_* */
			int32_t fd;	  /* -1 for TLS */
			uint64_t stream;  /* the channel while it is open */
			uint64_t total;	  /* bytes the call moved */
			uint32_t offset;  /* of data within the call */
			const char *data; /* len bytes */
			size_t len;
		} io;
		struct {		     /* MW_EV_URING: a ring set up */
			int32_t fd;	     /* the ring's fd */
			uint32_t sq_entries; /* as the kernel sized them */
			uint32_t cq_entries;
			uint32_t setup_flags; /* IORING_SETUP_* */
		} uring;
	};
};

typedef void (*sensor_event_fn)(const struct sensor_event *ev, void *arg);

struct sensor_opts {
	uint32_t self_tgid;   /* never report this process's own activity */
	size_t ringbuf_bytes; /* power of two; 0 = default (16 MiB) */
	bool verbose;	      /* libbpf debug messages to stderr */
	bool tap_early;	      /* tap a process's stdio from its first JSON stdout
			       * write (MW_TAP_PROVISIONAL) until user space decides */
	uint64_t pending_ns;  /* how long a stdio-channel exec stays pending
			       * (MW_F_PENDING records); 0: never pending */
};

struct sensor_counts {
	uint64_t sent[MW_EV_MAX];
	uint64_t lost[MW_EV_MAX];
	uint64_t filtered[MW_EV_MAX]; /* not sent: an in-kernel filter (MW_EV_OPEN) */
	uint64_t malformed;	      /* records rejected by sensor_decode */
};

/* Returns 0, or -errno with a one-line reason in err (size errlen). */
int sensor_open(struct sensor **out, const struct sensor_opts *opts, sensor_event_fn fn, void *arg,
		char *err, size_t errlen);
/* Waits up to timeout_ms, then dispatches what is ready. Returns events or -errno. */
int sensor_poll(struct sensor *s, int timeout_ms);
/* The ring buffer's epoll fd, for callers with their own loop. */
int sensor_fd(const struct sensor *s);
void sensor_close(struct sensor *s);

/* Tracked trees: the kernel then reports file opens and connects of tgid,
 * and every process it forks from then on inherits server_tgid. */
int sensor_track(struct sensor *s, uint32_t tgid, uint32_t server_tgid);
int sensor_untrack(struct sensor *s, uint32_t tgid);
/* Stop sampling stdout of tgid (already identified). */
int sensor_sniff_done(struct sensor *s, uint32_t tgid);

/* Tool-call tap: copy what tgid reads and writes on its stdio and/or
 * sockets (MW_TAP_* flags; 0 stops). The kernel forgets it at exit. */
int sensor_tap(struct sensor *s, uint32_t tgid, uint32_t flags);
/* Removes tgid's tap only if the kernel set it provisionally (tap_early). */
int sensor_untap_provisional(struct sensor *s, uint32_t tgid);
/* Whether this kernel loaded the TLS uprobes. */
bool sensor_tls_available(const struct sensor *s);
/* Attaches the TLS tap to SSL_read/SSL_write(_ex) of the libssl at
 * lib_path as mapped by process pid only. 0, or -errno with a reason. */
int sensor_tap_tls(struct sensor *s, uint32_t pid, const char *lib_path, char *err, size_t errlen);
/* Detaches what sensor_tap_tls attached for pid (it exited). */
void sensor_untap_tls(struct sensor *s, uint32_t pid);

/*
 * The open filter: one test of a path component. exact: the component is
 * name; else it starts with name. name is not empty; one longer than the
 * kernel keeps (MW_OPEN_KEY_LEN bytes, or MW_OPEN_KEY_LEN - 1 for exact) is
 * cut and becomes a prefix test, a weaker one.
 */
struct sensor_name_match {
	const char *name;
	bool exact;
};

/*
 * on: from now on a successful open of a tracked process is sent only if
 * some component of its resolved path passes one of the n tests (none: no
 * successful open is sent); failed opens are always sent. !on: every open
 * is sent. Opens during the switch are sent. Returns 0, or -errno (-E2BIG:
 * more than MW_OPEN_NAMES_MAX tests; -EINVAL: an empty name) with the
 * filter left off.
 */
int sensor_set_open_filter(struct sensor *s, bool on, const struct sensor_name_match *m, size_t n);
/* The trie key of test m (pure, unit-tested). 0, or -EINVAL for an empty name. */
int sensor_name_key(const struct sensor_name_match *m, struct mw_name_key *key);

/*
 * Secret inodes: a successful open of a tracked process that the open filter
 * would drop is sent anyway (with MW_F_INODE_HIT) when its file is one of
 * these. Replaces the set with the n (dev, ino) pairs (st_dev/st_ino as
 * stat(2) gives them); entries that stay are never absent meanwhile.
 * Returns 0, or -errno (-E2BIG: more than MW_SECRET_INODES_MAX).
 */
struct sensor_inode {
	uint64_t dev, ino;
};
int sensor_set_secret_inodes(struct sensor *s, const struct sensor_inode *ids, size_t n);
/* stat(2)'s st_dev in the kernel's s_dev encoding (pure); the inverse is
 * sensor_dev_from_kernel below. */
uint32_t sensor_dev_to_kernel(uint64_t st_dev);

int sensor_counts(const struct sensor *s, struct sensor_counts *out);
/* The backends in use, for the ready record: file opens ("fexit", "tp",
 * "raw_tp") and the stdout sample and tool-call tap ("tp", "raw_tp"). */
const char *sensor_file_backend(const struct sensor *s);
const char *sensor_io_backend(const struct sensor *s);
/* The io_uring hooks loaded, for the ready record: "tp_btf" (ring set-ups
 * and the files OPENAT requests opened), "setup" (set-ups only) or "none"
 * (this kernel's BTF lacks the tracepoints, or MCPWATCH_NO_URING is set). */
const char *sensor_uring_hooks(const struct sensor *s);

/* Pure helpers, unit-tested: join leaf-first components into an absolute
 * path, and normalise "." and ".." segments. Return bytes written or -1. */
int sensor_path_join(const char *comps, size_t len, char *out, size_t outlen);
int sensor_path_normalise(const char *in, char *out, size_t outlen);
/* The kernel's s_dev (MAJOR << 20 | MINOR) in stat(2)'s st_dev encoding. */
uint64_t sensor_dev_from_kernel(uint32_t kdev);

/*
 * Validates one raw ring-buffer record (never trusting its sizes), decodes
 * it and calls fn once; time_ns uses the current boot-to-realtime offset.
 * Returns 0, or -EBADMSG without calling fn.
 */
int sensor_decode(const void *data, size_t size, sensor_event_fn fn, void *arg);

#endif /* MCPWATCH_SENSOR_H */
