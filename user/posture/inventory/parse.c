// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* inventory/parse: the JSON config document shapes of each MCP client. */
#include "posture/inventory/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posture/inventory/common.h"
#include "posture/inventory/entry.h"

/* Distinct project directories (trailing '/' dropped), at most INVENTORY_MAX_PROJECTS;
 * false when out of memory. */
bool inv_projects_add(char ***v, size_t *n, const char *dir)
{
	size_t i, len = strlen(dir);
	char *copy;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (i = 0; i < *n; i++) {
		if (strlen((*v)[i]) == len && strncmp((*v)[i], dir, len) == 0)
			return true;
	}
	if (*n >= INVENTORY_MAX_PROJECTS)
		return true;
	copy = strndup(dir, len);
	if (!copy || !inv_array_reserve(v, *n, sizeof(char *))) {
		free(copy);
		return false;
	}
	(*v)[(*n)++] = copy;
	return true;
}

/* Claude Code keeps per-project servers in ~/.claude.json and names each project directory. */
static void parse_claude_projects(struct doc_ctx *c, const struct json_value *projects)
{
	const char *scope = c->project;
	const struct json_member *m;
	char section[512], shown[INV_NAME_SHOWN];
	size_t i;

	if (!projects)
		return;
	if (projects->type != JSON_OBJECT) {
		inv_add_diag(c->out, c->path, projects->line, projects->col,
			     "projects: expected an object, got %s",
			     json_type_name(projects->type));
		return;
	}
	for (i = 0; i < projects->object.n && !c->out_of_memory; i++) {
		m = &projects->object.members[i];
		if (strlen(m->key) != m->key_len || m->value->type != JSON_OBJECT)
			continue;
		if (c->projects && m->key[0] == '/' &&
		    !inv_projects_add(c->projects, c->nprojects, m->key)) {
			c->out_of_memory = true;
			return;
		}
		json_quote_for_message(m->key, m->key_len, shown, sizeof(shown));
		snprintf(section, sizeof(section), "projects[\"%s\"].mcpServers", shown);
		c->project = m->key;
		inv_parse_section(c, section, json_object_get(m->value, "mcpServers"));
		c->project = scope;
	}
}

static void parse_root(struct doc_ctx *c, const struct json_value *root)
{
	const struct json_value *mcp;

	if (streq(c->client, "vscode")) {
		/* mcp.json has "servers"; settings.json the older "mcp": {"servers"} */
		mcp = json_object_get(root, "mcp");
		inv_parse_section(c, "servers", json_object_get(root, "servers"));
		if (mcp && mcp->type == JSON_OBJECT)
			inv_parse_section(c, "mcp.servers", json_object_get(mcp, "servers"));
		return;
	}
	inv_parse_section(c, "mcpServers", json_object_get(root, "mcpServers"));
	if (streq(c->client, "claude-code"))
		parse_claude_projects(c, json_object_get(root, "projects"));
}

/* Whether s[*i] belongs to a string literal (its quotes included); an
 * escape inside one moves *i over the escaped byte. */
static bool string_step(const char *s, size_t *i, bool *in_string)
{
	if (*in_string) {
		if (s[*i] == '\\')
			(*i)++;
		else if (s[*i] == '"')
			*in_string = false;
		return true;
	}
	if (s[*i] == '"')
		*in_string = true;
	return *in_string;
}

/* Blank // and block comments, then trailing commas, keeping every line where it was. */
static void blank_jsonc(char *s, size_t len)
{
	bool in_string = false;
	size_t i, j;

	for (i = 0; i < len; i++) {
		if (string_step(s, &i, &in_string)) {
			continue;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			for (; i < len && s[i] != '\n'; i++)
				s[i] = ' ';
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			s[i] = s[i + 1] = ' ';
			for (i += 2; i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/');
			     i++) {
				if (s[i] != '\n')
					s[i] = ' ';
			}
			if (i < len)
				s[i] = s[i + 1] = ' ';
			i++;
		}
	}
	for (in_string = false, i = 0; i < len; i++) {
		if (string_step(s, &i, &in_string)) {
			continue;
		} else if (s[i] == ',') {
			for (j = i + 1; j < len && s[j] && strchr(" \t\r\n", s[j]); j++)
				;
			if (j < len && (s[j] == '}' || s[j] == ']'))
				s[i] = ' ';
		}
	}
}

static bool client_known(const char *client)
{
	static const char *const clients[] = {"claude-desktop", "claude-code", "cursor", "vscode",
					      "windsurf",	"gemini-cli",  NULL};

	return client && in_list(client, clients);
}

int inv_parse_document(struct doc_ctx *c, const char *buf, size_t len)
{
	struct json_error err;
	struct json_value *root;
	char *copy = NULL;

	if (!client_known(c->client)) {
		inv_add_diag(c->out, c->path, 0, 0, "unknown MCP client \"%s\"",
			     c->client ? c->client : "(null)");
		return -1;
	}
	if (streq(c->client, "vscode") || streq(c->client, "gemini-cli")) {
		copy = malloc(len ? len : 1);
		if (!copy) {
			c->out_of_memory = true;
			return -1;
		}
		memcpy(copy, buf, len);
		blank_jsonc(copy, len);
		buf = copy;
	}
	root = json_parse(buf, len, &err);
	free(copy);
	if (!root) {
		inv_add_diag(c->out, c->path, err.line, err.col, "%s", err.message);
		return -1;
	}
	if (root->type != JSON_OBJECT) {
		inv_add_diag(c->out, c->path, 0, 0, "expected a JSON object at the top, got %s",
			     json_type_name(root->type));
		json_free(root);
		return -1;
	}
	parse_root(c, root);
	json_free(root);
	return c->out_of_memory ? -1 : c->added;
}

int inventory_parse_buffer(const char *client, const char *path, const char *buf, size_t len,
			   struct inventory *out)
{
	struct doc_ctx c = {.client = client, .path = path ? path : "(buffer)", .out = out};

	if (!out)
		return -1;
	if (!buf) {
		inv_add_diag(out, c.path, 0, 0, "no data");
		return -1;
	}
	return inv_parse_document(&c, buf, len);
}
