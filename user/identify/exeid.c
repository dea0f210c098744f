// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include "identify/exeid.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/paths.h"

#define SHA_LEN	    32
#define CACHE_SLOTS 256

static const char *const default_dirs[] = {"/bin", "/usr/bin", "/sbin", "/usr/sbin",
					   "/usr/local/bin"};
/* The busybox applets that are shells (its argv[0] decides what it runs). */
static const char *const busybox_shells[] = {"sh", "ash", "hush"};

struct known {
	uint64_t dev, ino;
	uint64_t size;
	unsigned char sha[SHA_LEN];
	char name[EXEID_MATCH_MAX]; /* basename of the resolved binary */
	bool busybox;
};

/* A file hashed before: which learnt binary it equals (-1 none). */
struct cached {
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns;
	int known;
};

struct exeid {
	char *proc_root;
	struct known *known;
	size_t nknown;
	char **names; /* the learnt names, for the name fallback */
	size_t nnames;
	struct cached cache[CACHE_SLOTS];
	size_t ncache, next_slot;
	struct exeid_stats stats;
};

struct exeid *exeid_new(const char *proc_root)
{
	struct exeid *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->proc_root = strdup(proc_root ? proc_root : "/proc");
	if (!x->proc_root) {
		free(x);
		return NULL;
	}
	return x;
}

static void forget(struct exeid *x)
{
	for (size_t i = 0; i < x->nnames; i++)
		free(x->names[i]);
	free(x->names);
	free(x->known);
	x->names = NULL;
	x->known = NULL;
	x->nnames = x->nknown = 0;
	x->ncache = x->next_slot = 0;
}

void exeid_free(struct exeid *x)
{
	if (!x)
		return;
	forget(x);
	free(x->proc_root);
	free(x);
}

/* SHA-256 of the open regular file fd, read from its start. */
static int hash_fd(int fd, unsigned char out[SHA_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char buf[65536];
	unsigned int len = 0;
	off_t off = 0;
	ssize_t n;
	int rc = -EIO;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
			goto out;
		off += n;
	}
	if (n == 0 && EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == SHA_LEN)
		rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int find_inode(const struct exeid *x, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < x->nknown; i++)
		if (x->known[i].dev == dev && x->known[i].ino == ino)
			return (int)i;
	return -1;
}

/* Learns the binary path resolves to, unless it is learnt already. */
static int learn_path(struct exeid *x, const char *path)
{
	char real[PATH_MAX];
	struct known k = {0}, *v;
	struct stat st;
	int fd;

	if (!realpath(path, real))
		return 0;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111) ||
	    (uint64_t)st.st_size > EXEID_HASH_MAX || find_inode(x, st.st_dev, st.st_ino) >= 0 ||
	    hash_fd(fd, k.sha)) {
		close(fd);
		return 0;
	}
	close(fd);
	k.dev = st.st_dev;
	k.ino = st.st_ino;
	k.size = (uint64_t)st.st_size;
	snprintf(k.name, sizeof(k.name), "%s", path_base(real));
	k.busybox = !strcmp(k.name, "busybox");
	v = realloc(x->known, (x->nknown + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	x->known = v;
	x->known[x->nknown++] = k;
	return 0;
}

int exeid_learn(struct exeid *x, const char *const *names, size_t n, const char *const *dirs,
		size_t ndirs)
{
	char path[PATH_MAX];
	int rc = 0;

	forget(x);
	if (!dirs) {
		dirs = default_dirs;
		ndirs = sizeof(default_dirs) / sizeof(default_dirs[0]);
	}
	x->names = calloc(n ? n : 1, sizeof(*x->names));
	if (!x->names)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		x->names[i] = strdup(names[i]);
		if (!x->names[i])
			return -ENOMEM;
		x->nnames++;
	}
	for (size_t d = 0; d < ndirs && !rc; d++) {
		/* A name with a '/' would leave the directory: not a program name. */
		for (size_t i = 0; i <= n && !rc; i++) {
			const char *name = i < n ? names[i] : "busybox";

			if (!name[0] || strchr(name, '/') ||
			    (size_t)snprintf(path, sizeof(path), "%s/%s", dirs[d], name) >=
				sizeof(path))
				continue;
			rc = learn_path(x, path);
		}
	}
	return rc ? rc : (int)x->nknown;
}

static bool in(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

/* The match of learnt binary k run with argv: busybox is what argv[0] (or
 * argv[1] after "busybox") names, as busybox itself decides. */
static void set_match(const struct known *k, const char *const *argv, int argc,
		      struct exeid_result *out)
{
	const char *applet;

	if (!k->busybox) {
		snprintf(out->match, sizeof(out->match), "%s", k->name);
		return;
	}
	applet = argc > 0 ? path_base(argv[0]) : NULL;
	if (applet && !strcmp(applet, "busybox"))
		applet = argc > 1 ? path_base(argv[1]) : NULL;
	if (!in(applet, busybox_shells, sizeof(busybox_shells) / sizeof(busybox_shells[0])))
		applet = "busybox";
	snprintf(out->match, sizeof(out->match), "%s", applet);
}

/*
 * Opens path if it is still the exec's file (ino 0: any regular file). The
 * inode number alone decides: it tells a later exec or a replaced file
 * apart, and btrfs reports a subvolume's st_dev, never the superblock's
 * s_dev the kernel sent (so there a shell is known by content, not inode).
 */
static int open_same(const char *path, uint64_t ino, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) || !S_ISREG(st->st_mode) || (ino && (uint64_t)st->st_ino != ino)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool size_learnt(const struct exeid *x, uint64_t size)
{
	for (size_t i = 0; i < x->nknown; i++)
		if (x->known[i].size == size)
			return true;
	return false;
}

/* The learnt binary whose content the process's executable has, or -1. */
static int by_content(struct exeid *x, uint32_t pid, const char *exe, uint64_t ino)
{
	unsigned char sha[SHA_LEN];
	char path[PATH_MAX];
	struct cached *c;
	struct stat st;
	int fd, k = -1;

	if (!x->nknown)
		return -1;
	/* /proc/<pid>/exe opens a memfd or deleted file too; the path is the
	 * fallback once the process is gone (a short-lived shell). */
	snprintf(path, sizeof(path), "%s/%u/exe", x->proc_root, pid);
	fd = open_same(path, ino, &st);
	if (fd < 0 && exe && exe[0] == '/')
		fd = open_same(exe, ino, &st);
	if (fd < 0) {
		x->stats.unopened++;
		return -1;
	}
	/* Only a file of a learnt size can have a learnt content. */
	if (!size_learnt(x, (uint64_t)st.st_size))
		goto out;
	for (size_t i = 0; i < x->ncache; i++) {
		c = &x->cache[i];
		if (c->dev == (uint64_t)st.st_dev && c->ino == (uint64_t)st.st_ino &&
		    c->size == (uint64_t)st.st_size && c->mtime_s == st.st_mtim.tv_sec &&
		    c->mtime_ns == st.st_mtim.tv_nsec) {
			k = c->known;
			goto out;
		}
	}
	/* (A learnt size is at most EXEID_HASH_MAX: no larger file is read.) */
	if (hash_fd(fd, sha))
		goto out;
	x->stats.hashed++;
	for (size_t i = 0; i < x->nknown && k < 0; i++)
		if (x->known[i].size == (uint64_t)st.st_size &&
		    !memcmp(x->known[i].sha, sha, SHA_LEN))
			k = (int)i;
	/* A full cache reuses its slots in turn: each file costs one hash a round. */
	c = &x->cache[x->ncache < CACHE_SLOTS ? x->ncache++ : x->next_slot++ % CACHE_SLOTS];
	*c = (struct cached){st.st_dev,		st.st_ino,	    (uint64_t)st.st_size,
			     st.st_mtim.tv_sec, st.st_mtim.tv_nsec, k};
out:
	close(fd);
	return k;
}

void exeid_classify(struct exeid *x, uint32_t pid, const char *exe, uint64_t dev, uint64_t ino,
		    const char *const *argv, int argc, struct exeid_result *out)
{
	const char *name = exe && exe[0] ? path_base(exe) : NULL;
	const char *argv0 = argc > 0 && argv[0] ? path_base(argv[0]) : NULL;
	int k = ino ? find_inode(x, dev, ino) : -1;

	memset(out, 0, sizeof(*out));
	if (k >= 0) {
		out->how = EXEID_INODE;
	} else if ((k = by_content(x, pid, exe, ino)) >= 0) {
		out->how = EXEID_HASH;
	} else {
		if (in(name, (const char *const *)x->names, x->nnames))
			snprintf(out->match, sizeof(out->match), "%s", name);
		else if (in(argv0, (const char *const *)x->names, x->nnames))
			snprintf(out->match, sizeof(out->match), "%s", argv0);
		if (out->match[0])
			out->how = EXEID_NAME;
		return;
	}
	set_match(&x->known[k], argv, argc, out);
}

const char *exeid_how_name(enum exeid_how how)
{
	switch (how) {
	case EXEID_INODE:
		return "inode";
	case EXEID_HASH:
		return "hash";
	case EXEID_NAME:
		return "name";
	default:
		return NULL;
	}
}

size_t exeid_learnt(const struct exeid *x)
{
	return x ? x->nknown : 0;
}

struct exeid_stats exeid_stats(const struct exeid *x)
{
	return x->stats;
}
