/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * exeid: owns what the host's shells ARE, whatever they are called. It
 * learns, from a list of names (the ones rules test process.exe_match
 * against), the binaries those names resolve to in the system directories
 * (plus busybox): their device and inode and a SHA-256 of their content.
 * An executable is then recognised by its inode (a hard link or symlink
 * under any name), else by its content (a renamed copy, a memfd, a deleted
 * file: hashed once per new file through /proc/<pid>/exe), else by its name
 * or argv[0] as before. Busybox is a shell only when it runs a shell applet.
 */
#ifndef MCPWATCH_EXEID_H
#define MCPWATCH_EXEID_H

#include <stddef.h>
#include <stdint.h>

#define EXEID_MATCH_MAX 32
#define EXEID_HASH_MAX	(64u << 20) /* larger files are never hashed */

enum exeid_how {
	EXEID_NONE = 0, /* not a learnt binary, nor a learnt name */
	EXEID_INODE,	/* the very file of a learnt binary (device and inode) */
	EXEID_HASH,	/* another file with a learnt binary's content */
	EXEID_NAME,	/* only its name or argv[0] is a learnt name */
};

struct exeid_result {
	enum exeid_how how;
	/* The learnt binary's basename ("dash"), the busybox applet it runs
	 * ("ash", or "busybox" for a non-shell applet), or with EXEID_NAME the
	 * name that matched; "" with EXEID_NONE. */
	char match[EXEID_MATCH_MAX];
};

struct exeid_stats {
	uint64_t hashed;   /* files read and hashed */
	uint64_t unopened; /* the process was gone and its file too: name only */
};

struct exeid;

/* proc_root: "/proc" (or where the host's is mounted). */
struct exeid *exeid_new(const char *proc_root);
void exeid_free(struct exeid *x);

/*
 * Forgets what was learnt and learns names: each name (and "busybox") in
 * each of dirs (NULL: /bin /usr/bin /sbin /usr/sbin /usr/local/bin),
 * symlinks resolved, regular files only. Returns the number of distinct
 * binaries learnt, or -ENOMEM.
 */
int exeid_learn(struct exeid *x, const char *const *names, size_t n, const char *const *dirs,
		size_t ndirs);

/*
 * What the executable of process pid is: dev/ino from the exec event
 * (st_dev encoding; 0 when unknown), exe its path ("" when it has none),
 * argv its arguments. A file is hashed only if its size is a learnt
 * binary's and it is still the process's image (or, once the process is
 * gone, still at exe); the result is cached per (dev, ino, size, mtime).
 */
void exeid_classify(struct exeid *x, uint32_t pid, const char *exe, uint64_t dev, uint64_t ino,
		    const char *const *argv, int argc, struct exeid_result *out);

const char *exeid_how_name(enum exeid_how how); /* "inode", "hash", "name", NULL */
size_t exeid_learnt(const struct exeid *x);
struct exeid_stats exeid_stats(const struct exeid *x);

#endif /* MCPWATCH_EXEID_H */
