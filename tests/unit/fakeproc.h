/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Test helper: a fake filesystem root in a temp dir, with files and fake
 * /proc/<pid> entries (stat, status, cmdline, cgroup, exe link) that the
 * procfs parsers read as they would the real thing.
 */
#ifndef MCPWATCH_TEST_FAKEPROC_H
#define MCPWATCH_TEST_FAKEPROC_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fake_root[PATH_MAX];

static inline void fake_root_make(const char *tag)
{
	snprintf(fake_root, sizeof(fake_root), "/tmp/mw-%s-XXXXXX", tag);
	assert_non_null(mkdtemp(fake_root));
}

static inline int fake_root_remove(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fake_root);
	return system(cmd);
}

/* Write rel (relative to the root), creating its directories. */
static inline void fake_put(const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX * 2], cmd[PATH_MAX * 3];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake_root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A process under <root>/<procdir>/<pid>: ppid, start ticks, uid, exe, NUL-separated cmdline. */
static inline void fake_process(const char *procdir, int pid, int ppid, int start, int uid,
				const char *exe, const char *cmdline, size_t cmdlen)
{
	char rel[PATH_MAX], buf[256], link[PATH_MAX * 2];

	snprintf(buf, sizeof(buf), "%d (x) S %d 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %d 9 3\n",
		 pid, ppid, start);
	snprintf(rel, sizeof(rel), "%s/%d/stat", procdir, pid);
	fake_put(rel, buf, strlen(buf));
	snprintf(buf, sizeof(buf), "Name:\tx\nUid:\t%d\t%d\t%d\t%d\n", uid, uid, uid, uid);
	snprintf(rel, sizeof(rel), "%s/%d/status", procdir, pid);
	fake_put(rel, buf, strlen(buf));
	snprintf(rel, sizeof(rel), "%s/%d/cmdline", procdir, pid);
	fake_put(rel, cmdline, cmdlen);
	snprintf(rel, sizeof(rel), "%s/%d/cgroup", procdir, pid);
	fake_put(rel, "0::/user.slice\n", 15);
	snprintf(link, sizeof(link), "%s/%s/%d/exe", fake_root, procdir, pid);
	assert_int_equal(symlink(exe, link), 0);
}

#endif /* MCPWATCH_TEST_FAKEPROC_H */
