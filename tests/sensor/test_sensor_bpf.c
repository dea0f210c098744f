// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Sensor driver tests: load the real BPF programs (root), fire real
 * syscalls from forked children and check every field of the events that
 * come back through sensor_poll.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "sense/sensor.h"
#include "../fixtures/uring-ops.h"

#define WAIT_MS 3000

/* An event copied out of the callback. */
struct logged {
	struct sensor_event ev;
	char *comm, *exe, *path, *laddr, *raddr, *data;
	char **argv;
};

static struct sensor *sensor;
static struct sensor *group_sensor; /* the group's, while a test runs its own */
static struct logged *events;
static size_t nevents, cap;
static char tmpdir[PATH_MAX];

/* ------------------------------------------------------------ event log */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void log_copy_strings(struct logged *l, const struct sensor_event *ev)
{
	int i;

	switch (ev->type) {
	case MW_EV_EXEC:
		l->comm = dup_or_null(ev->exec.comm);
		l->exe = dup_or_null(ev->exec.exe);
		l->argv = calloc(ev->exec.argc + 1, sizeof(char *));
		for (i = 0; l->argv && i < ev->exec.argc; i++)
			l->argv[i] = strdup(ev->exec.argv[i]);
		break;
	case MW_EV_OPEN:
		l->path = dup_or_null(ev->open.path);
		break;
	case MW_EV_LISTEN:
	case MW_EV_CONNECT:
		l->laddr = dup_or_null(ev->sock.laddr);
		l->raddr = dup_or_null(ev->sock.raddr);
		break;
	case MW_EV_STDOUT:
		l->data = calloc(1, ev->out.len + 1);
		if (l->data)
			memcpy(l->data, ev->out.data, ev->out.len);
		break;
	case MW_EV_IO:
		l->data = calloc(1, ev->io.len + 1);
		if (l->data)
			memcpy(l->data, ev->io.data, ev->io.len);
		break;
	default:
		break;
	}
}

static void log_event(const struct sensor_event *ev, void *arg)
{
	struct logged *l;

	if (nevents == cap) {
		size_t ncap = cap ? cap * 2 : 256;
		struct logged *n = realloc(events, ncap * sizeof(*n));

		if (!n)
			return;
		events = n;
		cap = ncap;
	}
	l = &events[nevents++];
	memset(l, 0, sizeof(*l));
	l->ev = *ev;
	log_copy_strings(l, ev);
}

static void log_clear(void)
{
	size_t i;

	for (i = 0; i < nevents; i++) {
		struct logged *l = &events[i];

		free(l->comm);
		free(l->exe);
		free(l->path);
		free(l->laddr);
		free(l->raddr);
		free(l->data);
		for (char **a = l->argv; a && *a; a++)
			free(*a);
		free(l->argv);
	}
	nevents = 0;
}

/* Drains what the kernel has produced so far. */
static void log_drain(void)
{
	while (sensor_poll(sensor, 10) > 0)
		;
}

typedef bool (*match_fn)(const struct logged *l, const void *want);

static const struct logged *log_find(match_fn match, const void *want)
{
	size_t i;

	for (i = 0; i < nevents; i++)
		if (match(&events[i], want))
			return &events[i];
	return NULL;
}

static size_t log_count(match_fn match, const void *want)
{
	size_t i, n = 0;

	for (i = 0; i < nevents; i++)
		n += match(&events[i], want);
	return n;
}

static const struct logged *wait_event(match_fn match, const void *want)
{
	struct timespec t0, t;
	const struct logged *l;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		l = log_find(match, want);
		if (l)
			return l;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > WAIT_MS)
			return NULL;
		sensor_poll(sensor, 50);
	}
}

/* What a matcher looks for; zero fields are wildcards. */
struct want {
	enum mw_event_type type;
	uint32_t tgid;
	uint32_t ppid;
	const char *path;
	uint16_t port;
	int state; /* listen: 1 open, 0 closed, -1 any */
};

static bool match_want(const struct logged *l, const void *arg)
{
	const struct want *w = arg;

	if (l->ev.type != w->type || (w->tgid && l->ev.tgid != w->tgid))
		return false;
	if (w->ppid && l->ev.type == MW_EV_FORK && l->ev.fork.ppid != w->ppid)
		return false;
	if (w->path && (!l->path || strcmp(l->path, w->path)))
		return false;
	if (w->port && l->ev.type == MW_EV_LISTEN && l->ev.sock.lport != w->port)
		return false;
	if (w->port && l->ev.type == MW_EV_CONNECT && l->ev.sock.rport != w->port)
		return false;
	if (l->ev.type == MW_EV_LISTEN && w->state >= 0 && l->ev.sock.listening != (w->state == 1))
		return false;
	return true;
}

static const struct logged *wait_for(enum mw_event_type type, uint32_t tgid, const char *path)
{
	struct want w = {.type = type, .tgid = tgid, .path = path, .state = -1};

	return wait_event(match_want, &w);
}

static void assert_recent(const struct logged *l)
{
	struct timespec now;
	int64_t delta;

	clock_gettime(CLOCK_REALTIME, &now);
	delta = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - l->ev.time_ns;
	assert_true(delta >= -100000000 && delta < 10000000000ll);
}

/* ------------------------------------------------------------ children */

typedef int (*child_fn)(void *arg);

/*
 * Forks a child that waits for a go byte, so that the parent can track it
 * before it does anything; with out_fd >= 0 its stdout goes there.
 */
/*
 * The one way a test child starts: forked, its stdin/stdout on in_fd/out_fd
 * (when >= 0), tracked and tapped with tap_flags as asked, and only then let
 * run, so that the kernel knows it before its first syscall.
 */
static pid_t child_start(child_fn fn, void *arg, int in_fd, int out_fd, bool track,
			 uint32_t tap_flags)
{
	int go[2];
	pid_t pid;
	char c = 0;

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (in_fd >= 0)
			dup2(in_fd, STDIN_FILENO);
		if (out_fd >= 0)
			dup2(out_fd, STDOUT_FILENO);
		if (read(go[0], &c, 1) != 1)
			_exit(120);
		_exit(fn(arg));
	}
	close(go[0]);
	if (track)
		assert_int_equal(sensor_track(sensor, pid, pid), 0);
	if (tap_flags)
		assert_int_equal(sensor_tap(sensor, pid, tap_flags), 0);
	assert_int_equal(write(go[1], &c, 1), 1);
	close(go[1]);
	return pid;
}

static pid_t child_run(child_fn fn, void *arg, bool track, int out_fd)
{
	return child_start(fn, arg, -1, out_fd, track, 0);
}

static int child_wait(pid_t pid)
{
	int status = -1;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* Runs fn in a tracked (or not) child to completion; asserts exit 0. */
static pid_t child_run_wait(child_fn fn, void *arg, bool track)
{
	pid_t pid = child_run(fn, arg, track, -1);

	assert_int_equal(child_wait(pid), 0);
	assert_non_null(wait_for(MW_EV_EXIT, pid, NULL));
	return pid;
}

static void tmp_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

static void touch(const char *name)
{
	char p[PATH_MAX];
	int fd;

	tmp_path(p, sizeof(p), name);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
}

/* ------------------------------------------------------------ setup */

static int group_setup(void **state)
{
	/* Pending for 2 s after a stdio-channel exec (test_pending_window_ends). */
	struct sensor_opts opts = {.self_tgid = 0, .pending_ns = 2000000000ULL};
	char err[256] = "";
	int rc;

	rc = sensor_open(&sensor, &opts, log_event, NULL, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sensor_open: %s\n", err);
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mwsensor.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* The canonical spelling, in case /tmp is itself a symlink. */
	if (!realpath(tmpdir, tmpdir))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	sensor_close(sensor);
	log_clear();
	free(events);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int test_setup(void **state)
{
	log_drain();
	log_clear();
	return 0;
}

/* ------------------------------------------------------------ exec, fork, exit */

/* The exec's exe_ino/exe_dev are what stat(2) says of path. */
static void assert_exe_is(const struct logged *l, const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(l->ev.exec.exe_ino, st.st_ino);
	assert_int_equal(l->ev.exec.exe_dev, st.st_dev);
}

static int child_exec_true(void *arg)
{
	char *const argv[] = {"true", "--mw-arg", "two words", "", NULL};

	execv("/bin/true", argv);
	return 99;
}

static void test_exec_fork_exit(void **state)
{
	pid_t pid = child_run(child_exec_true, NULL, false, -1);
	const struct logged *l;

	assert_int_equal(child_wait(pid), 0);
	l = wait_for(MW_EV_FORK, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.pid, pid);
	assert_int_equal(l->ev.fork.ppid, getpid());
	assert_true(l->ev.fork.start_ns > 0);
	assert_int_equal(l->ev.server_tgid, 0);
	assert_false(l->ev.flags & MW_F_TRACKED);
	assert_recent(l);

	l = wait_for(MW_EV_EXEC, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.pid, pid);
	assert_string_equal(l->exe, "/usr/bin/true");
	assert_string_equal(l->comm, "true");
	assert_int_equal(l->ev.exec.ppid, getpid());
	assert_int_equal(l->ev.exec.uid, getuid());
	assert_int_equal(l->ev.exec.gid, getgid());
	assert_true(l->ev.exec.cgroup_id != 0);
	assert_true(l->ev.exec.start_ns > 0);
	assert_int_equal(l->ev.exec.argc, 4);
	assert_string_equal(l->argv[0], "true");
	assert_string_equal(l->argv[1], "--mw-arg");
	assert_string_equal(l->argv[2], "two words");
	assert_string_equal(l->argv[3], "");
	assert_false(l->ev.flags & (MW_F_TRACKED | MW_F_ARGS_TRUNC | MW_F_PATH_TRUNC |
				    MW_F_EXE_ANON | MW_F_EXE_FD));
	assert_exe_is(l, "/usr/bin/true");
	assert_recent(l);

	l = wait_for(MW_EV_EXIT, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.exit.exit_code, 0);
}

static int child_exit_3(void *arg)
{
	return 3;
}

static void test_exit_code(void **state)
{
	pid_t pid = child_run(child_exit_3, NULL, true, -1);
	const struct logged *l;

	assert_int_equal(WEXITSTATUS(child_wait(pid)), 3);
	l = wait_for(MW_EV_EXIT, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.exit.exit_code, 3 << 8);
	assert_int_equal(l->ev.pid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
}

static int child_exec_script(void *arg)
{
	char *const argv[] = {"script.sh", NULL};

	execv(arg, argv);
	return 99;
}

/* For a script the interpreter is the executable. */
static void test_exec_script_reports_interpreter(void **state)
{
	char script[PATH_MAX], sh[PATH_MAX];
	const struct logged *l;
	pid_t pid;
	FILE *f;

	tmp_path(script, sizeof(script), "script.sh");
	f = fopen(script, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(script, 0755), 0);
	assert_non_null(realpath("/bin/sh", sh));

	pid = child_run(child_exec_script, script, false, -1);
	assert_int_equal(child_wait(pid), 0);
	l = wait_for(MW_EV_EXEC, pid, NULL);
	assert_non_null(l);
	assert_string_equal(l->exe, sh);
	/* argv is the interpreter's: "/bin/sh" then the script path. */
	assert_true(l->ev.exec.argc >= 2);
	assert_string_equal(l->argv[l->ev.exec.argc - 1], script);
}

/* execveat(fd, "", AT_EMPTY_PATH), as fexecve(3) does. */
static int child_fexec_true(void *arg)
{
	char *const argv[] = {"notatrue", NULL}, *const envp[] = {NULL};
	int fd = open("/usr/bin/true", O_RDONLY | O_CLOEXEC);

	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	return 99;
}

/* A copy of /usr/bin/true in a memfd, run through its descriptor. */
static int child_memfd_exec_true(void *arg)
{
	char *const argv[] = {"notatrue", NULL}, *const envp[] = {NULL};
	int src = open("/usr/bin/true", O_RDONLY), fd = memfd_create("mwtest", 0);
	char buf[65536];
	ssize_t n;

	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return 98;
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	return 99;
}

/* The executable's identity survives any name: an exec through a descriptor
 * is flagged, and a memfd (no name anywhere) is anonymous with its own inode. */
static void test_exec_identity_fd_and_memfd(void **state)
{
	const struct logged *l;
	struct stat st;
	pid_t pid;

	pid = child_run(child_fexec_true, NULL, false, -1);
	assert_int_equal(child_wait(pid), 0);
	l = wait_for(MW_EV_EXEC, pid, NULL);
	assert_non_null(l);
	assert_string_equal(l->exe, "/usr/bin/true");
	assert_true(l->ev.flags & MW_F_EXE_FD);
	assert_false(l->ev.flags & MW_F_EXE_ANON);
	assert_exe_is(l, "/usr/bin/true");

	pid = child_run(child_memfd_exec_true, NULL, false, -1);
	assert_int_equal(child_wait(pid), 0);
	l = wait_for(MW_EV_EXEC, pid, NULL);
	assert_non_null(l);
	assert_string_equal(l->exe, "");
	assert_int_equal(l->ev.flags & (MW_F_EXE_FD | MW_F_EXE_ANON), MW_F_EXE_FD | MW_F_EXE_ANON);
	assert_int_equal(stat("/usr/bin/true", &st), 0);
	assert_true(l->ev.exec.exe_ino != 0);
	assert_true(l->ev.exec.exe_ino != st.st_ino || l->ev.exec.exe_dev != st.st_dev);
}

/* An unlinked file still runs (here through the descriptor that kept it): anonymous. */
static void test_exec_identity_unlinked(void **state)
{
	char copy[PATH_MAX], buf[65536];
	const struct logged *l;
	int src, dst, go[2];
	pid_t pid;
	ssize_t n;

	tmp_path(copy, sizeof(copy), "unlinked-true");
	src = open("/usr/bin/true", O_RDONLY);
	dst = open(copy, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	assert_true(src >= 0 && dst >= 0);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		assert_int_equal(write(dst, buf, n), n);
	close(src);
	close(dst);
	/* The child holds the file open, then waits until it is unlinked. */
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		int fd = open(copy, O_RDONLY | O_CLOEXEC);

		close(go[1]);
		if (fd < 0 || read(go[0], &c, 1) != 1)
			_exit(97);
		syscall(SYS_execveat, fd, "", (char *const[]){"x", NULL}, (char *const[]){NULL},
			AT_EMPTY_PATH);
		_exit(99);
	}
	close(go[0]);
	usleep(50000);
	assert_int_equal(unlink(copy), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(child_wait(pid), 0);
	l = wait_for(MW_EV_EXEC, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.flags & (MW_F_EXE_FD | MW_F_EXE_ANON), MW_F_EXE_FD | MW_F_EXE_ANON);
}

static int child_exec_long_args(void *arg)
{
	static char big[6000];
	char *const argv[] = {"true", big, NULL};

	memset(big, 'a', sizeof(big) - 1);
	execv("/bin/true", argv);
	return 99;
}

static void test_exec_args_truncated(void **state)
{
	pid_t pid = child_run(child_exec_long_args, NULL, false, -1);
	const struct logged *l;

	assert_int_equal(child_wait(pid), 0);
	l = wait_for(MW_EV_EXEC, pid, NULL);
	assert_non_null(l);
	assert_true(l->ev.flags & MW_F_ARGS_TRUNC);
	assert_int_equal(l->ev.exec.argc, 2);
	assert_string_equal(l->argv[0], "true");
	assert_int_equal(strlen(l->argv[1]), MW_ARGS_MAX - 5);
}

/* ------------------------------------------------------------ tracking */

static int grandchild_open(void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int fd = open(arg, O_RDONLY);

		_exit(fd >= 0 ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void test_tracking_is_inherited(void **state)
{
	char file[PATH_MAX];
	struct want w = {.type = MW_EV_FORK, .state = -1};
	const struct logged *l;
	pid_t pid, grandchild;

	touch("inherit.txt");
	tmp_path(file, sizeof(file), "inherit.txt");
	pid = child_run(grandchild_open, file, true, -1);
	assert_int_equal(child_wait(pid), 0);

	w.ppid = pid;
	l = wait_event(match_want, &w);
	assert_non_null(l);
	grandchild = l->ev.tgid;
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);

	l = wait_for(MW_EV_OPEN, grandchild, file);
	assert_non_null(l);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	assert_true(l->ev.open.ret >= 0);
	assert_non_null(wait_for(MW_EV_EXIT, grandchild, NULL));
}

/* ------------------------------------------------------------ opens */

static int child_open_abs(void *arg)
{
	return open(arg, O_RDONLY | O_CLOEXEC) >= 0 ? 0 : 1;
}

static void test_open_absolute(void **state)
{
	char file[PATH_MAX];
	const struct logged *l;
	struct stat st;
	pid_t pid;

	touch("abs.txt");
	tmp_path(file, sizeof(file), "abs.txt");
	pid = child_run_wait(child_open_abs, file, true);
	l = wait_for(MW_EV_OPEN, pid, file);
	assert_non_null(l);
	assert_int_equal(l->ev.pid, pid);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	assert_false(l->ev.flags & (MW_F_PATH_RAW | MW_F_PATH_TRUNC));
	assert_true(l->ev.open.ret >= 3);
	assert_int_equal(l->ev.open.oflags, O_RDONLY | O_CLOEXEC);
	assert_recent(l);
	/* The file's identity, as stat(2) gives it. */
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(l->ev.open.ino, st.st_ino);
	assert_int_equal(l->ev.open.dev, st.st_dev);
	assert_false(l->ev.flags & MW_F_INODE_HIT);
}

/* Paths on other mounts (devtmpfs, procfs) come out whole. */
static void test_open_crosses_mounts(void **state)
{
	char status[64];
	const struct logged *l;
	pid_t pid;

	pid = child_run_wait(child_open_abs, "/dev/null", true);
	assert_non_null(wait_for(MW_EV_OPEN, pid, "/dev/null"));
	pid = child_run_wait(child_open_abs, "/proc/self/status", true);
	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	l = wait_for(MW_EV_OPEN, pid, status);
	assert_non_null(l);
}

/* Deeper than MW_PATH_DEPTH: the walk stops and says so. */
static void test_open_deep_path_truncated(void **state)
{
	char file[PATH_MAX], dir[PATH_MAX];
	const char *base;
	const struct logged *l;
	size_t n;
	pid_t pid;
	int i;

	tmp_path(dir, sizeof(dir), "deep");
	mkdir(dir, 0755);
	for (i = 0; i < MW_PATH_DEPTH + 4; i++) {
		n = strlen(dir);
		snprintf(dir + n, sizeof(dir) - n, "/d");
		mkdir(dir, 0755);
	}
	snprintf(file, sizeof(file), "%s/deep.txt", dir);
	close(open(file, O_CREAT | O_WRONLY, 0644));
	pid = child_run_wait(child_open_abs, file, true);
	l = wait_for(MW_EV_OPEN, pid, NULL);
	assert_non_null(l);
	assert_true(l->ev.flags & MW_F_PATH_TRUNC);
	assert_true(l->ev.open.ret >= 0);
	/* What was walked is the leaf end of the real path. */
	base = strstr(l->path, "/d/deep.txt");
	assert_non_null(base);
	assert_string_equal(base, "/d/deep.txt");
}

static int child_open_cwd(void *arg)
{
	if (chdir(tmpdir))
		return 2;
	return open(arg, O_RDONLY) >= 0 ? 0 : 1;
}

static void test_open_relative_to_cwd(void **state)
{
	char file[PATH_MAX];
	pid_t pid;

	touch("rel.txt");
	tmp_path(file, sizeof(file), "rel.txt");
	pid = child_run_wait(child_open_cwd, "./rel.txt", true);
	assert_non_null(wait_for(MW_EV_OPEN, pid, file));
}

static int child_openat_dirfd(void *arg)
{
	int dfd = open(tmpdir, O_RDONLY | O_DIRECTORY);

	if (dfd < 0)
		return 2;
	if (openat(dfd, "sub/at.txt", O_RDONLY) < 0)
		return 1;
	/* And a failure relative to the same dirfd. */
	return openat(dfd, "sub/../nope.txt", O_RDONLY) < 0 && errno == ENOENT ? 0 : 3;
}

static void test_open_relative_to_dirfd(void **state)
{
	char file[PATH_MAX], sub[PATH_MAX], missing[PATH_MAX];
	const struct logged *l;
	pid_t pid;

	tmp_path(sub, sizeof(sub), "sub");
	mkdir(sub, 0755);
	touch("sub/at.txt");
	tmp_path(file, sizeof(file), "sub/at.txt");
	tmp_path(missing, sizeof(missing), "nope.txt");
	pid = child_run_wait(child_openat_dirfd, NULL, true);
	assert_non_null(wait_for(MW_EV_OPEN, pid, tmpdir));
	l = wait_for(MW_EV_OPEN, pid, file);
	assert_non_null(l);
	assert_true(l->ev.open.ret >= 0);
	l = wait_for(MW_EV_OPEN, pid, missing);
	assert_non_null(l);
	assert_int_equal(l->ev.open.ret, -ENOENT);
	assert_true(l->ev.flags & MW_F_PATH_RAW);
}

static void test_open_through_symlink(void **state)
{
	char target[PATH_MAX], link[PATH_MAX];
	const struct logged *l;
	pid_t pid;

	touch("target.txt");
	tmp_path(target, sizeof(target), "target.txt");
	tmp_path(link, sizeof(link), "link.txt");
	unlink(link);
	assert_int_equal(symlink("target.txt", link), 0);
	pid = child_run_wait(child_open_abs, link, true);
	l = wait_for(MW_EV_OPEN, pid, target);
	assert_non_null(l);
	assert_false(l->ev.flags & MW_F_PATH_RAW);
}

static int child_open_missing(void *arg)
{
	if (chdir(tmpdir))
		return 2;
	return open(arg, O_RDONLY) < 0 && errno == ENOENT ? 0 : 1;
}

static void test_open_failed(void **state)
{
	char want[PATH_MAX];
	const struct logged *l;
	pid_t pid;

	tmp_path(want, sizeof(want), "nodir/missing.txt");
	pid = child_run_wait(child_open_missing, "nodir/./missing.txt", true);
	l = wait_for(MW_EV_OPEN, pid, want);
	assert_non_null(l);
	assert_int_equal(l->ev.open.ret, -ENOENT);
	assert_true(l->ev.flags & MW_F_PATH_RAW);
	assert_true(l->ev.flags & MW_F_TRACKED);

	pid = child_run_wait(child_open_missing, "/nonexistent/../etc/mw-missing", true);
	l = wait_for(MW_EV_OPEN, pid, "/etc/mw-missing");
	assert_non_null(l);
	assert_int_equal(l->ev.open.ret, -ENOENT);
}

static int child_openat2(void *arg)
{
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS};
	long fd = syscall(SYS_openat2, AT_FDCWD, arg, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		return 77;
	return fd >= 0 ? 0 : 1;
}

static void test_openat2(void **state)
{
	char file[PATH_MAX];
	const struct logged *l;
	pid_t pid;
	int status;

	touch("at2.txt");
	tmp_path(file, sizeof(file), "at2.txt");
	pid = child_run(child_openat2, file, true, -1);
	status = child_wait(pid);
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(status, 0);
	l = wait_for(MW_EV_OPEN, pid, file);
	assert_non_null(l);
	assert_int_equal(l->ev.open.oflags, O_RDONLY | O_CLOEXEC);
}

static int child_creat(void *arg)
{
	return creat(arg, 0640) >= 0 ? 0 : 1;
}

static void test_creat(void **state)
{
	char file[PATH_MAX];
	const struct logged *l;
	pid_t pid;

	tmp_path(file, sizeof(file), "created.txt");
	pid = child_run_wait(child_creat, file, true);
	l = wait_for(MW_EV_OPEN, pid, file);
	assert_non_null(l);
	assert_int_equal(l->ev.open.oflags, O_CREAT | O_WRONLY | O_TRUNC);
	assert_int_equal(l->ev.open.mode, 0640);
	assert_true(l->ev.open.ret >= 0);
}

/* ------------------------------------------------------------ open filter */

static int child_filter_opens(void *arg)
{
	static const char *const paths[] = {
	    "plain.txt",      /* no test matches: filtered */
	    "mwsecret/a.txt", /* an inner component is "mwsecret" */
	    "mwkey_1",	      /* the leaf starts with "mwkey_" */
	    "innocent_link",  /* → mwsecret/a.txt: the resolved path counts */
	    "mwkey_link", /* → plain.txt: filtered, the name it was opened by does not count */
	    "mwsecret/../plain.txt", /* resolved: filtered */
	};
	int fails = 0;

	(void)arg;
	if (chdir(tmpdir))
		return 2;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		fails += open(paths[i], O_RDONLY) < 0;
	/* Relative to a matching directory, and a failed open: both sent. */
	if (chdir("mwsecret"))
		return 3;
	fails += open("./a.txt", O_RDONLY) < 0;
	fails += open("../mwkey_1", O_RDONLY) < 0;
	fails += open("missing.txt", O_RDONLY) >= 0;
	return fails;
}

static void filter_file(const char *name, char *out, size_t n)
{
	tmp_path(out, n, name);
}

static void test_open_filter(void **state)
{
	static const struct sensor_name_match tests[] = {{"mwsecret", true}, {"mwkey_", false}};
	char plain[PATH_MAX], secret[PATH_MAX], key[PATH_MAX], link[PATH_MAX], missing[PATH_MAX];
	struct sensor_counts before, after;
	pid_t pid;

	(void)state;
	filter_file("mwsecret", secret, sizeof(secret));
	mkdir(secret, 0755);
	touch("plain.txt");
	touch("mwsecret/a.txt");
	touch("mwkey_1");
	filter_file("innocent_link", link, sizeof(link));
	unlink(link);
	assert_int_equal(symlink("mwsecret/a.txt", link), 0);
	filter_file("mwkey_link", link, sizeof(link));
	unlink(link);
	assert_int_equal(symlink("plain.txt", link), 0);
	filter_file("plain.txt", plain, sizeof(plain));
	filter_file("mwsecret/a.txt", secret, sizeof(secret));
	filter_file("mwkey_1", key, sizeof(key));
	filter_file("mwsecret/missing.txt", missing, sizeof(missing));

	assert_int_equal(sensor_set_open_filter(sensor, true, tests, 2), 0);
	assert_int_equal(sensor_counts(sensor, &before), 0);
	pid = child_run_wait(child_filter_opens, NULL, true);
	assert_int_equal(sensor_counts(sensor, &after), 0);
	/* plain.txt three times: directly, by mwkey_link, by mwsecret/../. */
	assert_int_equal(after.filtered[MW_EV_OPEN] - before.filtered[MW_EV_OPEN], 3);
	assert_null(
	    log_find(match_want,
		     &(struct want){.type = MW_EV_OPEN, .tgid = pid, .path = plain, .state = -1}));
	/* mwsecret/a.txt directly, by innocent_link and by ./a.txt; mwkey_1 twice. */
	assert_int_equal(
	    log_count(match_want,
		      &(struct want){.type = MW_EV_OPEN, .tgid = pid, .path = secret, .state = -1}),
	    3);
	assert_int_equal(
	    log_count(match_want,
		      &(struct want){.type = MW_EV_OPEN, .tgid = pid, .path = key, .state = -1}),
	    2);
	assert_non_null(wait_for(MW_EV_OPEN, pid, missing));

	/* No test at all: no successful open is sent. */
	assert_int_equal(sensor_set_open_filter(sensor, true, NULL, 0), 0);
	log_clear();
	pid = child_run_wait(child_filter_opens, NULL, true);
	assert_null(
	    log_find(match_want,
		     &(struct want){.type = MW_EV_OPEN, .tgid = pid, .path = secret, .state = -1}));
	assert_non_null(wait_for(MW_EV_OPEN, pid, missing));

	/* Off: everything is sent again. */
	assert_int_equal(sensor_set_open_filter(sensor, false, NULL, 0), 0);
	log_clear();
	pid = child_run_wait(child_filter_opens, NULL, true);
	assert_non_null(wait_for(MW_EV_OPEN, pid, plain));
	assert_non_null(wait_for(MW_EV_OPEN, pid, secret));

	/* Bad tests leave it off. */
	assert_int_equal(
	    sensor_set_open_filter(sensor, true, &(struct sensor_name_match){"", true}, 1),
	    -EINVAL);
	assert_int_equal(sensor_set_open_filter(sensor, true, tests, MW_OPEN_NAMES_MAX + 1),
			 -E2BIG);
	log_clear();
	pid = child_run_wait(child_filter_opens, NULL, true);
	assert_non_null(wait_for(MW_EV_OPEN, pid, plain));
}

static int test_open_filter_teardown(void **state)
{
	(void)state;
	return sensor_set_open_filter(sensor, false, NULL, 0);
}

/* ------------------------------------------------------------ secret inodes */

static int child_secret_opens(void *arg)
{
	static const char *const paths[] = {"mwvault/key", "innocent_hl", "unrelated.txt"};
	int fails = 0;

	(void)arg;
	if (chdir(tmpdir))
		return 2;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		fails += open(paths[i], O_RDONLY) < 0;
	return fails;
}

/*
 * A hard link to a file whose inode user space marked as a secret is sent,
 * flagged, although its name passes no filter test; an unrelated file is
 * filtered; once the mark is gone, so is the link's open.
 */
static void test_open_secret_inode(void **state)
{
	static const struct sensor_name_match tests[] = {{"mwvault", true}};
	char key[PATH_MAX], hl[PATH_MAX], plain[PATH_MAX];
	struct sensor_counts before, after;
	const struct logged *l;
	struct sensor_inode id;
	struct stat st;
	pid_t pid;

	(void)state;
	tmp_path(key, sizeof(key), "mwvault");
	mkdir(key, 0700);
	touch("mwvault/key");
	touch("unrelated.txt");
	tmp_path(key, sizeof(key), "mwvault/key");
	tmp_path(hl, sizeof(hl), "innocent_hl");
	tmp_path(plain, sizeof(plain), "unrelated.txt");
	unlink(hl);
	assert_int_equal(link(key, hl), 0);
	assert_int_equal(stat(key, &st), 0);
	id = (struct sensor_inode){.dev = st.st_dev, .ino = st.st_ino};

	assert_int_equal(sensor_set_open_filter(sensor, true, tests, 1), 0);
	assert_int_equal(sensor_set_secret_inodes(sensor, &id, 1), 0);
	assert_int_equal(sensor_counts(sensor, &before), 0);
	pid = child_run_wait(child_secret_opens, NULL, true);
	assert_int_equal(sensor_counts(sensor, &after), 0);
	l = wait_for(MW_EV_OPEN, pid, hl);
	assert_non_null(l);
	assert_true(l->ev.flags & MW_F_INODE_HIT);
	assert_int_equal(l->ev.open.ino, st.st_ino);
	assert_int_equal(l->ev.open.dev, st.st_dev);
	/* By its own name: the filter passed it, no inode hit. */
	l = wait_for(MW_EV_OPEN, pid, key);
	assert_non_null(l);
	assert_false(l->ev.flags & MW_F_INODE_HIT);
	assert_int_equal(l->ev.open.ino, st.st_ino);
	/* The unrelated file: filtered, not sent. */
	assert_int_equal(after.filtered[MW_EV_OPEN] - before.filtered[MW_EV_OPEN], 1);
	assert_null(
	    log_find(match_want,
		     &(struct want){.type = MW_EV_OPEN, .tgid = pid, .path = plain, .state = -1}));

	/* The set replaced by an empty one: the link is filtered again. */
	assert_int_equal(sensor_set_secret_inodes(sensor, NULL, 0), 0);
	log_clear();
	pid = child_run_wait(child_secret_opens, NULL, true);
	assert_non_null(wait_for(MW_EV_OPEN, pid, key));
	assert_null(log_find(
	    match_want, &(struct want){.type = MW_EV_OPEN, .tgid = pid, .path = hl, .state = -1}));
	assert_int_equal(sensor_set_secret_inodes(sensor, NULL, MW_SECRET_INODES_MAX + 1), -EINVAL);
}

static int test_open_secret_inode_teardown(void **state)
{
	(void)state;
	sensor_set_secret_inodes(sensor, NULL, 0);
	return sensor_set_open_filter(sensor, false, NULL, 0);
}

static void test_untracked_open_is_silent(void **state)
{
	struct want w = {.type = MW_EV_OPEN, .state = -1};
	char file[PATH_MAX];

	touch("quiet.txt");
	tmp_path(file, sizeof(file), "quiet.txt");
	w.tgid = child_run_wait(child_open_abs, file, false);
	log_drain();
	assert_int_equal(log_count(match_want, &w), 0);
}

/* ------------------------------------------------------------ sockets */

static int listen_on(int family, const char *addr, uint16_t *port)
{
	struct sockaddr_storage ss = {0};
	socklen_t len = sizeof(ss);
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	assert_int_equal(listen(fd, 8), 0);
	len = sizeof(ss);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void check_listener(int family, const char *addr)
{
	struct want w = {.type = MW_EV_LISTEN, .tgid = getpid(), .state = 1};
	const struct logged *l;
	uint64_t cookie;
	uint16_t port;
	int fd = listen_on(family, addr, &port);

	w.port = port;
	l = wait_event(match_want, &w);
	assert_non_null(l);
	assert_int_equal(l->ev.sock.family, family);
	assert_int_equal(l->ev.sock.protocol, IPPROTO_TCP);
	assert_string_equal(l->laddr, addr);
	assert_int_equal(l->ev.sock.lport, port);
	assert_true(l->ev.sock.listening);
	assert_int_equal(l->ev.pid, (uint32_t)syscall(SYS_gettid));
	assert_true(l->ev.sock.sock_cookie != 0);
	assert_recent(l);
	cookie = l->ev.sock.sock_cookie;

	/* An ephemeral port: the kernel releases it before the close is traced. */
	close(fd);
	w.state = 0;
	l = wait_event(match_want, &w);
	assert_non_null(l);
	assert_false(l->ev.sock.listening);
	assert_int_equal(l->ev.sock.sock_cookie, cookie);
	assert_string_equal(l->laddr, addr);
}

static void test_listen_ipv4_any(void **state)
{
	check_listener(AF_INET, "0.0.0.0");
}

static void test_listen_ipv6_loopback(void **state)
{
	check_listener(AF_INET6, "::1");
}

static int child_connect(void *arg)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(*(uint16_t *)arg)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	return connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 ? 0 : 1;
}

static void test_connect_tracked_only(void **state)
{
	struct want w = {.type = MW_EV_CONNECT, .state = -1};
	const struct logged *l;
	uint16_t port;
	int lfd = listen_on(AF_INET, "127.0.0.1", &port);
	pid_t pid;

	pid = child_run_wait(child_connect, &port, true);
	l = wait_for(MW_EV_CONNECT, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.sock.family, AF_INET);
	assert_string_equal(l->raddr, "127.0.0.1");
	assert_int_equal(l->ev.sock.rport, port);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	assert_false(l->ev.sock.listening);

	w.tgid = child_run_wait(child_connect, &port, false);
	log_drain();
	assert_int_equal(log_count(match_want, &w), 0);
	close(lfd);
}

/* ------------------------------------------------------------ UDP binds */

/* What a child binds: family, address, port (0: any), IPV6_V6ONLY. */
struct udp_bind {
	int family;
	const char *addr;
	uint16_t port;
	int v6only;
};

/* A port free for UDP on every address right now (bound and released). */
static uint16_t free_udp_port(void)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	socklen_t len = sizeof(sin6);
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	uint16_t port;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	port = ntohs(sin6.sin6_port);
	close(fd);
	return port;
}

static int child_udp_bind(void *arg)
{
	const struct udp_bind *b = arg;
	struct sockaddr_storage ss = {0};
	socklen_t len;
	int fd = socket(b->family, SOCK_DGRAM, 0);

	if (fd < 0)
		return 1;
	if (b->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(b->port);
		inet_pton(AF_INET, b->addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(b->port);
		inet_pton(AF_INET6, b->addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &b->v6only, sizeof(b->v6only)))
			return 2;
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		return 3;
	close(fd);
	return 0;
}

static const struct logged *udp_bind_event(const struct udp_bind *b, bool track, pid_t *pid)
{
	struct want w = {.type = MW_EV_LISTEN, .port = b->port, .state = 1};

	w.tgid = *pid = child_run_wait(child_udp_bind, (void *)b, track);
	if (!track || !b->port) {
		log_drain();
		return log_find(match_want, &w);
	}
	return wait_event(match_want, &w);
}

static void test_udp_bind_tracked(void **state)
{
	struct udp_bind b = {.family = AF_INET, .addr = "0.0.0.0", .port = free_udp_port()};
	const struct logged *l;
	pid_t pid;

	l = udp_bind_event(&b, true, &pid);
	assert_non_null(l);
	assert_int_equal(l->ev.sock.protocol, IPPROTO_UDP);
	assert_int_equal(l->ev.sock.family, AF_INET);
	assert_string_equal(l->laddr, "0.0.0.0");
	assert_int_equal(l->ev.sock.lport, b.port);
	assert_true(l->ev.sock.listening);
	assert_false(l->ev.sock.v6only);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	assert_int_equal(l->ev.pid, pid);
	assert_recent(l);
	/* One bind, one record. */
	log_drain();
	{
		struct want w = {.type = MW_EV_LISTEN, .tgid = pid, .state = -1};

		assert_int_equal(log_count(match_want, &w), 1);
	}
}

static void test_udp_bind_v6(void **state)
{
	struct udp_bind dual = {.family = AF_INET6, .addr = "::", .port = free_udp_port()};
	struct udp_bind only = {.family = AF_INET6, .addr = "::", .v6only = 1};
	const struct logged *l;
	pid_t pid;

	l = udp_bind_event(&dual, true, &pid);
	assert_non_null(l);
	assert_int_equal(l->ev.sock.protocol, IPPROTO_UDP);
	assert_int_equal(l->ev.sock.family, AF_INET6);
	assert_string_equal(l->laddr, "::");
	assert_false(l->ev.sock.v6only);

	only.port = free_udp_port();
	l = udp_bind_event(&only, true, &pid);
	assert_non_null(l);
	assert_string_equal(l->laddr, "::");
	assert_int_equal(l->ev.sock.lport, only.port);
	assert_true(l->ev.sock.v6only);
}

/* Port 0 (a client's bind), or a process outside any tree: nothing. */
static void test_udp_bind_quiet(void **state)
{
	struct udp_bind any = {.family = AF_INET, .addr = "0.0.0.0", .port = 0};
	struct udp_bind untracked = {.family = AF_INET, .addr = "0.0.0.0", .port = free_udp_port()};
	struct want w = {.type = MW_EV_LISTEN, .state = -1};
	pid_t pid;

	assert_null(udp_bind_event(&any, true, &pid));
	w.tgid = pid;
	assert_int_equal(log_count(match_want, &w), 0);
	assert_null(udp_bind_event(&untracked, false, &pid));
	w.tgid = pid;
	assert_int_equal(log_count(match_want, &w), 0);
}

/* A TCP listener on "::" says whether it takes IPv4 too. */
static void test_listen_ipv6_v6only_flag(void **state)
{
	struct want w = {.type = MW_EV_LISTEN, .tgid = getpid(), .state = 1};
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	socklen_t len = sizeof(sin6);
	const struct logged *l;

	for (int v6only = 0; v6only <= 1; v6only++) {
		int fd = socket(AF_INET6, SOCK_STREAM, 0);

		assert_true(fd >= 0);
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)),
				 0);
		sin6.sin6_port = 0;
		assert_int_equal(bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
		assert_int_equal(listen(fd, 1), 0);
		len = sizeof(sin6);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
		w.port = ntohs(sin6.sin6_port);
		l = wait_event(match_want, &w);
		assert_non_null(l);
		assert_int_equal(l->ev.sock.protocol, IPPROTO_TCP);
		assert_string_equal(l->laddr, "::");
		assert_int_equal(l->ev.sock.v6only, v6only == 1);
		close(fd);
	}
}

/* ------------------------------------------------------------ io_uring */

struct uring_job {
	const char *path; /* OPENAT of path */
	bool skip_cqe;	  /* with IOSQE_CQE_SKIP_SUCCESS */
	uint16_t port;	  /* else CONNECT to 127.0.0.1:port */
};

static int child_uring(void *arg)
{
	const struct uring_job *j = arg;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(j->port)};
	struct tring r;
	int rc, sock;

	if (tring_setup(&r, 4, 0))
		return 2;
	if (j->path) {
		rc = tring_openat(&r, j->path, O_RDONLY | O_CLOEXEC, j->skip_cqe);
		return rc >= 0 ? 0 : 1;
	}
	sock = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	return tring_connect(&r, sock, (struct sockaddr *)&sin, sizeof(sin)) == 0 ? 0 : 1;
}

/* Whether this kernel has io_uring at all (CONFIG_IO_URING, not disabled by sysctl). */
static bool uring_usable(void)
{
	struct tring r;

	if (tring_setup(&r, 4, 0))
		return false;
	tring_close(&r);
	return true;
}

static void test_uring_setup_and_open(void **state)
{
	struct uring_job j = {0};
	char file[PATH_MAX];
	const struct logged *l;
	pid_t pid;

	if (!uring_usable())
		skip();
	/* Every kernel we target has both tracepoints (5.17+ with the request). */
	assert_string_equal(sensor_uring_hooks(sensor), "tp_btf");
	touch("uring.txt");
	tmp_path(file, sizeof(file), "uring.txt");
	j.path = file;
	pid = child_run_wait(child_uring, &j, true);

	l = wait_for(MW_EV_URING, pid, NULL);
	assert_non_null(l);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	assert_true(l->ev.uring.fd >= 3);
	assert_int_equal(l->ev.uring.sq_entries, 4);
	assert_int_equal(l->ev.uring.cq_entries, 8);
	assert_int_equal(l->ev.uring.setup_flags, 0);
	assert_recent(l);

	/* The file the OPENAT opened, from the fd table, like a syscall open. */
	l = wait_for(MW_EV_OPEN, pid, file);
	assert_non_null(l);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	assert_true(l->ev.flags & MW_F_URING);
	assert_false(l->ev.flags & (MW_F_PATH_RAW | MW_F_PATH_TRUNC));
	assert_true(l->ev.open.ret >= 3);
	assert_int_equal(l->ev.open.oflags, O_RDONLY | O_CLOEXEC);
	assert_recent(l);
}

/*
 * The limits, asserted so that a change shows: an OPENAT whose success posts
 * no completion (IOSQE_CQE_SKIP_SUCCESS) is not seen (the ring is); an
 * untracked process's rings and io_uring opens are not reported at all.
 */
static void test_uring_limits(void **state)
{
	struct want w = {.type = MW_EV_OPEN, .state = -1};
	struct uring_job j = {0};
	char file[PATH_MAX];
	pid_t pid;

	if (!uring_usable())
		skip();
	touch("uring-skip.txt");
	tmp_path(file, sizeof(file), "uring-skip.txt");
	j.path = file;
	j.skip_cqe = true;
	pid = child_run_wait(child_uring, &j, true);
	assert_non_null(wait_for(MW_EV_URING, pid, NULL));
	log_drain();
	w.tgid = pid;
	w.path = file;
	assert_int_equal(log_count(match_want, &w), 0);

	j.skip_cqe = false;
	pid = child_run_wait(child_uring, &j, false);
	log_drain();
	w.tgid = pid;
	assert_int_equal(log_count(match_want, &w), 0);
	w.type = MW_EV_URING;
	w.path = NULL;
	assert_int_equal(log_count(match_want, &w), 0);
}

/* A CONNECT submitted through io_uring changes TCP state in the submitting
 * task: inet_sock_set_state reports it like connect(2). */
static void test_uring_connect(void **state)
{
	struct uring_job j = {0};
	const struct logged *l;
	int lfd;
	pid_t pid;

	if (!uring_usable())
		skip();
	lfd = listen_on(AF_INET, "127.0.0.1", &j.port);
	pid = child_run_wait(child_uring, &j, true);
	l = wait_for(MW_EV_CONNECT, pid, NULL);
	assert_non_null(l);
	assert_string_equal(l->raddr, "127.0.0.1");
	assert_int_equal(l->ev.sock.rport, j.port);
	assert_int_equal(l->ev.server_tgid, pid);
	assert_true(l->ev.flags & MW_F_TRACKED);
	close(lfd);
}

/* Without the io_uring programs (a kernel lacking the tracepoints), the
 * sensor still loads and says so. */
static void test_uring_optional(void **state)
{
	struct sensor *s2 = NULL;
	char err[256] = "";
	int rc;

	setenv("MCPWATCH_NO_URING", "1", 1);
	rc = sensor_open(&s2, NULL, log_event, NULL, err, sizeof(err));
	unsetenv("MCPWATCH_NO_URING");
	if (rc)
		fail_msg("sensor_open without io_uring: %s", err);
	assert_string_equal(sensor_uring_hooks(s2), "none");
	sensor_close(s2);
}

/* ------------------------------------------------------------ stdout */

static const char mcp_result[] =
    "{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"protocolVersion\":"
    "\"2025-06-18\",\"serverInfo\":{\"name\":\"t\",\"version\":\"1\"}}}\n";

static int child_write_stdout(void *arg)
{
	int i, n = *(int *)arg;
	struct iovec iov[2] = {{(void *)mcp_result, 20},
			       {(void *)(mcp_result + 20), sizeof(mcp_result) - 21}};

	/* Not JSON, too short: never sampled. */
	if (write(1, "plain text output line\n", 23) != 23 || write(1, "{\"a\":1}\n", 8) != 8)
		return 1;
	if (writev(1, iov, 2) < 0)
		return 1;
	for (i = 1; i < n; i++)
		if (write(1, mcp_result, sizeof(mcp_result) - 1) < 0)
			return 1;
	return 0;
}

static bool match_stdout(const struct logged *l, const void *arg)
{
	return l->ev.type == MW_EV_STDOUT && l->ev.tgid == *(const uint32_t *)arg;
}

/* Starts a child writing to a pipe we drain; returns its pid. */
static pid_t run_writer(int n, bool sniff_done)
{
	char buf[65536];
	int out[2];
	pid_t pid;

	assert_int_equal(pipe(out), 0);
	if (sniff_done) {
		/* Mark the child done before it writes: fork, mark, go. */
		int go[2];
		char c = 0;

		assert_int_equal(pipe(go), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(out[1], 1);
			if (read(go[0], &c, 1) != 1)
				_exit(120);
			_exit(child_write_stdout(&n));
		}
		assert_int_equal(sensor_sniff_done(sensor, pid), 0);
		assert_int_equal(write(go[1], &c, 1), 1);
		close(go[0]);
		close(go[1]);
	} else {
		pid = child_run(child_write_stdout, &n, false, out[1]);
	}
	close(out[1]);
	while (read(out[0], buf, sizeof(buf)) > 0)
		;
	close(out[0]);
	assert_int_equal(child_wait(pid), 0);
	assert_non_null(wait_for(MW_EV_EXIT, pid, NULL));
	return pid;
}

static void test_stdout_sniff(void **state)
{
	uint32_t pid = run_writer(1, false);
	const struct logged *l = log_find(match_stdout, &pid);

	assert_int_equal(log_count(match_stdout, &pid), 1);
	assert_non_null(l);
	assert_int_equal(l->ev.out.fd, 1);
	/* writev: the first iovec only. */
	assert_int_equal(l->ev.out.count, 20);
	assert_int_equal(l->ev.out.len, 20);
	assert_memory_equal(l->data, mcp_result, 20);
	assert_int_equal(l->ev.pid, pid);
}

static void test_stdout_sniff_write(void **state)
{
	uint32_t pid = run_writer(2, false);
	const struct logged *l;
	size_t i;

	assert_int_equal(log_count(match_stdout, &pid), 2);
	for (i = 0; i < nevents; i++) {
		l = &events[i];
		if (match_stdout(l, &pid) && l->ev.out.count == sizeof(mcp_result) - 1)
			break;
	}
	assert_true(i < nevents);
	assert_int_equal(l->ev.out.len, sizeof(mcp_result) - 1);
	assert_memory_equal(l->data, mcp_result, sizeof(mcp_result) - 1);
	assert_recent(l);
}

static void test_stdout_sniff_limit(void **state)
{
	uint32_t pid = run_writer(MW_SNIFF_LIMIT + 8, false);

	assert_int_equal(log_count(match_stdout, &pid), MW_SNIFF_LIMIT);
}

static void test_stdout_sniff_done(void **state)
{
	uint32_t pid = run_writer(4, true);

	assert_int_equal(log_count(match_stdout, &pid), 0);
}

/* ------------------------------------------------------------ pending trees */

/*
 * This binary re-executed as a "writer" (main: --mw-writer MODE [FILE]):
 * exec'd with pipes or sockets on stdin and stdout, it is pending, and
 * writes the handshake the way MODE says.
 */
static int writer_main(const char *mode, const char *file)
{
	/* On the stack, touched: the kernel reads user memory without faulting
	 * it in, and a fresh image's rodata may not be mapped yet. */
	char msg[sizeof(mcp_result)], nl[1] = {'\n'}, ws[] = "  \n{ \"jsonrpc\":\"2.0\"}\n";
	struct iovec v[3];
	size_t n = sizeof(mcp_result) - 1;

	memcpy(msg, mcp_result, sizeof(msg));
	if (!strcmp(mode, "writev")) {
		v[0] = (struct iovec){nl, 1};
		v[1] = (struct iovec){msg, 9};
		v[2] = (struct iovec){msg + 9, n - 9};
		return writev(1, v, 3) < 0;
	}
	if (!strcmp(mode, "split"))
		return write(1, msg, 5) != 5 || write(1, msg + 5, n - 5) < 0;
	if (!strcmp(mode, "dup"))
		return dup2(1, 7) != 7 || write(7, msg, n) < 0;
	if (!strcmp(mode, "sendmsg")) {
		struct msghdr m = {.msg_iov = v, .msg_iovlen = 2};

		v[0] = (struct iovec){msg, 12};
		v[1] = (struct iovec){msg + 12, n - 12};
		return sendmsg(1, &m, 0) < 0;
	}
	if (!strcmp(mode, "ws"))
		return write(1, ws, sizeof(ws) - 1) < 0;
	if (!strcmp(mode, "late") && file) {
		/* Opens FILE at once, then FILE.late after the pending window. */
		char late[PATH_MAX];
		int fd = open(file, O_RDONLY);

		if (fd < 0)
			return 1;
		close(fd);
		usleep(2500 * 1000);
		snprintf(late, sizeof(late), "%s.late", file);
		fd = open(late, O_RDONLY);
		if (fd < 0)
			return 1;
		close(fd);
		return 0;
	}
	if (!strcmp(mode, "open") && file) {
		/* Opens FILE, then a forked child opens it too. */
		pid_t c;
		int fd = open(file, O_RDONLY);

		if (fd < 0)
			return 1;
		close(fd);
		c = fork();
		if (c == 0) {
			fd = open(file, O_RDONLY);
			_exit(fd < 0);
		}
		return c < 0 || waitpid(c, &fd, 0) != c || fd != 0;
	}
	return 2;
}

struct writer_args {
	const char *mode, *file;
};

static int child_exec_writer(void *arg)
{
	const struct writer_args *w = arg;

	execl("/proc/self/exe", "mw-writer", "--mw-writer", w->mode, w->file, (char *)NULL);
	return 99;
}

/*
 * Execs a writer with stdin and stdout on pipes (a socketpair with sock,
 * /dev/null with devnull) and drains it; returns its pid.
 */
static pid_t run_writer_exec(const char *mode, const char *file, bool sock, bool devnull)
{
	struct writer_args w = {mode, file};
	char buf[65536];
	int in[2], out[2];
	pid_t pid;

	if (devnull) {
		in[0] = open("/dev/null", O_RDONLY);
		in[1] = open("/dev/null", O_WRONLY);
		out[0] = open("/dev/null", O_RDONLY);
		out[1] = open("/dev/null", O_WRONLY);
	} else {
		assert_int_equal(pipe(in), 0);
		if (sock)
			assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, out), 0);
		else
			assert_int_equal(pipe(out), 0);
	}
	pid = child_start(child_exec_writer, &w, in[0], out[1], false, 0);
	close(in[0]);
	close(in[1]);
	close(out[1]);
	while (read(out[0], buf, sizeof(buf)) > 0)
		;
	close(out[0]);
	assert_int_equal(child_wait(pid), 0);
	assert_non_null(wait_for(MW_EV_EXIT, pid, NULL));
	return pid;
}

/* The stdout samples of pid joined in order; asserts every one came on fd. */
static void assert_samples(uint32_t pid, uint32_t fd, const char *want)
{
	char joined[4096] = "";
	size_t n = 0;

	log_drain();
	for (size_t i = 0; i < nevents; i++) {
		const struct logged *l = &events[i];

		if (!match_stdout(l, &pid))
			continue;
		assert_int_equal(l->ev.out.fd, fd);
		assert_true(n + l->ev.out.len < sizeof(joined));
		memcpy(joined + n, l->data, l->ev.out.len);
		n += l->ev.out.len;
	}
	joined[n] = '\0';
	assert_string_equal(joined, want);
}

static void test_pending_sniff_writev(void **state)
{
	char want[sizeof(mcp_result) + 1] = "\n";

	strcat(want, mcp_result);
	assert_samples(run_writer_exec("writev", NULL, false, false), 1, want);
}

static void test_pending_sniff_split(void **state)
{
	assert_samples(run_writer_exec("split", NULL, false, false), 1, mcp_result);
}

static void test_pending_sniff_dup(void **state)
{
	assert_samples(run_writer_exec("dup", NULL, false, false), 7, mcp_result);
}

static void test_pending_sniff_sendmsg(void **state)
{
	assert_samples(run_writer_exec("sendmsg", NULL, true, false), 1, mcp_result);
}

static void test_pending_sniff_ws(void **state)
{
	assert_samples(run_writer_exec("ws", NULL, false, false), 1,
		       "  \n{ \"jsonrpc\":\"2.0\"}\n");
}

/* Stdio on /dev/null: not pending (its opens are not sent); a write to fd 1
 * is sampled only because its head looks like JSON ('{ "' after blanks). */
static void test_pending_needs_channels(void **state)
{
	char file[PATH_MAX];
	struct want w = {.type = MW_EV_OPEN, .state = -1};

	touch("pending-quiet.txt");
	tmp_path(file, sizeof(file), "pending-quiet.txt");
	w.tgid = run_writer_exec("open", file, false, true);
	log_drain();
	assert_int_equal(log_count(match_want, &w), 0);
	assert_samples(run_writer_exec("ws", NULL, false, true), 1, "  \n{ \"jsonrpc\":\"2.0\"}\n");
}

static bool match_pending(const struct logged *l, const void *arg)
{
	return (l->ev.type == MW_EV_OPEN || l->ev.type == MW_EV_FORK) &&
	       (l->ev.flags & MW_F_PENDING) && l->ev.pending_root == *(const uint32_t *)arg &&
	       !l->ev.server_tgid;
}

/* Exec'd on pipes: its opens, and its child's fork and opens, are flagged pending. */
static void test_pending_open_and_fork(void **state)
{
	char file[PATH_MAX];
	uint32_t pid, child = 0;
	size_t opens = 0, forks = 0;

	touch("pending.txt");
	tmp_path(file, sizeof(file), "pending.txt");
	pid = run_writer_exec("open", file, false, false);
	log_drain();
	for (size_t i = 0; i < nevents; i++) {
		const struct logged *l = &events[i];

		if (match_pending(l, &pid) && l->ev.type == MW_EV_OPEN && l->path &&
		    !strcmp(l->path, file)) {
			opens++;
			if (l->ev.tgid != pid)
				child = l->ev.tgid;
		}
	}
	assert_int_equal(opens, 2);
	assert_true(child != 0);
	/* The child was pending from its fork, under the writer's root. */
	for (size_t i = 0; i < nevents; i++)
		if (match_pending(&events[i], &pid) && events[i].ev.type == MW_EV_FORK &&
		    events[i].ev.tgid == child)
			forks++;
	assert_int_equal(forks, 1);
}

/* Pending ends with the root's window (sensor_opts.pending_ns, 2 s here):
 * an open inside it is sent, one after it is not (the process is no
 * server, and pays for the hold only that long). */
static void test_pending_window_ends(void **state)
{
	char file[PATH_MAX], late[PATH_MAX + 8];
	uint32_t pid;
	size_t early = 0, after = 0;

	touch("pending-win.txt");
	touch("pending-win.txt.late");
	tmp_path(file, sizeof(file), "pending-win.txt");
	snprintf(late, sizeof(late), "%s.late", file);
	pid = run_writer_exec("late", file, false, false);
	log_drain();
	for (size_t i = 0; i < nevents; i++) {
		const struct logged *l = &events[i];

		if (!match_pending(l, &pid) || l->ev.type != MW_EV_OPEN || !l->path)
			continue;
		early += !strcmp(l->path, file);
		after += !strcmp(l->path, late);
	}
	assert_int_equal(early, 1);
	assert_int_equal(after, 0);
}

/* ------------------------------------------------------------ tool-call tap */

/* What one channel of a tapped child carried, rebuilt from its MW_EV_IO chunks. */
struct io_want {
	uint32_t pid;
	uint8_t dir, source, fd_kind;
	int fd;
	bool tracked;
};

struct io_seen {
	char bytes[65536]; /* the calls' copied bytes, in arrival order */
	size_t len;
	size_t chunks, calls;
	uint64_t stream, last_total;
};

static bool match_io(const struct logged *l, const void *arg)
{
	return l->ev.type == MW_EV_IO && l->ev.tgid == *(const uint32_t *)arg;
}

/* Every field of one chunk, and that it continues the call before it. */
static void io_check_chunk(const struct logged *l, const struct io_want *w, struct io_seen *seen,
			   uint64_t *call_pos)
{
	assert_int_equal(l->ev.pid, w->pid);
	assert_int_equal(l->ev.io.source, w->source);
	assert_int_equal(l->ev.io.fd_kind, w->fd_kind);
	assert_int_equal(l->ev.io.fd, w->fd);
	assert_true(l->ev.io.stream != 0);
	assert_true(l->ev.io.len > 0 && l->ev.io.len <= MW_IO_CHUNK);
	assert_true((uint64_t)l->ev.io.offset + l->ev.io.len <= l->ev.io.total);
	assert_int_equal(l->ev.server_tgid, w->tracked ? w->pid : 0);
	assert_int_equal(!!(l->ev.flags & MW_F_TRACKED), w->tracked);
	assert_recent(l);
	if (seen->chunks == 0)
		seen->stream = l->ev.io.stream;
	assert_int_equal(l->ev.io.stream, seen->stream);
	/* A call starts at offset 0; its next chunks follow on with the same total. */
	if (l->ev.io.offset == 0) {
		seen->calls++;
		*call_pos = 0;
	} else {
		assert_int_equal(l->ev.io.total, seen->last_total);
	}
	assert_int_equal(l->ev.io.offset, *call_pos);
	*call_pos += l->ev.io.len;
	seen->last_total = l->ev.io.total;
}

/* Collects the chunks of w->pid in direction w->dir and from w->source. */
static struct io_seen *io_collect(const struct io_want *w)
{
	struct io_seen *seen = calloc(1, sizeof(*seen));
	uint64_t call_pos = 0;

	assert_non_null(seen);
	for (size_t i = 0; i < nevents; i++) {
		const struct logged *l = &events[i];

		if (!match_io(l, &w->pid) || l->ev.io.dir != w->dir || l->ev.io.source != w->source)
			continue;
		io_check_chunk(l, w, seen, &call_pos);
		assert_true(seen->len + l->ev.io.len <= sizeof(seen->bytes));
		memcpy(seen->bytes + seen->len, l->data, l->ev.io.len);
		seen->len += l->ev.io.len;
		seen->chunks++;
	}
	return seen;
}

/* Asserts that the channel carried exactly want, in `calls` calls. */
static void io_expect(const struct io_want *w, const char *want, size_t calls)
{
	struct io_seen *seen = io_collect(w);

	assert_int_equal(seen->calls, calls);
	assert_int_equal(seen->len, strlen(want));
	assert_memory_equal(seen->bytes, want, seen->len);
	free(seen);
}

/*
 * Forks fn with in_fd on its stdin and out_fd on its stdout (when >= 0),
 * tracked, and tapped with flags (0: not tapped) before it runs.
 */
static pid_t tap_child_run(child_fn fn, void *arg, int in_fd, int out_fd, uint32_t flags)
{
	return child_start(fn, arg, in_fd, out_fd, true, flags);
}

/* Reads fd to its end into buf (size n); returns the bytes read. */
static size_t read_all(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n && (r = read(fd, buf + got, n - got)) > 0)
		got += r;
	return got;
}

/* Waits for the child and its exit event, then for everything before it. */
static void tap_child_end(pid_t pid)
{
	assert_int_equal(child_wait(pid), 0);
	assert_non_null(wait_for(MW_EV_EXIT, pid, NULL));
	log_drain();
}

static const char tap_request[] =
    "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\"}}\n";
static const char tap_answer[] =
    "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\"}]}}\n";

/* A stdio server: one request in, one answer out, then stderr and a file. */
static int child_stdio_server(void *arg)
{
	char buf[512], file[64];
	int fd = open("/dev/null", O_WRONLY);

	if (fd < 0 || dup2(fd, 2) != 2)
		return 2;
	if (read(0, buf, sizeof(buf)) != (ssize_t)strlen(tap_request) ||
	    memcmp(buf, tap_request, strlen(tap_request)))
		return 3;
	if (write(1, tap_answer, strlen(tap_answer)) != (ssize_t)strlen(tap_answer))
		return 4;
	/* Neither of these is a stdio channel. */
	if (write(2, tap_answer, strlen(tap_answer)) < 0)
		return 5;
	fd = open(arg, O_RDONLY);
	if (fd < 0 || read(fd, file, sizeof(file)) <= 0)
		return 6;
	return 0;
}

/* Runs child_stdio_server on pipes, tapped with flags; returns its pid. */
static pid_t run_stdio_server(uint32_t flags)
{
	char file[PATH_MAX], out[512];
	int in[2], outp[2];
	FILE *f;
	pid_t pid;

	tmp_path(file, sizeof(file), "tap-file.txt");
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(tap_request, f);
	fclose(f);
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(outp), 0);
	assert_int_equal(write(in[1], tap_request, strlen(tap_request)),
			 (ssize_t)strlen(tap_request));
	close(in[1]);
	pid = tap_child_run(child_stdio_server, file, in[0], outp[1], flags);
	close(in[0]);
	close(outp[1]);
	assert_int_equal(read_all(outp[0], out, sizeof(out)), strlen(tap_answer));
	close(outp[0]);
	tap_child_end(pid);
	return pid;
}

static void test_tap_stdio(void **state)
{
	uint32_t pid = run_stdio_server(MW_TAP_STDIO);
	struct io_want in = {pid, MW_IO_IN, MW_IO_SYSCALL, MW_FD_STDIO, 0, true};
	struct io_want out = {pid, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, true};
	struct io_seen *a, *b;

	/* One chunk each way: fd 2 and the regular file are not channels. */
	assert_int_equal(log_count(match_io, &pid), 2);
	io_expect(&in, tap_request, 1);
	io_expect(&out, tap_answer, 1);
	a = io_collect(&in);
	b = io_collect(&out);
	/* Two pipes: two channels. */
	assert_true(a->stream != b->stream);
	assert_int_equal(a->last_total, strlen(tap_request));
	assert_int_equal(b->last_total, strlen(tap_answer));
	free(a);
	free(b);
}

static void test_tap_untapped_is_silent(void **state)
{
	uint32_t pid = run_stdio_server(0);

	assert_int_equal(log_count(match_io, &pid), 0);
}

/* readv of the request into 3 buffers, writev of the answer from 3. */
static int child_stdio_vectored(void *arg)
{
	size_t n = strlen(tap_answer);
	char a[5], b[11], c[256];
	struct iovec in[3] = {{a, sizeof(a)}, {b, sizeof(b)}, {c, sizeof(c)}};
	struct iovec out[3] = {{(char *)tap_answer, 3},
			       {(char *)tap_answer + 3, 20},
			       {(char *)tap_answer + 23, n - 23}};

	if (readv(0, in, 3) != (ssize_t)strlen(tap_request))
		return 3;
	return writev(1, out, 3) == (ssize_t)n ? 0 : 4;
}

static void test_tap_vectored(void **state)
{
	char out[512];
	int in[2], outp[2];
	struct io_want win = {0, MW_IO_IN, MW_IO_SYSCALL, MW_FD_STDIO, 0, true};
	struct io_want wout = {0, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, true};
	struct io_seen *seen;
	pid_t pid;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(outp), 0);
	assert_int_equal(write(in[1], tap_request, strlen(tap_request)),
			 (ssize_t)strlen(tap_request));
	close(in[1]);
	pid = tap_child_run(child_stdio_vectored, NULL, in[0], outp[1], MW_TAP_STDIO);
	close(in[0]);
	close(outp[1]);
	assert_int_equal(read_all(outp[0], out, sizeof(out)), strlen(tap_answer));
	close(outp[0]);
	tap_child_end(pid);

	win.pid = wout.pid = pid;
	/* One call each, a chunk per iovec, the bytes in order. */
	io_expect(&win, tap_request, 1);
	io_expect(&wout, tap_answer, 1);
	seen = io_collect(&win);
	assert_int_equal(seen->chunks, 3);
	assert_int_equal(seen->last_total, strlen(tap_request));
	free(seen);
	seen = io_collect(&wout);
	assert_int_equal(seen->chunks, 3);
	free(seen);
}

#define TAP_BIG 40000

static char big_pattern(size_t i)
{
	return (char)('a' + (i * 7 + i / 4096) % 26);
}

static int child_write_big(void *arg)
{
	char *buf = malloc(TAP_BIG);

	if (!buf)
		return 2;
	for (size_t i = 0; i < TAP_BIG; i++)
		buf[i] = big_pattern(i);
	return write(1, buf, TAP_BIG) == TAP_BIG ? 0 : 3;
}

/* Only the first MW_IO_CHUNKS chunks of a large write are copied. */
static void test_tap_large_write(void **state)
{
	static char out[TAP_BIG + 1];
	int outp[2];
	struct io_want w = {0, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, true};
	struct io_seen *seen;
	pid_t pid;

	assert_int_equal(pipe(outp), 0);
	pid = tap_child_run(child_write_big, NULL, -1, outp[1], MW_TAP_STDIO);
	close(outp[1]);
	assert_int_equal(read_all(outp[0], out, sizeof(out)), TAP_BIG);
	close(outp[0]);
	tap_child_end(pid);

	w.pid = pid;
	seen = io_collect(&w);
	assert_int_equal(seen->calls, 1);
	assert_int_equal(seen->chunks, MW_IO_CHUNKS);
	assert_int_equal(seen->len, MW_IO_CHUNKS * MW_IO_CHUNK);
	assert_int_equal(seen->last_total, TAP_BIG);
	for (size_t i = 0; i < seen->len; i++)
		if (seen->bytes[i] != big_pattern(i))
			fail_msg("byte %zu differs", i);
	free(seen);
	for (size_t i = 0, k = 0; i < nevents; i++)
		if (match_io(&events[i], &w.pid))
			assert_int_equal(events[i].ev.io.offset, MW_IO_CHUNK * k++);
}

#define TAP_SOCK_FD 10 /* where the tapped child puts its connection */

static const char *const sock_req[] = {"GET /one", "POST /two", "head", "er-and-body"};
static const char *const sock_ans[] = {"answer one", "answer two", "ans", "wer three"};

/* recv/send, read/write, then recvmsg/sendmsg with two iovecs each. */
static int child_sock_server(void *arg)
{
	int c = accept(*(int *)arg, NULL, NULL);
	char a[4], b[11], buf[64];
	struct iovec in[2] = {{a, strlen(sock_req[2])}, {b, strlen(sock_req[3])}};
	struct iovec out[2] = {{(char *)sock_ans[2], 3}, {(char *)sock_ans[3], 9}};
	struct msghdr rm = {.msg_iov = in, .msg_iovlen = 2};
	struct msghdr sm = {.msg_iov = out, .msg_iovlen = 2};

	if (c < 0 || dup2(c, TAP_SOCK_FD) != TAP_SOCK_FD)
		return 2;
	if (recv(TAP_SOCK_FD, buf, strlen(sock_req[0]), MSG_WAITALL) != 8 ||
	    send(TAP_SOCK_FD, sock_ans[0], 10, 0) != 10)
		return 3;
	if (read(TAP_SOCK_FD, buf, sizeof(buf)) != 9 || write(TAP_SOCK_FD, sock_ans[1], 10) != 10)
		return 4;
	if (recvmsg(TAP_SOCK_FD, &rm, MSG_WAITALL) != 15 || sendmsg(TAP_SOCK_FD, &sm, 0) != 12)
		return 5;
	return 0;
}

/* The client side of child_sock_server, one exchange at a time. */
static void sock_client(uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	const size_t want[3] = {10, 10, 12};
	char buf[64];

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	for (int i = 0; i < 3; i++) {
		char req[32];

		snprintf(req, sizeof(req), "%s%s", sock_req[i], i == 2 ? sock_req[3] : "");
		assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
		assert_int_equal(recv(fd, buf, want[i], MSG_WAITALL), (ssize_t)want[i]);
	}
	close(fd);
}

static void test_tap_socket(void **state)
{
	struct io_want in = {0, MW_IO_IN, MW_IO_SYSCALL, MW_FD_SOCKET, TAP_SOCK_FD, true};
	struct io_want out = {0, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_SOCKET, TAP_SOCK_FD, true};
	struct io_seen *a, *b;
	uint16_t port;
	int lfd = listen_on(AF_INET, "127.0.0.1", &port);
	pid_t pid = tap_child_run(child_sock_server, &lfd, -1, -1, MW_TAP_SOCKET);

	sock_client(port);
	close(lfd);
	tap_child_end(pid);
	in.pid = out.pid = pid;
	io_expect(&in, "GET /onePOST /twoheader-and-body", 3);
	io_expect(&out, "answer oneanswer twoanswer three", 3);
	a = io_collect(&in);
	b = io_collect(&out);
	/* recvmsg and sendmsg: one chunk per iovec. */
	assert_int_equal(a->chunks, 4);
	assert_int_equal(b->chunks, 4);
	/* Both directions of one connection are one channel. */
	assert_int_equal(a->stream, b->stream);
	free(a);
	free(b);
}

/* A stdio server whose stdin and stdout are one end of a socketpair. */
static int child_socketpair_stdio(void *arg)
{
	char buf[512];
	ssize_t n = read(0, buf, sizeof(buf));

	if (n != (ssize_t)strlen(tap_request))
		return 3;
	return write(1, tap_answer, strlen(tap_answer)) == (ssize_t)strlen(tap_answer) ? 0 : 4;
}

static void test_tap_socketpair_is_stdio(void **state)
{
	struct io_want in = {0, MW_IO_IN, MW_IO_SYSCALL, MW_FD_STDIO, 0, true};
	struct io_want out = {0, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, true};
	struct io_seen *a, *b;
	char buf[512];
	int sv[2];
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[0], tap_request, strlen(tap_request)),
			 (ssize_t)strlen(tap_request));
	pid = tap_child_run(child_socketpair_stdio, NULL, sv[1], sv[1], MW_TAP_STDIO);
	close(sv[1]);
	assert_int_equal(read_all(sv[0], buf, sizeof(buf)), strlen(tap_answer));
	close(sv[0]);
	tap_child_end(pid);
	in.pid = out.pid = pid;
	io_expect(&in, tap_request, 1);
	io_expect(&out, tap_answer, 1);
	a = io_collect(&in);
	b = io_collect(&out);
	/* fd 0 and fd 1 are dups of one socket: one channel. */
	assert_int_equal(a->stream, b->stream);
	free(a);
	free(b);
}

/*
 * With MW_TAP_STDIO only: a socket on fd TAP_SOCK_FD is not copied, fd 1
 * is; then the parent stops the tap (sync byte on the socket) and the
 * second write to fd 1 is not copied either.
 */
static int child_flags(void *arg)
{
	int *sv = arg;
	char c;

	if (dup2(sv[1], TAP_SOCK_FD) != TAP_SOCK_FD || write(TAP_SOCK_FD, "sock", 4) != 4 ||
	    write(1, "before\n", 7) != 7)
		return 2;
	if (read(TAP_SOCK_FD, &c, 1) != 1)
		return 3;
	return write(1, "after\n", 6) == 6 ? 0 : 4;
}

static void test_tap_flags(void **state)
{
	struct io_want out = {0, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, true};
	char buf[64];
	int sv[2], outp[2];
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(outp), 0);
	pid = tap_child_run(child_flags, sv, -1, outp[1], MW_TAP_STDIO);
	close(outp[1]);
	assert_int_equal(read(sv[0], buf, 4), 4);
	assert_int_equal(read(outp[0], buf, 7), 7);
	assert_int_equal(sensor_tap(sensor, pid, 0), 0);
	assert_int_equal(write(sv[0], "g", 1), 1);
	assert_int_equal(read_all(outp[0], buf, sizeof(buf)), 6);
	close(outp[0]);
	close(sv[0]);
	close(sv[1]);
	tap_child_end(pid);
	out.pid = pid;
	assert_int_equal(log_count(match_io, &out.pid), 1);
	io_expect(&out, "before\n", 1);
	/* Untapping an untapped process is not an error. */
	assert_int_equal(sensor_tap(sensor, pid, 0), 0);
}

/*
 * A would-be server: its handshake on stdout, one request read, then (after a
 * go byte on the pipe in arg) a plain line out.
 */
static int child_handshake_then_request(void *arg)
{
	int *go = arg;
	char buf[512], c;

	close(go[1]);
	/* From a page this process wrote, as a server's output is: the kernel
	 * cannot fault in a rodata page the child never touched. */
	memcpy(buf, mcp_result, sizeof(mcp_result) - 1);
	if (write(1, buf, sizeof(mcp_result) - 1) != (ssize_t)sizeof(mcp_result) - 1)
		return 2;
	if (read(0, buf, sizeof(buf)) != (ssize_t)strlen(tap_request))
		return 3;
	if (read(go[0], &c, 1) != 1)
		return 4;
	return write(1, "after\n", 6) == 6 ? 0 : 5;
}

static bool match_io_in(const struct logged *l, const void *arg)
{
	return match_io(l, arg) && l->ev.io.dir == MW_IO_IN;
}

/* Runs child_handshake_then_request, tracked and tapped as asked; between
 * its request and its last line, user space drops provisional taps. */
static pid_t run_handshake_child(bool track, uint32_t flags)
{
	char buf[512];
	int in[2], outp[2], go[2];
	pid_t pid;

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(outp), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(write(in[1], tap_request, strlen(tap_request)),
			 (ssize_t)strlen(tap_request));
	close(in[1]);
	pid = child_start(child_handshake_then_request, go, in[0], outp[1], track, flags);
	close(in[0]);
	close(outp[1]);
	close(go[0]);
	assert_int_equal(read_all(outp[0], buf, sizeof(mcp_result) - 1), sizeof(mcp_result) - 1);
	/* Untap only once the request was read (its IN chunk is here). */
	for (int i = 0; i < 1000 && !log_find(match_io_in, &(uint32_t){pid}); i++)
		sensor_poll(sensor, 10);
	assert_non_null(log_find(match_io_in, &(uint32_t){pid}));
	assert_int_equal(sensor_untap_provisional(sensor, pid), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(read_all(outp[0], buf, sizeof(buf)), 6);
	close(outp[0]);
	tap_child_end(pid);
	return pid;
}

/*
 * tap_early: an untracked process's first JSON stdout write taps its stdio
 * in the kernel, so the request it reads next is copied before user space
 * has identified it; sensor_untap_provisional ends that tap, and leaves a
 * tap user space asked for alone.
 */
static void test_tap_early(void **state)
{
	struct sensor_opts opts = {.self_tgid = 0, .tap_early = true};
	struct sensor *s2 = NULL;
	char err[256] = "";
	uint32_t pid;

	assert_int_equal(sensor_open(&s2, &opts, log_event, NULL, err, sizeof(err)), 0);
	group_sensor = sensor; /* test_tap_early_teardown puts it back */
	sensor = s2;
	log_drain();
	log_clear();

	pid = run_handshake_child(false, 0);
	{
		struct io_want in = {pid, MW_IO_IN, MW_IO_SYSCALL, MW_FD_STDIO, 0, false};
		struct io_want out = {pid, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, false};

		assert_int_equal(log_count(match_stdout, &pid), 1);
		io_expect(&in, tap_request, 1);
		/* The handshake write itself, and not the line after the untap. */
		io_expect(&out, mcp_result, 1);
	}
	log_clear();

	pid = run_handshake_child(true, MW_TAP_STDIO);
	{
		struct io_want in = {pid, MW_IO_IN, MW_IO_SYSCALL, MW_FD_STDIO, 0, true};
		struct io_want out = {pid, MW_IO_OUT, MW_IO_SYSCALL, MW_FD_STDIO, 1, true};
		char both[sizeof(mcp_result) + 8];

		snprintf(both, sizeof(both), "%safter\n", mcp_result);
		io_expect(&in, tap_request, 1);
		io_expect(&out, both, 2);
	}
}

/* Even when test_tap_early failed half-way, the next tests get the group's sensor. */
static int test_tap_early_teardown(void **state)
{
	(void)state;
	if (group_sensor && sensor != group_sensor) {
		sensor_close(sensor);
		sensor = group_sensor;
	}
	group_sensor = NULL;
	return 0;
}

/* A tapped server flooding its stdout, then running a program. */
static int child_flood_then_exec(void *arg)
{
	static char chunk[MW_IO_CHUNK];
	pid_t pid;
	int status;

	(void)arg;
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 64; i++)
		if (write(1, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			return 2;
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", "--mw-after-flood", (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && status == 0 ? 0 : 3;
}

static bool match_exec_after_flood(const struct logged *l, const void *arg)
{
	(void)arg;
	return l->ev.type == MW_EV_EXEC && l->argv && l->argv[0] && l->argv[1] &&
	       !strcmp(l->argv[1], "--mw-after-flood");
}

/*
 * The tap gives way: with a 64 KiB ring that nobody drains, a tapped
 * process's 256 KiB of stdout fills only half of it, the rest of its copies
 * are dropped and counted, and the exec that follows is still delivered.
 */
static void test_tap_leaves_room(void **state)
{
	struct sensor_opts opts = {.self_tgid = 0, .ringbuf_bytes = 64 << 10};
	struct sensor *s2 = NULL;
	struct sensor_counts c;
	char err[256] = "";
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	pid_t pid;

	(void)state;
	assert_true(devnull >= 0);
	assert_int_equal(sensor_open(&s2, &opts, log_event, NULL, err, sizeof(err)), 0);
	group_sensor = sensor; /* test_tap_early_teardown puts it back */
	sensor = s2;
	log_drain();
	log_clear();
	pid = child_start(child_flood_then_exec, NULL, -1, devnull, true, MW_TAP_STDIO);
	close(devnull);
	/* No polling until it is done: the ring holds what the kernel kept. */
	assert_int_equal(child_wait(pid), 0);
	assert_int_equal(sensor_counts(sensor, &c), 0);
	assert_true(c.lost[MW_EV_IO] > 0);
	assert_int_equal(c.lost[MW_EV_EXEC], 0);
	assert_int_equal(c.lost[MW_EV_FORK], 0);
	log_drain();
	assert_non_null(log_find(match_exec_after_flood, NULL));
	/* What was copied is at most half the ring. */
	assert_true(log_count(match_io, &(uint32_t){(uint32_t)pid}) * MW_IO_CHUNK <=
		    (32 << 10) + MW_IO_CHUNK);
}

static const char tls_line[] = "mcpwatch tls plaintext line\n";

/* Runs argv with stdin from in_fd and stdout, stderr to /dev/null. */
static pid_t spawn(char *const argv[], int in_fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in_fd, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* The libssl that process pid mapped, from /proc/pid/maps; false if none. */
static bool mapped_libssl(pid_t pid, char *out, size_t n)
{
	static const char suffix[] = "/libssl.so.3";
	char maps[64], line[PATH_MAX + 128];
	bool found = false;
	FILE *f;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		size_t len = strlen(line);

		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (path && len > strlen(suffix) && !strcmp(line + len - strlen(suffix), suffix))
			found = snprintf(out, n, "%s", path) < (int)n;
	}
	fclose(f);
	return found;
}

static uint16_t free_port(void)
{
	uint16_t port;
	int fd = listen_on(AF_INET, "127.0.0.1", &port);

	close(fd);
	return port;
}

static bool match_tls_line(const struct logged *l, const void *arg)
{
	return match_io(l, arg) && l->ev.io.source == MW_IO_TLS && l->ev.io.dir == MW_IO_IN;
}

/* Starts s_server on port with a throwaway key; waits until it listens. */
static pid_t tls_server_start(uint16_t port, int stdin_fd)
{
	char cmd[3 * PATH_MAX], key[PATH_MAX], crt[PATH_MAX], accept_at[32];
	struct want w = {.type = MW_EV_LISTEN, .port = port, .state = 1};
	pid_t pid;

	tmp_path(key, sizeof(key), "tls.key");
	tmp_path(crt, sizeof(crt), "tls.crt");
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-subj /CN=localhost -days 1 -keyout '%s' -out '%s' >/dev/null 2>&1",
		 key, crt);
	if (system(cmd) != 0)
		return -1;
	snprintf(accept_at, sizeof(accept_at), "127.0.0.1:%u", port);
	char *const argv[] = {"openssl", "s_server", "-accept",	 accept_at, "-cert",  crt,
			      "-key",	 key,	     "-naccept", "1",	    "-quiet", NULL};
	pid = spawn(argv, stdin_fd);
	w.tgid = pid;
	if (!wait_event(match_want, &w)) {
		reap(pid);
		return -1;
	}
	return pid;
}

/* No socket chunk of the server holds the plaintext; one is an application-data record. */
static void assert_socket_ciphertext(uint32_t pid)
{
	size_t records = 0;

	for (size_t i = 0; i < nevents; i++) {
		const struct logged *l = &events[i];

		if (!match_io(l, &pid) || l->ev.io.source != MW_IO_SYSCALL ||
		    l->ev.io.fd_kind != MW_FD_SOCKET)
			continue;
		assert_null(memmem(l->data, l->ev.io.len, "plaintext", 9));
		if (l->ev.io.dir == MW_IO_IN && l->ev.io.offset == 0 && l->ev.io.len >= 5 &&
		    l->data[0] == 0x17 && l->data[1] == 0x03)
			records++;
	}
	assert_true(records > 0);
}

/*
 * TLS: openssl s_server (libssl.so.3, dynamically linked) tapped with the
 * uprobes; what s_client sends arrives in the clear at SSL_read(_ex), and
 * as TLS records on the socket.
 */
static void test_tap_tls(void **state)
{
	char lib[PATH_MAX], connect_to[32], err[256] = "";
	uint16_t port = free_port();
	const struct logged *l;
	uint32_t spid;
	pid_t client;
	int sin[2], cin[2], rc;

	if (!sensor_tls_available(sensor))
		skip();
	assert_int_equal(pipe(sin), 0);
	assert_int_equal(pipe(cin), 0);
	spid = tls_server_start(port, sin[0]);
	if ((pid_t)spid < 0 || !mapped_libssl(spid, lib, sizeof(lib))) {
		fprintf(stderr, "test_tap_tls: no openssl s_server with a shared libssl.so.3\n");
		if ((pid_t)spid > 0)
			reap(spid);
		skip();
	}
	assert_int_equal(sensor_tap(sensor, spid, MW_TAP_STDIO | MW_TAP_SOCKET), 0);
	rc = sensor_tap_tls(sensor, spid, lib, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "test_tap_tls: %s\n", err);
		reap(spid);
		skip();
	}
	snprintf(connect_to, sizeof(connect_to), "127.0.0.1:%u", port);
	char *const argv[] = {"openssl", "s_client", "-connect", connect_to, "-quiet", NULL};
	client = spawn(argv, cin[0]);
	assert_int_equal(write(cin[1], tls_line, strlen(tls_line)), (ssize_t)strlen(tls_line));
	l = wait_event(match_tls_line, &spid);
	reap(client);
	reap(spid);
	sensor_untap_tls(sensor, spid);
	close(sin[0]);
	close(sin[1]);
	close(cin[0]);
	close(cin[1]);
	assert_non_null(l);
	assert_int_equal(l->ev.pid, spid);
	assert_int_equal(l->ev.io.fd, -1);
	assert_int_equal(l->ev.io.fd_kind, MW_FD_OTHER);
	assert_true(l->ev.io.stream != 0);
	assert_int_equal(l->ev.io.offset, 0);
	assert_int_equal(l->ev.io.total, strlen(tls_line));
	assert_int_equal(l->ev.io.len, strlen(tls_line));
	assert_memory_equal(l->data, tls_line, strlen(tls_line));
	assert_int_equal(l->ev.server_tgid, 0);
	log_drain();
	assert_socket_ciphertext(spid);
}

/* ------------------------------------------------------------ misc */

/*
 * The backend depends on what the kernel permits; MW_EXPECT_FILE_BACKEND and
 * MW_EXPECT_IO_BACKEND (set by tests/kernels/run-qemu.sh and tests/run-all.sh)
 * name the ones a kernel must choose.
 */
static void test_counts_and_backend(void **state)
{
	const char *want = getenv("MW_EXPECT_FILE_BACKEND");
	const char *got = sensor_file_backend(sensor);
	struct sensor_counts c;

	assert_int_equal(sensor_counts(sensor, &c), 0);
	assert_true(c.sent[MW_EV_EXEC] > 0);
	assert_true(c.sent[MW_EV_FORK] > 0);
	assert_true(c.sent[MW_EV_OPEN] > 0);
	assert_int_equal(c.lost[MW_EV_EXEC], 0);
	assert_int_equal(c.lost[MW_EV_OPEN], 0);
	assert_int_equal(c.malformed, 0);
	const char *want_io = getenv("MW_EXPECT_IO_BACKEND");
	const char *got_io = sensor_io_backend(sensor);

	if (want && *want)
		assert_string_equal(got, want);
	else
		assert_true(!strcmp(got, "fexit") || !strcmp(got, "tp") || !strcmp(got, "raw_tp"));
	if (want_io && *want_io)
		assert_string_equal(got_io, want_io);
	else
		assert_true(!strcmp(got_io, "tp") || !strcmp(got_io, "raw_tp"));
	/* raw_tp opens come only with the raw_tp pair, tp opens only with tp io. */
	if (!strcmp(got, "raw_tp") || !strcmp(got, "tp"))
		assert_string_equal(got_io, got);
	assert_true(sensor_fd(sensor) >= 0);
	assert_int_equal(sensor_untrack(sensor, 1), 0);
}

static void test_open_rejects_bad_ring_size(void **state)
{
	struct sensor_opts opts = {.ringbuf_bytes = 3000};
	struct sensor *s2 = NULL;
	char err[256] = "";

	assert_int_equal(sensor_open(&s2, &opts, log_event, NULL, err, sizeof(err)), -EINVAL);
	assert_null(s2);
	assert_non_null(strstr(err, "3000"));
}

static void test_open_rejects_unknown_backend(void **state)
{
	const char *pinned = getenv("MCPWATCH_FILE_BACKEND");
	char *saved = pinned ? strdup(pinned) : NULL;
	struct sensor *s2 = NULL;
	char err[256] = "";
	int rc;

	setenv("MCPWATCH_FILE_BACKEND", "kprobe", 1);
	rc = sensor_open(&s2, NULL, log_event, NULL, err, sizeof(err));
	if (saved)
		setenv("MCPWATCH_FILE_BACKEND", saved, 1);
	else
		unsetenv("MCPWATCH_FILE_BACKEND");
	free(saved);
	assert_int_equal(rc, -EINVAL);
	assert_null(s2);
	assert_non_null(strstr(err, "MCPWATCH_FILE_BACKEND=kprobe"));
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "--mw-writer"))
		return writer_main(argv[2], argc >= 4 ? argv[3] : NULL);

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_exec_fork_exit, test_setup),
	    cmocka_unit_test_setup(test_exit_code, test_setup),
	    cmocka_unit_test_setup(test_exec_script_reports_interpreter, test_setup),
	    cmocka_unit_test_setup(test_exec_args_truncated, test_setup),
	    cmocka_unit_test_setup(test_exec_identity_fd_and_memfd, test_setup),
	    cmocka_unit_test_setup(test_exec_identity_unlinked, test_setup),
	    cmocka_unit_test_setup(test_tracking_is_inherited, test_setup),
	    cmocka_unit_test_setup(test_open_absolute, test_setup),
	    cmocka_unit_test_setup(test_open_crosses_mounts, test_setup),
	    cmocka_unit_test_setup(test_open_deep_path_truncated, test_setup),
	    cmocka_unit_test_setup(test_open_relative_to_cwd, test_setup),
	    cmocka_unit_test_setup(test_open_relative_to_dirfd, test_setup),
	    cmocka_unit_test_setup(test_open_through_symlink, test_setup),
	    cmocka_unit_test_setup(test_open_failed, test_setup),
	    cmocka_unit_test_setup(test_openat2, test_setup),
	    cmocka_unit_test_setup(test_creat, test_setup),
	    cmocka_unit_test_setup(test_untracked_open_is_silent, test_setup),
	    cmocka_unit_test_setup_teardown(test_open_filter, test_setup,
					    test_open_filter_teardown),
	    cmocka_unit_test_setup_teardown(test_open_secret_inode, test_setup,
					    test_open_secret_inode_teardown),
	    cmocka_unit_test_setup(test_listen_ipv4_any, test_setup),
	    cmocka_unit_test_setup(test_listen_ipv6_loopback, test_setup),
	    cmocka_unit_test_setup(test_connect_tracked_only, test_setup),
	    cmocka_unit_test_setup(test_udp_bind_tracked, test_setup),
	    cmocka_unit_test_setup(test_udp_bind_v6, test_setup),
	    cmocka_unit_test_setup(test_udp_bind_quiet, test_setup),
	    cmocka_unit_test_setup(test_listen_ipv6_v6only_flag, test_setup),
	    cmocka_unit_test_setup(test_uring_setup_and_open, test_setup),
	    cmocka_unit_test_setup(test_uring_limits, test_setup),
	    cmocka_unit_test_setup(test_uring_connect, test_setup),
	    cmocka_unit_test_setup(test_uring_optional, test_setup),
	    cmocka_unit_test_setup(test_stdout_sniff, test_setup),
	    cmocka_unit_test_setup(test_stdout_sniff_write, test_setup),
	    cmocka_unit_test_setup(test_stdout_sniff_limit, test_setup),
	    cmocka_unit_test_setup(test_stdout_sniff_done, test_setup),
	    cmocka_unit_test_setup(test_pending_sniff_writev, test_setup),
	    cmocka_unit_test_setup(test_pending_sniff_split, test_setup),
	    cmocka_unit_test_setup(test_pending_sniff_dup, test_setup),
	    cmocka_unit_test_setup(test_pending_sniff_sendmsg, test_setup),
	    cmocka_unit_test_setup(test_pending_sniff_ws, test_setup),
	    cmocka_unit_test_setup(test_pending_needs_channels, test_setup),
	    cmocka_unit_test_setup(test_pending_open_and_fork, test_setup),
	    cmocka_unit_test_setup(test_pending_window_ends, test_setup),
	    cmocka_unit_test_setup(test_tap_stdio, test_setup),
	    cmocka_unit_test_setup(test_tap_untapped_is_silent, test_setup),
	    cmocka_unit_test_setup(test_tap_vectored, test_setup),
	    cmocka_unit_test_setup(test_tap_large_write, test_setup),
	    cmocka_unit_test_setup(test_tap_socket, test_setup),
	    cmocka_unit_test_setup(test_tap_socketpair_is_stdio, test_setup),
	    cmocka_unit_test_setup(test_tap_flags, test_setup),
	    cmocka_unit_test_setup_teardown(test_tap_early, test_setup, test_tap_early_teardown),
	    cmocka_unit_test_setup_teardown(test_tap_leaves_room, test_setup,
					    test_tap_early_teardown),
	    cmocka_unit_test_setup(test_tap_tls, test_setup),
	    cmocka_unit_test_setup(test_counts_and_backend, test_setup),
	    cmocka_unit_test_setup(test_open_rejects_bad_ring_size, test_setup),
	    cmocka_unit_test_setup(test_open_rejects_unknown_backend, test_setup),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "test_sensor_bpf: needs root to load BPF programs\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
