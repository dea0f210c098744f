// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * sensor: BPF skeleton lifecycle, ring-buffer consumer and record decoder.
 * See sensor.h for what it owns.
 */
#include "sense/sensor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lib/caps.h"
#include "sense/elfsym.h"
#include "mcpwatch.skel.h"

#define SENSOR_BTF_PATH	       "/sys/kernel/btf/vmlinux"
#define SENSOR_RINGBUF_DEFAULT (8u << 20)
#define SENSOR_ARGC_MAX	       512 /* argv entries decoded; more sets MW_F_ARGS_TRUNC */
#define SENSOR_PATH_BUF	       (2 * MW_PATH_MAX + 4) /* base dir + '/' + raw string */
#define SENSOR_LINKS_MAX       48

/* Per-record working memory, so decoding allocates nothing. */
struct sensor_decoder {
	char comm[MW_COMM_LEN + 1];
	char args[MW_ARGS_MAX + 1];
	const char *argv[SENSOR_ARGC_MAX + 1];
	char joined[SENSOR_PATH_BUF];
	char path[SENSOR_PATH_BUF];
	char laddr[INET6_ADDRSTRLEN];
	char raddr[INET6_ADDRSTRLEN];
};

/*
 * How the kernel side sees file opens (file) and the reads and writes of
 * the stdout sample and the tool-call tap (io). Cheapest first:
 *   file fexit   one program on do_sys_openat2's return: runs for opens only
 *   file tp, io tp   the syscall-specific tracepoints of exactly the syscalls
 *                we need: any other syscall runs no program (needs tracefs)
 *   io raw_tp    one program on every syscall's entry and exit: the last
 *                resort, there on every kernel we target
 * raw_tp opens come with the raw_tp pair; tp opens with tp io (both need
 * tracefs). A combination is picked by trying it, never by kernel version;
 * the programs of the others are not loaded.
 */
struct sensor_file_backend {
	const char *file; /* "fexit", "tp", "raw_tp" */
	const char *io;	  /* "tp", "raw_tp" */
};

/* TLS tap: the uprobes attached for one process. */
#define SENSOR_TLS_MAX	 64 /* processes tapped at once */
#define SENSOR_TLS_LINKS 8  /* four functions, entry and return each */

struct sensor_tls {
	uint32_t pid;				  /* 0: free slot */
	struct bpf_link *links[SENSOR_TLS_LINKS]; /* perf uprobes */
	int fds[SENSOR_TLS_LINKS];		  /* uprobe_multi links; -1: none */
};

struct sensor {
	struct mcpwatch_bpf *skel;
	struct sensor_tls tls[SENSOR_TLS_MAX];
	bool tls_loaded;
	bool tls_multi; /* uprobe_multi links, not perf uprobes */
	struct ring_buffer *ring;
	struct bpf_link *links[SENSOR_LINKS_MAX];
	size_t nlinks;
	const struct sensor_file_backend *backend;
	bool uring_create, uring_complete; /* the optional io_uring programs loaded */
	sensor_event_fn fn;
	void *arg;
	int64_t boot_to_real_ns;
	uint64_t malformed;
	struct sensor_decoder dec;
};

/* ------------------------------------------------------------ paths */

int sensor_path_join(const char *comps, size_t len, char *out, size_t outlen)
{
	size_t pos = len, o = 0;

	if (!out || outlen < 2 || (!comps && len))
		return -1;
	/* Components arrive leaf first: emit them from the end backwards. */
	while (pos > 0) {
		size_t end = pos, start, n;

		if (comps[end - 1] == '\0')
			end--;
		start = end;
		while (start > 0 && comps[start - 1] != '\0')
			start--;
		pos = start;
		n = end - start;
		if (n == 0)
			continue;
		if (o + 1 + n + 1 > outlen)
			return -1;
		out[o++] = '/';
		memcpy(out + o, comps + start, n);
		o += n;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return (int)o;
}

/* Drops the last segment of out[0..o) (never the leading '/'). */
static size_t path_pop_segment(const char *out, size_t o)
{
	while (o > 1 && out[o - 1] != '/')
		o--;
	return o > 1 ? o - 1 : 1;
}

int sensor_path_normalise(const char *in, char *out, size_t outlen)
{
	size_t i = 0, o = 1;

	if (!in || !out || in[0] != '/' || outlen < 2)
		return -1;
	out[0] = '/';
	while (in[i]) {
		size_t start, n;

		while (in[i] == '/')
			i++;
		start = i;
		while (in[i] && in[i] != '/')
			i++;
		n = i - start;
		if (n == 0 || (n == 1 && in[start] == '.'))
			continue;
		if (n == 2 && in[start] == '.' && in[start + 1] == '.') {
			o = path_pop_segment(out, o);
			continue;
		}
		if ((o > 1 ? o + 1 : o) + n + 1 > outlen)
			return -1;
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, in + start, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}

/* ------------------------------------------------------------ decoding */

static void decode_hdr(const struct mw_hdr *h, int64_t boot_to_real_ns, struct sensor_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (enum mw_event_type)h->type;
	ev->tgid = h->tgid;
	ev->pid = h->pid;
	ev->flags = h->flags;
	/* Unsigned sum: a hostile ts_ns must not be signed overflow. */
	ev->time_ns = (int64_t)(h->ts_ns + (uint64_t)boot_to_real_ns);
}

/* Splits NUL-separated argv bytes into d->argv; the last may lack its NUL. */
static int decode_argv(struct sensor_decoder *d, const char *args, size_t len, uint32_t *flags)
{
	size_t p = 0;
	int argc = 0;

	memcpy(d->args, args, len);
	d->args[len] = '\0';
	while (p < len) {
		if (argc == SENSOR_ARGC_MAX) {
			*flags |= MW_F_ARGS_TRUNC;
			break;
		}
		d->argv[argc++] = d->args + p;
		p += strlen(d->args + p) + 1;
	}
	d->argv[argc] = NULL;
	return argc;
}

/* The kernel's dev_t (MAJOR << 20 | MINOR) as stat(2)'s st_dev encodes it. */
uint64_t sensor_dev_from_kernel(uint32_t kdev)
{
	return makedev(kdev >> 20, kdev & ((1u << 20) - 1));
}

static int decode_exec(struct sensor_decoder *d, const void *data, size_t size,
		       struct sensor_event *ev)
{
	const size_t fixed = offsetof(struct mw_exec, data);
	const char *payload = (const char *)data + fixed;
	struct mw_exec e;

	if (size < fixed)
		return -EBADMSG;
	memcpy(&e, data, fixed);
	if (e.exe_len > MW_PATH_MAX || e.args_len > MW_ARGS_MAX ||
	    size != fixed + e.exe_len + e.args_len)
		return -EBADMSG;
	d->path[0] = '\0';
	if (e.exe_len && sensor_path_join(payload, e.exe_len, d->path, sizeof(d->path)) < 0)
		return -EBADMSG;
	memcpy(d->comm, e.comm, MW_COMM_LEN);
	d->comm[MW_COMM_LEN] = '\0';
	ev->server_tgid = e.server_tgid;
	ev->exec.ppid = e.ppid;
	ev->exec.uid = e.uid;
	ev->exec.gid = e.gid;
	ev->exec.cgroup_id = e.cgroup_id;
	ev->exec.start_ns = e.start_ns;
	ev->exec.comm = d->comm;
	ev->exec.exe = d->path;
	ev->exec.argc = decode_argv(d, payload + e.exe_len, e.args_len, &ev->flags);
	ev->exec.argv = d->argv;
	ev->exec.exe_ino = e.exe_ino;
	ev->exec.exe_dev = sensor_dev_from_kernel(e.exe_dev);
	return 0;
}

static int decode_fork(const void *data, size_t size, struct sensor_event *ev)
{
	struct mw_fork f;

	if (size != sizeof(f))
		return -EBADMSG;
	memcpy(&f, data, sizeof(f));
	ev->server_tgid = f.server_tgid;
	ev->fork.ppid = f.ppid;
	ev->fork.start_ns = f.start_ns;
	return 0;
}

static int decode_exit(const void *data, size_t size, struct sensor_event *ev)
{
	struct mw_exit x;

	if (size != sizeof(x))
		return -EBADMSG;
	memcpy(&x, data, sizeof(x));
	ev->exit.exit_code = x.exit_code;
	return 0;
}

/* A failed open's string, made absolute against its base dir if relative. */
static int decode_open_raw(struct sensor_decoder *d, const char *payload, const struct mw_open *o)
{
	size_t n = strnlen(payload, o->path_len);
	int j;

	if (n > 0 && payload[0] == '/') {
		memcpy(d->joined, payload, n);
		d->joined[n] = '\0';
	} else if (o->base_len) {
		j = sensor_path_join(payload + MW_PATH_MAX, o->base_len, d->joined,
				     MW_PATH_MAX + 2);
		if (j < 0)
			return -EBADMSG;
		d->joined[j] = '/';
		memcpy(d->joined + j + 1, payload, n);
		d->joined[j + 1 + n] = '\0';
	} else {
		/* No base directory: the caller gets the relative string. */
		memcpy(d->path, payload, n);
		d->path[n] = '\0';
		return 0;
	}
	return sensor_path_normalise(d->joined, d->path, sizeof(d->path)) < 0 ? -EBADMSG : 0;
}

static int decode_open(struct sensor_decoder *d, const void *data, size_t size,
		       struct sensor_event *ev)
{
	const size_t fixed = offsetof(struct mw_open, data);
	const char *payload = (const char *)data + fixed;
	struct mw_open o;
	size_t want;
	int j;

	if (size < fixed)
		return -EBADMSG;
	memcpy(&o, data, fixed);
	if (o.path_len > MW_PATH_MAX || o.base_len > MW_PATH_MAX ||
	    (o.base_len && !(o.h.flags & MW_F_PATH_RAW)))
		return -EBADMSG;
	want = fixed + (o.base_len ? MW_PATH_MAX + o.base_len : o.path_len);
	if (size != want)
		return -EBADMSG;
	ev->server_tgid = o.server_tgid;
	ev->open.ret = o.ret;
	ev->open.oflags = o.oflags;
	ev->open.mode = o.mode;
	ev->open.ino = o.ino;
	ev->open.dev = sensor_dev_from_kernel(o.dev);
	ev->open.path = d->path;
	if (o.h.flags & MW_F_PATH_RAW)
		return decode_open_raw(d, payload, &o);
	j = sensor_path_join(payload, o.path_len, d->joined, sizeof(d->joined));
	if (j < 0 || sensor_path_normalise(d->joined, d->path, sizeof(d->path)) < 0)
		return -EBADMSG;
	return 0;
}

static int decode_sock(struct sensor_decoder *d, const void *data, size_t size,
		       struct sensor_event *ev)
{
	struct mw_sock r;
	int af;

	if (size != sizeof(r))
		return -EBADMSG;
	memcpy(&r, data, sizeof(r));
	if (r.family == MW_AF_INET)
		af = AF_INET;
	else if (r.family == MW_AF_INET6)
		af = AF_INET6;
	else
		return -EBADMSG;
	/* UDP has no connect record and no close; V6ONLY is a property of AF_INET6. */
	if ((r.protocol != MW_IPPROTO_TCP && r.protocol != MW_IPPROTO_UDP) ||
	    (r.protocol == MW_IPPROTO_UDP && r.h.type != MW_EV_LISTEN) ||
	    (r.protocol == MW_IPPROTO_UDP && r.state == 0) ||
	    ((r.h.flags & MW_F_V6ONLY) && af != AF_INET6))
		return -EBADMSG;
	if (!inet_ntop(af, r.laddr, d->laddr, sizeof(d->laddr)) ||
	    !inet_ntop(af, r.raddr, d->raddr, sizeof(d->raddr)))
		return -EBADMSG;
	ev->server_tgid = r.server_tgid;
	ev->sock.family = af;
	ev->sock.protocol = r.protocol == MW_IPPROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	ev->sock.v6only = (r.h.flags & MW_F_V6ONLY) != 0;
	ev->sock.laddr = d->laddr;
	ev->sock.raddr = d->raddr;
	ev->sock.lport = r.lport;
	ev->sock.rport = r.rport;
	ev->sock.listening = r.h.type == MW_EV_LISTEN && r.state != 0;
	ev->sock.sock_cookie = r.sock_cookie;
	return 0;
}

static int decode_stdout(const void *data, size_t size, struct sensor_event *ev)
{
	const size_t fixed = offsetof(struct mw_stdout, data);
	struct mw_stdout o;

	if (size < fixed)
		return -EBADMSG;
	memcpy(&o, data, fixed);
	if (o.len > MW_STDOUT_SAMPLE || size != fixed + o.len)
		return -EBADMSG;
	ev->out.fd = o.fd;
	ev->out.data = (const char *)data + fixed;
	ev->out.len = o.len;
	ev->out.count = o.count;
	return 0;
}

static int decode_io(const void *data, size_t size, struct sensor_event *ev)
{
	const size_t fixed = offsetof(struct mw_io, data);
	struct mw_io o;

	if (size < fixed)
		return -EBADMSG;
	memcpy(&o, data, fixed);
	if (o.len > MW_IO_CHUNK || size != fixed + o.len || o.dir > MW_IO_OUT ||
	    o.source > MW_IO_TLS || o.fd_kind > MW_FD_SOCKET ||
	    (uint64_t)o.offset + o.len > o.total)
		return -EBADMSG;
	ev->server_tgid = o.server_tgid;
	ev->io.dir = o.dir;
	ev->io.source = o.source;
	ev->io.fd_kind = o.fd_kind;
	ev->io.fd = o.fd;
	ev->io.stream = o.stream;
	ev->io.total = o.total;
	ev->io.offset = o.offset;
	ev->io.data = (const char *)data + fixed;
	ev->io.len = o.len;
	return 0;
}

static int decode_uring(const void *data, size_t size, struct sensor_event *ev)
{
	struct mw_uring u;

	if (size != sizeof(u))
		return -EBADMSG;
	memcpy(&u, data, sizeof(u));
	ev->server_tgid = u.server_tgid;
	ev->uring.fd = u.fd;
	ev->uring.sq_entries = u.sq_entries;
	ev->uring.cq_entries = u.cq_entries;
	ev->uring.setup_flags = u.setup_flags;
	return 0;
}

static int decode_body(struct sensor_decoder *d, uint16_t type, const void *data, size_t size,
		       struct sensor_event *ev)
{
	switch (type) {
	case MW_EV_EXEC:
		return decode_exec(d, data, size, ev);
	case MW_EV_FORK:
		return decode_fork(data, size, ev);
	case MW_EV_EXIT:
		return decode_exit(data, size, ev);
	case MW_EV_OPEN:
		return decode_open(d, data, size, ev);
	case MW_EV_CONNECT:
	case MW_EV_LISTEN:
		return decode_sock(d, data, size, ev);
	case MW_EV_STDOUT:
		return decode_stdout(data, size, ev);
	case MW_EV_IO:
		return decode_io(data, size, ev);
	case MW_EV_URING:
		return decode_uring(data, size, ev);
	default:
		return -EBADMSG;
	}
}

static int sensor_decode_record(struct sensor_decoder *d, const void *data, size_t size,
				int64_t boot_to_real_ns, sensor_event_fn fn, void *arg)
{
	struct sensor_event ev;
	struct mw_hdr h;
	int err;

	if (!data || size < sizeof(h))
		return -EBADMSG;
	memcpy(&h, data, sizeof(h));
	if (h.size != size)
		return -EBADMSG;
	decode_hdr(&h, boot_to_real_ns, &ev);
	err = decode_body(d, h.type, data, size, &ev);
	if (err)
		return err;
	/* A pending tree's root is no server: keep it apart from server_tgid. */
	if ((ev.flags & MW_F_PENDING) && !(ev.flags & MW_F_TRACKED)) {
		ev.pending_root = ev.server_tgid;
		ev.server_tgid = 0;
	}
	if (fn)
		fn(&ev, arg);
	return 0;
}

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* CLOCK_REALTIME - CLOCK_BOOTTIME, boot clock sampled either side. */
static int64_t sensor_boot_to_real_ns(void)
{
	struct timespec b0, r, b1;

	clock_gettime(CLOCK_BOOTTIME, &b0);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b1);
	return timespec_ns(&r) - (timespec_ns(&b0) + timespec_ns(&b1)) / 2;
}

int sensor_decode(const void *data, size_t size, sensor_event_fn fn, void *arg)
{
	struct sensor_decoder *d = malloc(sizeof(*d));
	int err;

	if (!d)
		return -ENOMEM;
	err = sensor_decode_record(d, data, size, sensor_boot_to_real_ns(), fn, arg);
	free(d);
	return err;
}

/* ------------------------------------------------------------ libbpf */

static bool sensor_verbose;
/* The program libbpf last complained about, to name it in our error. */
static char sensor_failed_prog[64];

static void sensor_note_failed_prog(const char *msg)
{
	const char *p = strstr(msg, "prog '"), *q;

	if (!p)
		return;
	p += strlen("prog '");
	q = strchr(p, '\'');
	if (!q || (size_t)(q - p) >= sizeof(sensor_failed_prog))
		return;
	memcpy(sensor_failed_prog, p, q - p);
	sensor_failed_prog[q - p] = '\0';
}

__attribute__((format(printf, 2, 0))) static int sensor_libbpf_print(enum libbpf_print_level level,
								     const char *fmt, va_list ap)
{
	static char msg[1 << 20]; /* a verifier log is long; -vv prints it whole */

	if (level == LIBBPF_DEBUG && !sensor_verbose)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level == LIBBPF_WARN)
		sensor_note_failed_prog(msg);
	if (level != LIBBPF_WARN || sensor_verbose)
		return fprintf(stderr, "libbpf: %s", msg);
	/* Warnings are summed up in our one-line error instead. */
	return 0;
}

/* Set when raising RLIMIT_MEMLOCK failed (no CAP_SYS_RESOURCE, a low hard limit). */
static bool sensor_memlock_low;

/*
 * What to add when the kernel said EPERM or EACCES: the capabilities of need
 * this process lacks, or, holding them all, a memlock limit too low for a
 * kernel that still charges BPF memory to it (before 5.11). "" otherwise.
 */
static const char *sensor_eperm_hint(int rc, uint64_t need)
{
	static char hint[160];

	caps_missing_hint(rc, need, caps_effective(), hint, sizeof(hint));
	if (!hint[0] && rc == -EPERM && sensor_memlock_low)
		snprintf(hint, sizeof(hint),
			 " (RLIMIT_MEMLOCK is too low and could not be raised: set "
			 "LimitMEMLOCK=infinity or grant CAP_SYS_RESOURCE)");
	return hint;
}

/*
 * Uprobes need CAP_PERFMON up to Linux 6.15; 6.16 went back to CAP_SYS_ADMIN
 * ("perf: Revert to requiring CAP_SYS_ADMIN for uprobes", also in stable
 * kernels), which the agent does not hold by default: the TLS tap is then
 * the one thing lost, and its record says why.
 */
static const char *sensor_uprobe_hint(int rc)
{
	static char hint[96];
	uint64_t have = caps_effective();
	const char *h = sensor_eperm_hint(rc, CAPS_FOR_BPF);

	if (*h || (rc != -EACCES && rc != -EPERM) || (have & CAPS_BIT(CAPS_SYS_ADMIN)))
		return h;
	snprintf(hint, sizeof(hint),
		 " (missing CAP_SYS_ADMIN, which uprobes need since Linux 6.16)");
	return hint;
}

/* ------------------------------------------------------------ backends */

static const struct sensor_file_backend sensor_file_backends[] = {
    {"fexit", "tp"},
    {"tp", "tp"},
    {"fexit", "raw_tp"},
    {"raw_tp", "raw_tp"},
};

#define SENSOR_NBACKENDS (sizeof(sensor_file_backends) / sizeof(sensor_file_backends[0]))

/* Where libbpf finds tracepoint ids: tracefs, or tracing under debugfs. */
static bool tracefs_ready(void)
{
	return access("/sys/kernel/tracing/events/syscalls", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/events/syscalls", F_OK) == 0;
}

/*
 * The syscall tracepoints need tracefs. When it is not mounted and we may
 * (CAP_SYS_ADMIN, the mount point exists), mount it where the kernel
 * documents it; otherwise the raw_tp pair does their work.
 */
static bool tracefs_available(void)
{
	static int state = -1;

	if (state < 0) {
		state = tracefs_ready();
		if (!state && mount("tracefs", "/sys/kernel/tracing", "tracefs",
				    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0) {
			state = tracefs_ready();
			if (sensor_verbose)
				fprintf(stderr,
					"mcpwatch: mounted tracefs on /sys/kernel/tracing\n");
		}
		if (!state && sensor_verbose)
			fprintf(stderr, "mcpwatch: no tracefs (mount -t tracefs tracefs "
					"/sys/kernel/tracing): syscall tracepoints unavailable\n");
	}
	return state == 1;
}

/* A probe refused outright (not "unsupported"): seccomp or a missing capability. */
static int sensor_probe_err;

static bool backend_supported(const struct sensor_file_backend *b)
{
	if (!strcmp(b->io, "raw_tp")) {
		int rc = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL);

		if (rc < 0)
			sensor_probe_err = rc;
		if (rc != 1)
			return false;
	}
	/* fexit: whether the kernel permits it (config, lockdown, LSM) is learnt
	 * only by loading and attaching; the attempt is the probe. */
	return strcmp(b->io, "tp") || tracefs_available();
}

static bool prog_is(const struct bpf_program *prog, const char *prefix)
{
	return strncmp(bpf_program__name(prog), prefix, strlen(prefix)) == 0;
}

static bool tp_prog_is_open(const struct bpf_program *prog)
{
	const char *name = bpf_program__name(prog);

	name += prog_is(prog, "tp_enter_") ? strlen("tp_enter_") : strlen("tp_exit_");
	return !strcmp(name, "openat") || !strcmp(name, "openat2") || !strcmp(name, "open") ||
	       !strcmp(name, "creat");
}

static bool is_uprobe(const struct bpf_program *prog)
{
	return strncmp(bpf_program__section_name(prog), "uprobe", 6) == 0 ||
	       strncmp(bpf_program__section_name(prog), "uretprobe", 9) == 0;
}

/* Whether backend b runs prog (the programs of no backend always run). */
static bool backend_wants(const struct sensor_file_backend *b, const struct bpf_program *prog)
{
	if (!strcmp(bpf_program__name(prog), "handle_openat2_exit"))
		return !strcmp(b->file, "fexit");
	if (!strcmp(bpf_program__name(prog), "handle_sys_enter") ||
	    !strcmp(bpf_program__name(prog), "handle_sys_exit"))
		return !strcmp(b->io, "raw_tp");
	if (prog_is(prog, "tp_enter_") || prog_is(prog, "tp_exit_"))
		return tp_prog_is_open(prog) ? !strcmp(b->file, "tp") : !strcmp(b->io, "tp");
	return true;
}

/* BPF_TRACE_UPROBE_MULTI and its return flag (Linux 6.6), not in every linux/bpf.h. */
#define SENSOR_UPROBE_MULTI	   48
#define SENSOR_UPROBE_MULTI_RETURN 1u

/* The head of union bpf_attr for BPF_LINK_CREATE of a uprobe_multi link. */
struct sensor_uprobe_multi_attr {
	uint32_t prog_fd, target_fd, attach_type, flags;
	uint64_t path, offsets, ref_ctr_offsets, cookies;
	uint32_t cnt, multi_flags, pid;
} __attribute__((aligned(8)));

/* A link of prog_fd at offset in path (pid 0: every process); its fd or -errno. */
static int sensor_uprobe_multi_link(int prog_fd, const char *path, uint64_t offset, bool retprobe,
				    uint32_t pid)
{
	struct sensor_uprobe_multi_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_fd = (uint32_t)prog_fd;
	a.attach_type = SENSOR_UPROBE_MULTI;
	a.path = (uintptr_t)path;
	a.offsets = (uintptr_t)&offset;
	a.cnt = 1;
	a.multi_flags = retprobe ? SENSOR_UPROBE_MULTI_RETURN : 0;
	a.pid = pid;
	fd = (int)syscall(__NR_bpf, BPF_LINK_CREATE, &a, sizeof(a));
	return fd < 0 ? -errno : fd;
}

/*
 * Whether the kernel has uprobe_multi links. They want CAP_BPF and
 * CAP_PERFMON, where perf uprobes want CAP_SYS_ADMIN since Linux 6.16, so
 * the TLS tap uses them where they exist: a link on "/" fails with EBADF
 * there, with EINVAL before 6.6.
 */
static bool sensor_uprobe_multi_supported(void)
{
	const struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = SENSOR_UPROBE_MULTI);
	int prog = bpf_prog_load(BPF_PROG_TYPE_KPROBE, "mw_probe_umulti", "GPL", insns, 2, &o);
	int rc;

	if (prog < 0)
		return false;
	rc = sensor_uprobe_multi_link(prog, "/", 0, false, 0);
	if (rc >= 0)
		close(rc);
	close(prog);
	return rc == -EBADF;
}

/* Set after a load with uprobe_multi programs failed: perf uprobes from then on. */
static bool sensor_no_uprobe_multi;

/*
 * The TLS uprobes load only where the kernel has uprobe (kprobe-type)
 * programs; as uprobe_multi programs where the kernel has those links.
 */
static void sensor_tls_autoload(struct sensor *s)
{
	struct bpf_program *prog;

	s->tls_loaded = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_KPROBE, NULL) == 1;
	s->tls_multi = s->tls_loaded && !sensor_no_uprobe_multi && sensor_uprobe_multi_supported();
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		if (!is_uprobe(prog))
			continue;
		bpf_program__set_autoload(prog, s->tls_loaded);
		if (s->tls_multi)
			bpf_program__set_expected_attach_type(
			    prog, (enum bpf_attach_type)SENSOR_UPROBE_MULTI);
	}
}

/* Set after a load that failed on an io_uring program: none from then on. */
static bool sensor_no_uring;

/*
 * The io_uring programs (bpf/uring.bpf.c) are tp_btf programs on
 * tracepoints that not every kernel has (io_uring compiled out, or older
 * than the request argument): each loads only where the kernel's BTF has
 * its btf_trace_<name> typedef (and, for the open, the 6.0+ request layout). MCPWATCH_NO_URING=1
 * switches both off, as on a kernel without them (tests).
 */
static void sensor_uring_probe(bool *create, bool *complete)
{
	static int have_create = -1, have_complete = -1;
	const char *off = getenv("MCPWATCH_NO_URING");
	struct btf *btf;

	*create = *complete = false;
	if (sensor_no_uring || (off && *off && strcmp(off, "0")))
		return;
	if (have_create < 0) {
		btf = btf__load_vmlinux_btf();
		have_create = btf && btf__find_by_name_kind(btf, "btf_trace_io_uring_create",
							    BTF_KIND_TYPEDEF) > 0;
		/* The request's command data (io_cmd_data, 6.0+) is where the
		 * program finds the open; before it the program would see nothing. */
		have_complete = btf &&
				btf__find_by_name_kind(btf, "btf_trace_io_uring_complete",
						       BTF_KIND_TYPEDEF) > 0 &&
				btf__find_by_name_kind(btf, "io_cmd_data", BTF_KIND_STRUCT) > 0;
		btf__free(btf);
	}
	*create = have_create == 1;
	*complete = have_complete == 1;
}

/* Switches on the programs of backend use, and off those of every other one. */
static void sensor_backend_apply(struct sensor *s, const struct sensor_file_backend *use)
{
	struct bpf_program *prog;

	sensor_uring_probe(&s->uring_create, &s->uring_complete);
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		if (!strcmp(bpf_program__name(prog), "handle_uring_create"))
			bpf_program__set_autoload(prog, s->uring_create);
		else if (!strcmp(bpf_program__name(prog), "handle_uring_complete"))
			bpf_program__set_autoload(prog, s->uring_complete);
		else if (!is_uprobe(prog))
			bpf_program__set_autoload(prog, backend_wants(use, prog));
	}
	s->skel->rodata->open_via_sys_enter = !strcmp(use->file, "raw_tp");
	s->backend = use;
}

/* ------------------------------------------------------------ lifecycle */

/* The kernel wants a power-of-two multiple of the page size. */
static int sensor_ring_size(const struct sensor_opts *opts, size_t *ring, char *err, size_t errlen)
{
	*ring = opts->ringbuf_bytes ? opts->ringbuf_bytes : SENSOR_RINGBUF_DEFAULT;
	if (*ring < (size_t)getpagesize() || (*ring & (*ring - 1)) || *ring > (1u << 30)) {
		snprintf(
		    err, errlen,
		    "ring buffer size %zu is not a power of two between the page size and 1 GiB",
		    *ring);
		return -EINVAL;
	}
	return 0;
}

static int sensor_configure(struct sensor *s, const struct sensor_opts *opts, size_t ring,
			    const struct sensor_file_backend *b, char *err, size_t errlen)
{
	int rc;

	s->skel->rodata->self_tgid = opts->self_tgid;
	s->skel->rodata->tap_early = opts->tap_early;
	s->skel->rodata->pend_hold_ns = opts->pending_ns;
	rc = bpf_map__set_max_entries(s->skel->maps.events, (uint32_t)ring);
	if (rc) {
		snprintf(err, errlen, "setting ring buffer size %zu failed: %s", ring,
			 strerror(-rc));
		return rc;
	}
	sensor_backend_apply(s, b);
	sensor_tls_autoload(s);
	return 0;
}

static int sensor_load(struct sensor *s, char *err, size_t errlen)
{
	int rc;

	sensor_failed_prog[0] = '\0';
	rc = mcpwatch_bpf__load(s->skel);
	if (!rc)
		return 0;
	if (sensor_failed_prog[0])
		snprintf(err, errlen, "loading BPF program '%s' failed: %s%s", sensor_failed_prog,
			 strerror(-rc), sensor_eperm_hint(rc, CAPS_FOR_BPF));
	else
		snprintf(err, errlen, "loading BPF object failed: %s%s", strerror(-rc),
			 sensor_eperm_hint(rc, CAPS_FOR_BPF));
	return rc;
}

/* Attaches one by one, so that a failure names its program. */
static int sensor_attach(struct sensor *s, char *err, size_t errlen)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		struct bpf_link *link;

		/* Uprobes are attached per tapped process (sensor_tap_tls). */
		if (!bpf_program__autoload(prog) || is_uprobe(prog))
			continue;
		if (s->nlinks == SENSOR_LINKS_MAX) {
			snprintf(err, errlen, "too many BPF programs to attach (max %d)",
				 SENSOR_LINKS_MAX);
			return -E2BIG;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			int rc = -errno;

			snprintf(err, errlen, "attaching BPF program '%s' failed: %s%s",
				 bpf_program__name(prog), strerror(-rc),
				 sensor_eperm_hint(rc, CAPS_FOR_BPF));
			return rc;
		}
		s->links[s->nlinks++] = link;
	}
	return 0;
}

static int sensor_record_cb(void *ctx, void *data, size_t size)
{
	struct sensor *s = ctx;

	if (sensor_decode_record(&s->dec, data, size, s->boot_to_real_ns, s->fn, s->arg))
		s->malformed++;
	return 0;
}

/* Undoes sensor_start_backend, leaving s ready for another attempt. */
static void sensor_stop(struct sensor *s)
{
	size_t i;

	ring_buffer__free(s->ring);
	s->ring = NULL;
	for (i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	s->nlinks = 0;
	for (i = 0; i < SENSOR_TLS_MAX; i++)
		sensor_untap_tls(s, s->tls[i].pid);
	mcpwatch_bpf__destroy(s->skel);
	s->skel = NULL;
	s->backend = NULL;
}

/* Opens, configures, loads and attaches everything with file backend b. */
static int sensor_start_backend(struct sensor *s, const struct sensor_opts *opts, size_t ring,
				const struct sensor_file_backend *b, char *err, size_t errlen)
{
	int rc;

	s->skel = mcpwatch_bpf__open();
	if (!s->skel) {
		rc = -errno;
		snprintf(err, errlen, "opening BPF skeleton failed: %s", strerror(-rc));
		return rc;
	}
	rc = sensor_configure(s, opts, ring, b, err, errlen);
	if (!rc)
		rc = sensor_load(s, err, errlen);
	if (!rc)
		rc = sensor_attach(s, err, errlen);
	if (rc)
		return rc;
	s->ring = ring_buffer__new(bpf_map__fd(s->skel->maps.events), sensor_record_cb, s, NULL);
	if (!s->ring) {
		rc = -errno;
		snprintf(err, errlen, "creating ring buffer consumer on map 'events' failed: %s",
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/*
 * MCPWATCH_FILE_BACKEND=fexit|tp|raw_tp and MCPWATCH_IO_BACKEND=tp|raw_tp
 * pin a backend (for tests, or to rule one out on a misbehaving kernel).
 */
static int sensor_backend_pins(const char **file, const char **io, char *err, size_t errlen)
{
	*file = getenv("MCPWATCH_FILE_BACKEND");
	*io = getenv("MCPWATCH_IO_BACKEND");
	if (*file && !**file)
		*file = NULL;
	if (*io && !**io)
		*io = NULL;
	if (*file && strcmp(*file, "fexit") && strcmp(*file, "tp") && strcmp(*file, "raw_tp")) {
		snprintf(err, errlen,
			 "MCPWATCH_FILE_BACKEND=%.32s: unknown file backend (fexit, tp, raw_tp)",
			 *file);
		return -EINVAL;
	}
	if (*io && strcmp(*io, "tp") && strcmp(*io, "raw_tp")) {
		snprintf(err, errlen, "MCPWATCH_IO_BACKEND=%.32s: unknown io backend (tp, raw_tp)",
			 *io);
		return -EINVAL;
	}
	return 0;
}

/*
 * Tries the backends cheapest first. One the kernel refuses (fexit: EPERM
 * under lockdown, ENOTSUPP without ftrace direct calls, ESRCH if
 * do_sys_openat2 was inlined; tp: no tracefs) costs one failed load or
 * attach; the next one starts from a fresh skeleton. The last error is
 * returned.
 */
static int sensor_start(struct sensor *s, const struct sensor_opts *opts, char *err, size_t errlen)
{
	const char *pin_file, *pin_io;
	size_t ring, i;
	int rc;

	rc = sensor_ring_size(opts, &ring, err, errlen);
	if (!rc)
		rc = sensor_backend_pins(&pin_file, &pin_io, err, errlen);
	if (rc)
		return rc;
	rc = -ENOTSUP;
	snprintf(err, errlen, "no backend is supported by this kernel%s",
		 pin_file || pin_io ? " (MCPWATCH_FILE_BACKEND/MCPWATCH_IO_BACKEND pinned one)"
				    : "");
	for (i = 0; i < SENSOR_NBACKENDS; i++) {
		const struct sensor_file_backend *b = &sensor_file_backends[i];

		if ((pin_file && strcmp(pin_file, b->file)) || (pin_io && strcmp(pin_io, b->io)) ||
		    !backend_supported(b))
			continue;
		if (s->skel) {
			if (sensor_verbose)
				fprintf(stderr, "mcpwatch: backend file=%s io=%s unavailable: %s\n",
					s->backend ? s->backend->file : "?",
					s->backend ? s->backend->io : "?", err);
			sensor_stop(s);
		}
		rc = sensor_start_backend(s, opts, ring, b, err, errlen);
		if (rc && s->tls_multi) {
			/*
			 * Perhaps the uprobe_multi programs were refused: the same
			 * backend with perf uprobes tells (a refused fexit is not
			 * their fault, and keeps them for the next backend).
			 */
			sensor_stop(s);
			sensor_no_uprobe_multi = true;
			rc = sensor_start_backend(s, opts, ring, b, err, errlen);
			sensor_no_uprobe_multi = !rc;
			if (!rc && sensor_verbose)
				fprintf(stderr,
					"mcpwatch: uprobe_multi programs refused, perf uprobes "
					"instead\n");
		}
		if (rc && !sensor_no_uring && strstr(err, "'handle_uring_")) {
			/* A kernel whose io_uring tracepoints exist but refuse our
			 * programs: the sensor runs without them (ready record). */
			sensor_stop(s);
			sensor_no_uring = true;
			if (sensor_verbose)
				fprintf(stderr, "mcpwatch: io_uring programs refused: %s\n", err);
			rc = sensor_start_backend(s, opts, ring, b, err, errlen);
		}
		if (!rc)
			return 0;
	}
	if (!s->skel && (sensor_probe_err == -EPERM || sensor_probe_err == -EACCES)) {
		snprintf(err, errlen,
			 "the kernel refused to load even a probe BPF program (%s): a seccomp "
			 "profile that blocks bpf(2), or missing CAP_BPF/CAP_PERFMON",
			 strerror(-sensor_probe_err));
		return sensor_probe_err;
	}
	return rc;
}

int sensor_open(struct sensor **out, const struct sensor_opts *opts, sensor_event_fn fn, void *arg,
		char *err, size_t errlen)
{
	static const struct sensor_opts defaults;
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY}, memlock;
	struct sensor *s;
	int rc;

	if (!out || !fn || !err || !errlen)
		return -EINVAL;
	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (access(SENSOR_BTF_PATH, R_OK)) {
		snprintf(err, errlen, "kernel has no BTF (%s missing)", SENSOR_BTF_PATH);
		return -ENOTSUP;
	}
	sensor_verbose = opts->verbose;
	libbpf_set_print(sensor_libbpf_print);
	/*
	 * Only pre-5.11 kernels charge BPF memory to RLIMIT_MEMLOCK; raising
	 * the hard limit needs CAP_SYS_RESOURCE, which newer kernels do not
	 * need, so a failure is only remembered for the error hint.
	 */
	sensor_memlock_low =
	    setrlimit(RLIMIT_MEMLOCK, &unlimited) != 0 &&
	    (getrlimit(RLIMIT_MEMLOCK, &memlock) != 0 || memlock.rlim_cur != RLIM_INFINITY);
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory allocating the sensor");
		return -ENOMEM;
	}
	s->fn = fn;
	s->arg = arg;
	for (size_t i = 0; i < SENSOR_TLS_MAX; i++)
		for (size_t k = 0; k < SENSOR_TLS_LINKS; k++)
			s->tls[i].fds[k] = -1;
	s->boot_to_real_ns = sensor_boot_to_real_ns();
	rc = sensor_start(s, opts, err, errlen);
	if (rc) {
		sensor_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int sensor_poll(struct sensor *s, int timeout_ms)
{
	int n, m;

	if (!s || !s->ring)
		return -EINVAL;
	n = ring_buffer__poll(s->ring, timeout_ms);
	if (n < 0)
		return n;
	/* Records sent without a wake-up (bpf/common.h: mw_wake_flags) are
	 * taken too, whether or not the wait ended with one. */
	m = ring_buffer__consume(s->ring);
	return m < 0 ? m : n + m;
}

int sensor_fd(const struct sensor *s)
{
	if (!s || !s->ring)
		return -EINVAL;
	return ring_buffer__epoll_fd(s->ring);
}

void sensor_close(struct sensor *s)
{
	if (!s)
		return;
	sensor_stop(s);
	free(s);
}

/* ------------------------------------------------------------ maps */

int sensor_track(struct sensor *s, uint32_t tgid, uint32_t server_tgid)
{
	struct mw_tracked v = {.server_tgid = server_tgid};

	if (!s || !tgid)
		return -EINVAL;
	return bpf_map__update_elem(s->skel->maps.tracked, &tgid, sizeof(tgid), &v, sizeof(v),
				    BPF_ANY);
}

int sensor_untrack(struct sensor *s, uint32_t tgid)
{
	int rc;

	if (!s)
		return -EINVAL;
	rc = bpf_map__delete_elem(s->skel->maps.tracked, &tgid, sizeof(tgid), 0);
	/* Already gone (the kernel drops exited processes): not an error. */
	return rc == -ENOENT ? 0 : rc;
}

int sensor_sniff_done(struct sensor *s, uint32_t tgid)
{
	uint32_t done = MW_SNIFF_DONE;

	if (!s || !tgid)
		return -EINVAL;
	return bpf_map__update_elem(s->skel->maps.sniff, &tgid, sizeof(tgid), &done, sizeof(done),
				    BPF_ANY);
}

int sensor_name_key(const struct sensor_name_match *m, struct mw_name_key *key)
{
	size_t n = m && m->name ? strlen(m->name) : 0;

	if (!n || !key)
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	if (m->exact && n < MW_OPEN_KEY_LEN) {
		memcpy(key->data, m->name, n + 1); /* the NUL ends the component */
		key->prefixlen = (uint32_t)(n + 1) * 8;
		return 0;
	}
	if (n > MW_OPEN_KEY_LEN)
		n = MW_OPEN_KEY_LEN;
	memcpy(key->data, m->name, n);
	key->prefixlen = (uint32_t)n * 8;
	return 0;
}

/* Writes the open_filter value: on or off, with the first2 bitmap of on. */
static int sensor_open_filter_write(struct sensor *s, const struct mw_open_filter *f)
{
	uint32_t zero = 0;

	return bpf_map__update_elem(s->skel->maps.open_filter, &zero, sizeof(zero), f, sizeof(*f),
				    BPF_ANY);
}

/* Marks the first two bytes of key in f->first2 (every second byte for a one-byte key). */
static void sensor_first2_mark(struct mw_open_filter *f, const struct mw_name_key *key)
{
	uint32_t lo = 0, hi = 255, b0 = key->data[0];

	if (key->prefixlen >= 16)
		lo = hi = key->data[1];
	for (uint32_t b1 = lo; b1 <= hi; b1++) {
		uint32_t idx = b0 << 8 | b1;

		f->first2[idx / 64] |= 1ull << (idx % 64);
	}
}

int sensor_set_open_filter(struct sensor *s, bool on, const struct sensor_name_match *m, size_t n)
{
	struct mw_open_filter *f;
	struct mw_name_key key;
	const uint8_t one = 1;
	int rc, fd;

	if (!s || (n && !m))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	/* Off first: while the names change, every open is sent. */
	rc = sensor_open_filter_write(s, f);
	fd = bpf_map__fd(s->skel->maps.open_names);
	for (size_t i = 0; !rc && i <= MW_OPEN_NAMES_MAX; i++) {
		if (bpf_map_get_next_key(fd, NULL, &key))
			break; /* empty */
		if (bpf_map_delete_elem(fd, &key))
			rc = -errno;
	}
	if (!rc && on && n > MW_OPEN_NAMES_MAX)
		rc = -E2BIG;
	for (size_t i = 0; !rc && on && i < n; i++) {
		rc = sensor_name_key(&m[i], &key);
		if (!rc && bpf_map_update_elem(fd, &key, &one, BPF_ANY))
			rc = -errno;
		if (!rc)
			sensor_first2_mark(f, &key);
	}
	if (!rc && on) {
		f->on = 1;
		rc = sensor_open_filter_write(s, f);
	}
	free(f);
	return rc;
}

uint32_t sensor_dev_to_kernel(uint64_t st_dev)
{
	/* The kernel's dev_t: 12 bits of major, 20 of minor. */
	return (uint32_t)((major(st_dev) & 0xfff) << 20 | (minor(st_dev) & 0xfffff));
}

static int inode_key_cmp(const void *a, const void *b)
{
	const struct mw_inode_key *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->dev < y->dev ? -1 : x->dev > y->dev;
}

int sensor_set_secret_inodes(struct sensor *s, const struct sensor_inode *ids, size_t n)
{
	struct mw_inode_key *keys, key, next, *stale = NULL;
	size_t nstale = 0;
	const uint8_t one = 1;
	int fd, rc = 0;
	bool more;

	if (!s || (n && !ids))
		return -EINVAL;
	if (n > MW_SECRET_INODES_MAX)
		return -E2BIG;
	keys = calloc(n ? n : 1, sizeof(*keys));
	stale = calloc(MW_SECRET_INODES_MAX, sizeof(*stale));
	if (!keys || !stale) {
		free(keys);
		free(stale);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct mw_inode_key){.ino = ids[i].ino,
						.dev = sensor_dev_to_kernel(ids[i].dev)};
	qsort(keys, n, sizeof(*keys), inode_key_cmp);
	fd = bpf_map__fd(s->skel->maps.secret_inodes);
	/* Drop the stale ones, then add (room for all n): an entry that
	 * stays is never deleted, so a kept secret is never absent. */
	more = !bpf_map_get_next_key(fd, NULL, &key);
	while (more && nstale < MW_SECRET_INODES_MAX) {
		if (!bsearch(&key, keys, n, sizeof(*keys), inode_key_cmp))
			stale[nstale++] = key;
		more = !bpf_map_get_next_key(fd, &key, &next);
		key = next;
	}
	for (size_t i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	for (size_t i = 0; i < n && !rc; i++)
		if (bpf_map_update_elem(fd, &keys[i], &one, BPF_ANY))
			rc = -errno;
	free(keys);
	free(stale);
	return rc;
}

/* Sets tgid's bit in the kernel's tap prefilter (bits are never cleared). */
static int sensor_tap_filter_add(struct sensor *s, uint32_t tgid)
{
	uint64_t bits[MW_TAP_FILTER_WORDS];
	uint32_t zero = 0;
	int rc = bpf_map__lookup_elem(s->skel->maps.tap_filter, &zero, sizeof(zero), bits,
				      sizeof(bits), 0);

	if (rc)
		return rc;
	bits[(tgid >> 6) & (MW_TAP_FILTER_WORDS - 1)] |= 1ull << (tgid & 63);
	return bpf_map__update_elem(s->skel->maps.tap_filter, &zero, sizeof(zero), bits,
				    sizeof(bits), BPF_ANY);
}

int sensor_tap(struct sensor *s, uint32_t tgid, uint32_t flags)
{
	int rc;

	if (!s || !tgid)
		return -EINVAL;
	if (flags) {
		rc = bpf_map__update_elem(s->skel->maps.tap, &tgid, sizeof(tgid), &flags,
					  sizeof(flags), BPF_ANY);
		return rc ? rc : sensor_tap_filter_add(s, tgid);
	}
	rc = bpf_map__delete_elem(s->skel->maps.tap, &tgid, sizeof(tgid), 0);
	return rc == -ENOENT ? 0 : rc;
}

int sensor_untap_provisional(struct sensor *s, uint32_t tgid)
{
	uint32_t flags = 0;

	if (!s || !tgid)
		return -EINVAL;
	if (bpf_map__lookup_elem(s->skel->maps.tap, &tgid, sizeof(tgid), &flags, sizeof(flags),
				 0) ||
	    !(flags & MW_TAP_PROVISIONAL))
		return 0;
	return sensor_tap(s, tgid, 0);
}

bool sensor_tls_available(const struct sensor *s)
{
	return s && s->tls_loaded;
}

static struct sensor_tls *sensor_tls_slot(struct sensor *s, uint32_t pid)
{
	for (size_t i = 0; i < SENSOR_TLS_MAX; i++)
		if (s->tls[i].pid == pid)
			return &s->tls[i];
	return NULL;
}

/* The functions tapped, each with its entry program; all share one return program. */
static const struct {
	const char *func;
	const char *prog;
} sensor_tls_funcs[] = {
    {"SSL_read", "mw_ssl_read"},
    {"SSL_read_ex", "mw_ssl_read_ex"},
    {"SSL_write", "mw_ssl_write"},
    {"SSL_write_ex", "mw_ssl_write_ex"},
};

/* Attaches prog_name to func in lib_path for pid, as link k of slot. */
static int sensor_tls_attach_one(struct sensor *s, struct sensor_tls *slot, size_t k,
				 const char *prog_name, const char *func, bool retprobe,
				 uint32_t pid, const char *lib_path)
{
	LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = func, .retprobe = retprobe);
	struct bpf_program *prog = bpf_object__find_program_by_name(s->skel->obj, prog_name);
	uint64_t off;
	int rc;

	if (!prog)
		return -ENOENT;
	if (!s->tls_multi) {
		slot->links[k] = bpf_program__attach_uprobe_opts(prog, (pid_t)pid, lib_path, 0, &o);
		return slot->links[k] ? 0 : -errno;
	}
	rc = elfsym_file_offset(lib_path, func, &off);
	if (!rc)
		rc = sensor_uprobe_multi_link(bpf_program__fd(prog), lib_path, off, retprobe, pid);
	if (rc < 0)
		return rc;
	slot->fds[k] = rc;
	return 0;
}

static void sensor_tls_release(struct sensor_tls *slot)
{
	for (size_t i = 0; i < SENSOR_TLS_LINKS; i++) {
		bpf_link__destroy(slot->links[i]);
		slot->links[i] = NULL;
		if (slot->fds[i] >= 0)
			close(slot->fds[i]);
		slot->fds[i] = -1;
	}
	slot->pid = 0;
}

int sensor_tap_tls(struct sensor *s, uint32_t pid, const char *lib_path, char *err, size_t errlen)
{
	struct sensor_tls *slot;
	size_t n = 0;

	if (!s || !pid || !lib_path)
		return -EINVAL;
	if (!s->tls_loaded) {
		snprintf(err, errlen, "this kernel has no uprobe programs");
		return -ENOTSUP;
	}
	if (sensor_tls_slot(s, pid))
		return 0;
	slot = sensor_tls_slot(s, 0);
	if (!slot) {
		snprintf(err, errlen, "TLS tap already on %d processes", SENSOR_TLS_MAX);
		return -ENOSPC;
	}
	for (size_t i = 0; i < sizeof(sensor_tls_funcs) / sizeof(sensor_tls_funcs[0]); i++) {
		const char *func = sensor_tls_funcs[i].func;
		int rc = sensor_tls_attach_one(s, slot, n, sensor_tls_funcs[i].prog, func, false,
					       pid, lib_path);

		if (!rc)
			rc = sensor_tls_attach_one(s, slot, n + 1, "mw_ssl_return", func, true, pid,
						   lib_path);
		if (rc) {
			sensor_tls_release(slot);
			snprintf(err, errlen, "attaching the TLS tap to %s in %.200s failed: %s%s",
				 func, lib_path, strerror(-rc),
				 s->tls_multi ? sensor_eperm_hint(rc, CAPS_FOR_BPF)
					      : sensor_uprobe_hint(rc));
			return rc;
		}
		n += 2;
	}
	slot->pid = pid;
	return 0;
}

void sensor_untap_tls(struct sensor *s, uint32_t pid)
{
	struct sensor_tls *slot;

	if (!s || !pid)
		return;
	slot = sensor_tls_slot(s, pid);
	if (slot)
		sensor_tls_release(slot);
}

/* Sums one per-CPU counter slot; vals is scratch for ncpu values. */
static int sensor_counter_sum(const struct sensor *s, uint32_t idx, uint64_t *vals, int ncpu,
			      uint64_t *sum)
{
	int i, rc;

	rc = bpf_map__lookup_elem(s->skel->maps.counters, &idx, sizeof(idx), vals,
				  sizeof(*vals) * ncpu, 0);
	if (rc)
		return rc;
	*sum = 0;
	for (i = 0; i < ncpu; i++)
		*sum += vals[i];
	return 0;
}

int sensor_counts(const struct sensor *s, struct sensor_counts *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	uint32_t i;
	int rc = 0;

	if (!s || !out)
		return -EINVAL;
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	for (i = 1; i < MW_EV_MAX && !rc; i++) {
		rc = sensor_counter_sum(s, i, vals, ncpu, &out->sent[i]);
		if (!rc)
			rc = sensor_counter_sum(s, MW_CNT_LOST + i, vals, ncpu, &out->lost[i]);
		if (!rc)
			rc = sensor_counter_sum(s, MW_CNT_FILTERED + i, vals, ncpu,
						&out->filtered[i]);
	}
	out->malformed = s->malformed;
	free(vals);
	return rc;
}

const char *sensor_file_backend(const struct sensor *s)
{
	return s && s->backend ? s->backend->file : "none";
}

const char *sensor_io_backend(const struct sensor *s)
{
	return s && s->backend ? s->backend->io : "none";
}

const char *sensor_uring_hooks(const struct sensor *s)
{
	if (!s || !s->uring_create)
		return "none";
	return s->uring_complete ? "tp_btf" : "setup";
}
