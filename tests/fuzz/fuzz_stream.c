// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz the stream reassembler. The first input byte picks the protocol, the
 * message bound, the chunking and whether bytes are lost; the second seeds
 * the chunk sizes. Every message must keep the bounds, and without lost bytes
 * the messages must be the same however the input was cut.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identify/stream.h"

struct run {
	size_t max;
	uint64_t hash; /* of every message, in order */
	size_t count;
	bool lost; /* the stream was out of sync after some feed */
};

static const size_t max_messages[] = {16, 64, 256, 65536};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--)
		h = (h ^ *c++) * 1099511628211ULL;
	return h;
}

static void check_string(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static void check_message(const struct stream_msg *m, void *arg)
{
	struct run *r = arg;

	if (m->len > r->max || m->total_len < m->len || (m->len && !m->data) ||
	    m->proto == STREAM_AUTO)
		abort();
	/* A message without a body says how long the body was (total_len). */
	if ((m->flags & STREAM_MSG_NO_BODY) && m->len)
		abort();
	if (!(m->flags & (STREAM_MSG_TRUNCATED | STREAM_MSG_GAP | STREAM_MSG_NO_BODY)) &&
	    m->len != m->total_len)
		abort();
	if ((m->flags & STREAM_MSG_TRUNCATED) && m->len != r->max)
		abort();
	if ((m->http != NULL) != (m->proto != STREAM_NDJSON))
		abort();
	r->hash = fnv(r->hash, m->data, m->len);
	r->hash = fnv(r->hash, &m->total_len, sizeof(m->total_len));
	r->hash = fnv(r->hash, &m->flags, sizeof(m->flags));
	if (m->http) {
		check_string(m->http->method, sizeof(m->http->method));
		check_string(m->http->path, sizeof(m->http->path));
		check_string(m->http->session_id, sizeof(m->http->session_id));
		check_string(m->http->content_type, sizeof(m->http->content_type));
		check_string(m->http->user_agent, sizeof(m->http->user_agent));
		r->hash = fnv(r->hash, m->http, sizeof(*m->http));
	}
	r->count++;
}

static uint32_t next_random(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 8;
}

static size_t chunk_size(unsigned mode, uint32_t *seed, size_t left)
{
	size_t n;

	switch (mode) {
	case 0:
		n = 1 + next_random(seed) % 16;
		break;
	case 1:
		n = 1 + next_random(seed) % 256;
		break;
	case 2:
		n = 1;
		break;
	default:
		n = left;
		break;
	}
	return n < left ? n : left;
}

/* Feeds data in chunks; with gaps, some chunks are dropped and counted as lost. */
static void feed(enum stream_proto p, struct run *r, const char *data, size_t size, unsigned mode,
		 uint32_t seed, bool gaps)
{
	struct stream *s = stream_new(p, r->max);
	uint64_t lost = 0;
	size_t off = 0, n;

	if (!s)
		abort();
	while (off < size) {
		n = chunk_size(mode, &seed, size - off);
		if (gaps && next_random(&seed) % 5 == 0) {
			lost += n;
		} else {
			stream_feed(s, data + off, n, lost, check_message, r);
			lost = 0;
			r->lost |= stream_lost_reason(s) != NULL;
		}
		off += n;
	}
	stream_end(s, check_message, r);
	if (!gaps && stream_lost_reason(s))
		abort(); /* stream_end starts afresh */
	stream_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole = {0}, cut = {0};
	enum stream_proto p;
	unsigned mode;
	uint32_t seed;

	if (size < 2)
		return 0;
	p = (enum stream_proto)(data[0] & 3);
	whole.max = cut.max = max_messages[(data[0] >> 2) & 3];
	mode = (data[0] >> 4) & 3;
	seed = data[1];
	data += 2;
	size -= 2;
	feed(p, &whole, (const char *)data, size, 3, seed, false);
	feed(p, &cut, (const char *)data, size, mode, seed, data[-2] & 0x40);
	/* Once lost, a stream resyncs at a chunk start: only in-sync runs must agree. */
	if (!(data[-2] & 0x40) && !whole.lost &&
	    (cut.lost || whole.hash != cut.hash || whole.count != cut.count))
		abort();
	return 0;
}
