/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Unit tests for event fields as rules see them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "detect/evctx.h"
#include "detect/fields.h"

static struct proc srv, proc, parent;

static int setup(void **state)
{
	static char *srv_argv[] = {"node", "/x/node_modules/.bin/mcp-server-filesystem", "/tmp"};
	static char *proc_argv[] = {"/bin/sh", "-c", "cat /root/.ssh/id_rsa"};

	(void)state;
	memset(&srv, 0, sizeof(srv));
	memset(&proc, 0, sizeof(proc));
	memset(&parent, 0, sizeof(parent));
	srv.tgid = 100;
	srv.role = ROLE_SERVER;
	srv.server_tgid = 100;
	srv.server_name = "secure-filesystem-server";
	srv.cmdline = "node /x/node_modules/.bin/mcp-server-filesystem /tmp";
	srv.exe = "/usr/bin/node";
	srv.argv = srv_argv;
	srv.argc = 3;
	proc.tgid = 101;
	proc.ppid = 100;
	proc.uid = 1000;
	proc.role = ROLE_MEMBER;
	proc.server_tgid = 100;
	proc.exe = "/usr/bin/dash";
	proc.argv = proc_argv;
	proc.argc = 3;
	proc.cmdline = "/bin/sh -c cat /root/.ssh/id_rsa";
	return 0;
}

static struct field_value get(const struct evctx *c, const char *f)
{
	struct field_value v;

	evctx_get_field(c, field_id(f), &v);
	return v;
}

static void assert_str_field(const struct evctx *c, const char *f, const char *want)
{
	struct field_value v = get(c, f);

	assert_int_equal(v.type, FV_STR);
	assert_string_equal(v.s, want);
}

static void assert_int_field(const struct evctx *c, const char *f, int64_t want, enum field_type t)
{
	struct field_value v = get(c, f);

	assert_int_equal(v.type, t);
	assert_int_equal(v.i, want);
}

static void test_process_and_server_fields(void **state)
{
	struct evctx c = {.kind = RULE_EV_EXEC, .proc = &proc, .parent = &srv, .server = &srv};

	(void)state;
	assert_int_field(&c, "process.pid", 101, FV_INT);
	assert_int_field(&c, "process.ppid", 100, FV_INT);
	assert_int_field(&c, "process.uid", 1000, FV_INT);
	assert_str_field(&c, "process.exe", "/usr/bin/dash");
	assert_str_field(&c, "process.name", "dash");
	assert_str_field(&c, "process.argv0_name", "sh");
	assert_int_field(&c, "process.in_server_tree", 1, FV_BOOL);
	assert_int_field(&c, "process.is_server", 0, FV_BOOL);
	assert_str_field(&c, "process.parent.name", "node");
	assert_int_field(&c, "server.pid", 100, FV_INT);
	assert_str_field(&c, "server.name", "secure-filesystem-server");
	/* Fields of other event kinds, and nonsense, are absent. */
	assert_int_equal(get(&c, "file.path").type, FV_NONE);
	assert_int_equal(get(&c, "network.local_port").type, FV_NONE);
	assert_int_equal(get(&c, "process.nope").type, FV_NONE);
	assert_int_equal(get(&c, "container.id").type, FV_NONE);
	c.server = NULL;
	assert_int_equal(get(&c, "server.name").type, FV_NONE);
}

static void test_file_fields(void **state)
{
	struct evctx c = {.kind = RULE_EV_OPEN, .proc = &proc, .server = &srv};

	(void)state;
	c.file.path = "/root/.ssh/id_rsa";
	c.file.oflags = O_RDONLY | O_CLOEXEC;
	c.file.result = 3;
	assert_str_field(&c, "file.path", "/root/.ssh/id_rsa");
	assert_str_field(&c, "file.name", "id_rsa");
	assert_int_field(&c, "file.write", 0, FV_BOOL);
	assert_int_field(&c, "file.result", 3, FV_INT);
	assert_int_field(&c, "file.proc_other", 0, FV_BOOL);
	/* By path: canonical is the path; identity unknown here. */
	assert_str_field(&c, "file.canonical_path", "/root/.ssh/id_rsa");
	assert_str_field(&c, "file.match", "path");
	assert_int_equal(get(&c, "file.inode").type, FV_NONE);
	assert_int_equal(get(&c, "file.device").type, FV_NONE);
	/* A learnt secret opened by another path. */
	c.file.path = "/var/tmp/x";
	c.file.canonical_path = "/root/.ssh/id_rsa";
	c.file.ino = 77;
	snprintf(c.file.device, sizeof(c.file.device), "8:1");
	assert_str_field(&c, "file.canonical_path", "/root/.ssh/id_rsa");
	assert_str_field(&c, "file.match", "inode");
	assert_int_field(&c, "file.inode", 77, FV_INT);
	assert_str_field(&c, "file.device", "8:1");
	/* ...and by its learnt path. */
	c.file.path = "/root/.ssh/id_rsa";
	assert_str_field(&c, "file.match", "path");
	c.file.oflags = O_WRONLY | O_CREAT | O_TRUNC;
	assert_int_field(&c, "file.write", 1, FV_BOOL);
	c.file.path = "/proc/101/environ";
	assert_int_field(&c, "file.proc_other", 0, FV_BOOL);
	c.file.path = "/proc/1/environ";
	assert_int_field(&c, "file.proc_other", 1, FV_BOOL);
	c.file.path = "/proc/self/environ";
	assert_int_field(&c, "file.proc_other", 0, FV_BOOL);
}

static void test_network_fields(void **state)
{
	struct evctx c = {.kind = RULE_EV_LISTEN, .proc = &proc, .server = &srv};

	(void)state;
	c.net.family = AF_INET;
	c.net.local_addr = "0.0.0.0";
	c.net.local_port = 3001;
	c.net.tls = -1;
	assert_int_field(&c, "network.local_port", 3001, FV_INT);
	assert_int_field(&c, "network.loopback", 0, FV_BOOL);
	assert_str_field(&c, "network.family", "ipv4");
	assert_str_field(&c, "network.transport", "tcp");
	assert_int_equal(get(&c, "network.tls").type, FV_NONE); /* unknown is absent */
	c.net.tls = 0;
	assert_int_field(&c, "network.tls", 0, FV_BOOL);
	c.net.local_addr = "127.0.0.5";
	assert_int_field(&c, "network.loopback", 1, FV_BOOL);
	assert_true(evctx_addr_is_loopback("::1"));
	assert_true(evctx_addr_is_loopback("::ffff:127.0.0.1"));
	assert_false(evctx_addr_is_loopback("::"));
	assert_false(evctx_addr_is_loopback("10.1.2.3"));
	assert_false(evctx_addr_is_loopback("garbage"));
	assert_false(evctx_addr_is_loopback(NULL));
}

/* network.transport and network.dual_stack of UDP and IPv6 listeners. */
static void test_network_udp_dual_stack(void **state)
{
	struct evctx c = {.kind = RULE_EV_LISTEN, .proc = &proc, .server = &srv};

	(void)state;
	c.net.family = AF_INET;
	c.net.local_addr = "0.0.0.0";
	c.net.protocol = IPPROTO_UDP;
	assert_str_field(&c, "network.transport", "udp");
	assert_int_field(&c, "network.dual_stack", 0, FV_BOOL); /* IPv4 takes one family */
	c.net.family = AF_INET6;
	c.net.local_addr = "::";
	c.net.v6only = 0;
	assert_int_field(&c, "network.dual_stack", 1, FV_BOOL);
	c.net.v6only = 1;
	assert_int_field(&c, "network.dual_stack", 0, FV_BOOL);
	c.net.v6only = -1; /* the start-up scan cannot tell */
	assert_int_equal(get(&c, "network.dual_stack").type, FV_NONE);
	c.net.local_addr = "::1"; /* a plain IPv6 address never takes IPv4 */
	assert_int_field(&c, "network.dual_stack", 0, FV_BOOL);
	c.net.protocol = IPPROTO_TCP;
	assert_str_field(&c, "network.transport", "tcp");
}

static void test_oflags_format(void **state)
{
	char buf[256];

	(void)state;
	evctx_format_oflags(O_RDONLY | O_CLOEXEC, buf, sizeof(buf));
	assert_string_equal(buf, "O_RDONLY|O_CLOEXEC");
	evctx_format_oflags(O_WRONLY | O_CREAT | O_TRUNC, buf, sizeof(buf));
	assert_string_equal(buf, "O_WRONLY|O_CREAT|O_TRUNC");
	evctx_format_oflags(O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_NONBLOCK | O_DIRECTORY |
				O_NOFOLLOW | O_CLOEXEC,
			    buf, 16); /* truncation stays terminated */
	assert_int_equal(strlen(buf), 15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_process_and_server_fields, setup),
	    cmocka_unit_test_setup(test_file_fields, setup),
	    cmocka_unit_test_setup(test_network_fields, setup),
	    cmocka_unit_test_setup(test_network_udp_dual_stack, setup),
	    cmocka_unit_test_setup(test_oflags_format, setup),
	};

	return cmocka_run_group_tests_name("evctx", tests, NULL, NULL);
}
