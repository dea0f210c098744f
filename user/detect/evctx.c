/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "detect/evctx.h"
#include "lib/paths.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Fields read "" for an unknown path, as rules expect a string. */
static const char *base_or_empty(const char *path)
{
	return path ? path_base(path) : "";
}

static void set_str(struct field_value *out, const char *s)
{
	if (!s) {
		out->type = FV_NONE;
		return;
	}
	out->type = FV_STR;
	out->s = s;
}

static void set_int(struct field_value *out, int64_t i)
{
	out->type = FV_INT;
	out->i = i;
}

static void set_bool(struct field_value *out, bool b)
{
	out->type = FV_BOOL;
	out->i = b;
}

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

/* A /proc/<pid>/... path of some process other than the opener? */
static bool proc_path_of_other(const char *path, uint32_t self)
{
	char *end;
	unsigned long pid;

	if (!path || strncmp(path, "/proc/", 6) != 0)
		return false;
	if (path[6] < '0' || path[6] > '9')
		return false;
	pid = strtoul(path + 6, &end, 10);
	return *end == '/' && pid != self;
}

static bool process_field(const struct evctx *c, const char *f, struct field_value *out)
{
	const struct proc *p = c->proc;

	if (strcmp(f, "pid") == 0)
		set_int(out, p->tgid);
	else if (strcmp(f, "ppid") == 0)
		set_int(out, p->ppid);
	else if (strcmp(f, "uid") == 0)
		set_int(out, p->uid);
	else if (strcmp(f, "exe") == 0)
		set_str(out, p->exe);
	else if (strcmp(f, "name") == 0)
		set_str(out, base_or_empty(p->exe));
	else if (strcmp(f, "argv0_name") == 0)
		set_str(out, p->argc > 0 ? base_or_empty(p->argv[0]) : NULL);
	else if (strcmp(f, "cmdline") == 0)
		set_str(out, p->cmdline);
	else if (strcmp(f, "comm") == 0)
		set_str(out, p->comm);
	else if (strcmp(f, "in_server_tree") == 0)
		set_bool(out, p->server_tgid != 0);
	else if (strcmp(f, "is_server") == 0)
		set_bool(out, p->role == ROLE_SERVER);
	else if (strcmp(f, "is_launcher") == 0)
		set_bool(out, p->role == ROLE_LAUNCHER);
	else if (strcmp(f, "parent.exe") == 0)
		set_str(out, c->parent ? c->parent->exe : NULL);
	else if (strcmp(f, "parent.name") == 0)
		set_str(out, c->parent ? base_or_empty(c->parent->exe) : NULL);
	else if (strcmp(f, "parent.cmdline") == 0)
		set_str(out, c->parent ? c->parent->cmdline : NULL);
	else if (strcmp(f, "parent.pid") == 0)
		set_int(out, p->ppid);
	else
		return false;
	return true;
}

static bool server_field(const struct evctx *c, const char *f, struct field_value *out)
{
	const struct proc *s = c->server;

	if (!s)
		return false;
	if (strcmp(f, "pid") == 0)
		set_int(out, s->tgid);
	else if (strcmp(f, "name") == 0)
		set_str(out, s->server_name);
	else if (strcmp(f, "cmdline") == 0)
		set_str(out, s->cmdline);
	else if (strcmp(f, "transport") == 0)
		set_str(out, s->transport);
	else if (strcmp(f, "version") == 0)
		set_str(out, s->server_version);
	else
		return false;
	return true;
}

static bool file_field(const struct evctx *c, const char *f, struct field_value *out)
{
	if (c->kind != RULE_EV_OPEN)
		return false;
	if (strcmp(f, "path") == 0)
		set_str(out, c->file.path);
	else if (strcmp(f, "name") == 0)
		set_str(out, base_or_empty(c->file.path));
	else if (strcmp(f, "flags") == 0)
		set_int(out, c->file.oflags);
	else if (strcmp(f, "write") == 0)
		set_bool(out, (c->file.oflags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0);
	else if (strcmp(f, "result") == 0)
		set_int(out, c->file.result);
	else if (strcmp(f, "proc_other") == 0)
		set_bool(out, proc_path_of_other(c->file.path, c->proc->tgid));
	else
		return false;
	return true;
}

static bool network_field(const struct evctx *c, const char *f, struct field_value *out)
{
	bool listen = c->kind == RULE_EV_LISTEN;

	if (!listen && c->kind != RULE_EV_CONNECT)
		return false;
	if (strcmp(f, "family") == 0)
		set_str(out, c->net.family == AF_INET6 ? "ipv6" : "ipv4");
	else if (strcmp(f, "transport") == 0)
		set_str(out, "tcp");
	else if (listen && strcmp(f, "local_addr") == 0)
		set_str(out, c->net.local_addr);
	else if (listen && strcmp(f, "local_port") == 0)
		set_int(out, c->net.local_port);
	else if (listen && strcmp(f, "loopback") == 0)
		set_bool(out, evctx_addr_is_loopback(c->net.local_addr));
	else if (listen && strcmp(f, "tls") == 0 && c->net.tls >= 0)
		set_bool(out, c->net.tls == 1);
	else if (strcmp(f, "remote_addr") == 0)
		set_str(out, c->net.remote_addr);
	else if (strcmp(f, "remote_port") == 0 && !listen)
		set_int(out, c->net.remote_port);
	else
		return false;
	return true;
}

void evctx_get_field(const void *ctx, const char *field, struct field_value *out)
{
	const struct evctx *c = ctx;
	bool found = false;

	out->type = FV_NONE;
	out->s = NULL;
	out->i = 0;
	if (strncmp(field, "process.", 8) == 0)
		found = process_field(c, field + 8, out);
	else if (strncmp(field, "server.", 7) == 0)
		found = server_field(c, field + 7, out);
	else if (strncmp(field, "file.", 5) == 0)
		found = file_field(c, field + 5, out);
	else if (strncmp(field, "network.", 8) == 0)
		found = network_field(c, field + 8, out);
	else if (strcmp(field, "container.id") == 0)
		set_str(out, c->proc->container_id), found = true;
	else if (strcmp(field, "user.name") == 0)
		set_str(out, c->user_name), found = true;
	if (!found)
		out->type = FV_NONE;
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
