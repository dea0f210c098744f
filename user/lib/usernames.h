/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * usernames: uid -> login name for records ("user.name"), cached. getpwuid_r
 * opens and parses /etc/passwd on every call, which an exec storm (one new
 * process image per event) turned into a fifth of the agent's time. Answers,
 * "no name" included, are kept for USERNAMES_TTL_S seconds, and all of them are
 * dropped as soon as /etc/passwd changes (checked at most once a second), so a
 * renamed or new user shows within a second when the files source serves it.
 * One cache per thread of use: not locked.
 */
#ifndef MCPWATCH_LIB_USERNAMES_H
#define MCPWATCH_LIB_USERNAMES_H

#include <stddef.h>
#include <stdint.h>

#define USERNAMES_TTL_S	   60
#define USERNAMES_SLOTS	   64 /* direct-mapped by uid */
#define USERNAMES_NAME_MAX 64

struct usernames {
	const char *passwd; /* the file whose changes drop the cache */
	int64_t checked_ns; /* monotonic time of the last stat */
	int64_t passwd_mtime_ns, passwd_size;
	uint64_t passwd_ino;
	struct {
		int64_t at_ns; /* 0: empty */
		uint32_t uid;
		char name[USERNAMES_NAME_MAX]; /* "" when the uid has no name */
	} slot[USERNAMES_SLOTS];
};

/* passwd: the file to watch ("/etc/passwd"; NULL: the same). */
void usernames_init(struct usernames *u, const char *passwd);
/* The uid's name, or NULL when it has none; valid until the next call. */
const char *usernames_get(struct usernames *u, uint32_t uid, int64_t now_mono_ns);

#endif /* MCPWATCH_LIB_USERNAMES_H */
