// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include "lib/usernames.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/clock.h"

void usernames_init(struct usernames *u, const char *passwd)
{
	memset(u, 0, sizeof(*u));
	u->passwd = passwd ? passwd : "/etc/passwd";
	u->checked_ns = INT64_MIN;
}

/* Drop every answer when the file is not the one they were read from. */
static void check_passwd(struct usernames *u, int64_t now)
{
	struct stat st;
	int64_t mtime = 0, size = -1;
	uint64_t ino = 0;

	if (u->checked_ns != INT64_MIN && now - u->checked_ns < NS_PER_S)
		return;
	u->checked_ns = now;
	if (stat(u->passwd, &st) == 0) {
		mtime = (int64_t)st.st_mtim.tv_sec * NS_PER_S + st.st_mtim.tv_nsec;
		size = (int64_t)st.st_size;
		ino = (uint64_t)st.st_ino;
	}
	if (mtime != u->passwd_mtime_ns || size != u->passwd_size || ino != u->passwd_ino) {
		for (size_t i = 0; i < USERNAMES_SLOTS; i++)
			u->slot[i].at_ns = 0;
		u->passwd_mtime_ns = mtime;
		u->passwd_size = size;
		u->passwd_ino = ino;
	}
}

const char *usernames_get(struct usernames *u, uint32_t uid, int64_t now)
{
	struct passwd pw, *res = NULL;
	char buf[1024];
	size_t i = uid % USERNAMES_SLOTS;

	check_passwd(u, now);
	if (!u->slot[i].at_ns || u->slot[i].uid != uid ||
	    now - u->slot[i].at_ns >= (int64_t)USERNAMES_TTL_S * NS_PER_S) {
		u->slot[i].uid = uid;
		u->slot[i].name[0] = '\0';
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name &&
		    strlen(res->pw_name) < sizeof(u->slot[i].name))
			snprintf(u->slot[i].name, sizeof(u->slot[i].name), "%s", res->pw_name);
		/* at_ns 0 means empty: a clock at 0 still stores an answer. */
		u->slot[i].at_ns = now ? now : 1;
	}
	return u->slot[i].name[0] ? u->slot[i].name : NULL;
}
