/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "detect/alert.h"
#include "sense/container.h"
#include "detect/evctx.h"
#include "detect/open_filter.h"
#include "detect/rule_strings.h"
#include "identify/exeid.h"
#include "detect/secret_ids.h"
#include "posture/grade.h"
#include "identify/identity.h"
#include "identify/mcpproto.h"
#include "identify/sniffjoin.h"
#include "identify/hold.h"
#include "deliver/output.h"
#include "lib/diag.h"
#include "lib/caps.h"
#include "lib/paths.h"
#include "posture/postured.h"
#include "sense/procfs.h"
#include "identify/proctable.h"
#include "lib/redact.h"
#include "identify/scan.h"
#include "sense/sensor.h"
#include "posture/tlsprobe.h"
#include "lib/clock.h"
#include "identify/tap.h"
#include "detect/audit.h"
#include "deliver/health.h"
#include "enrich/resolver.h"
#include "lib/usernames.h"

#define SWEEP_INTERVAL_NS (30LL * 1000000000)
#define POLL_MS		  100
#define BUSY_POLL_MS	  2
#define MAX_LISTENERS	  4096

/* A listening socket of a process we know, kept for identity and posture. */
struct listener {
	uint32_t tgid;
	int family;
	int protocol; /* IPPROTO_TCP, IPPROTO_UDP (a bound socket) */
	int v6only;   /* IPV6_V6ONLY: 1, 0, -1 unknown (start-up scan) */
	char addr[64];
	uint16_t port;
	uint64_t cookie;
	bool evaluated; /* rules already ran on it in a server tree */
	int tls;	/* -1 unknown, 0 plaintext, 1 TLS */
};

struct agent {
	struct usernames users; /* uid -> name, cached */
	const struct agent_opts *opts;
	const struct config *cfg;
	char host[256];
	struct output *out;
	struct alerter *alerter;
	struct identity *identity;
	struct proc_table *procs;
	struct sniffjoin *sniff; /* stdout samples joined per process (handshake in pieces) */
	struct hold *hold;	 /* actions of pending trees, until identified or expired */
	struct sensor *sensor;
	struct tlsprobe *probe;
	struct postured *postured; /* NULL when posture is disabled */
	struct tap *tap;	   /* NULL when the tool-call tap is off */
	struct exeid *exeid;	   /* the shells by identity; NULL if it could not start */
	struct resolver *resolver; /* container and pod names; NULL when metadata is off */
	struct listener *listeners;
	size_t nlisteners;
	uint64_t next_cookie;
	struct sensor_counts last_counts;
	int64_t next_lost_ns, next_sweep_ns, next_drops_ns, next_health_ns, next_watchdog_ns;
	int64_t watchdog_ns; /* systemd's WatchdogSec=, 0 when not asked */
	bool health_error_said;
	bool open_filter_on;	   /* the kernel sends only opens some rule may match */
	struct secret_ids secrets; /* credential files by inode, learnt from the rules */
	int64_t next_secrets_ns;
	const struct ruleset *rules;
	struct config *own_cfg;	   /* a reload's config (the first is the caller's) */
	struct ruleset *own_rules; /* a reload's rules */
};

static volatile sig_atomic_t stop_requested, reopen_requested, reload_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGUSR1: logrotate moved the output files away. SIGHUP: that, and the
 * config and rules are to be loaded again. */
static void on_reopen_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	reopen_requested = 1;
}

static void logmsg(const struct agent *a, bool verbose_only, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logmsg(const struct agent *a, bool verbose_only, const char *fmt, ...)
{
	va_list ap;

	if (verbose_only && !a->opts->verbose)
		return;
	va_start(ap, fmt);
	fputs("mcpwatch: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void emit_agent_record(struct agent *a, const char *event, cJSON *extra)
{
	cJSON *rec = record_new("agent", clock_realtime_ns(), a->host);
	cJSON *item, *next;

	if (!rec) {
		cJSON_Delete(extra);
		return;
	}
	cJSON_AddStringToObject(rec, "event", event);
	cJSON_AddStringToObject(rec, "version", MW_VERSION);
	for (item = extra ? extra->child : NULL; item; item = next) {
		next = item->next;
		cJSON_AddItemToObject(rec, item->string, cJSON_DetachItemViaPointer(extra, item));
	}
	cJSON_Delete(extra);
	output_write(a->out, rec);
	cJSON_Delete(rec);
}

/* ------------------------------------------------------------ processes */

static void fill_container(struct agent *a, struct proc *p)
{
	char path[64], buf[8192], id[CONTAINER_ID_LEN + 1], uid[CONTAINER_POD_UID_LEN + 1];
	const char *runtime = NULL;
	ssize_t n;
	int fd;

	if (p->container_checked)
		return;
	p->container_checked = true;
	snprintf(path, sizeof(path), "%s/%u/cgroup", a->opts->proc_root, p->tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return;
	/* An exec re-reads it: the process may have been moved into another cgroup. */
	container_id_from_cgroup(buf, (size_t)n, id, sizeof(id), &runtime);
	container_pod_uid_from_cgroup(buf, (size_t)n, uid, sizeof(uid));
	proc_set_string(&p->container_id, id[0] ? id : NULL);
	proc_set_string(&p->pod_uid, uid[0] ? uid : NULL);
	p->container_runtime = runtime;
}

/* Once per process image, not once per event: opens of a tracked tree are frequent. */
static void fill_user(struct agent *a, struct proc *p)
{
	const char *name;

	if (p->user_checked)
		return;
	p->user_checked = true;
	name = usernames_get(&a->users, p->uid, clock_monotonic_ns());
	if (name)
		proc_set_string(&p->user_name, name);
}

static void on_join(struct proc *p, void *arg)
{
	struct agent *a = arg;

	if (!a->sensor)
		return;
	sensor_track(a->sensor, p->tgid, p->server_tgid);
	/* The server itself carries the MCP traffic: its stdio and its sockets. */
	if (a->tap && p->tgid == p->server_tgid)
		sensor_tap(a->sensor, p->tgid, MW_TAP_STDIO | MW_TAP_SOCKET);
}

static struct proc *server_of(const struct agent *a, const struct proc *p)
{
	return p->server_tgid ? proc_table_lookup(a->procs, p->server_tgid) : NULL;
}

/* The kernel tracked this process (inherited on fork); make user space agree. */
static void adopt_from_kernel(struct agent *a, struct proc *p, uint32_t server_tgid)
{
	if (!server_tgid || p->server_tgid)
		return;
	if (!proc_table_lookup(a->procs, server_tgid))
		return;
	p->server_tgid = server_tgid;
	if (p->tgid != server_tgid)
		p->role = ROLE_MEMBER;
}

static void evctx_init(struct agent *a, struct evctx *c, enum rule_event kind, struct proc *p,
		       int64_t time_ns)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->time_ns = time_ns;
	c->proc = p;
	c->parent = proc_table_lookup(a->procs, p->ppid);
	c->server = server_of(a, p);
	c->net.tls = -1;
	c->net.protocol = IPPROTO_TCP;
	c->net.v6only = -1;
	fill_container(a, p);
	fill_user(a, p);
	c->user_name = p->user_name;
	resolver_lookup(a->resolver, p->container_id, p->pod_uid, p->container_runtime,
			&c->workload);
	if (a->tap && p->server_tgid)
		evctx_attribute(c, a->tap, p->server_tgid);
}

static void on_rule_match(const struct rule *r, void *arg)
{
	const struct evctx *c = ((void **)arg)[1];
	struct agent *a = ((void **)arg)[0];

	alerter_emit(a->alerter, r, c);
	if (a->postured && c->server) {
		struct field_source src = evctx_source(c);
		char msg[1024];

		/* What a server did counts against its posture grade. */
		rule_render_message(r, &src, msg, sizeof(msg));
		postured_note_alert(a->postured, r->id, c->server->tgid, msg, c->time_ns);
	}
}

static void evaluate(struct agent *a, struct evctx *c)
{
	struct field_source src = evctx_source(c);
	void *args[2] = {a, c};

	ruleset_eval(a->rules, c->kind, &src, on_rule_match, args);
}

/* ------------------------------------------------------------ listeners */

static struct listener *listener_find(struct agent *a, uint32_t tgid, int protocol,
				      const char *addr, uint16_t port)
{
	for (size_t i = 0; i < a->nlisteners; i++) {
		struct listener *l = &a->listeners[i];

		if (l->tgid == tgid && l->port == port && l->protocol == protocol &&
		    strcmp(l->addr, addr) == 0)
			return l;
	}
	return NULL;
}

static void listener_remove(struct agent *a, struct listener *l)
{
	*l = a->listeners[--a->nlisteners];
}

static void tap_tls_blind(struct agent *a, struct proc *p, const struct listener *l);

static void listener_evaluate(struct agent *a, struct listener *l, int tls, const char *evidence)
{
	struct proc *p = proc_table_lookup(a->procs, l->tgid);
	struct evctx c;

	if (!p || !p->server_tgid)
		return;
	l->evaluated = true;
	l->tls = tls;
	if (tls == 1)
		tap_tls_blind(a, p, l);
	evctx_init(a, &c, RULE_EV_LISTEN, p, clock_realtime_ns());
	c.net.family = l->family;
	c.net.protocol = l->protocol;
	c.net.v6only = l->v6only;
	c.net.local_addr = l->addr;
	c.net.local_port = l->port;
	c.net.tls = tls;
	c.net.tls_evidence = evidence;
	evaluate(a, &c);
}

static void tap_tls_of(struct agent *a, struct proc *p);

/* A server tree owns l: check TLS first when that decides anything. */
static void listener_check(struct agent *a, struct listener *l)
{
	struct proc *p = proc_table_lookup(a->procs, l->tgid);
	struct proc *srv = p ? server_of(a, p) : NULL;
	struct tlsprobe_job job;

	if (!p || !p->server_tgid || l->evaluated)
		return;
	l->evaluated = true;
	/*
	 * UDP: no handshake to probe (DTLS and QUIC are not asked), so it is
	 * plaintext unless proven otherwise; nor is it an HTTP endpoint for
	 * the TLS tap or the posture probes.
	 */
	if (l->protocol == IPPROTO_UDP) {
		listener_evaluate(a, l, 0, "udp: not probed, taken as plaintext");
		return;
	}
	tap_tls_of(a, p);
	if (srv && !srv->transport)
		proc_set_string(&srv->transport, "http");
	if (a->postured)
		postured_request(a->postured, false, 1000); /* a new endpoint */
	if (evctx_addr_is_loopback(l->addr) || !a->probe) {
		listener_evaluate(a, l, -1, NULL);
		return;
	}
	memset(&job, 0, sizeof(job));
	job.family = l->family;
	snprintf(job.addr, sizeof(job.addr), "%s", l->addr);
	job.port = l->port;
	job.cookie = l->cookie;
	if (tlsprobe_submit(a->probe, &job) != 0) {
		logmsg(a, false, "TLS check queue full; %s:%u evaluated without it", l->addr,
		       l->port);
		listener_evaluate(a, l, -1, NULL);
	}
}

static void listener_add(struct agent *a, uint32_t tgid, int family, int protocol, int v6only,
			 const char *addr, uint16_t port)
{
	struct listener *l = listener_find(a, tgid, protocol, addr, port);

	if (!l) {
		if (a->nlisteners >= MAX_LISTENERS)
			return;
		l = &a->listeners[a->nlisteners++];
		memset(l, 0, sizeof(*l));
		l->tgid = tgid;
		l->family = family;
		l->protocol = protocol;
		snprintf(l->addr, sizeof(l->addr), "%s", addr);
		l->port = port;
		l->cookie = ++a->next_cookie;
		l->tls = -1;
		l->v6only = v6only;
	} else if (protocol == IPPROTO_UDP) {
		/* No close is seen for UDP: a bind of the same address is a new socket. */
		l->evaluated = false;
	}
	if (v6only >= 0)
		l->v6only = v6only;
	listener_check(a, l);
}

static void on_probe_results(struct agent *a)
{
	struct tlsprobe_result r;

	while (tlsprobe_next_result(a->probe, &r)) {
		for (size_t i = 0; i < a->nlisteners; i++) {
			struct listener *l = &a->listeners[i];
			int tls = r.verdict == TLSPROBE_TLS	    ? 1
				  : r.verdict == TLSPROBE_PLAINTEXT ? 0
								    : -1;

			if (l->cookie != r.cookie)
				continue;
			logmsg(a, true, "TLS check %s:%u: %s", l->addr, l->port, r.reason);
			listener_evaluate(a, l, tls, r.reason);
			break;
		}
	}
}

/* A process just joined a tree: its existing listeners now matter. */
static void check_listeners_of_trees(struct agent *a)
{
	for (size_t i = 0; i < a->nlisteners; i++)
		listener_check(a, &a->listeners[i]);
}

/* ------------------------------------------------------------ pending trees */

/*
 * An action of a process in no server tree yet, but in a pending one (the
 * kernel's MW_F_PENDING: started with pipes or sockets on stdin and stdout,
 * or forked by such a process): kept, with the process as it is now, until
 * the handshake says whose it is or the hold window ends.
 */
static void hold_action(struct agent *a, enum rule_event kind, struct proc *p,
			const struct sensor_event *ev)
{
	struct held_event h = {
	    .kind = kind,
	    .root = ev->pending_root,
	    .time_ns = ev->time_ns,
	    .held_ns = clock_monotonic_ns(),
	};

	if (!ev->pending_root || !a->hold)
		return;
	h.proc = proc_snapshot(p);
	if (kind == RULE_EV_OPEN) {
		h.path = strdup(ev->open.path);
		h.oflags = ev->open.oflags;
		h.result = ev->open.ret;
	} else if (kind == RULE_EV_CONNECT) {
		h.family = ev->sock.family;
		h.local_addr = strdup(ev->sock.laddr);
		h.remote_addr = strdup(ev->sock.raddr);
		h.local_port = ev->sock.lport;
		h.remote_port = ev->sock.rport;
	}
	if ((kind == RULE_EV_OPEN && !h.path) ||
	    (kind == RULE_EV_CONNECT && (!h.local_addr || !h.remote_addr))) {
		held_event_clear(&h);
		h.proc = NULL;
	}
	hold_add(a->hold, &h);
}

/* A held action of a process that turned out to be in server's tree. */
static void replay_held(const struct held_event *ev, void *arg)
{
	struct agent *a = ((void **)arg)[0];
	const struct proc *srv = ((void **)arg)[1];
	struct proc *p = ev->proc;
	struct evctx c;

	/* The server's own earlier images are its launch (a `sh -c` that
	 * exec'd it), not something it did. */
	if (ev->kind == RULE_EV_EXEC && p->tgid == srv->tgid)
		return;
	p->server_tgid = srv->tgid;
	p->role = p->tgid == srv->tgid ? ROLE_SERVER : ROLE_MEMBER;
	evctx_init(a, &c, (enum rule_event)ev->kind, p, ev->time_ns);
	/* Whatever calls are in flight now came after it: no attribution. */
	memset(&c.mcp, 0, sizeof(c.mcp));
	c.held_ns = clock_monotonic_ns() - ev->held_ns;
	if (c.held_ns <= 0)
		c.held_ns = 1;
	if (ev->kind == RULE_EV_OPEN) {
		c.file.path = ev->path;
		c.file.oflags = ev->oflags;
		c.file.result = ev->result;
	} else if (ev->kind == RULE_EV_CONNECT) {
		c.net.family = ev->family;
		c.net.local_addr = ev->local_addr;
		c.net.local_port = ev->local_port;
		c.net.remote_addr = ev->remote_addr;
		c.net.remote_port = ev->remote_port;
	}
	evaluate(a, &c);
}

/* srv was just identified: what its tree did while it was pending counts now. */
static void release_held(struct agent *a, struct proc *srv)
{
	void *args[2] = {a, srv};
	size_t n = hold_release(a->hold, srv->tgid, srv->start_ns, replay_held, args);

	if (n)
		logmsg(a, true, "server %u: %zu action(s) held before identification evaluated",
		       srv->tgid, n);
}

/* ------------------------------------------------------------ events */

/*
 * What a server tree's new image is (identify/exeid): the kernel's flags
 * always, the identity only in a tree (hashing is for the execs rules see).
 */
static void classify_exe(struct agent *a, struct proc *p, const struct sensor_event *ev)
{
	struct exeid_result r;

	p->exe_anonymous = ev->flags & MW_F_EXE_ANON;
	p->exe_via_fd = ev->flags & MW_F_EXE_FD;
	p->exe_how = EXEID_NONE;
	p->exe_match[0] = '\0';
	if (!p->server_tgid || !a->exeid)
		return;
	exeid_classify(a->exeid, p->tgid, ev->exec.exe, ev->exec.exe_dev, ev->exec.exe_ino,
		       ev->exec.argv, ev->exec.argc, &r);
	p->exe_how = (uint8_t)r.how;
	snprintf(p->exe_match, sizeof(p->exe_match), "%s", r.match);
}

static void handle_exec(struct agent *a, const struct sensor_event *ev)
{
	struct proc *p = proc_table_get(a->procs, ev->tgid);
	struct evctx c;

	if (!p)
		return;
	p->ppid = ev->exec.ppid;
	p->uid = ev->exec.uid;
	p->cgroup_id = ev->exec.cgroup_id;
	p->start_ns = ev->exec.start_ns;
	p->container_checked = false;
	p->user_checked = false; /* a setuid exec changes it */
	snprintf(p->comm, sizeof(p->comm), "%s", ev->exec.comm);
	proc_set_image(p, ev->exec.exe, ev->exec.argv, ev->exec.argc);
	adopt_from_kernel(a, p, ev->server_tgid);
	if (identity_on_exec(a->identity, a->procs, p, on_join, a)) {
		logmsg(a, true, "server %u \"%s\" identified by command line", p->tgid,
		       p->server_name);
		if (a->postured)
			postured_request(a->postured, false, 2000);
		check_listeners_of_trees(a);
		release_held(a, p);
	}
	classify_exe(a, p, ev);
	if (!p->server_tgid) {
		hold_action(a, RULE_EV_EXEC, p, ev);
		return;
	}
	evctx_init(a, &c, RULE_EV_EXEC, p, ev->time_ns);
	evaluate(a, &c);
}

static void handle_fork(struct agent *a, const struct sensor_event *ev)
{
	struct proc *c = proc_table_fork(a->procs, ev->tgid, ev->fork.ppid);

	if (!c)
		return;
	c->start_ns = ev->fork.start_ns;
	adopt_from_kernel(a, c, ev->server_tgid);
	/* The kernel inherits tracking too; this covers trees found after the fork ran. */
	if (c->server_tgid && !(ev->flags & MW_F_TRACKED))
		on_join(c, a);
}

static bool tree_alive(struct agent *a, uint32_t server);

static void handle_exit(struct agent *a, const struct sensor_event *ev)
{
	struct proc *p = proc_table_lookup(a->procs, ev->tgid);

	for (size_t i = 0; i < a->nlisteners;) {
		if (a->listeners[i].tgid == ev->tgid)
			listener_remove(a, &a->listeners[i]);
		else
			i++;
	}
	sniffjoin_forget(a->sniff, ev->tgid);
	if (a->tap) {
		tap_process_gone(a->tap, ev->tgid, ev->time_ns);
		sensor_untap_tls(a->sensor, ev->tgid);
	}
	if (!p)
		return;
	if (p->role == ROLE_SERVER) {
		/* Keep the server's identity for descendants that outlive it. */
		logmsg(a, true, "server %u \"%s\" exited", p->tgid, p->server_name);
		p->exited = true;
		if (tree_alive(a, p->tgid))
			return;
	}
	proc_table_remove(a->procs, ev->tgid);
}

static struct proc *proc_for_event(struct agent *a, const struct sensor_event *ev)
{
	struct proc *p = proc_table_lookup(a->procs, ev->tgid);

	if (!p) {
		struct proc_info info;
		char err[128];

		/* Unknown (a race with the scan): learn it from /proc now. */
		p = proc_table_get(a->procs, ev->tgid);
		if (p && procfs_read_process(a->opts->proc_root, ev->tgid, &info, err,
					     sizeof(err)) == 0) {
			p->ppid = info.ppid;
			p->uid = info.uid;
			proc_set_image(p, info.exe, (const char *const *)info.argv, info.argc);
			procfs_free_process(&info);
		}
	}
	if (p)
		adopt_from_kernel(a, p, ev->server_tgid);
	return p;
}

static void handle_open(struct agent *a, const struct sensor_event *ev)
{
	struct proc *p = proc_for_event(a, ev);
	struct evctx c;

	if (!p)
		return;
	if (!p->server_tgid) {
		hold_action(a, RULE_EV_OPEN, p, ev);
		return;
	}
	evctx_init(a, &c, RULE_EV_OPEN, p, ev->time_ns);
	c.file.path = ev->open.path;
	c.file.oflags = ev->open.oflags;
	c.file.result = ev->open.ret;
	if (ev->open.ret >= 0 && ev->open.ino) {
		c.file.ino = ev->open.ino;
		snprintf(c.file.device, sizeof(c.file.device), "%u:%u", major(ev->open.dev),
			 minor(ev->open.dev));
		c.file.canonical_path =
		    secret_ids_lookup(&a->secrets, ev->open.dev, ev->open.ino, ev->open.path);
	}
	c.file.via_uring = (ev->flags & MW_F_URING) != 0;
	evaluate(a, &c);
}

static void handle_uring(struct agent *a, const struct sensor_event *ev)
{
	struct proc *p = proc_for_event(a, ev);
	struct evctx c;

	if (!p || !p->server_tgid)
		return;
	evctx_init(a, &c, RULE_EV_URING, p, ev->time_ns);
	c.uring.fd = ev->uring.fd;
	c.uring.sq_entries = ev->uring.sq_entries;
	c.uring.cq_entries = ev->uring.cq_entries;
	c.uring.setup_flags = ev->uring.setup_flags;
	evaluate(a, &c);
}

static void handle_connect(struct agent *a, const struct sensor_event *ev)
{
	struct proc *p = proc_for_event(a, ev);
	struct evctx c;

	if (!p)
		return;
	if (!p->server_tgid) {
		hold_action(a, RULE_EV_CONNECT, p, ev);
		return;
	}
	evctx_init(a, &c, RULE_EV_CONNECT, p, ev->time_ns);
	c.net.family = ev->sock.family;
	c.net.protocol = ev->sock.protocol;
	c.net.local_addr = ev->sock.laddr;
	c.net.local_port = ev->sock.lport;
	c.net.remote_addr = ev->sock.raddr;
	c.net.remote_port = ev->sock.rport;
	evaluate(a, &c);
}

static void handle_listen(struct agent *a, const struct sensor_event *ev)
{
	struct listener *l;

	if (!ev->sock.listening) {
		l = listener_find(a, ev->tgid, ev->sock.protocol, ev->sock.laddr, ev->sock.lport);
		if (l)
			listener_remove(a, l);
		return;
	}
	proc_for_event(a, ev);
	listener_add(a, ev->tgid, ev->sock.family, ev->sock.protocol, ev->sock.v6only ? 1 : 0,
		     ev->sock.laddr, ev->sock.lport);
}

/* Is fd of tgid a pipe or a socket (how MCP clients connect a stdio server)? */
static bool fd_is_channel(const struct agent *a, uint32_t tgid, int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/fd/%d", a->opts->proc_root, tgid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strncmp(target, "pipe:", 5) == 0 || strncmp(target, "socket:", 7) == 0;
}

/* Programs that copy someone else's stdout: they repeat a server's words, they are not one. */
static bool is_passthrough(const struct proc *p)
{
	static const char *const tools[] = {
	    "cat", "tee",  "jq",     "head",   "tail", "less", "more", "dd",   "pv",  "socat",
	    "nc",  "ncat", "netcat", "stdbuf", "grep", "sed",  "awk",  "mawk", "gawk"};
	const char *base = p->exe ? path_base(p->exe) : "";
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(base, tools[i]) == 0)
			return true;
	return false;
}

static void identify_by_stdout(struct agent *a, const struct sensor_event *ev)
{
	char name[256], version[128];
	struct proc *p;

	/* The handshake may come in pieces (split writes, iovecs, a leading
	 * newline): the samples are joined before they are parsed. */
	if (sniffjoin_feed(a->sniff, ev->tgid, ev->out.data, ev->out.len, ev->out.count, name,
			   sizeof(name), version, sizeof(version)) != 1)
		return;
	p = proc_for_event(a, ev);
	if (!p)
		return;
	/* A stdio server talks to its client over pipes (or a socketpair) on fds 0 and 1. */
	if (is_passthrough(p) || !fd_is_channel(a, ev->tgid, 0) || !fd_is_channel(a, ev->tgid, 1)) {
		logmsg(a, true, "pid %u wrote a serverInfo for \"%s\" but is not a stdio server",
		       ev->tgid, name);
		return;
	}
	sensor_sniff_done(a->sensor, ev->tgid);
	if (identity_on_server_info(a->procs, p, name, version, on_join, a)) {
		logmsg(a, true, "server %u \"%s\" identified by protocol (fd %u)", p->tgid, name,
		       ev->out.fd);
		if (a->postured)
			postured_request(a->postured, false, 2000);
		check_listeners_of_trees(a);
		release_held(a, p);
	}
}

static void handle_stdout(struct agent *a, const struct sensor_event *ev)
{
	identify_by_stdout(a, ev);
	/* The kernel tapped the writer's stdio at this write in case it was a
	 * handshake (MW_TAP_PROVISIONAL); a server's tap replaced that entry
	 * (on_join), anything else loses it here. */
	sensor_untap_provisional(a->sensor, ev->tgid);
}

/* ------------------------------------------------------------ tool-call tap */

static void handle_io(struct agent *a, const struct sensor_event *ev)
{
	struct tap_chunk ch = {
	    .tgid = ev->tgid,
	    .server_tgid = ev->server_tgid,
	    .stream = ev->io.stream,
	    .dir = ev->io.dir,
	    .source = ev->io.source,
	    .fd_kind = ev->io.fd_kind,
	    .total = ev->io.total,
	    .offset = ev->io.offset,
	    .data = ev->io.data,
	    .len = ev->io.len,
	    .time_ns = ev->time_ns,
	};

	if (!a->tap)
		return;
	/* Read before user space tracked the process (a provisional tap): the
	 * process table knows its server by now, or it is not one. */
	if (!ch.server_tgid) {
		const struct proc *p = proc_table_lookup(a->procs, ev->tgid);

		ch.server_tgid = p ? p->server_tgid : 0;
	}
	tap_feed(a->tap, &ch);
}

/* Rules on a tool call (the request read, or its answer). */
static void evaluate_call(struct agent *a, const struct tap_call *call, enum rule_event kind)
{
	struct proc *p = proc_table_lookup(a->procs, call->tgid);
	struct evctx c;

	if (!p || !p->server_tgid)
		return;
	evctx_init(a, &c, kind, p, kind == RULE_EV_TOOL_CALL ? call->start_ns : call->end_ns);
	c.mcp.call = call;
	c.mcp.ncandidates = 0;
	c.mcp.result_text = call->result_text;
	evaluate(a, &c);
}

static void on_call_start(const struct tap_call *call, void *arg)
{
	evaluate_call(arg, call, RULE_EV_TOOL_CALL);
}

static void on_call_end(const struct tap_call *call, void *arg)
{
	struct agent *a = arg;
	struct workload w;
	struct proc *p;
	cJSON *rec;

	evaluate_call(a, call, RULE_EV_TOOL_RESULT);
	if (a->postured)
		postured_note_call(a->postured, call->server_tgid, call->end_ns);
	if (!a->cfg->audit_tool_calls)
		return;
	p = proc_table_lookup(a->procs, call->tgid);
	if (p)
		resolver_lookup(a->resolver, p->container_id, p->pod_uid, p->container_runtime, &w);
	rec = audit_record(call, proc_table_lookup(a->procs, call->server_tgid), p, p ? &w : NULL,
			   a->host, a->cfg->audit_arguments == 1);
	if (rec)
		output_write(a->out, rec);
	cJSON_Delete(rec);
}

/*
 * A server that listens may speak TLS through a shared libssl: tap its
 * plaintext there. A TLS listener of a server without one (node links
 * OpenSSL statically) is a blind spot, said once on the stream.
 */
static void tap_tls_of(struct agent *a, struct proc *p)
{
	char lib[512], err[256], hint[128];
	cJSON *extra;
	int rc;

	if (!a->tap || !p || p->tgid != p->server_tgid || p->tls_tap_tried)
		return;
	p->tls_tap_tried = true;
	if (!sensor_tls_available(a->sensor))
		return;
	rc = procfs_find_mapped(a->opts->proc_root, p->tgid, "libssl.so", lib, sizeof(lib));
	/* Unreadable maps (another user's process) must not pass for "no libssl". */
	if (rc && rc != -EACCES && rc != -EPERM)
		return;
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "server_pid", p->tgid);
	if (rc) {
		snprintf(err, sizeof(err), "reading %s/%u/maps failed: %s%s", a->opts->proc_root,
			 p->tgid, strerror(-rc),
			 caps_missing_hint(rc, CAPS_BIT(CAPS_SYS_PTRACE), caps_effective(), hint,
					   sizeof(hint)));
		cJSON_AddStringToObject(extra, "tap", "partial");
		cJSON_AddStringToObject(extra, "reason", err);
	} else if (sensor_tap_tls(a->sensor, p->tgid, lib, err, sizeof(err)) == 0) {
		p->tls_tapped = true;
		cJSON_AddStringToObject(extra, "tap", "tls");
		cJSON_AddStringToObject(extra, "library", lib);
	} else {
		cJSON_AddStringToObject(extra, "tap", "partial");
		cJSON_AddStringToObject(extra, "reason", err);
	}
	emit_agent_record(a, "tap", extra);
}

/*
 * A listener answered TLS but its process has no TLS tap (no shared libssl:
 * node and other runtimes link OpenSSL statically, or the uprobes are
 * unavailable): the calls it serves are not seen. Said once per process.
 */
static void tap_tls_blind(struct agent *a, struct proc *p, const struct listener *l)
{
	char reason[256];
	cJSON *extra;

	if (!a->tap || p->tls_tapped || p->tls_blind_said)
		return;
	p->tls_blind_said = true;
	snprintf(reason, sizeof(reason), "%s:%u answers TLS and %s; tool calls on it are not seen",
		 l->addr, l->port,
		 !sensor_tls_available(a->sensor) ? "the TLS uprobes are unavailable"
		 : p->tgid != p->server_tgid	  ? "it belongs to a child of the server"
						  : "no shared libssl is mapped");
	extra = cJSON_CreateObject();
	cJSON_AddNumberToObject(extra, "server_pid", p->server_tgid);
	if (p->tgid != p->server_tgid)
		cJSON_AddNumberToObject(extra, "pid", p->tgid);
	cJSON_AddStringToObject(extra, "tap", "partial");
	cJSON_AddStringToObject(extra, "reason", reason);
	emit_agent_record(a, "tap", extra);
}

static void on_sensor_event(const struct sensor_event *ev, void *arg)
{
	struct agent *a = arg;

	switch (ev->type) {
	case MW_EV_EXEC:
		handle_exec(a, ev);
		break;
	case MW_EV_FORK:
		handle_fork(a, ev);
		break;
	case MW_EV_EXIT:
		handle_exit(a, ev);
		break;
	case MW_EV_OPEN:
		handle_open(a, ev);
		break;
	case MW_EV_CONNECT:
		handle_connect(a, ev);
		break;
	case MW_EV_LISTEN:
		handle_listen(a, ev);
		break;
	case MW_EV_STDOUT:
		handle_stdout(a, ev);
		break;
	case MW_EV_IO:
		handle_io(a, ev);
		break;
	case MW_EV_URING:
		handle_uring(a, ev);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ start-up scan */

static void scan_existing(struct agent *a)
{
	char err[256];
	int n = scan_processes(a->opts->proc_root, (uint32_t)getpid(), a->procs, a->identity,
			       on_join, a, err, sizeof(err));

	if (n < 0)
		logmsg(a, false, "start-up scan: %s", err);
	else
		logmsg(a, true, "start-up scan: %zu processes, %d servers",
		       proc_table_count(a->procs), n);
}

static void scan_listeners(struct agent *a)
{
	struct proc_listener *ls = NULL;
	size_t n = 0;
	char err[256];

	if (procfs_read_listeners(a->opts->proc_root, &ls, &n, err, sizeof(err)) != 0) {
		logmsg(a, false, "start-up listener scan: %s", err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (ls[i].tgid)
			listener_add(a, ls[i].tgid, ls[i].family, ls[i].protocol, -1, ls[i].addr,
				     ls[i].port);
	free(ls);
}

struct tree_probe {
	uint32_t server;
	bool alive;
};

static void probe_member(struct proc *p, void *arg)
{
	struct tree_probe *t = arg;

	if (p->server_tgid == t->server && p->tgid != t->server)
		t->alive = true;
}

static bool tree_alive(struct agent *a, uint32_t server)
{
	struct tree_probe t = {server, false};

	proc_table_foreach(a->procs, probe_member, &t);
	return t.alive;
}

static void sweep_exited_server(struct proc *p, void *arg)
{
	struct agent *a = arg;

	if (p->exited && !tree_alive(a, p->tgid))
		proc_table_remove(a->procs, p->tgid);
}

/* ------------------------------------------------------------ periodic */

static const char *const event_names[MW_EV_MAX] = {
    [MW_EV_EXEC] = "exec",     [MW_EV_FORK] = "fork",	    [MW_EV_EXIT] = "exit",
    [MW_EV_OPEN] = "open",     [MW_EV_CONNECT] = "connect", [MW_EV_LISTEN] = "listen",
    [MW_EV_STDOUT] = "stdout", [MW_EV_IO] = "io",	    [MW_EV_URING] = "io_uring",
};

static void report_losses(struct agent *a)
{
	struct sensor_counts now;
	cJSON *extra, *lost;
	uint64_t total = 0;

	if (sensor_counts(a->sensor, &now) != 0)
		return;
	extra = cJSON_CreateObject();
	lost = cJSON_AddObjectToObject(extra, "lost");
	for (int t = 1; t < MW_EV_MAX; t++) {
		uint64_t d = now.lost[t] - a->last_counts.lost[t];

		if (d && event_names[t])
			cJSON_AddNumberToObject(lost, event_names[t], (double)d);
		total += d;
	}
	a->last_counts = now;
	if (!total) {
		cJSON_Delete(extra);
		return;
	}
	cJSON_AddNumberToObject(extra, "lost_total", (double)total);
	emit_agent_record(a, "lost", extra);
}

/*
 * Records the outputs dropped are reported on every output, the one that
 * dropped them included. Polled at the loss-report interval, so an output
 * that drops even these reports costs one record per interval, not a loop.
 */
static void report_drops(struct agent *a)
{
	struct output_drop d[32];
	size_t n = output_collect_drops(a->out, d, 32);

	for (size_t i = 0; i < n; i++) {
		cJSON *extra = cJSON_CreateObject();

		cJSON_AddStringToObject(extra, "output", d[i].output);
		cJSON_AddStringToObject(extra, "reason", d[i].reason);
		cJSON_AddNumberToObject(extra, "count", (double)d[i].count);
		emit_agent_record(a, "dropped", extra);
	}
}

static size_t servers_watched(struct agent *a);

/* The heartbeat and metrics files; a failure is said once, not every interval. */
#define HEALTH_RULES_MAX  256 /* rule ids in the metrics file */
#define HEALTH_GRADES_MAX 257 /* the host and 256 servers */

static void write_health(struct agent *a)
{
	static struct health_labeled by_rule[HEALTH_RULES_MAX];
	static struct health_grade grades[HEALTH_GRADES_MAX];
	struct health_counts hc = {.event_names = event_names, .time_ns = clock_realtime_ns()};
	struct sensor_counts sc;
	struct tap_stats ts = {0};
	char err[512] = "";
	int rc = 0;

	if (a->cfg->health_file)
		rc = health_write_heartbeat(a->cfg->health_file, hc.time_ns, err, sizeof(err));
	if (!rc && a->cfg->health_metrics_file) {
		if (sensor_counts(a->sensor, &sc) == 0) {
			memcpy(hc.events, sc.sent, sizeof(hc.events));
			memcpy(hc.lost, sc.lost, sizeof(hc.lost));
			memcpy(hc.filtered, sc.filtered, sizeof(hc.filtered));
		}
		if (a->tap)
			tap_get_stats(a->tap, &ts);
		hc.alerts = alerter_matches(a->alerter);
		hc.nalerts_by_rule = alerter_rule_counts(a->alerter, by_rule, HEALTH_RULES_MAX);
		hc.alerts_by_rule = by_rule;
		hc.ngrades = postured_last_grades(a->postured, grades, HEALTH_GRADES_MAX);
		hc.grades = grades;
		hc.tool_calls = ts.calls;
		hc.servers = servers_watched(a);
		{
			struct hold_stats hs;

			hold_get_stats(a->hold, &hs);
			hc.held_replayed = hs.replayed;
			hc.held_expired = hs.expired;
			hc.held_dropped = hs.dropped;
		}
		hc.outputs = output_stats_json(a->out);
		rc = health_write_metrics(a->cfg->health_metrics_file, &hc, err, sizeof(err));
		cJSON_Delete((cJSON *)hc.outputs);
	}
	if (rc && !a->health_error_said)
		logmsg(a, false, "health: %s", err);
	a->health_error_said = rc != 0;
}

/*
 * The kernel's open filter from the rules in force: opens no rule can match
 * are then not sent. When it cannot be derived or installed, every open is.
 */
static void install_open_filter(struct agent *a)
{
	struct open_filter f;
	int rc = open_filter_derive(a->rules, &f);

	if (!rc)
		rc = sensor_set_open_filter(a->sensor, f.on, f.m, f.n);
	if (rc) {
		sensor_set_open_filter(a->sensor, false, NULL, 0);
		logmsg(a, false, "open filter off: %s", strerror(-rc));
	} else if (f.on) {
		logmsg(a, true, "open filter on: %zu path component tests", f.n);
	} else {
		logmsg(a, true, "open filter off: %s%s", f.why ? "rule needs every open: " : "",
		       f.why ? f.why->id : "too many path tests");
	}
	a->open_filter_on = !rc && f.on;
	open_filter_free(&f);
}

/*
 * The shells rules ask about (the strings process.exe_match is compared
 * with) learnt by identity; at start and on every reload.
 */
static void install_exeid(struct agent *a)
{
	const char **names = NULL;
	size_t n = 0;
	int rc;

	if (!a->exeid)
		return;
	rc = rule_strings_of_field(a->rules, "process.exe_match", &names, &n);
	if (!rc)
		rc = exeid_learn(a->exeid, names, n, NULL, 0);
	free(names);
	if (rc < 0)
		logmsg(a, false, "shell identities not learnt: %s", strerror(-rc));
	else
		logmsg(a, true, "shell identities: %d binaries for %zu names", rc, n);
}

/*
 * The credential files the rules name, by identity (detect/secret_ids.h):
 * learnt from the rules in force under the homes (posture.home_dirs besides
 * /home/ *, /root; under posture.fs_root), given to the kernel so that their
 * opens by any path are sent. Again every SECRET_IDS_REFRESH_S, so that
 * created or replaced files are learnt.
 */
static void learn_secrets(struct agent *a)
{
	static const char *const defaults[] = {"/home/*", "/root"};
	struct secret_patterns pats;
	struct sensor_inode *ids = NULL;
	const char **homes;
	size_t nhomes = 0, k = 0;
	int rc;

	a->next_secrets_ns = clock_monotonic_ns() + (int64_t)SECRET_IDS_REFRESH_S * 1000000000;
	homes = calloc(a->cfg->nposture_home_dirs + 2, sizeof(*homes));
	rc = homes ? secret_patterns_derive(a->rules, &pats) : -ENOMEM;
	if (rc) {
		free(homes);
		logmsg(a, false, "learning credential files: %s", strerror(-rc));
		return;
	}
	homes[nhomes++] = defaults[0];
	homes[nhomes++] = defaults[1];
	for (size_t i = 0; i < a->cfg->nposture_home_dirs; i++)
		homes[nhomes++] = a->cfg->posture_home_dirs[i];
	rc = secret_ids_learn(&a->secrets, &pats, homes, nhomes, a->cfg->posture_fs_root);
	secret_patterns_free(&pats);
	free(homes);
	ids = rc ? NULL : calloc(a->secrets.inodes ? a->secrets.inodes : 1, sizeof(*ids));
	if (!rc && !ids)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < a->secrets.n; i++) {
		const struct secret_file *f = &a->secrets.v[i];

		if (k && ids[k - 1].dev == f->dev && ids[k - 1].ino == f->ino)
			continue;
		ids[k++] = (struct sensor_inode){.dev = f->dev, .ino = f->ino};
	}
	if (!rc)
		rc = sensor_set_secret_inodes(a->sensor, ids, k);
	free(ids);
	if (rc)
		logmsg(a, false, "learning credential files: %s", strerror(-rc));
	else
		logmsg(a, true, "credential files by inode: %zu files, %zu inodes%s", a->secrets.n,
		       k, a->secrets.dropped ? " (some left out: too many)" : "");
}

/* ------------------------------------------------------------ reload */

static struct postured *start_postured(struct agent *a);

static void emit_reload_failed(struct agent *a, const struct diag *d, const char *why)
{
	cJSON *extra = cJSON_CreateObject(), *errors = cJSON_CreateArray();

	cJSON_AddBoolToObject(extra, "ok", false);
	for (size_t i = 0; i < d->nlines; i++)
		cJSON_AddItemToArray(errors, cJSON_CreateString(d->lines[i]));
	if (why)
		cJSON_AddItemToArray(errors, cJSON_CreateString(why));
	cJSON_AddItemToObject(extra, "errors", errors);
	cJSON_AddStringToObject(extra, "message",
				"reload failed: the running config and rules are kept");
	logmsg(a, false, "reload failed (%s): the running config and rules are kept",
	       d->nlines ? d->lines[0]
	       : why	 ? why
			 : "unknown error");
	emit_agent_record(a, "reload", extra);
}

/* Redaction patterns are process-wide: replaced only when they changed. */
static void reload_redaction(struct agent *a, const struct config *cfg)
{
	char err[512];

	if (config_redaction_equal(cfg, a->cfg))
		return;
	redact_clear_patterns();
	for (size_t i = 0; i < cfg->nredact_patterns; i++)
		if (redact_add_pattern(cfg->redact_patterns[i], err, sizeof(err)) != 0)
			logmsg(a, false, "reload: redaction: %s", err); /* checked at load */
}

/*
 * SIGHUP: the config file and the rules are read again. Anything wrong (a
 * file that does not parse, a bad key, a rule that does not compile, an
 * output that cannot open) keeps everything running as it was and says why
 * in a `reload` agent record. Otherwise the rules, server selectors,
 * alert window, redaction, audit, health and posture keys take effect now;
 * the outputs are rebuilt only when their keys changed (pending aggregates
 * are written to the old ones first).
 */
static void agent_reload(struct agent *a)
{
	struct config *cfg = calloc(1, sizeof(*cfg));
	struct ruleset *rules = NULL;
	struct output *out = NULL;
	struct identity *id = NULL;
	cJSON *restart = cJSON_CreateArray(), *extra;
	char err[4096] = "";
	struct diag d;
	int rc;

	if (!a->opts->reload || !cfg || !restart) {
		free(cfg);
		cJSON_Delete(restart);
		return;
	}
	diag_init(&d, NULL, true);
	config_defaults(cfg);
	rc = a->opts->reload(a->opts->reload_arg, cfg, &rules, &d);
	if (!rc && !config_outputs_equal(a->cfg, cfg)) {
		out = config_output_new(cfg, a->opts->out, err, sizeof(err));
		rc = out ? 0 : MW_EXIT_USAGE;
	}
	if (!rc) {
		id = agent_identity_from_config(cfg);
		rc = id ? 0 : MW_EXIT_RUNTIME;
	}
	if (rc) {
		emit_reload_failed(a, &d, err[0] ? err : NULL);
		output_free(out);
		ruleset_free(rules);
		config_free(cfg);
		free(cfg);
		cJSON_Delete(restart);
		diag_free(&d);
		return;
	}
	diag_free(&d);
	{
		const char *keys[CONFIG_RESTART_KEYS_MAX];
		size_t n = config_keep_restart_keys(a->cfg, cfg, keys, CONFIG_RESTART_KEYS_MAX);

		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(restart, cJSON_CreateString(keys[i]));
	}
	reload_redaction(a, cfg);

	/* The posture daemon holds the identity and the output: it starts again
	 * (a grade in progress is dropped; the new one reports at once). */
	postured_free(a->postured);
	a->postured = NULL;
	alerter_reconfigure(a->alerter, out ? out : a->out, cfg->aggregate_window_s);
	hold_set_window(a->hold, (int64_t)cfg->hold_ms * 1000000);
	if (out) {
		output_free(a->out); /* network outputs get OUTPUT_STOP_MS to deliver */
		a->out = out;
	}
	identity_free(a->identity);
	a->identity = id;
	ruleset_free(a->own_rules);
	a->own_rules = rules;
	a->rules = rules;
	install_open_filter(a);
	install_exeid(a);
	if (a->own_cfg) {
		config_free(a->own_cfg);
		free(a->own_cfg);
	}
	a->own_cfg = cfg;
	a->cfg = cfg;
	learn_secrets(a);
	if (cfg->posture_enabled)
		a->postured = start_postured(a);
	a->next_health_ns = a->next_lost_ns = a->next_drops_ns = 0;

	extra = cJSON_CreateObject();
	cJSON_AddBoolToObject(extra, "ok", true);
	cJSON_AddNumberToObject(extra, "rules", (double)ruleset_count(a->rules));
	cJSON_AddBoolToObject(extra, "outputs_restarted", out != NULL);
	cJSON_AddItemToObject(extra, "restart_needed", restart);
	logmsg(a, false, "reloaded: %zu rules%s%s", ruleset_count(a->rules),
	       out ? ", outputs restarted" : "",
	       cJSON_GetArraySize(restart) ? "; some keys need a restart" : "");
	emit_agent_record(a, "reload", extra);
}

static void periodic(struct agent *a)
{
	int64_t now = clock_monotonic_ns();

	if (a->watchdog_ns && now >= a->next_watchdog_ns) {
		health_notify("WATCHDOG=1");
		a->next_watchdog_ns = now + a->watchdog_ns / 2;
	}
	if ((a->cfg->health_file || a->cfg->health_metrics_file) && now >= a->next_health_ns) {
		write_health(a);
		a->next_health_ns = now + (int64_t)a->cfg->health_interval_s * 1000000000;
	}
	if (reload_requested) {
		reload_requested = 0;
		agent_reload(a);
	}
	if (reopen_requested) {
		reopen_requested = 0;
		output_reopen(a->out);
	}
	alerter_tick(a->alerter, clock_realtime_ns());
	if (now >= a->next_lost_ns) {
		report_losses(a);
		a->next_lost_ns = now + (int64_t)a->cfg->lost_report_interval_s * 1000000000;
	}
	if (now >= a->next_drops_ns) {
		report_drops(a);
		a->next_drops_ns = now + (int64_t)a->cfg->lost_report_interval_s * 1000000000;
	}
	if (a->postured)
		postured_tick(a->postured, now);
	hold_expire(a->hold, now);
	if (now >= a->next_sweep_ns) {
		proc_table_foreach(a->procs, sweep_exited_server, a);
		a->next_sweep_ns = now + SWEEP_INTERVAL_NS;
	}
	if (now >= a->next_secrets_ns)
		learn_secrets(a);
}

/* ------------------------------------------------------------ lifecycle */

struct known_ctx {
	struct grade_known *out;
	size_t n, max;
};

static void add_known(struct proc *p, void *arg)
{
	struct known_ctx *k = arg;

	if (p->role != ROLE_SERVER || p->exited || k->n >= k->max)
		return;
	k->out[k->n].pid = p->tgid;
	snprintf(k->out[k->n].name, sizeof(k->out[k->n].name), "%s",
		 p->server_name ? p->server_name : p->comm);
	snprintf(k->out[k->n].transport, sizeof(k->out[k->n].transport), "%s",
		 p->transport ? p->transport : "");
	k->n++;
}

/* The grade runs in a child that rescans /proc: tell it what we identified. */
static size_t known_servers(struct grade_known *out, size_t max, void *arg)
{
	struct agent *a = arg;
	struct known_ctx k = {out, 0, max};

	proc_table_foreach(a->procs, add_known, &k);
	return k.n;
}

struct identity *agent_identity_from_config(const struct config *cfg)
{
	struct identity *id = identity_new();

	if (!id)
		return NULL;
	for (size_t i = 0; i < cfg->nselectors; i++)
		identity_add_selector(id, cfg->selectors[i].name, cfg->selectors[i].cmdline_glob);
	for (size_t i = 0; i < cfg->nignore_globs; i++)
		identity_add_ignore(id, cfg->ignore_globs[i]);
	for (size_t i = 0; i < cfg->nlaunchers; i++)
		identity_add_launcher(id, cfg->launchers[i]);
	return id;
}

/* A server's container and pod, for its posture records. */
static bool server_workload(uint32_t pid, struct workload *out, void *arg)
{
	struct agent *a = arg;
	struct proc *p = proc_table_lookup(a->procs, pid);

	if (!p)
		return false;
	fill_container(a, p);
	resolver_lookup(a->resolver, p->container_id, p->pod_uid, p->container_runtime, out);
	return true;
}

/* The posture daemon, with the config's posture keys and the agent's identity. */
static struct postured *start_postured(struct agent *a)
{
	struct postured_opts po = {
	    .identity = a->identity,
	    .host = a->host,
	    .proc_root = a->opts->proc_root,
	    .fs_root = a->cfg->posture_fs_root ? a->cfg->posture_fs_root : "",
	    .home_globs = (const char *const *)a->cfg->posture_home_dirs,
	    .nhome_globs = a->cfg->nposture_home_dirs,
	    .interval_s = a->cfg->posture_interval_s,
	    .runtime_window_s = a->cfg->posture_runtime_window_s,
	    .rate_limit = a->cfg->posture_rate_limit,
	    .known = known_servers,
	    .known_arg = a,
	    .workload = server_workload,
	};

	return postured_new(&po, a->out);
}

/* From the resolver's threads: one write per line, so lines do not mix. */
static void metadata_log(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "mcpwatch: %s\n", msg);
}

/* Container and pod names (config "metadata"); off: records carry the cgroup's ids only. */
static void start_resolver(struct agent *a)
{
	const struct config *cfg = a->cfg;
	static const enum resolver_mode modes[] = {RESOLVER_AUTO, RESOLVER_ON, RESOLVER_OFF};
	enum resolver_mode mode = modes[cfg->metadata_enabled];
	struct resolver_opts ro = {
	    .runtime = mode,
	    .runtime_socket = cfg->metadata_runtime_socket,
	    .host_root = cfg->metadata_host_root ? cfg->metadata_host_root : cfg->posture_fs_root,
	    .kubernetes = mode == RESOLVER_OFF ? RESOLVER_OFF : modes[cfg->metadata_kubernetes],
	    .node_name = cfg->metadata_node_name,
	    .api_url = cfg->metadata_api_url,
	    .ca_file = cfg->metadata_ca_file,
	    .token_file = cfg->metadata_token_file,
	    .log = metadata_log,
	};
	char err[256], what[2048];

	if (mode == RESOLVER_OFF)
		return;
	if (ro.kubernetes == RESOLVER_AUTO && mode == RESOLVER_ON)
		ro.kubernetes = RESOLVER_ON;
	a->resolver = resolver_new(&ro, err, sizeof(err));
	if (!a->resolver) {
		logmsg(a, false, "%s", err);
		return;
	}
	resolver_describe(a->resolver, what, sizeof(what));
	logmsg(a, true, "metadata: %s", what);
}

/* Redaction patterns first (nothing is written before), then the outputs:
 * a bad output is a configuration error, found before the sensors load. */
static int setup_outputs(struct agent *a)
{
	char err[4096];

	for (size_t i = 0; i < a->cfg->nredact_patterns; i++) {
		if (redact_add_pattern(a->cfg->redact_patterns[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "mcpwatch: redaction: %s\n", err);
			return MW_EXIT_USAGE;
		}
	}
	a->out = config_output_new(a->cfg, a->opts->out, err, sizeof(err));
	if (!a->out) {
		fprintf(stderr, "%s\n", err);
		return MW_EXIT_USAGE;
	}
	return MW_EXIT_OK;
}

static int agent_setup(struct agent *a)
{
	struct sensor_opts so = {0};
	char err[512];
	int rc;

	usernames_init(&a->users, NULL);
	rc = setup_outputs(a);
	if (rc)
		return rc;
	a->procs = proc_table_new();
	a->sniff = sniffjoin_new();
	a->hold = hold_new((int64_t)a->cfg->hold_ms * 1000000);
	a->identity = agent_identity_from_config(a->cfg);
	a->listeners = calloc(MAX_LISTENERS, sizeof(*a->listeners));
	if (!a->procs || !a->sniff || !a->hold || !a->identity || !a->listeners)
		return MW_EXIT_RUNTIME;
	a->alerter = alerter_new(a->out, a->host, a->cfg->aggregate_window_s);
	start_resolver(a);
	if (a->cfg->posture_enabled)
		a->postured = start_postured(a);
	if (!a->alerter)
		return MW_EXIT_RUNTIME;
	if (a->cfg->tap_enabled) {
		struct tap_hooks hooks = {on_call_start, on_call_end, a};

		a->tap = tap_new(&hooks);
		if (!a->tap)
			return MW_EXIT_RUNTIME;
	}
	if (a->cfg->probe_tls) {
		a->probe = tlsprobe_start(a->cfg->tls_probe_timeout_ms);
		if (!a->probe)
			logmsg(a, false, "TLS checks disabled: cannot start the worker");
	}
	so.self_tgid = (uint32_t)getpid();
	so.ringbuf_bytes = (size_t)a->cfg->ringbuf_mb << 20;
	so.verbose = a->opts->verbose >= 2;
	so.tap_early = a->tap != NULL;
	/* The kernel's half of the hold window is fixed at load: a reload can
	 * shorten the hold, not make processes pending for longer. */
	so.pending_ns = (uint64_t)a->cfg->hold_ms * 1000000;
	/* Attach first, scan second: what starts during the scan is in the ring buffer. */
	rc = sensor_open(&a->sensor, &so, on_sensor_event, a, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mcpwatch: %s\n", err);
		return rc == -EPERM || rc == -EACCES ? MW_EXIT_PRIVILEGE : MW_EXIT_KERNEL;
	}
	install_open_filter(a);
	a->exeid = exeid_new(a->opts->proc_root);
	if (!a->exeid)
		logmsg(a, false, "shells are recognised by name only: out of memory");
	install_exeid(a);
	learn_secrets(a);
	scan_existing(a);
	scan_listeners(a);
	/* Loading parsed the kernel's BTF (megabytes, freed since): give the
	 * heap back, so that the resident size is what the agent keeps. */
	malloc_trim(0);
	return MW_EXIT_OK;
}

static void agent_teardown(struct agent *a)
{
	if (a->probe)
		tlsprobe_stop(a->probe);
	sensor_close(a->sensor);
	tap_free(a->tap);	    /* calls in flight at exit are not audited */
	postured_free(a->postured); /* a grade still running is killed */
	alerter_free(a->alerter);   /* writes what is still aggregated */
	output_free(a->out);	    /* network outputs get OUTPUT_STOP_MS to deliver */
	resolver_free(a->resolver); /* cuts an open Kubernetes watch */
	redact_clear_patterns();
	identity_free(a->identity);
	exeid_free(a->exeid);
	proc_table_free(a->procs);
	sniffjoin_free(a->sniff);
	hold_free(a->hold);
	secret_ids_free(&a->secrets);
	free(a->listeners);
	ruleset_free(a->own_rules);
	if (a->own_cfg)
		config_free(a->own_cfg);
	free(a->own_cfg);
}

struct count_servers {
	size_t servers;
};

static void count_server(struct proc *p, void *arg)
{
	struct count_servers *c = arg;

	if (p->role == ROLE_SERVER)
		c->servers++;
}

static size_t servers_watched(struct agent *a)
{
	struct count_servers cs = {0};

	proc_table_foreach(a->procs, count_server, &cs);
	return cs.servers;
}

static void emit_ready(struct agent *a)
{
	cJSON *extra = cJSON_CreateObject();
	struct count_servers cs = {0};
	int rc;

	proc_table_foreach(a->procs, count_server, &cs);
	cJSON_AddNumberToObject(extra, "pid", getpid());
	cJSON_AddStringToObject(extra, "file_backend", sensor_file_backend(a->sensor));
	cJSON_AddStringToObject(extra, "io_backend", sensor_io_backend(a->sensor));
	cJSON_AddBoolToObject(extra, "open_filter", a->open_filter_on);
	cJSON_AddNumberToObject(extra, "secret_inodes", (double)a->secrets.inodes);
	cJSON_AddStringToObject(extra, "io_uring", sensor_uring_hooks(a->sensor));
	cJSON_AddNumberToObject(extra, "rules", (double)ruleset_count(a->rules));
	cJSON_AddNumberToObject(extra, "processes", (double)proc_table_count(a->procs));
	cJSON_AddNumberToObject(extra, "servers", (double)cs.servers);
	emit_agent_record(a, "ready", extra);
	/* Sensors attached, the scan done: what a Type=notify unit waits for. */
	a->watchdog_ns = health_watchdog_ns();
	rc = health_notify("READY=1");
	if (rc < 0) /* the unit would wait for it until its start times out */
		fprintf(stderr, "mcpwatch: telling systemd READY=1 on %s failed: %s\n",
			getenv("NOTIFY_SOCKET"), strerror(-rc));
}

/* "outputs": what each output delivered, has pending, and dropped. */
static void emit_stopping(struct agent *a)
{
	cJSON *extra = cJSON_CreateObject();
	cJSON *stats = output_stats_json(a->out);

	if (extra && stats)
		cJSON_AddItemToObject(extra, "outputs", stats);
	else
		cJSON_Delete(stats);
	emit_agent_record(a, "stopping", extra);
	health_notify("STOPPING=1");
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_reopen_signal;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int agent_run(const struct agent_opts *opts)
{
	struct agent a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.opts = opts;
	a.cfg = opts->cfg;
	a.rules = opts->rules;
	if (opts->cfg->host_name)
		snprintf(a.host, sizeof(a.host), "%s", opts->cfg->host_name);
	else if (gethostname(a.host, sizeof(a.host) - 1) != 0)
		snprintf(a.host, sizeof(a.host), "unknown");
	install_signals();
	rc = agent_setup(&a);
	if (rc == MW_EXIT_OK) {
		emit_ready(&a);
		int timeout = POLL_MS;

		while (!stop_requested) {
			int n = sensor_poll(a.sensor, timeout);

			/* While records keep coming, come back soon for the ones the
			 * kernel sent without a wake-up (bpf/common.h). */
			timeout = n > 0 ? BUSY_POLL_MS : POLL_MS;

			if (n < 0 && n != -EINTR) {
				logmsg(&a, false, "ring buffer poll failed: %s", strerror(-n));
				rc = MW_EXIT_RUNTIME;
				break;
			}
			if (a.probe)
				on_probe_results(&a);
			periodic(&a);
		}
		/* Drain what the kernel already sent, then say goodbye. */
		sensor_poll(a.sensor, 0);
		if (a.probe)
			on_probe_results(&a);
		report_losses(&a);
		alerter_tick(a.alerter, INT64_MAX); /* aggregates are written before we go */
		report_drops(&a);
		emit_stopping(&a);
	}
	agent_teardown(&a);
	return rc;
}
