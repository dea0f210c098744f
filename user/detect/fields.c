// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The field catalogue. Each getter is one line over struct evctx; which
 * events a field belongs to is decided by the table alone (evctx_get_field
 * checks it), so a getter never needs to test the event kind.
 */
#include "detect/fields.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "detect/evctx.h"
#include "identify/exeid.h"
#include "lib/paths.h"
#include "lib/names.h"

#define EV_OPEN	  FIELD_EV(RULE_EV_OPEN)
#define EV_LISTEN FIELD_EV(RULE_EV_LISTEN)
#define EV_CONN	  FIELD_EV(RULE_EV_CONNECT)
#define EV_NET	  (EV_LISTEN | EV_CONN)
#define EV_CALL	  FIELD_EV(RULE_EV_TOOL_CALL)
#define EV_RESULT FIELD_EV(RULE_EV_TOOL_RESULT)
#define EV_TOOL	  (EV_CALL | EV_RESULT)
#define EV_URING  FIELD_EV(RULE_EV_URING)

const char *const event_names[] = {"exec",	"open",	       "listen",  "connect",
				   "tool_call", "tool_result", "io_uring"};

const char *rule_event_name(enum rule_event e)
{
	return (unsigned)e < RULE_EV_COUNT ? event_names[e] : "?";
}

/* ------------------------------------------------------------ setters */

static void set_str(struct field_value *out, const char *s)
{
	if (s) {
		out->type = FV_STR;
		out->s = s;
	}
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

/* Fields read "" for an unknown path, as rules expect a string. */
static const char *base_or_empty(const char *path)
{
	return path ? path_base(path) : "";
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

/* ------------------------------------------------------------ getters */

static void process_pid(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->proc->tgid);
}

static void process_ppid(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->proc->ppid);
}

static void process_uid(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->proc->uid);
}

static void process_exe(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->proc->exe);
}

static void process_name(const struct evctx *c, struct field_value *out)
{
	set_str(out, base_or_empty(c->proc->exe));
}

static void process_argv0_name(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->proc->argc > 0 ? base_or_empty(c->proc->argv[0]) : NULL);
}

static void process_cmdline(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->proc->cmdline);
}

static void process_comm(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->proc->comm);
}

/* What the executable is (identify/exeid), absent when nothing recognised it. */
static void process_exe_match(const struct evctx *c, struct field_value *out)
{
	if (c->proc->exe_match[0])
		set_str(out, c->proc->exe_match);
}

static void process_exe_identity(const struct evctx *c, struct field_value *out)
{
	set_str(out, exeid_how_name(c->proc->exe_how));
}

static void process_exe_anonymous(const struct evctx *c, struct field_value *out)
{
	set_bool(out, c->proc->exe_anonymous);
}

static void process_exe_via_fd(const struct evctx *c, struct field_value *out)
{
	set_bool(out, c->proc->exe_via_fd);
}

static void parent_pid(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->proc->ppid);
}

static void parent_exe(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->parent ? c->parent->exe : NULL);
}

static void parent_name(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->parent ? base_or_empty(c->parent->exe) : NULL);
}

static void parent_cmdline(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->parent ? c->parent->cmdline : NULL);
}

static void in_server_tree(const struct evctx *c, struct field_value *out)
{
	set_bool(out, c->proc->server_tgid != 0);
}

static void is_server(const struct evctx *c, struct field_value *out)
{
	set_bool(out, c->proc->role == ROLE_SERVER);
}

static void is_launcher(const struct evctx *c, struct field_value *out)
{
	set_bool(out, c->proc->role == ROLE_LAUNCHER);
}

/* A process outside any server tree has no server fields. */
static void server_pid(const struct evctx *c, struct field_value *out)
{
	if (c->server)
		set_int(out, c->server->tgid);
}

static void server_name(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->server ? c->server->server_name : NULL);
}

static void server_version(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->server ? c->server->server_version : NULL);
}

static void server_cmdline(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->server ? c->server->cmdline : NULL);
}

static void server_transport(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->server ? c->server->transport : NULL);
}

/* A workload string: "" is unknown (no value), never an empty match. */
static void set_known(struct field_value *out, const char *s)
{
	if (s[0])
		set_str(out, s);
}

static void container_id(const struct evctx *c, struct field_value *out)
{
	if (c->workload.container_id[0])
		set_str(out, c->workload.container_id);
	else
		set_str(out, c->proc->container_id);
}

static void container_name(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.container_name);
}

static void container_image(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.container_image);
}

static void container_runtime(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.container_runtime);
}

static void k8s_pod_name(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.pod_name);
}

static void k8s_pod_uid(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.pod_uid);
}

static void k8s_namespace(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.pod_namespace);
}

static void k8s_node_name(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.node_name);
}

static void k8s_container_name(const struct evctx *c, struct field_value *out)
{
	set_known(out, c->workload.k8s_container_name);
}

static void user_name(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->user_name);
}

static void file_path(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->file.path);
}

static void file_name(const struct evctx *c, struct field_value *out)
{
	set_str(out, base_or_empty(c->file.path));
}

static void file_flags(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->file.oflags);
}

static void file_write(const struct evctx *c, struct field_value *out)
{
	set_bool(out, (c->file.oflags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0);
}

static void file_result(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->file.result);
}

static void file_proc_other(const struct evctx *c, struct field_value *out)
{
	set_bool(out, proc_path_of_other(c->file.path, c->proc->tgid));
}

static void file_canonical_path(const struct evctx *c, struct field_value *out)
{
	set_str(out, evctx_file_canonical(c));
}

static void file_match(const struct evctx *c, struct field_value *out)
{
	set_str(out, evctx_file_by_inode(c) ? "inode" : "path");
}

static void file_inode(const struct evctx *c, struct field_value *out)
{
	if (c->file.ino)
		set_int(out, (int64_t)c->file.ino);
}

static void file_device(const struct evctx *c, struct field_value *out)
{
	if (c->file.ino && c->file.device[0])
		set_str(out, c->file.device);
}

/* io_uring (issue 11): how an open was submitted, and the rings set up. */
static void file_via(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->file.via_uring ? "io_uring" : "syscall");
}

static void uring_fd(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->uring.fd);
}

static void uring_sq_entries(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->uring.sq_entries);
}

static void uring_cq_entries(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->uring.cq_entries);
}

static void uring_flags(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->uring.setup_flags);
}

/* IORING_SETUP_SQPOLL: a kernel thread submits, the process makes no syscall. */
static void uring_sqpoll(const struct evctx *c, struct field_value *out)
{
	set_bool(out, (c->uring.setup_flags & EVCTX_IORING_SETUP_SQPOLL) != 0);
}

static void net_local_addr(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->net.local_addr);
}

static void net_local_port(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->net.local_port);
}

static void net_loopback(const struct evctx *c, struct field_value *out)
{
	set_bool(out, evctx_addr_is_loopback(c->net.local_addr));
}

/* Absent until the TLS probe has answered. */
static void net_tls(const struct evctx *c, struct field_value *out)
{
	if (c->net.tls >= 0)
		set_bool(out, c->net.tls == 1);
}

static void net_remote_addr(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->net.remote_addr);
}

static void net_remote_port(const struct evctx *c, struct field_value *out)
{
	set_int(out, c->net.remote_port);
}

static void net_family(const struct evctx *c, struct field_value *out)
{
	set_str(out, c->net.family == AF_INET6 ? "ipv6" : "ipv4");
}

static void net_transport(const struct evctx *c, struct field_value *out)
{
	set_str(out, evctx_transport(c));
}

/* Absent for an IPv6 listener whose IPV6_V6ONLY is unknown (start-up scan). */
static void net_dual_stack(const struct evctx *c, struct field_value *out)
{
	int d = evctx_dual_stack(c);

	if (d >= 0)
		set_bool(out, d == 1);
}

/* The request behind the event: NULL when none, or several, were in flight. */
static const struct tap_call *mcp_call(const struct evctx *c)
{
	return c->mcp.call;
}

static void set_nonempty(struct field_value *out, const char *s)
{
	if (s && s[0])
		set_str(out, s);
}

static void mcp_method(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->method);
}

static void mcp_request_id(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->id);
}

static void mcp_tool_name(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->tool);
}

static void mcp_tool_arguments(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->arguments);
}

static void mcp_tool_argument_keys(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->argument_keys);
}

static void mcp_client_name(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->client_name);
}

static void mcp_client_version(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_nonempty(out, mcp_call(c)->client_version);
}

static void mcp_transport(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_str(out, tap_transport_name(mcp_call(c)->transport));
}

static void mcp_ambiguous(const struct evctx *c, struct field_value *out)
{
	set_bool(out, c->mcp.ncandidates > 1);
}

static void mcp_calls_in_window(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_int(out, mcp_call(c)->calls_in_window);
}

static void mcp_outcome(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_str(out, tap_outcome_name(mcp_call(c)->outcome));
}

static void mcp_is_error(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c) && mcp_call(c)->is_error >= 0)
		set_bool(out, mcp_call(c)->is_error == 1);
}

static void mcp_error_code(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c) && mcp_call(c)->has_error_code)
		set_int(out, mcp_call(c)->error_code);
}

static void mcp_result_text(const struct evctx *c, struct field_value *out)
{
	set_nonempty(out, c->mcp.result_text);
}

static void mcp_result_bytes(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c))
		set_int(out, (int64_t)mcp_call(c)->response_bytes);
}

static void mcp_duration_ms(const struct evctx *c, struct field_value *out)
{
	if (mcp_call(c) && mcp_call(c)->end_ns)
		set_int(out, (mcp_call(c)->end_ns - mcp_call(c)->start_ns) / 1000000);
}

/* ------------------------------------------------------------ the catalogue */

static const struct field_def catalogue[] = {
    {"process.pid", FV_INT, FIELD_EV_ALL, process_pid, "process id of the acting process"},
    {"process.ppid", FV_INT, FIELD_EV_ALL, process_ppid, "process id of its parent"},
    {"process.uid", FV_INT, FIELD_EV_ALL, process_uid, "its user id"},
    {"process.exe", FV_STR, FIELD_EV_ALL, process_exe, "absolute path of its executable"},
    {"process.name", FV_STR, FIELD_EV_ALL, process_name, "basename of process.exe"},
    {"process.argv0_name", FV_STR, FIELD_EV_ALL, process_argv0_name,
     "basename of argv[0] (busybox applets, login shells)"},
    {"process.cmdline", FV_STR, FIELD_EV_ALL, process_cmdline,
     "the command line, arguments joined by spaces"},
    {"process.comm", FV_STR, FIELD_EV_ALL, process_comm, "the kernel's 15-character task name"},
    {"process.exe_match", FV_STR, FIELD_EV_ALL, process_exe_match,
     "in a server tree: the shell the executable is, e.g. dash, ash (busybox applet)"},
    {"process.exe_identity", FV_STR, FIELD_EV_ALL, process_exe_identity,
     "how process.exe_match was recognised: inode, hash (content) or name"},
    {"process.exe_anonymous", FV_BOOL, FIELD_EV_ALL, process_exe_anonymous,
     "the executable has no name in any mounted fs (memfd, deleted file)"},
    {"process.exe_via_fd", FV_BOOL, FIELD_EV_ALL, process_exe_via_fd,
     "it was executed through a descriptor (fexecve, execveat)"},
    {"process.parent.pid", FV_INT, FIELD_EV_ALL, parent_pid,
     "process id of its parent (as process.ppid)"},
    {"process.parent.exe", FV_STR, FIELD_EV_ALL, parent_exe, "its parent's executable"},
    {"process.parent.name", FV_STR, FIELD_EV_ALL, parent_name, "basename of process.parent.exe"},
    {"process.parent.cmdline", FV_STR, FIELD_EV_ALL, parent_cmdline, "its parent's command line"},
    {"process.in_server_tree", FV_BOOL, FIELD_EV_ALL, in_server_tree,
     "the process is an MCP server or one of its descendants"},
    {"process.is_server", FV_BOOL, FIELD_EV_ALL, is_server, "the process is the MCP server itself"},
    {"process.is_launcher", FV_BOOL, FIELD_EV_ALL, is_launcher,
     "the process is a launcher (npx, uvx, ...) of a server"},
    {"server.pid", FV_INT, FIELD_EV_ALL, server_pid, "the MCP server whose tree the process is in"},
    {"server.name", FV_STR, FIELD_EV_ALL, server_name,
     "its name (announced serverInfo.name or selector name)"},
    {"server.version", FV_STR, FIELD_EV_ALL, server_version,
     "its announced serverInfo.version, if any"},
    {"server.cmdline", FV_STR, FIELD_EV_ALL, server_cmdline, "its command line"},
    {"server.transport", FV_STR, FIELD_EV_ALL, server_transport, "stdio, http, ..."},
    {"container.id", FV_STR, FIELD_EV_ALL, container_id, "container id from the cgroup, if any"},
    {"container.name", FV_STR, FIELD_EV_ALL, container_name,
     "container name from the runtime (or the pod spec)"},
    {"container.image", FV_STR, FIELD_EV_ALL, container_image, "its image, repository:tag"},
    {"container.runtime", FV_STR, FIELD_EV_ALL, container_runtime,
     "docker, containerd, cri-o, podman or cri (from the cgroup layout)"},
    {"k8s.pod.name", FV_STR, FIELD_EV_ALL, k8s_pod_name, "Kubernetes pod name"},
    {"k8s.pod.uid", FV_STR, FIELD_EV_ALL, k8s_pod_uid, "its uid (from the cgroup)"},
    {"k8s.namespace", FV_STR, FIELD_EV_ALL, k8s_namespace, "its namespace"},
    {"k8s.node.name", FV_STR, FIELD_EV_ALL, k8s_node_name, "the node it runs on"},
    {"k8s.container.name", FV_STR, FIELD_EV_ALL, k8s_container_name,
     "the container's name in the pod spec"},
    {"user.name", FV_STR, FIELD_EV_ALL, user_name, "the user name of process.uid"},
    {"file.path", FV_STR, EV_OPEN, file_path, "absolute path"},
    {"file.name", FV_STR, EV_OPEN, file_name, "its basename"},
    {"file.flags", FV_INT, EV_OPEN, file_flags, "open(2) flags"},
    {"file.write", FV_BOOL, EV_OPEN, file_write, "opened for writing"},
    {"file.result", FV_INT, EV_OPEN, file_result,
     "file descriptor, or -errno on failure (-2 ENOENT, -13 EACCES)"},
    {"file.proc_other", FV_BOOL, EV_OPEN, file_proc_other,
     "a /proc/<pid>/... path of a process other than the opener"},
    {"file.canonical_path", FV_STR, EV_OPEN, file_canonical_path,
     "the path a known credential file was learnt by, when the opened file is one; else file.path"},
    {"file.match", FV_STR, EV_OPEN, file_match,
     "inode: a known credential file opened by another path (hard link, bind mount); else path"},
    {"file.inode", FV_INT, EV_OPEN, file_inode,
     "inode number of the opened file (successful opens)"},
    {"file.device", FV_STR, EV_OPEN, file_device, "its device, major:minor (successful opens)"},
    {"file.via", FV_STR, EV_OPEN, file_via,
     "how the open was submitted: syscall, or io_uring (an IORING_OP_OPENAT request)"},
    {"io_uring.fd", FV_INT, EV_URING, uring_fd, "the ring's file descriptor"},
    {"io_uring.sq_entries", FV_INT, EV_URING, uring_sq_entries, "submission queue entries"},
    {"io_uring.cq_entries", FV_INT, EV_URING, uring_cq_entries, "completion queue entries"},
    {"io_uring.flags", FV_INT, EV_URING, uring_flags, "IORING_SETUP_* flags of io_uring_setup(2)"},
    {"io_uring.sqpoll", FV_BOOL, EV_URING, uring_sqpoll,
     "IORING_SETUP_SQPOLL: a kernel thread submits the requests"},
    {"network.local_addr", FV_STR, EV_LISTEN, net_local_addr,
     "listening address, e.g. 0.0.0.0, ::, 127.0.0.1"},
    {"network.local_port", FV_INT, EV_LISTEN, net_local_port, "listening port"},
    {"network.loopback", FV_BOOL, EV_LISTEN, net_loopback, "bound to a loopback address only"},
    {"network.tls", FV_BOOL, EV_LISTEN, net_tls,
     "the listener answered a TLS handshake (absent until probed)"},
    {"network.remote_addr", FV_STR, EV_CONN, net_remote_addr, "destination address"},
    {"network.remote_port", FV_INT, EV_CONN, net_remote_port, "destination port"},
    {"network.family", FV_STR, EV_NET, net_family, "ipv4 or ipv6"},
    {"network.transport", FV_STR, EV_NET, net_transport, "tcp or udp (listen: a bound UDP socket)"},
    {"network.dual_stack", FV_BOOL, EV_LISTEN, net_dual_stack,
     "an IPv6 wildcard (::) without IPV6_V6ONLY: takes IPv4 too (absent when unknown)"},
    {"mcp.method", FV_STR, FIELD_EV_ALL, mcp_method,
     "MCP method of the request the server was serving (absent when none or several were)"},
    {"mcp.request.id", FV_STR, FIELD_EV_ALL, mcp_request_id,
     "its JSON-RPC id as JSON text: 7, \"a1\""},
    {"mcp.tool.name", FV_STR, FIELD_EV_ALL, mcp_tool_name, "tool name of a tools/call request"},
    {"mcp.tool.arguments", FV_STR, FIELD_EV_ALL, mcp_tool_arguments,
     "its arguments as compact JSON, secrets redacted, at most 2 KiB"},
    {"mcp.tool.argument_keys", FV_STR, FIELD_EV_ALL, mcp_tool_argument_keys,
     "its argument names, comma-separated"},
    {"mcp.client.name", FV_STR, FIELD_EV_ALL, mcp_client_name,
     "clientInfo.name the session's initialize announced"},
    {"mcp.client.version", FV_STR, FIELD_EV_ALL, mcp_client_version, "clientInfo.version"},
    {"mcp.transport", FV_STR, FIELD_EV_ALL, mcp_transport, "stdio, http or https"},
    {"mcp.ambiguous", FV_BOOL, FIELD_EV_ALL, mcp_ambiguous,
     "several requests were in flight, so none is named"},
    {"mcp.calls_in_window", FV_INT, EV_TOOL, mcp_calls_in_window,
     "requests this server read in the last 60 s, this one included"},
    {"mcp.result.outcome", FV_STR, EV_RESULT, mcp_outcome,
     "result, is_error, error (JSON-RPC error) or unanswered"},
    {"mcp.result.is_error", FV_BOOL, EV_RESULT, mcp_is_error,
     "the result's isError (absent when not sent)"},
    {"mcp.result.error_code", FV_INT, EV_RESULT, mcp_error_code, "the JSON-RPC error code"},
    {"mcp.result.text", FV_STR, EV_RESULT, mcp_result_text,
     "text content of the result, at most 16 KiB"},
    {"mcp.result.bytes", FV_INT, EV_RESULT, mcp_result_bytes, "size of the response message"},
    {"mcp.duration_ms", FV_INT, EV_RESULT, mcp_duration_ms,
     "milliseconds from the request read to the response written"},
};

#define NFIELDS (sizeof(catalogue) / sizeof(catalogue[0]))

size_t field_count(void)
{
	return NFIELDS;
}

const struct field_def *field_at(int id)
{
	return id >= 0 && (size_t)id < NFIELDS ? &catalogue[id] : NULL;
}

int field_id_n(const char *name, size_t n)
{
	for (size_t i = 0; name && i < NFIELDS; i++)
		if (strlen(catalogue[i].name) == n && !memcmp(catalogue[i].name, name, n))
			return (int)i;
	return FIELD_UNKNOWN;
}

int field_id(const char *name)
{
	return name ? field_id_n(name, strlen(name)) : FIELD_UNKNOWN;
}

bool field_served(int id, enum rule_event ev)
{
	const struct field_def *f = field_at(id);

	return f && (unsigned)ev < RULE_EV_COUNT && (f->events & FIELD_EV(ev));
}

bool rule_field_known(enum rule_event ev, const char *field)
{
	return field_served(field_id(field), ev);
}

enum field_type rule_field_type(enum rule_event ev, const char *field)
{
	int id = field_id(field);

	return field_served(id, ev) ? catalogue[id].type : FV_NONE;
}

const char *field_type_name(enum field_type t)
{
	static const char *const names[] = {
	    [FV_STR] = "string", [FV_INT] = "integer", [FV_BOOL] = "boolean"};

	return name_of(names, NAMES_LEN(names), t, "none");
}

void field_events_text(unsigned events, char *out, size_t outlen)
{
	size_t off = 0;

	if (outlen)
		out[0] = '\0';
	if ((events & FIELD_EV_ALL) == FIELD_EV_ALL) {
		snprintf(out, outlen, "all");
		return;
	}
	for (int e = 0; e < RULE_EV_COUNT && off < outlen; e++)
		if (events & FIELD_EV(e))
			off += (size_t)snprintf(out + off, outlen - off, "%s%s", off ? ", " : "",
						event_names[e]);
}

void evctx_get_field(const void *ctx, int field, struct field_value *out)
{
	const struct evctx *c = ctx;

	out->type = FV_NONE;
	out->s = NULL;
	out->i = 0;
	/* The catalogue, not the getter, says which events carry a field. */
	if (field_served(field, c->kind))
		field_at(field)->get(c, out);
}

void field_catalogue_print(FILE *out)
{
	char events[40];

	fprintf(out, "%-24s %-8s %-16s %s\n", "FIELD", "TYPE", "EVENTS", "MEANING");
	for (size_t i = 0; i < NFIELDS; i++) {
		field_events_text(catalogue[i].events, events, sizeof(events));
		fprintf(out, "%-24s %-8s %-16s %s\n", catalogue[i].name,
			field_type_name(catalogue[i].type), events, catalogue[i].doc);
	}
}
