/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * inventory/entry: owns reading one server entry of a client config into
 * an inv_server — its fields and their JSON types (diagnosed at
 * PATH:LINE:COL), the transport, the command and arguments, env keys, URL
 * and headers with literal secrets found and masked, and the pin.
 */
#ifndef MCPWATCH_INVENTORY_ENTRY_H
#define MCPWATCH_INVENTORY_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/json.h"
#include "posture/inventory.h"

/* The document being read, as its entries need it. */
struct doc_ctx {
	const char *client;
	const char *path;
	const char *user;
	const char *project; /* inside ~/.claude.json "projects" */
	struct inventory *out;
	char ***projects; /* collects "projects" keys when not NULL */
	size_t *nprojects;
	int added;
	bool out_of_memory;
};

/* Append the entries of the object v (a "mcpServers"-like section; NULL: none). */
void inv_parse_section(struct doc_ctx *c, const char *section, const struct json_value *v);
void inv_server_free(struct inv_server *s);

#endif /* MCPWATCH_INVENTORY_ENTRY_H */
