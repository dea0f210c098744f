// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The syslog sink: RFC 5424 messages with the JSON record as MSG, over a
 * local socket (unix:/dev/log, datagram or stream), UDP (one datagram per
 * record), TCP with RFC 6587 octet counting, or TLS (RFC 5425, OpenSSL,
 * peer verified by default). Stream connections are kept and re-made after
 * an error; the record that hit the error and those after it are retried.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "lib/json.h"
#include "deliver/sinks/sink.h"
#include "deliver/sinks/sink_net.h"

#define DEFAULT_FACILITY   16 /* local0 */
#define DEFAULT_TIMEOUT_MS 10000
#define DEFAULT_APP_NAME   "mcpwatch"
#define DGRAM_MESSAGE_MAX  65000 /* under the 65507-byte UDP payload limit */
#define STREAM_MESSAGE_MAX (16 * 1024 * 1024)
#define SYSLOG_BATCH	   100

struct syslog_sink {
	struct syslog_address addr;
	int facility;
	char *hostname; /* configured; else the record's host, else ours */
	char *app_name;
	long timeout_ms;
	long max_message;
	struct sink_tls tls;
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	int sock_type;	       /* of fd: SOCK_DGRAM or SOCK_STREAM */
	atomic_bool reconnect; /* set by reopen(), maybe from another thread */
	struct sink_buf msg;
};

/* ---------------------------------------------------------------- pure parts */

/* By code: "kern" is 0, "local7" 23 (RFC 5424 section 6.2.1). */
static const char *const facility_names[] = {
    "kern",    "user",	       "mail",	 "daemon",   "auth",   "syslog", "lpr",
    "news",    "uucp",	       "cron",	 "authpriv", "ftp",    "ntp",	 "security",
    "console", "solaris-cron", "local0", "local1",   "local2", "local3", "local4",
    "local5",  "local6",       "local7", NULL};

int syslog_facility_parse(const char *name)
{
	for (int i = 0; name && facility_names[i]; i++)
		if (strcasecmp(name, facility_names[i]) == 0)
			return i;
	return -1;
}

static bool parse_port(const char *s, char *out, size_t outlen)
{
	long v = 0;

	if (!*s || strlen(s) > 5)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	snprintf(out, outlen, "%ld", v);
	return true;
}

static bool valid_host_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_'))
			return false;
	}
	return true;
}

/* "host:port", "host", "[v6]:port", "[v6]" after the scheme. */
static int parse_host_port(const char *s, struct syslog_address *out, const char *def_port,
			   char *why, size_t whylen)
{
	const char *port = NULL, *end;
	struct in6_addr a6;
	size_t hlen;

	if (*s == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':')) {
			snprintf(why, whylen, "an IPv6 address goes in brackets: [::1]:514");
			return -1;
		}
		hlen = (size_t)(end - s - 1);
		port = end[1] ? end + 2 : NULL;
		s++;
	} else {
		end = strchr(s, ':');
		hlen = end ? (size_t)(end - s) : strlen(s);
		port = end ? end + 1 : NULL;
	}
	if (hlen == 0 || hlen >= sizeof(out->host)) {
		snprintf(why, whylen, "no host, or a host longer than %zu bytes",
			 sizeof(out->host) - 1);
		return -1;
	}
	memcpy(out->host, s, hlen);
	out->host[hlen] = '\0';
	if (s[-1] == '[' ? inet_pton(AF_INET6, out->host, &a6) != 1 : !valid_host_name(out->host)) {
		snprintf(why, whylen, "the host is not a host name or an IP address");
		return -1;
	}
	if (!parse_port(port ? port : def_port, out->port, sizeof(out->port))) {
		snprintf(why, whylen, "the port must be a number from 1 to 65535");
		return -1;
	}
	return 0;
}

int syslog_address_parse(const char *s, struct syslog_address *out, char *why, size_t whylen)
{
	static const struct {
		const char *scheme;
		enum syslog_transport t;
		const char *def_port;
	} schemes[] = {
	    {"udp://", SYSLOG_UDP, "514"},
	    {"tcp://", SYSLOG_TCP, "514"},
	    {"tls://", SYSLOG_TLS, "6514"},
	};

	memset(out, 0, sizeof(*out));
	if (!s) {
		snprintf(why, whylen, "no address");
		return -1;
	}
	if (strncmp(s, "unix:", 5) == 0) {
		out->transport = SYSLOG_UNIX;
		if (!s[5] || strlen(s + 5) >= sizeof(out->path)) {
			snprintf(why, whylen, "a unix socket path of 1 to %zu bytes is needed",
				 sizeof(out->path) - 1);
			return -1;
		}
		snprintf(out->path, sizeof(out->path), "%s", s + 5);
		return 0;
	}
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].scheme);

		if (strncmp(s, schemes[i].scheme, n) == 0) {
			out->transport = schemes[i].t;
			return parse_host_port(s + n, out, schemes[i].def_port, why, whylen);
		}
	}
	snprintf(why, whylen,
		 "expected unix:/path, udp://host:port, tcp://host:port or tls://host:port");
	return -1;
}

/* A header field: printable US-ASCII without spaces, at most max bytes, "-" if empty. */
static size_t put_field(char *out, const char *s, size_t max)
{
	size_t n = 0;

	for (; s && s[n] && n < max; n++) {
		unsigned char ch = (unsigned char)s[n];

		out[n] = ch > 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	if (n == 0)
		out[n++] = '-';
	out[n++] = ' ';
	return n;
}

size_t syslog_format_header(char *buf, size_t cap, int pri, int64_t time_ns, const char *hostname,
			    const char *app_name, long procid, const char *msgid)
{
	char ts[48], pid[24];
	size_t n;
	int k;

	/* PRI (5) + version + the four fields at their RFC 5424 maxima + spaces. */
	if (cap < 16 + 32 + 255 + 48 + 128 + 32 + 8 || pri < 0 || pri > 191)
		return 0;
	sink_format_time(time_ns, 6, ts, sizeof(ts));
	k = snprintf(buf, cap, "<%d>1 %s ", pri, ts);
	if (k < 0)
		return 0;
	n = (size_t)k;
	snprintf(pid, sizeof(pid), "%ld", procid);
	n += put_field(buf + n, hostname, 255);
	n += put_field(buf + n, app_name, 48);
	n += put_field(buf + n, procid > 0 ? pid : NULL, 128);
	n += put_field(buf + n, msgid, 32);
	buf[n++] = '-'; /* no structured data */
	buf[n++] = ' ';
	buf[n] = '\0';
	return n;
}

/* ---------------------------------------------------------------- config */

static const struct sink_config_key syslog_keys[] = {
    {.name = "address",
     .type = SINK_KEY_STRING,
     .required = true,
     .help = "unix:/dev/log, udp://host:port, tcp://host:port or tls://host:port"},
    {.name = "facility",
     .type = SINK_KEY_ENUM,
     .def = "local0",
     .allowed = facility_names,
     .int_ok = true,
     .min = 0,
     .max = 23,
     .help = "the facility of PRI, by name or number"},
    {.name = "hostname",
     .type = SINK_KEY_STRING,
     .help = "HOSTNAME field; default: the record's host"},
    {.name = "app_name", .type = SINK_KEY_STRING, .def = "mcpwatch", .help = "APP-NAME field"},
    {.name = "tls",
     .type = SINK_KEY_OBJECT,
     .members = sink_tls_keys,
     .help = "with tls:// only: verify, ca_file, client_cert, client_key"},
    {.name = "timeout_ms",
     .type = SINK_KEY_INT,
     .def = "10000",
     .min = 100,
     .max = 600000,
     .help = "connect, TLS handshake and write timeout"},
    {.name = "max_message_bytes",
     .type = SINK_KEY_INT,
     .def = "65000 (unix, udp); 16777216 (tcp, tls)",
     .min = 480,
     .max = STREAM_MESSAGE_MAX,
     .help = "longer datagrams are cut; longer stream messages rejected"},
    {.name = NULL},
};

static int parse_facility(struct syslog_sink *ss, const struct sink_cfg *c,
			  const struct json_value *cfg)
{
	const struct json_value *v = json_object_get(cfg, "facility");
	int64_t i;

	ss->facility = DEFAULT_FACILITY;
	if (!v)
		return 0;
	if (json_get_int(v, &i) && i >= 0 && i <= 23) {
		ss->facility = (int)i;
		return 0;
	}
	ss->facility = syslog_facility_parse(json_get_string(v));
	if (ss->facility >= 0)
		return 0;
	sink_cfg_error(c, v->line, v->col,
		       "\"facility\" must be a name (kern, user, daemon, auth, authpriv, local0 .. "
		       "local7, ...) or a number from 0 to 23");
	return -1;
}

static int parse_address(struct syslog_sink *ss, const struct sink_cfg *c,
			 const struct json_value *cfg)
{
	const struct json_value *v = json_object_get(cfg, "address");
	const char *s = json_get_string(v);
	char why[160], shown[96];

	if (!v) {
		sink_cfg_error(c, cfg->line, cfg->col, "\"address\" is required");
		return -1;
	}
	if (!s) {
		sink_cfg_error(c, v->line, v->col, "\"address\" must be a string, not %s",
			       json_type_name(v->type));
		return -1;
	}
	if (syslog_address_parse(s, &ss->addr, why, sizeof(why)) == 0)
		return 0;
	json_quote_for_message(s, strlen(s), shown, sizeof(shown));
	sink_cfg_error(c, v->line, v->col, "\"address\" \"%s\": %s", shown, why);
	return -1;
}

static int check_field(const struct sink_cfg *c, const struct json_value *cfg, const char *key,
		       const char *val, size_t max)
{
	const struct json_value *v = json_object_get(cfg, key);
	size_t n = val ? strlen(val) : 1;

	for (size_t i = 0; val && i < n; i++)
		if ((unsigned char)val[i] <= 0x20 || (unsigned char)val[i] >= 0x7f)
			n = 0;
	if (n == 0 || n > max) {
		sink_cfg_error(c, v->line, v->col,
			       "\"%s\" must be 1 to %zu printable ASCII characters without spaces",
			       key, max);
		return -1;
	}
	return 0;
}

static int tls_error(const struct sink_cfg *c, const struct json_value *cfg, const char *what)
{
	char buf[160];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	sink_cfg_error(c, cfg->line, cfg->col, "\"tls\": %s: %s", what, e ? buf : "failed");
	return -1;
}

static int make_tls_context(struct syslog_sink *ss, const struct sink_cfg *c,
			    const struct json_value *cfg)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const struct json_value *tls = json_object_get(cfg, "tls");

	/* Errors point at "tls" when there is one. */
	if (tls)
		cfg = tls;
	if (!ctx)
		return tls_error(c, cfg, "cannot create a TLS context");
	ss->ctx = ctx;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, ss->tls.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (ss->tls.ca_file ? SSL_CTX_load_verify_locations(ctx, ss->tls.ca_file, NULL) != 1
			    : SSL_CTX_set_default_verify_paths(ctx) != 1)
		return tls_error(c, cfg, "cannot load the CA certificates");
	if (!ss->tls.client_cert)
		return 0;
	if (SSL_CTX_use_certificate_chain_file(ctx, ss->tls.client_cert) != 1)
		return tls_error(c, cfg, "cannot load \"client_cert\"");
	if (SSL_CTX_use_PrivateKey_file(ctx, ss->tls.client_key, SSL_FILETYPE_PEM) != 1)
		return tls_error(c, cfg, "cannot load \"client_key\"");
	if (SSL_CTX_check_private_key(ctx) != 1)
		return tls_error(c, cfg, "\"client_key\" does not match \"client_cert\"");
	return 0;
}

static int parse_syslog(struct syslog_sink *ss, const struct sink_cfg *c,
			const struct json_value *cfg)
{
	const struct json_value *tls = json_object_get(cfg, "tls");
	bool dgram;

	if (parse_address(ss, c, cfg) || parse_facility(ss, c, cfg) ||
	    sink_cfg_string(c, cfg, "hostname", &ss->hostname) ||
	    sink_cfg_string(c, cfg, "app_name", &ss->app_name) ||
	    sink_cfg_int(c, cfg, "timeout_ms", 100, 600000, &ss->timeout_ms) ||
	    sink_cfg_tls(c, cfg, &ss->tls))
		return -1;
	if ((ss->hostname && check_field(c, cfg, "hostname", ss->hostname, 255)) ||
	    (ss->app_name && check_field(c, cfg, "app_name", ss->app_name, 48)))
		return -1;
	dgram = ss->addr.transport == SYSLOG_UDP || ss->addr.transport == SYSLOG_UNIX;
	ss->max_message = dgram ? DGRAM_MESSAGE_MAX : STREAM_MESSAGE_MAX;
	if (sink_cfg_int(c, cfg, "max_message_bytes", 480, dgram ? 65507 : STREAM_MESSAGE_MAX,
			 &ss->max_message))
		return -1;
	if (tls && ss->addr.transport != SYSLOG_TLS) {
		sink_cfg_error(c, tls->line, tls->col, "\"tls\" needs a tls:// address");
		return -1;
	}
	return ss->addr.transport == SYSLOG_TLS ? make_tls_context(ss, c, cfg) : 0;
}

static void syslog_free(struct syslog_sink *ss)
{
	if (!ss)
		return;
	if (ss->ssl)
		SSL_free(ss->ssl);
	if (ss->fd >= 0)
		close(ss->fd);
	SSL_CTX_free(ss->ctx);
	sink_tls_free(&ss->tls);
	sink_buf_free(&ss->msg);
	free(ss->hostname);
	free(ss->app_name);
	free(ss);
}

static int syslog_open(struct sink *s, const struct json_value *cfg, const char *cfg_file,
		       char *err, size_t errlen)
{
	struct sink_cfg c = {cfg_file, s->ops->type, err, errlen};
	struct syslog_sink *ss = calloc(1, sizeof(*ss));

	if (err && errlen)
		err[0] = '\0';
	if (!ss) {
		snprintf(err, errlen, "%s: out of memory", cfg_file ? cfg_file : "<config>");
		return -1;
	}
	ss->fd = -1;
	ss->timeout_ms = DEFAULT_TIMEOUT_MS;
	if (parse_syslog(ss, &c, cfg)) {
		syslog_free(ss);
		return -1;
	}
	s->priv = ss;
	return 0;
}

/* ---------------------------------------------------------------- connections */

static void disconnect(struct syslog_sink *ss)
{
	if (ss->ssl) {
		SSL_free(ss->ssl);
		ss->ssl = NULL;
	}
	if (ss->fd >= 0)
		close(ss->fd);
	ss->fd = -1;
}

static void set_io_timeouts(int fd, long ms)
{
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int connect_unix(struct syslog_sink *ss, char *why, size_t whylen)
{
	static const int types[] = {SOCK_DGRAM, SOCK_STREAM};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int err = 0;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", ss->addr.path);
	/* /dev/log is a datagram socket (journald, rsyslog); syslog-ng may offer a stream. */
	for (size_t i = 0; i < 2; i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			set_io_timeouts(fd, ss->timeout_ms);
			ss->fd = fd;
			ss->sock_type = types[i];
			return 0;
		}
		err = errno;
		close(fd);
		if (err != EPROTOTYPE)
			break;
	}
	snprintf(why, whylen, "connect to unix:%s: %s", ss->addr.path, strerror(err));
	return -1;
}

/* connect() bounded by timeout_ms. */
static int connect_bounded(int fd, const struct sockaddr *sa, socklen_t len, long ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t elen = sizeof(err);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	if (connect(fd, sa, len) != 0) {
		if (errno != EINPROGRESS)
			return -1;
		if (poll(&p, 1, (int)ms) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err) {
			errno = err ? err : EIO;
			return -1;
		}
	}
	return fcntl(fd, F_SETFL, flags);
}

static int connect_inet(struct syslog_sink *ss, char *why, size_t whylen)
{
	int type = ss->addr.transport == SYSLOG_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct addrinfo hints = {.ai_socktype = type, .ai_flags = AI_ADDRCONFIG}, *res, *ai;
	int rc, err = 0;

	rc = getaddrinfo(ss->addr.host, ss->addr.port, &hints, &res);
	if (rc != 0) {
		snprintf(why, whylen, "resolve %s: %s", ss->addr.host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect_bounded(fd, ai->ai_addr, ai->ai_addrlen, ss->timeout_ms) == 0) {
			set_io_timeouts(fd, ss->timeout_ms);
			ss->fd = fd;
			ss->sock_type = type;
			freeaddrinfo(res);
			return 0;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	snprintf(why, whylen, "connect to %s port %s: %s", ss->addr.host, ss->addr.port,
		 strerror(err));
	return -1;
}

static void tls_why(SSL *ssl, int rc, const char *what, char *why, size_t whylen)
{
	long vr = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	unsigned long e = ERR_get_error();
	char buf[160];

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "%s", errno ? strerror(errno) : "connection closed");
	ERR_clear_error();
	if (vr != X509_V_OK)
		snprintf(why, whylen, "%s: %s (%s)", what, buf, X509_verify_cert_error_string(vr));
	else
		snprintf(why, whylen, "%s: %s", what, buf);
}

static int start_tls(struct syslog_sink *ss, char *why, size_t whylen)
{
	unsigned char ip[16];
	bool is_ip = inet_pton(AF_INET, ss->addr.host, ip) == 1 ||
		     inet_pton(AF_INET6, ss->addr.host, ip) == 1;
	int rc;

	ERR_clear_error();
	ss->ssl = SSL_new(ss->ctx);
	if (!ss->ssl || SSL_set_fd(ss->ssl, ss->fd) != 1) {
		tls_why(NULL, 0, "TLS set-up", why, whylen);
		return -1;
	}
	/* SNI is for names only; the peer's certificate must name what we dialled. */
	if (!is_ip)
		SSL_set_tlsext_host_name(ss->ssl, ss->addr.host);
	if (ss->tls.verify) {
		X509_VERIFY_PARAM *p = SSL_get0_param(ss->ssl);

		if (is_ip ? X509_VERIFY_PARAM_set1_ip_asc(p, ss->addr.host) != 1
			  : SSL_set1_host(ss->ssl, ss->addr.host) != 1) {
			tls_why(NULL, 0, "TLS set-up", why, whylen);
			return -1;
		}
	}
	errno = 0;
	rc = SSL_connect(ss->ssl);
	if (rc != 1) {
		char what[320];

		snprintf(what, sizeof(what), "TLS handshake with %s port %s", ss->addr.host,
			 ss->addr.port);
		tls_why(ss->ssl, rc, what, why, whylen);
		return -1;
	}
	return 0;
}

/*
 * A stream the peer has closed is re-made before the next record is
 * written into it (a write would succeed and the record be lost with the
 * connection). A syslog receiver writes nothing, so what can be read is
 * either the end of the stream or something to throw away.
 */
static bool plain_peer_gone(int fd)
{
	char buf[512];

	for (int i = 0; i < 64; i++) {
		ssize_t k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (k == 0)
			return true;
		if (k < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
	}
	return false;
}

/* Over TLS the server also sends session tickets after the handshake: read them through OpenSSL. */
static bool tls_peer_gone(struct syslog_sink *ss)
{
	int flags = fcntl(ss->fd, F_GETFL);
	bool gone = false;
	char buf[512];

	if (flags < 0 || fcntl(ss->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return true;
	for (int i = 0; i < 64; i++) {
		int rc = SSL_read(ss->ssl, buf, sizeof(buf)), e;

		if (rc > 0)
			continue;
		e = SSL_get_error(ss->ssl, rc);
		gone = e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE;
		break;
	}
	ERR_clear_error();
	fcntl(ss->fd, F_SETFL, flags);
	return gone;
}

static bool peer_gone(struct syslog_sink *ss)
{
	struct pollfd p = {.fd = ss->fd, .events = POLLIN};

	if (poll(&p, 1, 0) <= 0 || !p.revents)
		return false;
	if (p.revents & (POLLHUP | POLLERR | POLLNVAL))
		return true;
	return ss->ssl ? tls_peer_gone(ss) : plain_peer_gone(ss->fd);
}

static int ensure_connected(struct syslog_sink *ss, char *why, size_t whylen)
{
	int rc;

	if (atomic_exchange(&ss->reconnect, false))
		disconnect(ss);
	if (ss->fd >= 0 && ss->sock_type == SOCK_STREAM && peer_gone(ss))
		disconnect(ss);
	if (ss->fd >= 0)
		return 0;
	if (ss->addr.transport == SYSLOG_UNIX)
		rc = connect_unix(ss, why, whylen);
	else
		rc = connect_inet(ss, why, whylen);
	if (!rc && ss->addr.transport == SYSLOG_TLS)
		rc = start_tls(ss, why, whylen);
	if (rc)
		disconnect(ss);
	return rc;
}

/* ---------------------------------------------------------------- sending */

/* "unix:/dev/log", "127.0.0.1 port 514": for messages. */
static const char *destination(const struct syslog_sink *ss, char *buf, size_t len)
{
	if (ss->addr.transport == SYSLOG_UNIX)
		snprintf(buf, len, "unix:%s", ss->addr.path);
	else
		snprintf(buf, len, "%s port %s", ss->addr.host, ss->addr.port);
	return buf;
}

static int write_all(struct syslog_sink *ss, const char *p, size_t n, char *why, size_t whylen)
{
	while (n > 0) {
		ssize_t k;

		if (ss->ssl) {
			int chunk = n > INT32_MAX ? INT32_MAX : (int)n;

			errno = 0;
			k = SSL_write(ss->ssl, p, chunk);
			if (k <= 0) {
				tls_why(NULL, 0, "TLS write", why, whylen);
				return -1;
			}
		} else {
			k = send(ss->fd, p, n, MSG_NOSIGNAL);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				char dest[400];

				snprintf(why, whylen, "write to %s: %s",
					 destination(ss, dest, sizeof(dest)), strerror(errno));
				return -1;
			}
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Cut a datagram's message at a UTF-8 boundary so what arrives is still text. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static int build_message(struct syslog_sink *ss, const struct sink_record *r)
{
	char head[600], host[256];
	const char *hostname = ss->hostname ? ss->hostname : r->host;
	int sev = r->severity >= 0 && r->severity <= 7 ? r->severity : SINK_SEVERITY_INFO;
	int pri = ss->facility * 8 + sev;
	size_t hn;

	if (!hostname || !*hostname) {
		sink_local_hostname(host, sizeof(host));
		hostname = host;
	}
	hn = syslog_format_header(head, sizeof(head), pri, r->time_ns, hostname,
				  ss->app_name ? ss->app_name : DEFAULT_APP_NAME, (long)getpid(),
				  r->kind);
	ss->msg.len = 0;
	return hn ? sink_buf_add(&ss->msg, head, hn) || sink_buf_add(&ss->msg, r->data, r->len)
		  : -1;
}

static enum sink_status send_dgram(struct syslog_sink *ss, char *why, size_t whylen)
{
	size_t n = utf8_cut(ss->msg.p, ss->msg.len, (size_t)ss->max_message);
	char dest[400];

	if (send(ss->fd, ss->msg.p, n, MSG_NOSIGNAL) == (ssize_t)n)
		return SINK_OK;
	snprintf(why, whylen, "send to %s: %s", destination(ss, dest, sizeof(dest)),
		 strerror(errno));
	/* Too big for this socket even after the cut: it will never fit. */
	if (errno == EMSGSIZE)
		return SINK_REJECT;
	disconnect(ss);
	return SINK_RETRY;
}

static enum sink_status send_stream(struct syslog_sink *ss, char *why, size_t whylen)
{
	char frame[24];
	int k;

	if (ss->msg.len > (size_t)ss->max_message) {
		snprintf(why, whylen, "message of %zu bytes is over max_message_bytes (%ld)",
			 ss->msg.len, ss->max_message);
		return SINK_REJECT;
	}
	/* RFC 6587 octet counting over TCP/TLS; a local stream socket reads lines. */
	if (ss->addr.transport == SYSLOG_UNIX)
		k = 0;
	else
		k = snprintf(frame, sizeof(frame), "%zu ", ss->msg.len);
	if (ss->addr.transport == SYSLOG_UNIX && sink_buf_add(&ss->msg, "\n", 1)) {
		snprintf(why, whylen, "out of memory");
		return SINK_RETRY;
	}
	if (write_all(ss, frame, (size_t)k, why, whylen) ||
	    write_all(ss, ss->msg.p, ss->msg.len, why, whylen)) {
		disconnect(ss);
		return SINK_RETRY;
	}
	return SINK_OK;
}

static enum sink_status send_one(struct syslog_sink *ss, const struct sink_record *r, char *why,
				 size_t whylen)
{
	if (ensure_connected(ss, why, whylen))
		return SINK_RETRY;
	if (build_message(ss, r)) {
		snprintf(why, whylen, "out of memory");
		return SINK_RETRY;
	}
	return ss->sock_type == SOCK_DGRAM ? send_dgram(ss, why, whylen)
					   : send_stream(ss, why, whylen);
}

/*
 * OpenSSL writes with write(2), which raises SIGPIPE on a closed peer; the
 * agent ignores it, but a sink must not depend on that. The signal is held
 * while sending and a SIGPIPE we caused is taken off the pending set.
 */
static void hold_sigpipe(sigset_t *old, bool *was_pending)
{
	sigset_t pipe_set, pending;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, old);
	*was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

static void release_sigpipe(const sigset_t *old, bool was_pending)
{
	struct timespec zero = {0, 0};
	sigset_t pipe_set;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	if (!was_pending)
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void syslog_send(struct sink *s, const struct sink_record *recs, size_t n,
			enum sink_status *status, char *why, size_t whylen)
{
	struct syslog_sink *ss = s->priv;
	bool was_pending;
	sigset_t old;
	size_t i;

	if (why && whylen)
		why[0] = '\0';
	hold_sigpipe(&old, &was_pending);
	for (i = 0; i < n; i++) {
		status[i] = send_one(ss, &recs[i], why, whylen);
		if (status[i] == SINK_RETRY)
			break;
	}
	/* After a failure the rest wait, so that order is kept. */
	for (i++; i < n; i++)
		status[i] = SINK_RETRY;
	release_sigpipe(&old, was_pending);
}

static void syslog_reopen(struct sink *s)
{
	struct syslog_sink *ss = s->priv;

	if (ss)
		atomic_store(&ss->reconnect, true);
}

static void syslog_close(struct sink *s)
{
	syslog_free(s->priv);
	s->priv = NULL;
}

const struct sink_ops sink_syslog_ops = {
    .type = "syslog",
    .keys = syslog_keys,
    .max_batch = SYSLOG_BATCH,
    .open = syslog_open,
    .send = syslog_send,
    .reopen = syslog_reopen,
    .close = syslog_close,
};
