/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "detect/evctx.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

bool evctx_addr_is_loopback(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (!addr)
		return false;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_LOOPBACK(&a6))
		return true;
	return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
}

const char *evctx_transport(const struct evctx *c)
{
	return c->net.protocol == IPPROTO_UDP ? "udp" : "tcp";
}

int evctx_dual_stack(const struct evctx *c)
{
	struct in6_addr a6;

	if (c->net.family != AF_INET6)
		return 0;
	if (!c->net.local_addr || inet_pton(AF_INET6, c->net.local_addr, &a6) != 1 ||
	    !IN6_IS_ADDR_UNSPECIFIED(&a6))
		return 0; /* a v4-mapped or a plain IPv6 address takes one family */
	return c->net.v6only < 0 ? -1 : !c->net.v6only;
}

void evctx_format_oflags(uint32_t oflags, char *out, size_t outlen)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = {
	    {O_CREAT, "O_CREAT"},	  {O_EXCL, "O_EXCL"},
	    {O_NOCTTY, "O_NOCTTY"},	  {O_TRUNC, "O_TRUNC"},
	    {O_APPEND, "O_APPEND"},	  {O_NONBLOCK, "O_NONBLOCK"},
	    {O_DSYNC, "O_DSYNC"},	  {O_DIRECT, "O_DIRECT"},
	    {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
	    {O_NOATIME, "O_NOATIME"},	  {O_CLOEXEC, "O_CLOEXEC"},
	    {O_PATH, "O_PATH"},		  {O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE"},
	};
	const char *acc = (oflags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
			  : (oflags & O_ACCMODE) == O_RDWR ? "O_RDWR"
							   : "O_RDONLY";
	size_t off = (size_t)snprintf(out, outlen, "%s", acc);

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]) && off < outlen; i++)
		if ((oflags & bits[i].bit) == bits[i].bit)
			off += (size_t)snprintf(out + off, outlen - off, "|%s", bits[i].name);
}

void evctx_attribute(struct evctx *c, const struct tap *tap, uint32_t server_tgid)
{
	size_t n = tap_inflight(tap, server_tgid, c->mcp.candidates, EVCTX_MCP_CANDIDATES);

	c->mcp.call = n == 1 ? c->mcp.candidates[0] : NULL;
	c->mcp.ncandidates = n > 1 ? n : 0;
}

const char *evctx_file_canonical(const struct evctx *c)
{
	return c->file.canonical_path ? c->file.canonical_path : c->file.path;
}

bool evctx_file_by_inode(const struct evctx *c)
{
	const char *canon = evctx_file_canonical(c);

	return canon && c->file.path && strcmp(canon, c->file.path) != 0;
}
