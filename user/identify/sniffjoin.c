// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Joins stdout samples per process before the handshake parser sees them.
 * MCP over stdio is newline-delimited JSON: a message ends at its newline,
 * so a buffer is cut at each newline whose line did not hold an identity,
 * and whatever starts with something else than '{' is a line of noise.
 */
#include "identify/sniffjoin.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "identify/mcpproto.h"

struct sniffjoin_slot {
	uint32_t tgid; /* 0: free */
	uint32_t len;
	uint64_t used; /* feed counter at the last use, for eviction */
	char buf[SNIFFJOIN_BYTES];
};

struct sniffjoin {
	uint64_t clock;
	struct sniffjoin_slot slots[SNIFFJOIN_SLOTS];
};

struct sniffjoin *sniffjoin_new(void)
{
	return calloc(1, sizeof(struct sniffjoin));
}

void sniffjoin_free(struct sniffjoin *j)
{
	free(j);
}

static struct sniffjoin_slot *slot_find(struct sniffjoin *j, uint32_t tgid)
{
	for (size_t i = 0; i < SNIFFJOIN_SLOTS; i++)
		if (j->slots[i].tgid == tgid)
			return &j->slots[i];
	return NULL;
}

/* tgid's slot, or the least recently used one emptied for it. */
static struct sniffjoin_slot *slot_get(struct sniffjoin *j, uint32_t tgid)
{
	struct sniffjoin_slot *s = slot_find(j, tgid), *old = &j->slots[0];

	if (s)
		return s;
	for (size_t i = 0; i < SNIFFJOIN_SLOTS; i++) {
		if (!j->slots[i].tgid) {
			old = &j->slots[i];
			break;
		}
		if (j->slots[i].used < old->used)
			old = &j->slots[i];
	}
	old->tgid = tgid;
	old->len = 0;
	return old;
}

static void slot_drop(struct sniffjoin_slot *s, size_t n)
{
	if (n >= s->len) {
		s->len = 0;
		return;
	}
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
}

static size_t skip_ws(const char *b, size_t len)
{
	size_t i = 0;

	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r'))
		i++;
	return i;
}

int sniffjoin_feed(struct sniffjoin *j, uint32_t tgid, const char *data, size_t len, uint64_t count,
		   char *name, size_t nlen, char *version, size_t vlen)
{
	struct sniffjoin_slot *s;
	size_t room, n;
	bool cut = len < count;

	if (name && nlen)
		name[0] = '\0';
	if (version && vlen)
		version[0] = '\0';
	if (!j || !tgid || !name || !nlen || (!data && len))
		return 0;
	s = slot_get(j, tgid);
	s->used = ++j->clock;
	room = sizeof(s->buf) - s->len;
	n = len < room ? len : room;
	if (n)
		memcpy(s->buf + s->len, data, n);
	s->len += n;
	if (n < len)
		cut = true;
	for (;;) {
		size_t i = skip_ws(s->buf, s->len);
		const char *nl;

		if (i == s->len) {
			s->len = 0;
			break;
		}
		if (s->buf[i] == '{' &&
		    mcp_parse_server_info(s->buf + i, s->len - i, name, nlen, version, vlen) == 1) {
			s->tgid = 0;
			s->len = 0;
			return 1;
		}
		nl = memchr(s->buf + i, '\n', s->len - i);
		if (nl) {
			/* A complete line without an identity (or not JSON at all). */
			slot_drop(s, (size_t)(nl - s->buf) + 1);
			continue;
		}
		if (s->buf[i] != '{')
			s->len = 0; /* noise without its end yet: nothing to join to */
		else if (i)
			slot_drop(s, i);
		break;
	}
	/* Bytes after a cut sample are missing: what follows would not join. */
	if (cut)
		s->len = 0;
	if (!s->len)
		s->tgid = 0;
	return 0;
}

void sniffjoin_forget(struct sniffjoin *j, uint32_t tgid)
{
	struct sniffjoin_slot *s = j && tgid ? slot_find(j, tgid) : NULL;

	if (s) {
		s->tgid = 0;
		s->len = 0;
	}
}
