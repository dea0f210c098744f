// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit tests for exeid: binaries learnt from names in a fake bin directory,
 * then recognised by inode (hard link, symlink), by content (renamed copy),
 * by name only (modified copy), busybox by applet; the race guard (a file
 * that is not the exec's) and the hash cache.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "identify/exeid.h"

#include "fakeproc.h"

#define NO_PID 0x7ffffff0u /* no such process: the exe path is the fallback */

static char bin[PATH_MAX], other[PATH_MAX];

static void put_file(const char *path, const char *content, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static void at(char *out, const char *dir, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

static int setup(void **state)
{
	char p[PATH_MAX];

	fake_root_make("exeid");
	at(bin, fake_root, "bin");
	at(other, fake_root, "other");
	if (mkdir(bin, 0755) || mkdir(other, 0755))
		return -1;
	at(p, bin, "mysh");
	put_file(p, "#fake shell one\n", 16);
	at(p, bin, "othersh");
	put_file(p, "#fake shell two, longer\n", 24);
	at(p, bin, "busybox");
	put_file(p, "#fake busybox\n", 14);
	at(p, bin, "sh");
	return symlink("mysh", p);
}

static int teardown(void **state)
{
	return fake_root_remove();
}

static struct exeid *learnt(void)
{
	static const char *const names[] = {"sh", "mysh", "othersh", "ash", "hush", "nosuch"};
	const char *const dirs[] = {bin};
	struct exeid *x = exeid_new("/proc");

	assert_non_null(x);
	/* sh -> mysh is one binary; busybox always; nosuch is not there. */
	assert_int_equal(exeid_learn(x, names, 6, dirs, 1), 3);
	return x;
}

static void classify(struct exeid *x, const char *path, const char *argv0, const char *argv1,
		     struct exeid_result *r)
{
	const char *argv[] = {argv0, argv1};
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	exeid_classify(x, NO_PID, path, st.st_dev, st.st_ino, argv, argv1 ? 2 : 1, r);
}

static void test_inode_hash_name(void **state)
{
	struct exeid *x = learnt();
	struct exeid_result r;
	char p[PATH_MAX], q[PATH_MAX];

	/* The file itself, and a hard link under another name: the inode. */
	at(p, bin, "mysh");
	classify(x, p, "mysh", NULL, &r);
	assert_int_equal(r.how, EXEID_INODE);
	assert_string_equal(r.match, "mysh");
	at(q, other, "hardlink");
	assert_int_equal(link(p, q), 0);
	classify(x, q, "hardlink", NULL, &r);
	assert_int_equal(r.how, EXEID_INODE);
	assert_string_equal(r.match, "mysh");
	assert_string_equal(exeid_how_name(r.how), "inode");

	/* A renamed copy: the content. */
	at(q, other, "notashell");
	put_file(q, "#fake shell two, longer\n", 24);
	classify(x, q, "notashell", NULL, &r);
	assert_int_equal(r.how, EXEID_HASH);
	assert_string_equal(r.match, "othersh");
	assert_int_equal(exeid_stats(x).hashed, 1);
	/* Cached: not hashed again. */
	classify(x, q, "notashell", NULL, &r);
	assert_int_equal(r.how, EXEID_HASH);
	assert_int_equal(exeid_stats(x).hashed, 1);

	/* A modified copy (same size, other bytes): a name or nothing. */
	at(q, other, "mysh");
	put_file(q, "#fake shell ONE\n", 16);
	classify(x, q, "mysh", NULL, &r);
	assert_int_equal(r.how, EXEID_NAME);
	assert_string_equal(r.match, "mysh");
	at(q, other, "modified");
	put_file(q, "#fake shell ONE\n", 16);
	classify(x, q, "modified", NULL, &r);
	assert_int_equal(r.how, EXEID_NONE);
	assert_string_equal(r.match, "");
	assert_null(exeid_how_name(r.how));
	/* ... whose argv[0] is a learnt name. */
	classify(x, q, "/bin/othersh", NULL, &r);
	assert_int_equal(r.how, EXEID_NAME);
	assert_string_equal(r.match, "othersh");
	/* A file of another size is never read. */
	at(q, other, "big");
	put_file(q, "0123456789012345678901234567890123456789", 40);
	classify(x, q, "big", NULL, &r);
	assert_int_equal(r.how, EXEID_NONE);
	/* notashell, other/mysh and modified (once): three files read. */
	assert_int_equal(exeid_stats(x).hashed, 3);
	exeid_free(x);
}

/* The exec's file is not what is at its path any more (replaced since, or a
 * later exec): nothing is hashed, the name decides. */
static void test_race_guard(void **state)
{
	struct exeid *x = learnt();
	struct exeid_result r;
	const char *argv[] = {"renamed"};
	char q[PATH_MAX];
	struct stat st;

	at(q, other, "renamed");
	put_file(q, "#fake shell one\n", 16);
	assert_int_equal(stat(q, &st), 0);
	exeid_classify(x, NO_PID, q, st.st_dev, st.st_ino + 1, argv, 1, &r);
	assert_int_equal(r.how, EXEID_NONE);
	assert_int_equal(exeid_stats(x).hashed, 0);
	assert_int_equal(exeid_stats(x).unopened, 1);
	/* The real image is read through /proc/<pid>/exe: this test's own. */
	assert_int_equal(stat("/proc/self/exe", &st), 0);
	exeid_classify(x, (uint32_t)getpid(), "", st.st_dev, st.st_ino, argv, 1, &r);
	assert_int_equal(r.how, EXEID_NONE);
	assert_int_equal(exeid_stats(x).unopened, 1);
	exeid_free(x);
}

/* Busybox is what argv[0] (or argv[1] after "busybox") says it runs. */
static void test_busybox_applets(void **state)
{
	struct exeid *x = learnt();
	struct exeid_result r;
	char p[PATH_MAX], q[PATH_MAX];

	at(p, bin, "busybox");
	classify(x, p, "/x/ash", NULL, &r);
	assert_int_equal(r.how, EXEID_INODE);
	assert_string_equal(r.match, "ash");
	classify(x, p, "ls", NULL, &r);
	assert_string_equal(r.match, "busybox");
	classify(x, p, "busybox", "hush", &r);
	assert_string_equal(r.match, "hush");
	classify(x, p, "busybox", "wget", &r);
	assert_string_equal(r.match, "busybox");
	/* A renamed copy running as sh. */
	at(q, other, "bb");
	put_file(q, "#fake busybox\n", 14);
	classify(x, q, "sh", NULL, &r);
	assert_int_equal(r.how, EXEID_HASH);
	assert_string_equal(r.match, "sh");
	exeid_free(x);
}

/* Learning again forgets the old binaries (a reload with other rules). */
static void test_relearn(void **state)
{
	static const char *const names[] = {"othersh"};
	const char *const dirs[] = {bin};
	struct exeid *x = learnt();
	struct exeid_result r;
	char p[PATH_MAX];

	assert_int_equal(exeid_learn(x, names, 1, dirs, 1), 2); /* othersh, busybox */
	assert_int_equal(exeid_learnt(x), 2);
	at(p, bin, "mysh");
	classify(x, p, "mysh", NULL, &r);
	assert_int_equal(r.how, EXEID_NONE);
	assert_int_equal(exeid_learn(x, NULL, 0, dirs, 1), 1);
	exeid_free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_inode_hash_name),
	    cmocka_unit_test(test_race_guard),
	    cmocka_unit_test(test_busybox_applets),
	    cmocka_unit_test(test_relearn),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
