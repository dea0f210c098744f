// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* container: container id and pod uid from /proc/<pid>/cgroup text. */
#include "sense/container.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* One path component: [s, s + len). */
struct component {
	const char *s;
	size_t len;
};

struct id_prefix {
	const char *prefix;
	const char *runtime;
};

/*
 * "<prefix><64 hex>[.scope]" forms. The conmon variants are excluded simply
 * because "conmon-..." is not 64 hex digits after the prefix.
 */
static const struct id_prefix id_prefixes[] = {
    {"docker-", "docker"},	{"cri-containerd-", "containerd"},
    {"nerdctl-", "containerd"}, {"crio-", "cri-o"},
    {"libpod-", "podman"},
};

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool all_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_lower_hex(s[i]))
			return false;
	}
	return true;
}

static bool comp_equals(struct component c, const char *word)
{
	size_t n = strlen(word);

	return c.len == n && memcmp(c.s, word, n) == 0;
}

static bool comp_starts_with(struct component c, const char *word)
{
	size_t n = strlen(word);

	return c.len >= n && memcmp(c.s, word, n) == 0;
}

static bool comp_ends_with(struct component c, const char *word)
{
	size_t n = strlen(word);

	return c.len >= n && memcmp(c.s + c.len - n, word, n) == 0;
}

/* Finds the component that ends just before position end (exclusive) of path. */
static struct component component_before(const char *path, size_t end)
{
	size_t start = end;

	while (start > 0 && path[start - 1] != '/')
		start--;
	return (struct component){path + start, end - start};
}

/* Is any ancestor of the component starting at path[pos] a kubepods cgroup? */
static bool under_kubepods(const char *path, size_t pos)
{
	while (pos > 1) {
		struct component c = component_before(path, pos - 1);

		if (comp_starts_with(c, "kubepods"))
			return true;
		pos = (size_t)(c.s - path);
	}
	return false;
}

/* Runtime of a bare 64-hex component, judged by where it sits. */
static const char *bare_id_runtime(const char *path, size_t pos)
{
	if (pos > 1 && comp_equals(component_before(path, pos - 1), "docker"))
		return "docker";
	if (under_kubepods(path, pos))
		return "cri";
	return "unknown";
}

/* Matches one component; returns a pointer to the 64 hex digits or NULL. */
static const char *match_id_component(struct component c, const char **runtime)
{
	for (size_t i = 0; i < sizeof(id_prefixes) / sizeof(id_prefixes[0]); i++) {
		const struct id_prefix *p = &id_prefixes[i];
		size_t plen = strlen(p->prefix);
		size_t rest;

		if (!comp_starts_with(c, p->prefix))
			continue;
		rest = c.len - plen;
		if (rest != CONTAINER_ID_LEN &&
		    !(rest == CONTAINER_ID_LEN + 6 && comp_ends_with(c, ".scope")))
			continue;
		if (!all_lower_hex(c.s + plen, CONTAINER_ID_LEN))
			continue;
		*runtime = p->runtime;
		return c.s + plen;
	}
	return NULL;
}

/* Scans a path's components from last to first for a container id. */
static bool id_from_path(const char *path, size_t len, char *id, const char **runtime)
{
	size_t end = len;

	while (end > 0) {
		struct component c = component_before(path, end);
		size_t pos = (size_t)(c.s - path);
		const char *hex = match_id_component(c, runtime);

		if (!hex && c.len == CONTAINER_ID_LEN && all_lower_hex(c.s, c.len)) {
			hex = c.s;
			*runtime = bare_id_runtime(path, pos);
		}
		if (hex) {
			memcpy(id, hex, CONTAINER_ID_LEN);
			id[CONTAINER_ID_LEN] = '\0';
			return true;
		}
		end = pos > 0 ? pos - 1 : 0;
	}
	return false;
}

/*
 * Walks the lines of a cgroup file, "hierarchy:controllers:path", handing
 * each path to fn until it returns true.
 */
static bool for_each_cgroup_path(const char *content, size_t len,
				 bool (*fn)(const char *path, size_t plen, void *arg), void *arg)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = content + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		const char *c1 = memchr(line, ':', llen);
		const char *c2 = c1 ? memchr(c1 + 1, ':', llen - (size_t)(c1 + 1 - line)) : NULL;

		pos += llen + 1;
		if (!c2)
			continue;
		if (fn(c2 + 1, llen - (size_t)(c2 + 1 - line), arg))
			return true;
	}
	return false;
}

struct id_search {
	char *id;
	const char *runtime;
};

static bool id_search_path(const char *path, size_t plen, void *arg)
{
	struct id_search *s = arg;

	return id_from_path(path, plen, s->id, &s->runtime);
}

int container_id_from_cgroup(const char *content, size_t len, char *id, size_t idlen,
			     const char **runtime)
{
	struct id_search s = {.id = id};

	if (runtime)
		*runtime = NULL;
	if (!id || idlen < CONTAINER_ID_LEN + 1 || (!content && len))
		return -EINVAL;
	id[0] = '\0';
	if (!for_each_cgroup_path(content, len, id_search_path, &s))
		return 0;
	if (runtime)
		*runtime = s.runtime;
	return 1;
}

/* Copies a uuid, turning systemd's '_' escapes into '-'; checks its shape. */
static bool copy_pod_uid(const char *s, char *uid)
{
	for (size_t i = 0; i < CONTAINER_POD_UID_LEN; i++) {
		bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
		char c = s[i];

		if (dash_pos) {
			if (c != '-' && c != '_')
				return false;
			c = '-';
		} else if (!is_lower_hex(c)) {
			return false;
		}
		uid[i] = c;
	}
	uid[CONTAINER_POD_UID_LEN] = '\0';
	return true;
}

/* "pod<uid>" (cgroupfs) or "kubepods[-qos]-pod<uid>.slice" (systemd). */
static bool pod_uid_from_component(struct component c, char *uid)
{
	size_t n = CONTAINER_POD_UID_LEN;

	if (c.len == 3 + n && comp_starts_with(c, "pod"))
		return copy_pod_uid(c.s + 3, uid);
	if (comp_starts_with(c, "kubepods") && comp_ends_with(c, ".slice") && c.len >= 4 + n + 6 &&
	    memcmp(c.s + c.len - 6 - n - 4, "-pod", 4) == 0)
		return copy_pod_uid(c.s + c.len - 6 - n, uid);
	return false;
}

static bool pod_uid_search_path(const char *path, size_t plen, void *arg)
{
	size_t end = plen;

	while (end > 0) {
		struct component c = component_before(path, end);
		size_t pos = (size_t)(c.s - path);

		if (pod_uid_from_component(c, arg))
			return true;
		end = pos > 0 ? pos - 1 : 0;
	}
	return false;
}

int container_pod_uid_from_cgroup(const char *content, size_t len, char *uid, size_t uidlen)
{
	if (!uid || uidlen < CONTAINER_POD_UID_LEN + 1 || (!content && len))
		return -EINVAL;
	uid[0] = '\0';
	if (!for_each_cgroup_path(content, len, pod_uid_search_path, uid)) {
		uid[0] = '\0';
		return 0;
	}
	return 1;
}
