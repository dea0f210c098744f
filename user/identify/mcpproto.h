/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * mcpproto: owns the recognition of MCP (JSON-RPC) messages in a sample of a
 * process's stdout, which may be cut at any byte. It extracts the server
 * identity a server announces about itself: "serverInfo" in an initialize
 * result, or "io.modelcontextprotocol/serverInfo" (2026-07-28 revision, in
 * "_meta" or a result).
 */
#ifndef MCPWATCH_MCPPROTO_H
#define MCPWATCH_MCPPROTO_H

#include <stddef.h>

/* 1 when buf starts (after whitespace) with '{', mentions "jsonrpc" or
 * "result", and holds a server-identity key whose object value is complete
 * within buf with a non-empty printable string "name". name (nlen > 0) gets
 * the name, version (may be NULL) the version or "" — both NUL-terminated,
 * cut at a character boundary if too long. 0 otherwise (name set to ""). */
int mcp_parse_server_info(const char *buf, size_t len, char *name, size_t nlen, char *version,
			  size_t vlen);

#endif /* MCPWATCH_MCPPROTO_H */
