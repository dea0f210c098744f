// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests of the sensor's pure parts: path join/normalise and the record
 * decoder, on hand-made ABI records (valid ones with every field checked,
 * truncated or lying ones rejected).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>

#include "sense/sensor.h"

/* What the callback saw, copied out (the event's pointers die with it). */
struct seen {
	int calls;
	struct sensor_event ev;
	char comm[32];
	char exe[8200];
	char path[8200];
	char argv[8][64];
	char laddr[64], raddr[64];
	char data[MW_STDOUT_SAMPLE];
};

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "(null)");
}

static void record_event(const struct sensor_event *ev, void *arg)
{
	struct seen *s = arg;
	int i;

	s->calls++;
	s->ev = *ev;
	switch (ev->type) {
	case MW_EV_EXEC:
		copy_str(s->comm, sizeof(s->comm), ev->exec.comm);
		copy_str(s->exe, sizeof(s->exe), ev->exec.exe);
		for (i = 0; i < ev->exec.argc && i < 8; i++)
			copy_str(s->argv[i], sizeof(s->argv[i]), ev->exec.argv[i]);
		break;
	case MW_EV_OPEN:
		copy_str(s->path, sizeof(s->path), ev->open.path);
		break;
	case MW_EV_LISTEN:
	case MW_EV_CONNECT:
		copy_str(s->laddr, sizeof(s->laddr), ev->sock.laddr);
		copy_str(s->raddr, sizeof(s->raddr), ev->sock.raddr);
		break;
	case MW_EV_STDOUT:
		memcpy(s->data, ev->out.data, ev->out.len);
		break;
	default:
		break;
	}
}

static int64_t boot_to_real_ns(void)
{
	struct timespec b, r;

	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000 + (r.tv_nsec - b.tv_nsec);
}

static void hdr_fill(struct mw_hdr *h, uint16_t type, size_t size)
{
	h->type = type;
	h->size = (uint16_t)size;
	h->tgid = 4242;
	h->pid = 4243;
	h->flags = MW_F_TRACKED;
	h->ts_ns = 123456789000ull;
}

static void assert_hdr(const struct seen *s, enum mw_event_type type)
{
	int64_t delta = s->ev.time_ns - 123456789000ll - boot_to_real_ns();

	assert_int_equal(s->calls, 1);
	assert_int_equal(s->ev.type, type);
	assert_int_equal(s->ev.tgid, 4242);
	assert_int_equal(s->ev.pid, 4243);
	assert_true(s->ev.flags & MW_F_TRACKED);
	/* Converted to CLOCK_REALTIME (within a second of our own offset). */
	assert_true(delta > -1000000000ll && delta < 1000000000ll);
}

/* ------------------------------------------------------------ join */

static void test_join_reverses_components(void **state)
{
	static const char comps[] = "id_rsa\0.ssh\0root\0";
	char out[64];

	assert_int_equal(sensor_path_join(comps, sizeof(comps) - 1, out, sizeof(out)), 17);
	assert_string_equal(out, "/root/.ssh/id_rsa");
}

static void test_join_empty_is_root(void **state)
{
	char out[4];

	assert_int_equal(sensor_path_join("", 0, out, sizeof(out)), 1);
	assert_string_equal(out, "/");
}

static void test_join_unterminated_and_empty_components(void **state)
{
	static const char comps[] = "b\0\0a";
	char out[16];

	assert_int_equal(sensor_path_join(comps, sizeof(comps) - 1, out, sizeof(out)), 4);
	assert_string_equal(out, "/a/b");
}

static void test_join_rejects_small_buffer(void **state)
{
	static const char comps[] = "file\0dir\0";
	char out[16];

	assert_int_equal(sensor_path_join(comps, sizeof(comps) - 1, out, 9), -1);
	assert_int_equal(sensor_path_join(comps, sizeof(comps) - 1, out, 10), 9);
	assert_string_equal(out, "/dir/file");
	assert_int_equal(sensor_path_join(comps, sizeof(comps) - 1, out, 1), -1);
	assert_int_equal(sensor_path_join(NULL, 3, out, sizeof(out)), -1);
}

/* ------------------------------------------------------------ normalise */

static void assert_normalised(const char *in, const char *want)
{
	char out[64];

	assert_int_equal(sensor_path_normalise(in, out, sizeof(out)), (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_normalise(void **state)
{
	assert_normalised("/", "/");
	assert_normalised("/a/./b/../c", "/a/c");
	assert_normalised("//a//b/", "/a/b");
	assert_normalised("/../..", "/");
	assert_normalised("/a/b/../../..", "/");
	assert_normalised("/a/..b/.c/...", "/a/..b/.c/...");
	assert_normalised("/home/u/./.ssh/../.ssh/id_rsa", "/home/u/.ssh/id_rsa");
}

static void test_normalise_rejects(void **state)
{
	char out[8];

	assert_int_equal(sensor_path_normalise("relative/x", out, sizeof(out)), -1);
	assert_int_equal(sensor_path_normalise("", out, sizeof(out)), -1);
	assert_int_equal(sensor_path_normalise("/abcdefgh", out, sizeof(out)), -1);
	assert_int_equal(sensor_path_normalise("/abcdef", out, sizeof(out)), 7);
	assert_int_equal(sensor_path_normalise("/a", out, 1), -1);
	assert_int_equal(sensor_path_normalise(NULL, out, sizeof(out)), -1);
}

/* ------------------------------------------------------------ exec */

/* An exec record as the kernel builds it; returns the bytes to send. */
static size_t exec_make(struct mw_exec *e, const char *exe, size_t exe_len, const char *args,
			size_t args_len)
{
	size_t size = offsetof(struct mw_exec, data) + exe_len + args_len;

	memset(e, 0, sizeof(*e));
	hdr_fill(&e->h, MW_EV_EXEC, size);
	e->ppid = 1;
	e->uid = 1000;
	e->gid = 1001;
	e->exe_len = exe_len;
	e->args_len = args_len;
	e->server_tgid = 4000;
	e->cgroup_id = 77;
	e->start_ns = 5555;
	memcpy(e->comm, "python3-with-lon", MW_COMM_LEN); /* no NUL: 16 bytes */
	memcpy(e->data, exe, exe_len);
	memcpy(e->data + exe_len, args, args_len);
	return size;
}

static void test_decode_exec(void **state)
{
	static const char exe[] = "python3.11\0bin\0usr\0";
	static const char args[] = "python3\0-m\0\0server";
	struct mw_exec *e = calloc(1, sizeof(*e));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size = exec_make(e, exe, sizeof(exe) - 1, args, sizeof(args) - 1);

	assert_int_equal(sensor_decode(e, size, record_event, s), 0);
	assert_hdr(s, MW_EV_EXEC);
	assert_int_equal(s->ev.server_tgid, 4000);
	assert_int_equal(s->ev.exec.ppid, 1);
	assert_int_equal(s->ev.exec.uid, 1000);
	assert_int_equal(s->ev.exec.gid, 1001);
	assert_int_equal(s->ev.exec.cgroup_id, 77);
	assert_int_equal(s->ev.exec.start_ns, 5555);
	assert_string_equal(s->comm, "python3-with-lon");
	assert_string_equal(s->exe, "/usr/bin/python3.11");
	/* The last argument was cut (no NUL) and is still decoded. */
	assert_int_equal(s->ev.exec.argc, 4);
	assert_string_equal(s->argv[0], "python3");
	assert_string_equal(s->argv[1], "-m");
	assert_string_equal(s->argv[2], "");
	assert_string_equal(s->argv[3], "server");
	free(e);
	free(s);
}

static void test_decode_exec_unknown_exe_no_args(void **state)
{
	struct mw_exec *e = calloc(1, sizeof(*e));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size = exec_make(e, "", 0, "", 0);

	assert_int_equal(sensor_decode(e, size, record_event, s), 0);
	assert_string_equal(s->exe, "");
	assert_int_equal(s->ev.exec.argc, 0);
	free(e);
	free(s);
}

static void test_decode_exec_many_args_bounded(void **state)
{
	struct mw_exec *e = calloc(1, sizeof(*e));
	struct seen *s = calloc(1, sizeof(*s));
	char args[MW_ARGS_MAX];
	size_t size;

	/* 2048 one-letter arguments: more than the decoder keeps. */
	memset(args, 0, sizeof(args));
	for (size_t i = 0; i < sizeof(args); i += 2)
		args[i] = 'x';
	size = exec_make(e, "sh\0", 3, args, sizeof(args));
	assert_int_equal(sensor_decode(e, size, record_event, s), 0);
	assert_true(s->ev.exec.argc > 0 && s->ev.exec.argc < 2048);
	assert_true(s->ev.flags & MW_F_ARGS_TRUNC);
	free(e);
	free(s);
}

static void test_decode_exec_rejects_lies(void **state)
{
	struct mw_exec *e = calloc(1, sizeof(*e));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size = exec_make(e, "sh\0bin\0", 7, "sh\0", 3);

	/* Received fewer bytes than the header says. */
	assert_int_equal(sensor_decode(e, size - 1, record_event, s), -EBADMSG);
	/* Header says fewer bytes than the lengths need. */
	e->h.size = size - 1;
	assert_int_equal(sensor_decode(e, size - 1, record_event, s), -EBADMSG);
	e->h.size = size;
	/* Lengths beyond the ABI maxima. */
	e->exe_len = MW_PATH_MAX + 1;
	assert_int_equal(sensor_decode(e, size, record_event, s), -EBADMSG);
	e->exe_len = 7;
	e->args_len = 0xffffffffu;
	assert_int_equal(sensor_decode(e, size, record_event, s), -EBADMSG);
	e->args_len = 3;
	/* Shorter than the fixed part. */
	e->h.size = 40;
	assert_int_equal(sensor_decode(e, 40, record_event, s), -EBADMSG);
	assert_int_equal(s->calls, 0);
	e->h.size = size;
	assert_int_equal(sensor_decode(e, size, record_event, s), 0);
	assert_int_equal(s->calls, 1);
	free(e);
	free(s);
}

/* ------------------------------------------------------------ fork, exit */

static void test_decode_fork_exit(void **state)
{
	struct seen s = {0};
	struct mw_fork f = {0};
	struct mw_exit x = {0};

	hdr_fill(&f.h, MW_EV_FORK, sizeof(f));
	f.ppid = 99;
	f.server_tgid = 98;
	f.start_ns = 97;
	assert_int_equal(sensor_decode(&f, sizeof(f), record_event, &s), 0);
	assert_hdr(&s, MW_EV_FORK);
	assert_int_equal(s.ev.fork.ppid, 99);
	assert_int_equal(s.ev.server_tgid, 98);
	assert_int_equal(s.ev.fork.start_ns, 97);

	memset(&s, 0, sizeof(s));
	hdr_fill(&x.h, MW_EV_EXIT, sizeof(x));
	x.exit_code = 3 << 8;
	assert_int_equal(sensor_decode(&x, sizeof(x), record_event, &s), 0);
	assert_hdr(&s, MW_EV_EXIT);
	assert_int_equal(s.ev.exit.exit_code, 768);

	memset(&s, 0, sizeof(s));
	x.h.size = sizeof(x) - 1;
	assert_int_equal(sensor_decode(&x, sizeof(x) - 1, record_event, &s), -EBADMSG);
	f.h.size = sizeof(f) + 8;
	assert_int_equal(sensor_decode(&f, sizeof(f), record_event, &s), -EBADMSG);
	assert_int_equal(s.calls, 0);
}

static void test_decode_uring(void **state)
{
	struct seen s = {0};
	struct mw_uring u = {0};

	hdr_fill(&u.h, MW_EV_URING, sizeof(u));
	u.fd = 5;
	u.sq_entries = 4;
	u.cq_entries = 8;
	u.setup_flags = 2;
	u.server_tgid = 4000;
	assert_int_equal(sensor_decode(&u, sizeof(u), record_event, &s), 0);
	assert_hdr(&s, MW_EV_URING);
	assert_int_equal(s.ev.server_tgid, 4000);
	assert_int_equal(s.ev.uring.fd, 5);
	assert_int_equal(s.ev.uring.sq_entries, 4);
	assert_int_equal(s.ev.uring.cq_entries, 8);
	assert_int_equal(s.ev.uring.setup_flags, 2);

	/* A record of another size is rejected, whatever its header claims. */
	memset(&s, 0, sizeof(s));
	u.h.size = sizeof(u) - 4;
	assert_int_equal(sensor_decode(&u, sizeof(u) - 4, record_event, &s), -EBADMSG);
	assert_int_equal(s.calls, 0);
}

/* ------------------------------------------------------------ open */

static size_t open_make(struct mw_open *o, uint32_t flags, const char *path, size_t path_len,
			const char *base, size_t base_len)
{
	size_t size =
	    offsetof(struct mw_open, data) + (base_len ? MW_PATH_MAX + base_len : path_len);

	memset(o, 0, sizeof(*o));
	hdr_fill(&o->h, MW_EV_OPEN, size);
	o->h.flags |= flags;
	o->ret = flags & MW_F_PATH_RAW ? -ENOENT : 5;
	o->dfd = -100;
	o->oflags = 0101;
	o->mode = 0600;
	o->path_len = path_len;
	o->base_len = base_len;
	o->server_tgid = 4000;
	memcpy(o->data, path, path_len);
	memcpy(o->data + MW_PATH_MAX, base, base_len);
	return size;
}

static void test_decode_open_resolved(void **state)
{
	static const char path[] = "id_rsa\0.ssh\0alice\0home\0";
	struct mw_open *o = calloc(1, sizeof(*o));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size = open_make(o, 0, path, sizeof(path) - 1, "", 0);

	o->ino = 1311001;
	o->dev = 259u << 20 | 3; /* the kernel's encoding of 259:3 */
	o->h.flags |= MW_F_INODE_HIT;
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_hdr(s, MW_EV_OPEN);
	assert_string_equal(s->path, "/home/alice/.ssh/id_rsa");
	assert_int_equal(s->ev.open.ret, 5);
	assert_int_equal(s->ev.open.oflags, 0101);
	assert_int_equal(s->ev.open.mode, 0600);
	assert_int_equal(s->ev.server_tgid, 4000);
	/* stat(2)'s encoding, whatever the kernel's. */
	assert_int_equal(s->ev.open.ino, 1311001);
	assert_int_equal(s->ev.open.dev, makedev(259, 3));
	assert_true(s->ev.flags & MW_F_INODE_HIT);
	assert_int_equal(sensor_dev_to_kernel(makedev(259, 3)), 259u << 20 | 3);
	assert_int_equal(sensor_dev_from_kernel(sensor_dev_to_kernel(makedev(8, 1048575))),
			 makedev(8, 1048575));
	free(o);
	free(s);
}

static void test_decode_open_raw(void **state)
{
	static const char base[] = "work\0alice\0home\0";
	struct mw_open *o = calloc(1, sizeof(*o));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size;

	/* Relative to the base dir, with dot segments resolved. */
	size = open_make(o, MW_F_PATH_RAW, "./x/../missing.txt", 19, base, sizeof(base) - 1);
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_string_equal(s->path, "/home/alice/work/missing.txt");
	assert_int_equal(s->ev.open.ret, -ENOENT);
	assert_true(s->ev.flags & MW_F_PATH_RAW);

	/* Absolute string: base ignored. */
	memset(s, 0, sizeof(*s));
	size = open_make(o, MW_F_PATH_RAW, "/etc//shadow", 13, "", 0);
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_string_equal(s->path, "/etc/shadow");

	/* Relative with no base (bad dirfd): left as given. */
	memset(s, 0, sizeof(*s));
	size = open_make(o, MW_F_PATH_RAW, "rel/x", 6, "", 0);
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_string_equal(s->path, "rel/x");

	/* String without its NUL (cut by the kernel at path_len). */
	memset(s, 0, sizeof(*s));
	size = open_make(o, MW_F_PATH_RAW, "/tmp/abc", 5, "", 0);
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_string_equal(s->path, "/tmp");
	free(o);
	free(s);
}

static void test_decode_open_rejects_lies(void **state)
{
	struct mw_open *o = calloc(1, sizeof(*o));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size = open_make(o, 0, "f\0", 2, "", 0);

	/* A base dir is only meaningful for a raw path. */
	o->base_len = 4;
	o->h.size = offsetof(struct mw_open, data) + MW_PATH_MAX + 4;
	assert_int_equal(sensor_decode(o, o->h.size, record_event, s), -EBADMSG);
	o->base_len = 0;
	o->h.size = size;
	o->path_len = MW_PATH_MAX + 1;
	assert_int_equal(sensor_decode(o, size, record_event, s), -EBADMSG);
	o->path_len = 3;
	assert_int_equal(sensor_decode(o, size, record_event, s), -EBADMSG);
	o->path_len = 2;
	assert_int_equal(sensor_decode(o, 20, record_event, s), -EBADMSG);
	assert_int_equal(s->calls, 0);
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_string_equal(s->path, "/f");
	free(o);
	free(s);
}

/* ------------------------------------------------------------ sockets */

static void test_decode_sock(void **state)
{
	struct seen s = {0};
	struct mw_sock r = {0};

	hdr_fill(&r.h, MW_EV_LISTEN, sizeof(r));
	r.family = MW_AF_INET;
	r.protocol = MW_IPPROTO_TCP;
	r.lport = 8080;
	r.state = 1;
	r.sock_cookie = 0xabcdef;
	inet_pton(AF_INET, "127.0.0.1", r.laddr);
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), 0);
	assert_hdr(&s, MW_EV_LISTEN);
	assert_int_equal(s.ev.sock.family, AF_INET);
	assert_string_equal(s.laddr, "127.0.0.1");
	assert_string_equal(s.raddr, "0.0.0.0");
	assert_int_equal(s.ev.sock.lport, 8080);
	assert_true(s.ev.sock.listening);
	assert_int_equal(s.ev.sock.protocol, IPPROTO_TCP);
	assert_false(s.ev.sock.v6only);
	assert_int_equal(s.ev.sock.sock_cookie, 0xabcdef);

	memset(&s, 0, sizeof(s));
	hdr_fill(&r.h, MW_EV_CONNECT, sizeof(r));
	r.family = MW_AF_INET6;
	r.state = 0;
	r.rport = 443;
	r.server_tgid = 4000;
	inet_pton(AF_INET6, "::1", r.laddr);
	inet_pton(AF_INET6, "2001:db8::7", r.raddr);
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), 0);
	assert_int_equal(s.ev.type, MW_EV_CONNECT);
	assert_int_equal(s.ev.sock.family, AF_INET6);
	assert_string_equal(s.laddr, "::1");
	assert_string_equal(s.raddr, "2001:db8::7");
	assert_int_equal(s.ev.sock.rport, 443);
	assert_false(s.ev.sock.listening);
	assert_int_equal(s.ev.server_tgid, 4000);

	memset(&s, 0, sizeof(s));
	r.family = 1; /* AF_UNIX is not ours */
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), -EBADMSG);
	assert_int_equal(s.calls, 0);
}

/* A UDP bind of "::" with IPV6_V6ONLY, and the records that cannot be. */
static void test_decode_sock_udp_v6only(void **state)
{
	struct seen s = {0};
	struct mw_sock r = {0};

	hdr_fill(&r.h, MW_EV_LISTEN, sizeof(r));
	r.h.flags |= MW_F_V6ONLY;
	r.family = MW_AF_INET6;
	r.protocol = MW_IPPROTO_UDP;
	r.lport = 5353;
	r.state = 1;
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), 0);
	assert_int_equal(s.ev.sock.protocol, IPPROTO_UDP);
	assert_true(s.ev.sock.v6only);
	assert_true(s.ev.sock.listening);
	assert_string_equal(s.laddr, "::");
	assert_int_equal(s.ev.sock.lport, 5353);

	r.protocol = 0; /* neither TCP nor UDP */
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), -EBADMSG);
	r.protocol = MW_IPPROTO_UDP;
	r.state = 0; /* no close is ever sent for UDP */
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), -EBADMSG);
	r.state = 1;
	r.h.type = MW_EV_CONNECT; /* UDP connects are not reported */
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), -EBADMSG);
	r.h.type = MW_EV_LISTEN;
	r.family = MW_AF_INET; /* V6ONLY on IPv4 */
	assert_int_equal(sensor_decode(&r, sizeof(r), record_event, &s), -EBADMSG);
	assert_int_equal(s.calls, 1);
}

/* ------------------------------------------------------------ stdout */

static void test_decode_stdout(void **state)
{
	static const char json[] = "{\"jsonrpc\":\"2.0\",\"id\":0}";
	struct mw_stdout *o = calloc(1, sizeof(*o));
	struct seen *s = calloc(1, sizeof(*s));
	size_t size = offsetof(struct mw_stdout, data) + sizeof(json) - 1;

	hdr_fill(&o->h, MW_EV_STDOUT, size);
	o->fd = 1;
	o->len = sizeof(json) - 1;
	o->count = 4000;
	memcpy(o->data, json, sizeof(json) - 1);
	assert_int_equal(sensor_decode(o, size, record_event, s), 0);
	assert_hdr(s, MW_EV_STDOUT);
	assert_int_equal(s->ev.out.fd, 1);
	assert_int_equal(s->ev.out.len, sizeof(json) - 1);
	assert_int_equal(s->ev.out.count, 4000);
	assert_memory_equal(s->data, json, sizeof(json) - 1);

	o->len = MW_STDOUT_SAMPLE + 1;
	assert_int_equal(sensor_decode(o, size, record_event, s), -EBADMSG);
	free(o);
	free(s);
}

/* ------------------------------------------------------------ headers */

static void test_decode_rejects_bad_headers(void **state)
{
	struct seen s = {0};
	struct mw_exit x = {0};

	assert_int_equal(sensor_decode(NULL, 0, record_event, &s), -EBADMSG);
	assert_int_equal(sensor_decode(&x, 3, record_event, &s), -EBADMSG);
	hdr_fill(&x.h, 0, sizeof(x));
	assert_int_equal(sensor_decode(&x, sizeof(x), record_event, &s), -EBADMSG);
	hdr_fill(&x.h, MW_EV_MAX, sizeof(x));
	assert_int_equal(sensor_decode(&x, sizeof(x), record_event, &s), -EBADMSG);
	hdr_fill(&x.h, 0xffff, sizeof(x));
	assert_int_equal(sensor_decode(&x, sizeof(x), record_event, &s), -EBADMSG);
	assert_int_equal(s.calls, 0);
	/* A NULL callback is allowed (validation only). */
	hdr_fill(&x.h, MW_EV_EXIT, sizeof(x));
	assert_int_equal(sensor_decode(&x, sizeof(x), NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_join_reverses_components),
	    cmocka_unit_test(test_join_empty_is_root),
	    cmocka_unit_test(test_join_unterminated_and_empty_components),
	    cmocka_unit_test(test_join_rejects_small_buffer),
	    cmocka_unit_test(test_normalise),
	    cmocka_unit_test(test_normalise_rejects),
	    cmocka_unit_test(test_decode_exec),
	    cmocka_unit_test(test_decode_exec_unknown_exe_no_args),
	    cmocka_unit_test(test_decode_exec_many_args_bounded),
	    cmocka_unit_test(test_decode_exec_rejects_lies),
	    cmocka_unit_test(test_decode_fork_exit),
	    cmocka_unit_test(test_decode_uring),
	    cmocka_unit_test(test_decode_open_resolved),
	    cmocka_unit_test(test_decode_open_raw),
	    cmocka_unit_test(test_decode_open_rejects_lies),
	    cmocka_unit_test(test_decode_sock),
	    cmocka_unit_test(test_decode_sock_udp_v6only),
	    cmocka_unit_test(test_decode_stdout),
	    cmocka_unit_test(test_decode_rejects_bad_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
