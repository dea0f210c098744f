// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/sense/procfs.c: parsers, a fixture /proc tree, and the real /proc. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sense/procfs.h"

#define ID_A "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"

/* stat fields 3..22 and a few after, as a user process has them (flags 0x400100). */
#define STAT_TAIL " S 1 1234 1234 0 -1 4194560 1500 0 0 0 10 5 0 0 20 0 1 0 123456 9000 300\n"
/* a kernel thread: flags 0x4208040 include PF_KTHREAD */
#define KSTAT_TAIL " I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 7 0 0\n"

/* ---------------------------------------------------------------- fixture */

static char root[PATH_MAX];

static void write_file(const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX * 2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void write_text(const char *rel, const char *text)
{
	write_file(rel, text, strlen(text));
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void make_link(const char *target, const char *rel)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int make_root(void **state)
{
	snprintf(root, sizeof(root), "/tmp/mw-procfs-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int remove_root(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

/* ---------------------------------------------------------------- stat */

static void test_parse_stat_plain(void **state)
{
	const char *s = "1234 (python3)" STAT_TAIL;
	struct proc_stat st;
	char err[128];

	assert_int_equal(procfs_parse_stat(s, strlen(s), &st, err, sizeof(err)), 0);
	assert_int_equal(st.pid, 1234);
	assert_string_equal(st.comm, "python3");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.flags, 4194560);
	assert_int_equal(st.start_ticks, 123456);
}

static void test_parse_stat_comm_with_paren_and_space(void **state)
{
	const char *s = "77 (a) b (c)) x)" STAT_TAIL;
	struct proc_stat st;
	char err[128];

	assert_int_equal(procfs_parse_stat(s, strlen(s), &st, err, sizeof(err)), 0);
	assert_string_equal(st.comm, "a) b (c)) x");
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.start_ticks, 123456);
}

static void test_parse_stat_long_comm_cut(void **state)
{
	const char *s = "9 (kworker/u16:2-events_unbound)" KSTAT_TAIL;
	struct proc_stat st;
	char err[128];

	assert_int_equal(procfs_parse_stat(s, strlen(s), &st, err, sizeof(err)), 0);
	assert_string_equal(st.comm, "kworker/u16:2-e");
	assert_true(st.flags & 0x00200000);
}

static void test_parse_stat_errors(void **state)
{
	static const struct {
		const char *text, *reason;
	} bad[] = {
	    {"1234 python3 S 1", "no '(comm)'"},
	    {"12a4 (x)" STAT_TAIL, "field 1 (pid)"},
	    {"(x)" STAT_TAIL, "field 1 (pid)"},
	    {"1 (x) S 1 2 3\n", "only 6 fields"},
	    {"1 (x) S -1 1234 1234 0 -1 4194560 1500 0 0 0 10 5 0 0 20 0 1 0 5\n", "field 4 '-1'"},
	    {"1 (x) S 1 1234 1234 0 -1 4194560 1500 0 0 0 10 5 0 0 20 0 1 0 99999999999999999999\n",
	     "field 22"},
	    {"1 (x) S\n1 1234 1234 0 -1 4194560 1500 0 0 0 10 5 0 0 20 0 1 0 5\n", "only 3 fields"},
	};
	struct proc_stat st;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
		    procfs_parse_stat(bad[i].text, strlen(bad[i].text), &st, err, sizeof(err)),
		    -EINVAL);
		if (!strstr(err, bad[i].reason))
			fail_msg("case %zu: reason '%s' lacks '%s'", i, err, bad[i].reason);
	}
}

static void test_parse_stat_bounded(void **state)
{
	/* The parser must not look past len even when more text follows. */
	const char *s = "1234 (python3)" STAT_TAIL;
	struct proc_stat st;

	assert_int_equal(procfs_parse_stat(s, 30, &st, NULL, 0), -EINVAL);
}

static void test_ticks_to_ns(void **state)
{
	assert_int_equal(procfs_ticks_to_ns(123456, 100), 1234560000000ull);
	assert_int_equal(procfs_ticks_to_ns(3, 1000), 3000000ull);
	assert_int_equal(procfs_ticks_to_ns(UINT64_MAX, 100), UINT64_MAX);
	assert_int_equal(procfs_ticks_to_ns(1, 0), UINT64_MAX);
}

/* ---------------------------------------------------------------- status, cmdline */

static void test_parse_status_uid(void **state)
{
	const char *s = "Name:\tpython3\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1234\n"
			"PPid:\t1\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
	char err[128];
	uint32_t uid = 7;

	assert_int_equal(procfs_parse_status_uid(s, strlen(s), &uid, err, sizeof(err)), 0);
	assert_int_equal(uid, 1000); /* real uid, not the effective 0 */

	s = "Name:\tx\nGid:\t0\t0\t0\t0\n";
	assert_int_equal(procfs_parse_status_uid(s, strlen(s), &uid, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no Uid line"));
	s = "Uid:\tnobody\n";
	assert_int_equal(procfs_parse_status_uid(s, strlen(s), &uid, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Uid line"));
}

static void test_parse_cmdline(void **state)
{
	static const char cmd[] = "python3\0-m\0\0server.py\0";
	char **argv;
	int argc;

	assert_int_equal(procfs_parse_cmdline(cmd, sizeof(cmd) - 1, &argv, &argc), 0);
	assert_int_equal(argc, 4);
	assert_string_equal(argv[0], "python3");
	assert_string_equal(argv[1], "-m");
	assert_string_equal(argv[2], "");
	assert_string_equal(argv[3], "server.py");
	assert_null(argv[4]);
	free(argv);

	/* setproctitle-style rewrite: one string, no trailing NUL */
	assert_int_equal(procfs_parse_cmdline("nginx: worker", 13, &argv, &argc), 0);
	assert_int_equal(argc, 1);
	assert_string_equal(argv[0], "nginx: worker");
	free(argv);

	assert_int_equal(procfs_parse_cmdline("", 0, &argv, &argc), 0);
	assert_int_equal(argc, 0);
	assert_null(argv);
}

/* ---------------------------------------------------------------- read_process */

static void make_process(const char *pid, const char *stat, const char *cmdline, size_t cmdlen,
			 const char *exe, const char *cgroup)
{
	char rel[64];

	make_dir(pid);
	snprintf(rel, sizeof(rel), "%s/stat", pid);
	write_text(rel, stat);
	snprintf(rel, sizeof(rel), "%s/status", pid);
	write_text(rel, "Name:\tx\nUid:\t1001\t1001\t1001\t1001\n");
	snprintf(rel, sizeof(rel), "%s/cmdline", pid);
	write_file(rel, cmdline, cmdlen);
	snprintf(rel, sizeof(rel), "%s/cgroup", pid);
	write_text(rel, cgroup);
	if (exe) {
		snprintf(rel, sizeof(rel), "%s/exe", pid);
		make_link(exe, rel);
	}
}

static void test_read_process_fixture(void **state)
{
	static const char cmd[] = "/usr/bin/python3\0server.py\0--port\0008080\0";
	struct proc_info info;
	char err[256];

	make_process("1234", "1234 (python3)" STAT_TAIL, cmd, sizeof(cmd) - 1,
		     "/usr/bin/python3.11 (deleted)", "0::/system.slice/docker-" ID_A ".scope\n");
	assert_int_equal(procfs_read_process(root, 1234, &info, err, sizeof(err)), 0);
	assert_int_equal(info.tgid, 1234);
	assert_int_equal(info.ppid, 1);
	assert_int_equal(info.uid, 1001);
	assert_int_equal(info.state, 'S');
	assert_false(info.kernel_thread);
	assert_string_equal(info.comm, "python3");
	assert_string_equal(info.exe, "/usr/bin/python3.11");
	assert_int_equal(info.argc, 4);
	assert_string_equal(info.argv[1], "server.py");
	assert_string_equal(info.argv[3], "8080");
	assert_string_equal(info.container_id, ID_A);
	assert_string_equal(info.container_runtime, "docker");
	assert_string_equal(info.pod_uid, "");
	assert_int_equal(info.start_ns, procfs_ticks_to_ns(123456, sysconf(_SC_CLK_TCK)));
	procfs_free_process(&info);
	assert_null(info.argv);
}

static void test_read_process_kernel_thread(void **state)
{
	struct proc_info info;
	char err[256];

	make_process("9", "9 (kworker/0:1)" KSTAT_TAIL, "", 0, NULL, "0::/\n");
	assert_int_equal(procfs_read_process(root, 9, &info, err, sizeof(err)), 0);
	assert_true(info.kernel_thread);
	assert_int_equal(info.argc, 0);
	assert_string_equal(info.exe, "");
	assert_string_equal(info.container_id, "");
	assert_null(info.container_runtime);
	procfs_free_process(&info);

	/* no PF_KTHREAD flag, but no cmdline and no exe either */
	make_process("10", "10 (ghost)" STAT_TAIL, "", 0, NULL, "0::/\n");
	assert_int_equal(procfs_read_process(root, 10, &info, err, sizeof(err)), 0);
	assert_true(info.kernel_thread);
	procfs_free_process(&info);
}

static void test_read_process_gone_and_bad(void **state)
{
	struct proc_info info;
	char err[256];

	assert_int_equal(procfs_read_process(root, 4242, &info, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/4242"));

	make_process("77", "77 (x) S garbage\n", "x", 2, "/bin/x", "0::/\n");
	assert_int_equal(procfs_read_process(root, 77, &info, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/77/stat: "));
	assert_null(info.argv);
}

static void test_read_process_long_cmdline_cut(void **state)
{
	size_t len = PROCFS_CMDLINE_MAX + 5000;
	char *cmd = malloc(len);
	struct proc_info info;
	char err[256];

	assert_non_null(cmd);
	memset(cmd, 'a', len);
	cmd[3] = '\0';
	make_process("55", "55 (big)" STAT_TAIL, cmd, len, "/bin/big", "0::/\n");
	free(cmd);
	assert_int_equal(procfs_read_process(root, 55, &info, err, sizeof(err)), 0);
	assert_int_equal(info.argc, 2);
	assert_int_equal(strlen(info.argv[1]), PROCFS_CMDLINE_MAX - 4);
	procfs_free_process(&info);
}

static void test_list_pids(void **state)
{
	uint32_t *pids;
	size_t n;
	char err[256];

	make_dir("42");
	make_dir("7");
	make_dir("100");
	make_dir("007");
	make_dir("abc");
	make_dir("12x");
	make_dir("99999999999");
	make_link("42", "self");
	assert_int_equal(procfs_list_pids(root, &pids, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 7);
	assert_int_equal(pids[1], 42);
	assert_int_equal(pids[2], 100);
	free(pids);

	assert_int_equal(procfs_list_pids("/nonexistent-mw", &pids, &n, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent-mw"));
}

/* ---------------------------------------------------------------- net/tcp */

#define TCP_HEADER                                                                                 \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "      \
	"timeout inode\n"
#define TCP6_HEADER                                                                                \
	"  sl  local_address                         remote_address                        st "    \
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"

static const char net_tcp[] = TCP_HEADER
    "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0   "
    "     0 1111 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000   "
    "     0 5555 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0100007F:1F90 0100007F:D3B2 01 00000000:00000000 00:00000000 00000000     0   "
    "     0 6666 1 0000000000000000 20 4 30 10 -1\n";

static const char net_tcp6[] = TCP6_HEADER
    "   0: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 2222 1 0000000000000000 100 0 0 10 0\n"
    "   1: 0000000000000000FFFF00000100007F:2710 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0\n"
    "   2: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 4444 1 0000000000000000 100 0 0 10 0\n"
    "   3: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 7777 1 0000000000000000 100 0 0 10 0";

struct collected {
	struct proc_listener l[8];
	int n;
};

static int collect(const struct proc_listener *l, void *arg)
{
	struct collected *c = arg;

	if (c->n < 8)
		c->l[c->n++] = *l;
	return 0;
}

static void test_parse_net_tcp4(void **state)
{
	struct collected c = {.n = 0};
	char err[256];

	assert_int_equal(
	    procfs_parse_net_tcp(net_tcp, strlen(net_tcp), AF_INET, collect, &c, err, sizeof(err)),
	    2);
	assert_int_equal(c.l[0].family, AF_INET);
	assert_string_equal(c.l[0].addr, "0.0.0.0");
	assert_int_equal(c.l[0].port, 8080);
	assert_int_equal(c.l[0].inode, 1111);
	assert_int_equal(c.l[0].tgid, 0);
	assert_string_equal(c.l[1].addr, "127.0.0.1");
	assert_int_equal(c.l[1].port, 3306);
}

static void test_parse_net_tcp6(void **state)
{
	struct collected c = {.n = 0};
	char err[256];

	assert_int_equal(procfs_parse_net_tcp(net_tcp6, strlen(net_tcp6), AF_INET6, collect, &c,
					      err, sizeof(err)),
			 4);
	assert_int_equal(c.l[0].family, AF_INET6);
	assert_string_equal(c.l[0].addr, "::");
	assert_int_equal(c.l[0].port, 443);
	assert_int_equal(c.l[1].family, AF_INET); /* IPv4-mapped */
	assert_string_equal(c.l[1].addr, "127.0.0.1");
	assert_int_equal(c.l[1].port, 10000);
	assert_string_equal(c.l[2].addr, "::1");
	assert_string_equal(c.l[3].addr, "2001:db8::1"); /* last line without '\n' */
	assert_int_equal(c.l[3].port, 80);
}

static void test_parse_net_tcp_malformed(void **state)
{
	static const char *const bad[] = {
	    TCP_HEADER "   0: 00000000:1F90 00000000:0000 0A 0\n",
	    TCP_HEADER "   0: 0000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
		       "00000000 0 0 1111 1\n",
	    TCP_HEADER "   0: 0000000G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
		       "00000000 0 0 1111 1\n",
	    TCP_HEADER "   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 "
		       "00000000 0 0 -1 1\n",
	    TCP_HEADER "   0: 00000000:1F90 00000000:0000 XY 00000000:00000000 00:00000000 "
		       "00000000 0 0 11 1\n",
	};
	struct collected c = {.n = 0};
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(procfs_parse_net_tcp(bad[i], strlen(bad[i]), AF_INET, collect, &c,
						      err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "net/tcp line 2: malformed"));
	}
	/* an IPv4 line handed in as tcp6 */
	assert_int_equal(
	    procfs_parse_net_tcp(net_tcp, strlen(net_tcp), AF_INET6, collect, &c, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(
	    procfs_parse_net_tcp(net_tcp, strlen(net_tcp), AF_UNIX, collect, &c, err, sizeof(err)),
	    -EINVAL);
}

static int stop_at_first(const struct proc_listener *l, void *arg)
{
	return 99;
}

static void test_parse_net_tcp_stop(void **state)
{
	assert_int_equal(
	    procfs_parse_net_tcp(net_tcp, strlen(net_tcp), AF_INET, stop_at_first, NULL, NULL, 0),
	    99);
}

static void test_read_listeners_fixture(void **state)
{
	struct proc_listener *ls;
	size_t n;
	char err[256];

	make_dir("net");
	write_text("net/tcp", net_tcp);
	write_text("net/tcp6", net_tcp6);
	make_dir("42");
	make_dir("42/fd");
	make_link("socket:[1111]", "42/fd/3");
	make_link("/dev/null", "42/fd/0");
	make_link("socket:[2222]", "42/fd/7");
	make_dir("43");
	make_dir("43/fd");
	make_link("socket:[2222]", "43/fd/5"); /* shared after fork: the lower pid wins */
	make_link("socket:[3333]", "43/fd/6");
	make_link("socket:[99999]", "43/fd/8");
	make_link("pipe:[4444]", "43/fd/9"); /* same number, not a socket */

	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 6);
	/* sorted by port */
	assert_int_equal(ls[0].port, 22);
	assert_int_equal(ls[0].tgid, 0);
	assert_int_equal(ls[1].port, 80);
	assert_int_equal(ls[2].port, 443);
	assert_int_equal(ls[2].tgid, 42);
	assert_int_equal(ls[3].port, 3306);
	assert_int_equal(ls[3].tgid, 0);
	assert_int_equal(ls[4].port, 8080);
	assert_int_equal(ls[4].tgid, 42);
	assert_int_equal(ls[5].port, 10000);
	assert_int_equal(ls[5].tgid, 43);
	free(ls);
}

static void test_read_listeners_no_tcp6(void **state)
{
	struct proc_listener *ls;
	size_t n;
	char err[256];

	make_dir("net");
	write_text("net/tcp", net_tcp);
	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	free(ls);
}

static void test_read_listeners_errors(void **state)
{
	struct proc_listener *ls;
	size_t n;
	char err[256];

	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/net/tcp: "));

	make_dir("net");
	write_text("net/tcp", TCP_HEADER "   0: zz\n");
	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/net/tcp: net/tcp line 2: malformed '   0: zz'"));
	assert_null(ls);
}

static void test_read_listeners_big_file(void **state)
{
	/* Many connection lines cross the reader's chunk boundaries. */
	const char *line = "   1: 0100007F:1F90 0100007F:D3B2 01 00000000:00000000 00:00000000 "
			   "00000000     0        0 6666 1 0000000000000000 20 4 30 10 -1\n";
	size_t llen = strlen(line), count = 3000, len = strlen(TCP_HEADER) + count * llen;
	char *buf = malloc(len + 200), *p = buf;
	struct proc_listener *ls;
	size_t n;
	char err[256];

	assert_non_null(buf);
	p += sprintf(p, "%s", TCP_HEADER);
	for (size_t i = 0; i < count; i++) {
		memcpy(p, line, llen);
		if (i == count / 2)
			memcpy(p + 34, "0A", 2); /* one listener in the middle */
		p += llen;
	}
	make_dir("net");
	write_file("net/tcp", buf, (size_t)(p - buf));
	free(buf);
	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ls[0].port, 8080);
	free(ls);
}

/* ---------------------------------------------------------------- net/udp */

#define UDP_HEADER                                                                                 \
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "     \
	"timeout inode ref pointer drops\n"

/* Bound 0.0.0.0:5353, bound 127.0.0.1:53, connected (a client), bound on an
 * ephemeral port (what a send without bind() gets). */
static const char net_udp[] = UDP_HEADER
    "  100: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000   101   "
    "     0 8888 2 0000000000000000 0\n"
    "  200: 0100007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101   "
    "     0 8889 2 0000000000000000 0\n"
    "  300: 0F02000A:E1A4 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000   "
    "     0 8890 2 0000000000000000 0\n"
    "  400: 00000000:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000   "
    "     0 8891 2 0000000000000000 0\n";

static const char net_udp6[] =
    "   sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
    " 1000: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 07 "
    "00000000:00000000 00:00000000 00000000     0        0 9999 2 0000000000000000 0\n";

static void test_parse_net_udp(void **state)
{
	struct collected c = {.n = 0};
	char err[256];

	assert_int_equal(
	    procfs_parse_net_udp(net_udp, strlen(net_udp), AF_INET, collect, &c, err, sizeof(err)),
	    3);
	assert_int_equal(c.l[0].protocol, IPPROTO_UDP);
	assert_string_equal(c.l[0].addr, "0.0.0.0");
	assert_int_equal(c.l[0].port, 5353);
	assert_int_equal(c.l[0].inode, 8888);
	assert_string_equal(c.l[1].addr, "127.0.0.1");
	assert_int_equal(c.l[1].port, 53);
	assert_int_equal(c.l[2].port, 40001); /* the parser keeps it; the scan drops it */
	/* The TCP parser reads the same columns but wants state 0A. */
	c.n = 0;
	assert_int_equal(
	    procfs_parse_net_tcp(net_udp, strlen(net_udp), AF_INET, collect, &c, err, sizeof(err)),
	    0);
	assert_int_equal(
	    procfs_parse_net_udp(net_udp, strlen(net_udp), AF_UNIX, collect, &c, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "net/udp: family"));
}

static void test_read_listeners_udp(void **state)
{
	struct proc_listener *ls;
	size_t n;
	char err[256];

	make_dir("net");
	write_text("net/tcp", net_tcp);
	write_text("net/udp", net_udp);
	write_text("net/udp6", net_udp6);
	make_dir("sys");
	make_dir("sys/net");
	make_dir("sys/net/ipv4");
	write_text("sys/net/ipv4/ip_local_port_range", "40000\t40999\n");
	make_dir("42");
	make_dir("42/fd");
	make_link("socket:[8888]", "42/fd/3");
	make_link("socket:[9999]", "42/fd/4");

	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), 0);
	/* tcp 8080 and 3306; udp 5353, 53 and [::]:8081; not 40001 (ephemeral) */
	assert_int_equal(n, 5);
	assert_int_equal(ls[0].port, 53);
	assert_int_equal(ls[0].protocol, IPPROTO_UDP);
	assert_int_equal(ls[0].tgid, 0);
	assert_int_equal(ls[1].port, 3306);
	assert_int_equal(ls[1].protocol, IPPROTO_TCP);
	assert_int_equal(ls[2].port, 5353);
	assert_int_equal(ls[2].protocol, IPPROTO_UDP);
	assert_int_equal(ls[2].tgid, 42);
	assert_int_equal(ls[3].port, 8080);
	assert_int_equal(ls[3].protocol, IPPROTO_TCP);
	assert_int_equal(ls[4].port, 8081);
	assert_int_equal(ls[4].family, AF_INET6);
	assert_string_equal(ls[4].addr, "::");
	assert_int_equal(ls[4].tgid, 42);
	free(ls);

	/* Without the range file, the kernel's default range (32768-60999) applies. */
	write_text("sys/net/ipv4/ip_local_port_range", "junk\n");
	assert_int_equal(procfs_read_listeners(root, &ls, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(ls[i].port, 40001);
	free(ls);
}

/* ---------------------------------------------------------------- the real /proc */

static void test_real_self(void **state)
{
	struct proc_info info;
	char err[256], exe[PROCFS_EXE_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(procfs_read_process("/proc", (uint32_t)getpid(), &info, err, sizeof(err)),
			 0);
	assert_int_equal(info.tgid, getpid());
	assert_int_equal(info.ppid, getppid());
	assert_int_equal(info.uid, getuid());
	assert_string_equal(info.exe, exe);
	assert_false(info.kernel_thread);
	assert_true(info.argc >= 1);
	assert_non_null(strstr(info.argv[0], "test_procfs"));
	assert_true(info.start_ns > 0);
	procfs_free_process(&info);

	/* kthreadd is pid 2 in the initial pid namespace */
	if (procfs_read_process("/proc", 2, &info, err, sizeof(err)) == 0) {
		if (strcmp(info.comm, "kthreadd") == 0)
			assert_true(info.kernel_thread);
		procfs_free_process(&info);
	}
}

static void test_real_listener(void **state)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t slen = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct proc_listener *ls;
	size_t n, i;
	char err[256];

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);

	assert_int_equal(procfs_read_listeners("/proc", &ls, &n, err, sizeof(err)), 0);
	for (i = 0; i < n; i++) {
		if (ls[i].port == ntohs(sin.sin_port) && ls[i].family == AF_INET)
			break;
	}
	assert_true(i < n);
	assert_string_equal(ls[i].addr, "127.0.0.1");
	assert_int_equal(ls[i].tgid, getpid());
	free(ls);
	close(fd);
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, make_root, remove_root)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_stat_plain),
	    cmocka_unit_test(test_parse_stat_comm_with_paren_and_space),
	    cmocka_unit_test(test_parse_stat_long_comm_cut),
	    cmocka_unit_test(test_parse_stat_errors),
	    cmocka_unit_test(test_parse_stat_bounded),
	    cmocka_unit_test(test_ticks_to_ns),
	    cmocka_unit_test(test_parse_status_uid),
	    cmocka_unit_test(test_parse_cmdline),
	    FIXTURE_TEST(test_read_process_fixture),
	    FIXTURE_TEST(test_read_process_kernel_thread),
	    FIXTURE_TEST(test_read_process_gone_and_bad),
	    FIXTURE_TEST(test_read_process_long_cmdline_cut),
	    FIXTURE_TEST(test_list_pids),
	    cmocka_unit_test(test_parse_net_tcp4),
	    cmocka_unit_test(test_parse_net_tcp6),
	    cmocka_unit_test(test_parse_net_tcp_malformed),
	    cmocka_unit_test(test_parse_net_tcp_stop),
	    cmocka_unit_test(test_parse_net_udp),
	    FIXTURE_TEST(test_read_listeners_fixture),
	    FIXTURE_TEST(test_read_listeners_no_tcp6),
	    FIXTURE_TEST(test_read_listeners_errors),
	    FIXTURE_TEST(test_read_listeners_big_file),
	    FIXTURE_TEST(test_read_listeners_udp),
	    cmocka_unit_test(test_real_self),
	    cmocka_unit_test(test_real_listener),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
