/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * inventory/parse: owns the JSON config document shapes of each MCP client
 * ("mcpServers"; VS Code's "servers" and "mcp.servers"; Claude Code's
 * per-project "projects"; JSON with comments and trailing commas for VS
 * Code and Gemini CLI) and the list of project directories they name
 * (inventory_parse_buffer in posture/inventory.h is its public face).
 */
#ifndef MCPWATCH_INVENTORY_PARSE_H
#define MCPWATCH_INVENTORY_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "posture/inventory/entry.h"

/* Parse one document of c->client; the number of entries added, or -1. */
int inv_parse_document(struct doc_ctx *c, const char *buf, size_t len);
/* Add dir (trailing '/' dropped) to the distinct project directories, at most
 * INVENTORY_MAX_PROJECTS; false when out of memory. */
bool inv_projects_add(char ***v, size_t *n, const char *dir);

#endif /* MCPWATCH_INVENTORY_PARSE_H */
