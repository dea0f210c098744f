/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * proctable: owns the agent's view of every process on the host, keyed by
 * tgid: lineage (ppid), identity (exe, argv, uid, start time, cgroup,
 * container) and the MCP role the identity module assigned (launcher,
 * server, member of a server tree). Fed by exec/fork/exit events and the
 * start-up /proc scan. It does not decide roles; it stores them.
 */
#ifndef MCPWATCH_PROCTABLE_H
#define MCPWATCH_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum proc_role {
	ROLE_NONE = 0,
	ROLE_LAUNCHER, /* npx, sh -c, env, uvx ... on the way to a server */
	ROLE_SERVER,   /* the MCP server process: root of a server tree */
	ROLE_MEMBER,   /* a descendant of a server */
};

#define PT_LINEAGE 8 /* fork-time ancestors remembered per process */

struct proc {
	uint32_t tgid, ppid, uid;
	uint64_t start_ns, cgroup_id;
	char comm[16];
	char *exe; /* absolute, "" when unknown */
	char **argv;
	int argc;
	char *cmdline;		       /* argv joined with spaces */
	char *container_id;	       /* NULL outside containers */
	char *pod_uid;		       /* Kubernetes pod uid from the cgroup, NULL if none */
	const char *container_runtime; /* static name from the cgroup layout, or NULL */
	enum proc_role role;
	uint32_t server_tgid; /* root of its server tree, 0 if none */
	char *server_name;    /* ROLE_SERVER: serverInfo or derived name; LAUNCHER: pending name */
	char *server_version; /* ROLE_SERVER: serverInfo version, may be NULL */
	char *transport;      /* ROLE_SERVER: "stdio", "http", NULL when unknown */
	bool name_from_protocol; /* server_name came from serverInfo */
	bool exited;		 /* a server that exited, kept while its tree lives */
	bool container_checked;	 /* container_id was looked up */
	char *user_name;	 /* the uid's name, looked up once per image */
	bool user_checked;
	bool tls_tap_tried;  /* the agent looked for a shared libssl to tap */
	bool tls_tapped;     /* ... and attached the TLS tap to it */
	bool tls_blind_said; /* a TLS listener the tap cannot read was reported */
	/* What its executable is (identify/exeid), from its last exec event. */
	uint8_t exe_how;    /* enum exeid_how; 0 when not classified */
	bool exe_anonymous; /* no name in any mounted fs (memfd, deleted) */
	bool exe_via_fd;    /* exec'd through a descriptor (fexecve) */
	char exe_match[32]; /* the learnt binary it is, "" if none */

	/* Fork-time ancestry: the parent that forked it, that one's, ...
	 * (0 past the known end). Unlike ppid, not changed by reparenting. */
	uint32_t lineage[PT_LINEAGE];
	struct proc *next; /* hash chain */
};

struct proc_table;

struct proc_table *proc_table_new(void);
void proc_table_free(struct proc_table *t);
size_t proc_table_count(const struct proc_table *t);

struct proc *proc_table_lookup(const struct proc_table *t, uint32_t tgid);
/* Find or create the entry for tgid (zeroed apart from tgid when new). */
struct proc *proc_table_get(struct proc_table *t, uint32_t tgid);
void proc_table_remove(struct proc_table *t, uint32_t tgid);

/* Replace exe and argv (an exec, or a /proc scan); cmdline is rebuilt. */
int proc_set_image(struct proc *p, const char *exe, const char *const *argv, int argc);
/* A fork: the child copies the parent's image and tree membership. */
struct proc *proc_table_fork(struct proc_table *t, uint32_t child, uint32_t parent);
int proc_set_string(char **field, const char *value);

/* A detached deep copy of p (image, container and user strings, lineage;
 * no server identity), for an action held before p's tree is known. */
struct proc *proc_snapshot(const struct proc *p);
void proc_snapshot_free(struct proc *p);
/* Did `ancestor` fork p, directly or not (fork-time lineage)? */
bool proc_forked_by(const struct proc *p, uint32_t ancestor);
/* Is `ancestor` an ancestor of p (or p itself)? Walks at most 64 links. */
bool proc_table_descends(const struct proc_table *t, const struct proc *p, uint32_t ancestor);

typedef void (*proc_visit_fn)(struct proc *p, void *arg);
void proc_table_foreach(struct proc_table *t, proc_visit_fn fn, void *arg);

#endif /* MCPWATCH_PROCTABLE_H */
