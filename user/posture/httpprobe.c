// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* httpprobe: a local, bounded, read-only HTTP probe of one MCP endpoint. */
#include "posture/httpprobe.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/redact.h"
#include "posture/tlsprobe.h"

#define DEFAULT_TIMEOUT_MS 1500
#define DEFAULT_MAX_BODY   (64 * 1024)
#define DEFAULT_MAX_HEADER (16 * 1024)
#define DEFAULT_BURST	   30
#define SSE_PEEK_MAX	   4096 /* an event stream is cut after its first event or this */
#define MAX_STRIKES	   3	/* requests without an answer before the probe gives up */
#define WINDOW_BEFORE	   32	/* redacted context shown before a masked secret */
#define LABEL_MAX	   (16 + HTTPPROBE_PATH_MAX)

static const char init_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
    "\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
    "\"clientInfo\":{\"name\":\"mcpwatch-probe\",\"version\":\"1\"}}}";
static const char unknown_method_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"mcpwatch/no-such-method\",\"params\":{}}";
static const char malformed_body[] = "{bad";

/* ---------------------------------------------------------------- text helpers */

static void set_text(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_text(char *dst, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!dst || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(dst, cap, fmt, ap);
	va_end(ap);
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive search in hay[0..len), which may hold NULs and need not end in one. */
static const char *find_nocase(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay || n == 0 || n > len)
		return NULL;
	for (size_t i = 0; i + n <= len; i++) {
		size_t j = 0;

		while (j < n && lower((unsigned char)hay[i + j]) == lower((unsigned char)needle[j]))
			j++;
		if (j == n)
			return hay + i;
	}
	return NULL;
}

static const char *find_exact(const char *hay, size_t len, const char *needle)
{
	if (!hay)
		return NULL;
	return memmem(hay, len, needle, strlen(needle));
}

static bool starts_with_nocase(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* The first byte of body that is not whitespace, or 0. */
static char first_visible(const char *body, size_t len)
{
	for (size_t i = 0; body && i < len; i++)
		if (!isspace((unsigned char)body[i]))
			return body[i];
	return 0;
}

/* Length of the line at buf (without CR LF); *next is where the next line starts. */
static size_t line_length(const char *buf, size_t len, size_t *next)
{
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	*next = nl ? n + 1 : len;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	return n;
}

static void trim_span(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Copies n bytes as printable ASCII ('?' for the rest); false if they had to be cut. */
static bool copy_printable(char *dst, size_t cap, const char *src, size_t n)
{
	size_t k = n < cap - 1 ? n : cap - 1;

	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	dst[k] = '\0';
	return k == n;
}

/* ---------------------------------------------------------------- response head */

/* "HTTP/1.1 200 OK", "HTTP/2 404": the status, or 0 if line is no status line. */
static int parse_status_line(const char *line, size_t n)
{
	size_t i = 5;
	int status = 0;

	if (n < 5 || memcmp(line, "HTTP/", 5) != 0)
		return 0;
	while (i < n && i < 9 && (isdigit((unsigned char)line[i]) || line[i] == '.'))
		i++;
	if (i == 5 || i >= n || line[i] != ' ')
		return 0;
	for (int k = 0; k < 3; k++) {
		if (++i >= n || !isdigit((unsigned char)line[i]))
			return 0;
		status = status * 10 + (line[i] - '0');
	}
	if (i + 1 < n && line[i + 1] != ' ')
		return 0;
	return status >= 100 && status <= 599 ? status : 0;
}

static bool is_token_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !strchr("\"(),/:;<=>?@[\\]{}", c);
}

static void add_header(struct httpprobe_head *h, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *value;
	struct httpprobe_header *hd;
	size_t nlen, vlen;

	if (!colon || colon == line || h->count == HTTPPROBE_HEADERS_MAX) {
		h->truncated = true;
		return;
	}
	nlen = (size_t)(colon - line);
	for (size_t i = 0; i < nlen; i++) {
		if (!is_token_char((unsigned char)line[i])) {
			h->truncated = true; /* also folded continuation lines */
			return;
		}
	}
	value = colon + 1;
	vlen = n - nlen - 1;
	trim_span(&value, &vlen);
	hd = &h->headers[h->count++];
	if (!copy_printable(hd->name, sizeof(hd->name), line, nlen))
		h->truncated = true;
	if (!copy_printable(hd->value, sizeof(hd->value), value, vlen))
		h->truncated = true;
}

int httpprobe_parse_head(const char *buf, size_t len, struct httpprobe_head *out)
{
	bool in_head = false;
	size_t pos = 0, next;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return -EINVAL;
	while (pos < len) {
		const char *line = buf + pos;
		size_t n = line_length(line, len - pos, &next);
		int status = parse_status_line(line, n);

		if (status) {
			/* A later response (after a 1xx) replaces the earlier one. */
			out->status = status;
			out->count = 0;
			out->truncated = false;
			in_head = true;
		} else if (n == 0) {
			in_head = false;
		} else if (in_head) {
			add_header(out, line, n);
		}
		pos += next;
	}
	return out->status ? 0 : -EINVAL;
}

const char *httpprobe_head_get(const struct httpprobe_head *h, const char *name)
{
	for (size_t i = 0; h && name && i < h->count; i++)
		if (strcasecmp(h->headers[i].name, name) == 0)
			return h->headers[i].value;
	return NULL;
}

/* ---------------------------------------------------------------- classifiers */

static bool is_jsonrpc_with(const char *body, size_t len, const char *member)
{
	return find_exact(body, len, "\"jsonrpc\"") && find_exact(body, len, member);
}

enum httpprobe_mcp_answer httpprobe_classify_mcp_answer(int status, const char *content_type,
							const char *body, size_t len)
{
	if (status == 401 || status == 403)
		return HTTPPROBE_MCP_AUTH;
	if (status == 200 && starts_with_nocase(content_type, "text/event-stream"))
		return HTTPPROBE_MCP_OK;
	if (status == 200 && is_jsonrpc_with(body, len, "\"result\""))
		return HTTPPROBE_MCP_OK;
	if ((status == 200 || status == 400 || status == 406) &&
	    is_jsonrpc_with(body, len, "\"error\""))
		return HTTPPROBE_MCP_ERROR;
	return HTTPPROBE_MCP_NONE;
}

struct leak_pattern {
	const char *text;
	const char *what;
};

static const struct leak_pattern leak_patterns[] = {
    {"    at ", "a stack trace ('    at ')"},
    {"&nbsp;at ", "a stack trace (HTML 'at' frames)"},
    {"Traceback (most recent call last)", "a Python traceback"},
    {"File \"/", "a Python traceback ('File \"/')"},
    {"/home/", "an absolute path (/home/)"},
    {"/root/", "an absolute path (/root/)"},
    {"/usr/", "an absolute path (/usr/)"},
    {"/app/", "an absolute path (/app/)"},
    {"node_modules", "a module path (node_modules)"},
};

static const char *const framework_names[] = {
    "Express",	 "Werkzeug",	  "Django",
    "Starlette", "FastAPI",	  "Flask",
    "Uvicorn",	 "Tornado",	  "Whitelabel Error Page",
    "Laravel",	 "Ruby on Rails", "ASP.NET",
    "Jetty",	 "Apache Tomcat",
};

static bool is_html(const char *body, size_t len, const char *content_type)
{
	size_t head = len < 512 ? len : 512;

	if (content_type && find_nocase(content_type, strlen(content_type), "text/html"))
		return true;
	return first_visible(body, len) == '<' &&
	       (find_nocase(body, head, "<html") || find_nocase(body, head, "<!doctype html"));
}

bool httpprobe_find_error_leak(const char *body, size_t len, const char *content_type, char *what,
			       size_t wlen)
{
	size_t i;

	set_text(what, wlen, "%s", "");
	if (!body || len == 0)
		return false;
	for (i = 0; i < sizeof(leak_patterns) / sizeof(leak_patterns[0]); i++) {
		if (find_exact(body, len, leak_patterns[i].text)) {
			set_text(what, wlen, "%s", leak_patterns[i].what);
			return true;
		}
	}
	if (!is_html(body, len, content_type))
		return false;
	for (i = 0; i < sizeof(framework_names) / sizeof(framework_names[0]); i++) {
		if (find_exact(body, len, framework_names[i])) {
			set_text(what, wlen, "the framework name '%s' in an HTML page",
				 framework_names[i]);
			return true;
		}
	}
	return false;
}

bool httpprobe_is_directory_listing(const char *body, size_t len)
{
	return find_nocase(body, len, "Index of /") ||
	       find_nocase(body, len, "<title>Directory listing") ||
	       find_nocase(body, len, "Directory listing for /");
}

/* A line "KEY=value" (or "export KEY=value"), as in an env file. */
static bool has_env_line(const char *body, size_t len)
{
	size_t pos = 0, next;

	while (pos < len) {
		const char *line = body + pos;
		size_t n = line_length(line, len - pos, &next), i = 0;

		if (n >= 7 && memcmp(line, "export ", 7) == 0)
			i = 7;
		if (i < n && (isalpha((unsigned char)line[i]) || line[i] == '_')) {
			while (i < n && (isalnum((unsigned char)line[i]) || line[i] == '_'))
				i++;
			if (i < n && line[i] == '=')
				return true;
		}
		pos += next;
	}
	return false;
}

const char *httpprobe_sensitive_file_match(const char *path, const char *body, size_t len)
{
	char first = first_visible(body, len);

	if (!path || !body || len == 0)
		return NULL;
	if (strcmp(path, "/") == 0)
		return httpprobe_is_directory_listing(body, len) ? "a directory listing" : NULL;
	/* An HTML page (a catch-all front end) is not the file asked for. */
	if (first == '<')
		return NULL;
	if (strcmp(path, "/.git/config") == 0)
		return find_exact(body, len, "[core]") ? "a git config ([core])" : NULL;
	if (has_env_line(body, len))
		return "KEY=value lines";
	if ((strcmp(path, "/config") == 0 || strcmp(path, "/config.json") == 0) && first == '{' &&
	    !find_exact(body, len, "\"jsonrpc\"") && !find_exact(body, len, "\"error\""))
		return "a JSON object";
	return NULL;
}

static const char *const product_names[] = {
    "express", "uvicorn",  "gunicorn", "hypercorn", "werkzeug",	 "nginx",   "apache",
    "jetty",   "kestrel",  "node",     "python",    "deno",	 "bun",	    "starlette",
    "fastapi", "tornado",  "envoy",    "caddy",	    "openresty", "iis",	    "lighttpd",
    "tomcat",  "cowboy",   "puma",     "waitress",  "daphne",	 "aiohttp", "php",
    "asp.net", "golang",   "go-http",  "hono",	    "fastify",	 "koa",	    "flask",
    "django",  "cherrypy", "twisted",  "undertow",  "netty",	 "traefik", "haproxy",
};

static const char *product_in(const char *value)
{
	size_t len = strlen(value);

	for (size_t i = 0; i < sizeof(product_names) / sizeof(product_names[0]); i++)
		if (find_nocase(value, len, product_names[i]))
			return product_names[i];
	return NULL;
}

bool httpprobe_find_version_leak(const char *name, const char *value, char *what, size_t wlen)
{
	set_text(what, wlen, "%s", "");
	if (!name || !value || !*value)
		return false;
	/* These headers exist only to name the stack. */
	if (strcasecmp(name, "X-Powered-By") == 0 || strcasecmp(name, "X-AspNet-Version") == 0 ||
	    strcasecmp(name, "X-AspNetMvc-Version") == 0 || strcasecmp(name, "X-Generator") == 0) {
		set_text(what, wlen, "%s: %.64s", name, value);
		return true;
	}
	if (strcasecmp(name, "Server") != 0)
		return false;
	if (strpbrk(value, "0123456789") || product_in(value)) {
		set_text(what, wlen, "Server: %.64s", value);
		return true;
	}
	return false;
}

enum httpprobe_cors httpprobe_cors_classify(const char *acao, const char *sent_origin)
{
	const char *v = acao;
	size_t n;

	if (!v)
		return HTTPPROBE_CORS_NONE;
	n = strlen(v);
	trim_span(&v, &n);
	if (n == 0)
		return HTTPPROBE_CORS_NONE;
	if (n == 1 && v[0] == '*')
		return HTTPPROBE_CORS_WILDCARD;
	if (sent_origin && n == strlen(sent_origin) && strncasecmp(v, sent_origin, n) == 0)
		return HTTPPROBE_CORS_REFLECTED;
	if (n == 4 && strncasecmp(v, "null", 4) == 0)
		return HTTPPROBE_CORS_NULL;
	return HTTPPROBE_CORS_RESTRICTED;
}

/* "scheme:" (letters, digits, + - .) at s: returns what follows it, or s if none. */
static const char *skip_scheme(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return s;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return *p == ':' ? p + 1 : s;
}

/*
 * The authority of an absolute or scheme-relative Location, read as browsers
 * do (backslashes count as slashes, "https:host" is absolute); NULL if the
 * Location is a path.
 */
static const char *location_authority(const char *location, size_t *alen)
{
	const char *start = location, *after, *p;
	size_t slashes = 0;

	while (*start == ' ' || *start == '\t')
		start++;
	after = skip_scheme(start);
	if (after == start &&
	    !((start[0] == '/' || start[0] == '\\') && (start[1] == '/' || start[1] == '\\')))
		return NULL;
	for (p = after; *p == '/' || *p == '\\'; p++)
		slashes++;
	if (after != start && slashes == 0 && strncasecmp(start, "http", 4) != 0)
		return NULL; /* "mailto:x", "urn:y": no host to go to */
	*alen = strcspn(p, "/\\?#");
	return p;
}

/* host part of an authority: after the last '@', before a port, without a trailing dot. */
static const char *authority_host(const char *auth, size_t alen, size_t *hlen)
{
	const char *at = NULL, *colon;

	for (size_t i = 0; i < alen; i++)
		if (auth[i] == '@')
			at = auth + i;
	if (at) {
		alen -= (size_t)(at + 1 - auth);
		auth = at + 1;
	}
	colon = memchr(auth, ':', alen);
	*hlen = colon ? (size_t)(colon - auth) : alen;
	while (*hlen > 0 && auth[*hlen - 1] == '.')
		(*hlen)--;
	return auth;
}

bool httpprobe_location_points_to(const char *location, const char *host)
{
	const char *auth, *h;
	size_t alen, hlen, want;

	if (!location || !host || !*host)
		return false;
	auth = location_authority(location, &alen);
	if (!auth)
		return false;
	h = authority_host(auth, alen, &hlen);
	want = strlen(host);
	if (hlen == want)
		return strncasecmp(h, host, want) == 0;
	return hlen > want && h[hlen - want - 1] == '.' &&
	       strncasecmp(h + hlen - want, host, want) == 0;
}

static bool copy_path(const char *src, char *path, size_t plen)
{
	size_t n = strlen(src);

	if (n == 0 || n >= plen || src[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)src[i] <= 0x20 || (unsigned char)src[i] >= 0x7f)
			return false;
	memcpy(path, src, n + 1);
	return true;
}

bool httpprobe_location_local_path(const char *location, const char *authority, char *path,
				   size_t plen)
{
	const char *auth;
	size_t alen;

	if (!location || !authority || !path || plen < 2)
		return false;
	while (*location == ' ' || *location == '\t')
		location++;
	auth = location_authority(location, &alen);
	if (!auth)
		return location[0] == '/' && copy_path(location, path, plen);
	if (alen != strlen(authority) || strncasecmp(auth, authority, alen) != 0)
		return false;
	if (auth[alen] == '\0')
		return copy_path("/", path, plen);
	return copy_path(auth + alen, path, plen);
}

static enum check_status bind_scope_v4(struct in_addr a, const char *addr, char *why, size_t wlen)
{
	if (a.s_addr == htonl(INADDR_ANY)) {
		set_text(why, wlen, "bound to 0.0.0.0: reachable from every interface");
		return CHECK_FAIL;
	}
	if ((ntohl(a.s_addr) >> 24) == 127) {
		set_text(why, wlen, "bound to loopback %s", addr);
		return CHECK_PASS;
	}
	set_text(why, wlen, "bound to %s: reachable from that interface's network", addr);
	return CHECK_FAIL;
}

enum check_status httpprobe_bind_scope(int family, const char *addr, char *why, size_t wlen)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (addr && family == AF_INET && inet_pton(AF_INET, addr, &a4) == 1)
		return bind_scope_v4(a4, addr, why, wlen);
	if (!addr || family != AF_INET6 || inet_pton(AF_INET6, addr, &a6) != 1) {
		set_text(why, wlen, "bound address not understood");
		return CHECK_NA;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], 4);
		return bind_scope_v4(a4, addr, why, wlen);
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&a6)) {
		set_text(why, wlen, "bound to [::]: reachable from every interface");
		return CHECK_FAIL;
	}
	if (IN6_IS_ADDR_LOOPBACK(&a6)) {
		set_text(why, wlen, "bound to loopback ::1");
		return CHECK_PASS;
	}
	set_text(why, wlen, "bound to %.46s: reachable from that interface's network", addr);
	return CHECK_FAIL;
}

bool httpprobe_peer_allowed(const struct sockaddr_storage *pinned, const struct sockaddr *peer,
			    socklen_t len)
{
	if (!pinned || !peer || peer->sa_family != pinned->ss_family)
		return false;
	if (peer->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const void *)pinned, *b = (const void *)peer;

		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (peer->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const void *)pinned, *b = (const void *)peer;

		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	return false;
}

/* ---------------------------------------------------------------- probe state */

/* One request and what came back; the buffers live in struct probe. */
struct exchange {
	char label[LABEL_MAX]; /* "POST /mcp", for evidence */
	const char *sent_origin;
	CURLcode rc;
	bool answered; /* a complete final response head arrived */
	bool head_done, head_overflow, body_cut;
	size_t raw_len, raw_total, body_len;
	char error[160];
	struct httpprobe_head head;
};

/* The response whose headers the header checks read: MCP answer > GET / > first. */
struct primary {
	int rank; /* -1: none yet */
	char label[LABEL_MAX + 8];
	char csp[HTTPPROBE_VALUE_MAX], hsts[HTTPPROBE_VALUE_MAX];
	char xfo[HTTPPROBE_VALUE_MAX], xcto[HTTPPROBE_VALUE_MAX];
};

struct probe {
	CURL *curl;
	struct httpprobe_opts o;
	struct httpprobe_report *out;
	struct sockaddr_storage pinned;
	struct curl_slist *resolve;
	char authority[32]; /* "localhost:PORT", the Host we send */
	bool verify;	    /* check the certificate (ca_file given, not failed yet) */
	char *raw, *headtext, *body, *scratch, *plain;
	size_t scratch_len;
	char errbuf[CURL_ERROR_SIZE];
	int64_t deadline;
	unsigned max_requests, blocked, observed;
	int strikes;
	bool stopped;
	char stop_reason[128];
	enum httpprobe_mcp_answer mcp_answer;
	char mcp_label[LABEL_MAX];
	bool preflight_answered;
	char cors_allowed[96]; /* a fixed allowed origin seen, for the pass evidence */
	uint64_t baseline_hash;
	size_t baseline_len;
	int baseline_status;
	struct primary primary;
	struct exchange ex;
};

struct request {
	const char *method; /* GET, POST or OPTIONS */
	const char *path;
	const char *body;   /* POST only */
	const char *origin; /* Origin header, or NULL */
	bool preflight;	    /* add Access-Control-Request-Method/-Headers */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct check_result *check(struct probe *p, enum check_id id)
{
	return &p->out->checks[id];
}

static void probe_stop(struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void probe_stop(struct probe *p, const char *fmt, ...)
{
	va_list ap;

	if (p->stopped)
		return;
	p->stopped = true;
	va_start(ap, fmt);
	vsnprintf(p->stop_reason, sizeof(p->stop_reason), fmt, ap);
	va_end(ap);
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* ---------------------------------------------------------------- libcurl callbacks */

static size_t on_header(char *data, size_t size, size_t nitems, void *ud)
{
	struct probe *p = ud;
	struct exchange *ex = &p->ex;
	size_t len = size * nitems;

	ex->raw_total += len;
	if (ex->raw_total > p->o.max_header) {
		ex->head_overflow = true;
		return 0; /* aborts the transfer */
	}
	/* A status line starts a new response (after a 1xx): keep only the last head. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		ex->raw_len = 0;
		ex->head_done = false;
	}
	memcpy(p->raw + ex->raw_len, data, len);
	ex->raw_len += len;
	if ((len == 2 && data[0] == '\r' && data[1] == '\n') || (len == 1 && data[0] == '\n'))
		ex->head_done = true;
	return len;
}

static bool is_event_stream(struct probe *p)
{
	char *ct = NULL;

	return curl_easy_getinfo(p->curl, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	       starts_with_nocase(ct, "text/event-stream");
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct probe *p = ud;
	struct exchange *ex = &p->ex;
	size_t len = size * nmemb, room = p->o.max_body - ex->body_len;
	size_t take = len < room ? len : room;

	memcpy(p->body + ex->body_len, data, take);
	ex->body_len += take;
	if (take < len) {
		ex->body_cut = true;
		return 0; /* aborts: we have read all we will read */
	}
	/* Event streams may never end: the first event is all we want. */
	if (is_event_stream(p) &&
	    (ex->body_len >= SSE_PEEK_MAX || find_exact(p->body, ex->body_len, "\n\n") ||
	     find_exact(p->body, ex->body_len, "\r\n\r\n"))) {
		ex->body_cut = true;
		return 0;
	}
	return len;
}

/* The connect-time guard: libcurl may open a socket only to the pinned address. */
static curl_socket_t open_pinned_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct probe *p = ud;
	int fd;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    !httpprobe_peer_allowed(&p->pinned, &a->addr, a->addrlen)) {
		p->blocked++;
		return CURL_SOCKET_BAD;
	}
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

/* ---------------------------------------------------------------- one request */

static struct curl_slist *request_headers(const struct request *rq)
{
	char origin[96];
	const char *lines[6];
	struct curl_slist *h = NULL, *n;
	size_t k = 0;

	lines[k++] = "Accept: application/json, text/event-stream";
	lines[k++] = "Expect:"; /* no 100-continue round trip */
	if (rq->body)
		lines[k++] = "Content-Type: application/json";
	if (rq->origin) {
		snprintf(origin, sizeof(origin), "Origin: %s", rq->origin);
		lines[k++] = origin;
	}
	if (rq->preflight) {
		lines[k++] = "Access-Control-Request-Method: POST";
		lines[k++] = "Access-Control-Request-Headers: content-type";
	}
	for (size_t i = 0; i < k; i++) {
		n = curl_slist_append(h, lines[i]);
		if (!n) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = n;
	}
	return h;
}

static bool set_safety_options(struct probe *p, long timeout)
{
	CURL *c = p->curl;
	bool bad = false;

	bad |= curl_easy_setopt(c, CURLOPT_RESOLVE, p->resolve) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_pinned_socket) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, p) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOPROXY, "*") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	return !bad;
}

static bool set_transfer_options(struct probe *p, const char *url, struct curl_slist *headers)
{
	CURL *c = p->curl;
	bool bad = false;

	bad |= curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, "mcpwatch-probe/1") != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HEADERDATA, p) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, p) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, p->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, p->verify ? 1L : 0L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, p->verify ? 2L : 0L) != CURLE_OK;
	if (p->verify)
		bad |= curl_easy_setopt(c, CURLOPT_CAINFO, p->o.ca_file) != CURLE_OK;
	return !bad;
}

static bool set_method(struct probe *p, const struct request *rq)
{
	CURL *c = p->curl;

	if (strcmp(rq->method, "POST") == 0)
		return curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(rq->body)) ==
			   CURLE_OK &&
		       curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body) == CURLE_OK;
	if (strcmp(rq->method, "OPTIONS") == 0)
		return curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "OPTIONS") == CURLE_OK;
	return curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) == CURLE_OK;
}

/* Maps a request that got no answer to -errno and a one-line reason in ex->error. */
static int transfer_error(struct probe *p, long timeout)
{
	struct exchange *ex = &p->ex;
	const char *why = p->errbuf[0] ? p->errbuf : curl_easy_strerror(ex->rc);

	if (ex->head_overflow) {
		set_text(ex->error, sizeof(ex->error), "%s: response headers exceed %zu bytes",
			 ex->label, p->o.max_header);
		return -EMSGSIZE;
	}
	set_text(ex->error, sizeof(ex->error), "%s: %.100s", ex->label, why);
	switch (ex->rc) {
	case CURLE_COULDNT_CONNECT:
		return p->blocked ? -EADDRNOTAVAIL : -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		set_text(ex->error, sizeof(ex->error), "%s: no complete HTTP answer within %ld ms",
			 ex->label, timeout);
		return -ETIMEDOUT;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EPROTO;
	}
}

/* What every answered response is checked for: secrets, version, CORS. */
static void observe_response(struct probe *p);

static int finish_exchange(struct probe *p, long timeout)
{
	struct exchange *ex = &p->ex;
	curl_off_t connect_us = 0;

	for (size_t i = 0; i < ex->body_len; i++)
		if (p->body[i] == '\0')
			p->body[i] = ' '; /* the body is read as text from here on */
	p->body[ex->body_len] = '\0';
	curl_easy_getinfo(p->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
	ex->answered = ex->head_done && !ex->head_overflow &&
		       httpprobe_parse_head(p->raw, ex->raw_len, &ex->head) == 0 &&
		       ex->head.status >= 200;
	if (ex->answered || connect_us > 0)
		p->out->reachable = true;
	if (!ex->answered) {
		int rc = transfer_error(p, timeout);

		if (++p->strikes >= MAX_STRIKES)
			probe_stop(p, "%d requests got no answer (last: %.80s)", p->strikes,
				   ex->error);
		return rc;
	}
	if (p->verify)
		p->out->cert_verified = true;
	observe_response(p);
	return 0;
}

static void exchange_reset(struct probe *p, const struct request *rq)
{
	struct exchange *ex = &p->ex;

	ex->rc = CURLE_OK;
	ex->answered = ex->head_done = ex->head_overflow = ex->body_cut = false;
	ex->raw_len = ex->raw_total = ex->body_len = 0;
	ex->error[0] = '\0';
	ex->head.status = 0;
	ex->head.count = 0;
	ex->sent_origin = rq->origin;
	p->errbuf[0] = '\0';
	set_text(ex->label, sizeof(ex->label), "%s %s", rq->method, rq->path);
}

static int perform_once(struct probe *p, const struct request *rq, long timeout)
{
	char url[64 + HTTPPROBE_PATH_MAX];
	struct curl_slist *headers = request_headers(rq);
	bool ok;

	if (!headers)
		return -ENOMEM;
	exchange_reset(p, rq);
	snprintf(url, sizeof(url), "%s://%s%s", p->out->scheme, p->authority, rq->path);
	curl_easy_reset(p->curl);
	ok = set_safety_options(p, timeout) && set_transfer_options(p, url, headers) &&
	     set_method(p, rq);
	if (ok) {
		p->out->requests++;
		p->ex.rc = curl_easy_perform(p->curl);
	}
	curl_slist_free_all(headers);
	if (!ok) {
		set_text(p->ex.error, sizeof(p->ex.error), "%s: libcurl refused an option",
			 p->ex.label);
		return -ENOMEM;
	}
	return finish_exchange(p, timeout);
}

/*
 * Sends one request within the probe's bounds. 0 when a response head came
 * back (p->ex holds it), -errno otherwise (p->ex.error says why).
 */
static int probe_request(struct probe *p, const struct request *rq)
{
	int64_t left = p->deadline - now_ms();
	long timeout = left < p->o.timeout_ms ? (long)left : p->o.timeout_ms;
	int rc;

	if (!p->stopped && p->out->requests >= p->max_requests)
		probe_stop(p, "request cap (%u) reached", p->max_requests);
	if (!p->stopped && timeout <= 0)
		probe_stop(p, "probe time budget exhausted");
	if (p->stopped) {
		exchange_reset(p, rq);
		set_text(p->ex.error, sizeof(p->ex.error), "%s", p->stop_reason);
		return -ECANCELED;
	}
	rc = perform_once(p, rq, timeout);
	/* An unverifiable certificate is recorded, then the probe goes on without checking. */
	if (p->verify &&
	    (p->ex.rc == CURLE_PEER_FAILED_VERIFICATION || p->ex.rc == CURLE_SSL_CACERT_BADFILE)) {
		p->verify = false;
		p->strikes--;
		rc = perform_once(p, rq, timeout);
	}
	return rc;
}

static const char *ex_header(struct probe *p, const char *name)
{
	return httpprobe_head_get(&p->ex.head, name);
}

/* ---------------------------------------------------------------- observations */

/*
 * MCP protocol fields whose names look like secrets to the redactor but hold
 * none: a progress token is a request id, token budgets are counts.
 */
static const char *const benign_keys[] = {"\"progressToken\"", "\"maxTokens\"",
					  "\"max_tokens\"",    "\"inputTokens\"",
					  "\"outputTokens\"",  "\"totalTokens\""};

/* Turn "progressToken" into "progress_oken" so that the redactor passes it by. */
static void neutralise_benign_keys(char *s)
{
	for (size_t k = 0; k < sizeof(benign_keys) / sizeof(benign_keys[0]); k++) {
		size_t klen = strlen(benign_keys[k]);

		for (char *at = strstr(s, benign_keys[k]); at;
		     at = strstr(at + klen, benign_keys[k])) {
			char *t = strstr(at, "oken");

			if (t && t > at && t < at + klen)
				t[-1] = '_';
		}
	}
}

bool httpprobe_find_secret(const char *text, char *copy, char *redacted, size_t buflen,
			   char *window, size_t wlen)
{
	size_t i = 0, start;

	snprintf(copy, buflen, "%s", text);
	neutralise_benign_keys(copy);
	redact_string(copy, redacted, buflen);
	while (copy[i] && copy[i] == redacted[i])
		i++;
	if (!copy[i] && !redacted[i])
		return false;
	start = i > WINDOW_BEFORE ? i - WINDOW_BEFORE : 0;
	set_text(window, wlen, "%.*s", (int)(i - start + strlen(REDACT_MASK)), redacted + start);
	return true;
}

/* Does text hold a secret? window gets the redacted text around the first one. */
static bool secret_window(struct probe *p, const char *text, char *window, size_t wlen)
{
	return httpprobe_find_secret(text, p->plain, p->scratch, p->scratch_len, window, wlen);
}

/* The header block without the lines whose values are not the server's secrets to leak. */
static void filtered_head_text(struct probe *p)
{
	static const char *const skip[] = {
	    "www-authenticate:", "proxy-authenticate:", "set-cookie:"};
	size_t pos = 0, next, out = 0;

	while (pos < p->ex.raw_len) {
		const char *line = p->raw + pos;
		bool keep = true;

		line_length(line, p->ex.raw_len - pos, &next);
		for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
			keep = keep && !starts_with_nocase(line, skip[i]);
		if (keep) {
			memcpy(p->headtext + out, line, next);
			out += next;
		}
		pos += next;
	}
	for (size_t i = 0; i < out; i++)
		if (p->headtext[i] == '\0')
			p->headtext[i] = ' ';
	p->headtext[out] = '\0';
}

static void observe_secrets(struct probe *p)
{
	struct check_result *r = check(p, CHK_CREDENTIALS_EXPOSED);
	char window[96];

	if (r->status == CHECK_FAIL)
		return;
	filtered_head_text(p);
	if (secret_window(p, p->headtext, window, sizeof(window)))
		check_set(r, CHECK_FAIL, "%s response headers match a secret pattern: '%s'",
			  p->ex.label, window);
	else if (secret_window(p, p->body, window, sizeof(window)))
		check_set(r, CHECK_FAIL, "%s response body matches a secret pattern: '%s'",
			  p->ex.label, window);
}

static void observe_version(struct probe *p)
{
	static const char *const names[] = {"Server", "X-Powered-By", "X-AspNet-Version",
					    "X-AspNetMvc-Version", "X-Generator"};
	struct check_result *r = check(p, CHK_VERSION_LEAK);
	const char *server = ex_header(p, "Server");
	char what[96];

	if (server && *server && !p->out->server_header[0])
		set_text(p->out->server_header, sizeof(p->out->server_header), "%s", server);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && r->status != CHECK_FAIL; i++)
		if (httpprobe_find_version_leak(names[i], ex_header(p, names[i]), what,
						sizeof(what)))
			check_set(r, CHECK_FAIL, "%s (%s)", what, p->ex.label);
}

static void observe_cors(struct probe *p)
{
	static const char *const verdicts[] = {
	    [HTTPPROBE_CORS_WILDCARD] = "allows every origin",
	    [HTTPPROBE_CORS_REFLECTED] = "echoes the request's Origin",
	    [HTTPPROBE_CORS_NULL] = "allows the 'null' origin",
	};
	const char *acao = ex_header(p, "Access-Control-Allow-Origin");
	enum httpprobe_cors v = httpprobe_cors_classify(acao, p->ex.sent_origin);
	struct check_result *r = check(p, CHK_CORS);

	if (v == HTTPPROBE_CORS_RESTRICTED && !p->cors_allowed[0])
		set_text(p->cors_allowed, sizeof(p->cors_allowed), "%.80s", acao);
	if (r->status == CHECK_FAIL || v == HTTPPROBE_CORS_NONE || v == HTTPPROBE_CORS_RESTRICTED)
		return;
	if (p->ex.sent_origin)
		check_set(r, CHECK_FAIL,
			  "%s with Origin %s: Access-Control-Allow-Origin: %.60s (%s)", p->ex.label,
			  p->ex.sent_origin, acao, verdicts[v]);
	else
		check_set(r, CHECK_FAIL, "%s: Access-Control-Allow-Origin: %.60s (%s)", p->ex.label,
			  acao, verdicts[v]);
}

static void observe_response(struct probe *p)
{
	p->observed++;
	observe_secrets(p);
	observe_version(p);
	observe_cors(p);
}

static void capture_primary(struct probe *p, int rank)
{
	struct primary *pr = &p->primary;
	const char *v;

	if (!p->ex.answered || rank <= pr->rank)
		return;
	pr->rank = rank;
	set_text(pr->label, sizeof(pr->label), "%s -> %d", p->ex.label, p->ex.head.status);
	v = ex_header(p, "Content-Security-Policy");
	set_text(pr->csp, sizeof(pr->csp), "%s", v ? v : "");
	v = ex_header(p, "Strict-Transport-Security");
	set_text(pr->hsts, sizeof(pr->hsts), "%s", v ? v : "");
	v = ex_header(p, "X-Frame-Options");
	set_text(pr->xfo, sizeof(pr->xfo), "%s", v ? v : "");
	v = ex_header(p, "X-Content-Type-Options");
	set_text(pr->xcto, sizeof(pr->xcto), "%s", v ? v : "");
}

/* ---------------------------------------------------------------- MCP path */

static bool redirect_followable(const struct request *rq, int status)
{
	if (status == 307 || status == 308)
		return true;
	return strcmp(rq->method, "GET") == 0 && (status == 301 || status == 302 || status == 303);
}

/*
 * Asks one candidate path; a redirect to another path of the same origin
 * (Starlette sends /mcp -> /mcp/) is followed once, by us, never by libcurl.
 */
static int ask_candidate(struct probe *p, const struct request *rq, char *final_path, size_t cap)
{
	char path[HTTPPROBE_PATH_MAX];
	struct request again = *rq;
	const char *loc;
	int rc = probe_request(p, rq);

	set_text(final_path, cap, "%s", rq->path);
	if (rc || !redirect_followable(rq, p->ex.head.status))
		return rc;
	loc = ex_header(p, "Location");
	if (!loc || !httpprobe_location_local_path(loc, p->authority, path, sizeof(path)) ||
	    strcmp(path, rq->path) == 0)
		return 0;
	again.path = path;
	set_text(final_path, cap, "%s", path);
	return probe_request(p, &again);
}

static enum httpprobe_mcp_answer classify_exchange(struct probe *p)
{
	return httpprobe_classify_mcp_answer(p->ex.head.status, ex_header(p, "Content-Type"),
					     p->body, p->ex.body_len);
}

/* 0 when the server answered HTTP at all (the MCP path may stay ""), -errno if not. */
static int discover_mcp_path(struct probe *p)
{
	static const struct request candidates[] = {
	    {"POST", "/mcp", init_body, NULL, false},
	    {"POST", "/", init_body, NULL, false},
	    {"GET", "/sse", NULL, NULL, false},
	    {"POST", "/messages", init_body, NULL, false},
	};
	char path[HTTPPROBE_PATH_MAX];

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		int rc = ask_candidate(p, &candidates[i], path, sizeof(path));

		if (rc && i == 0)
			return rc; /* the server does not speak HTTP to us: stop here */
		if (rc)
			continue;
		if (i == 0)
			p->out->init_status = p->ex.head.status;
		capture_primary(p, 0);
		p->mcp_answer = classify_exchange(p);
		if (p->mcp_answer != HTTPPROBE_MCP_NONE) {
			set_text(p->out->mcp_path, sizeof(p->out->mcp_path), "%s", path);
			set_text(p->mcp_label, sizeof(p->mcp_label), "%s%s",
				 candidates[i].body ? "initialize " : "", p->ex.label);
			p->out->init_status = p->ex.head.status;
			capture_primary(p, 2);
			return 0;
		}
	}
	return 0;
}

static bool mcp_is_sse(struct probe *p)
{
	return strcmp(p->out->mcp_path, "/sse") == 0;
}

/* Where JSON-RPC POSTs go: the MCP path, /messages for an SSE endpoint, else /mcp. */
static const char *post_path(struct probe *p)
{
	if (!p->out->mcp_path[0])
		return "/mcp";
	return mcp_is_sse(p) ? "/messages" : p->out->mcp_path;
}

/* ---------------------------------------------------------------- checks */

static void untested(struct probe *p, enum check_id id, const char *what)
{
	check_set(check(p, id), CHECK_NA, "not tested: %s (%.120s)", what,
		  p->stopped ? p->stop_reason : p->ex.error);
}

/* A pass on the requests that were answered; says so when some were not. */
static void pass_answered(struct probe *p, enum check_id id, unsigned answered, size_t asked,
			  const char *what)
{
	if (answered == asked)
		check_set(check(p, id), CHECK_PASS, "%s", what);
	else
		check_set(check(p, id), CHECK_PASS, "%s (only %u of %zu requests answered)", what,
			  answered, asked);
}

static void check_https(struct probe *p)
{
	struct check_result *r = check(p, CHK_HTTPS);

	if (!p->out->tls)
		check_set(r, CHECK_FAIL, "plain HTTP on %s", p->authority);
	else if (p->out->cert_verified)
		check_set(r, CHECK_PASS, "served over TLS (certificate verified)");
	else if (p->o.ca_file)
		check_set(r, CHECK_PASS,
			  "served over TLS (certificate did NOT verify against %.80s)",
			  p->o.ca_file);
	else
		check_set(r, CHECK_PASS, "served over TLS (certificate not verified: no CA given)");
}

static void check_auth(struct probe *p)
{
	struct check_result *r = check(p, CHK_AUTH);

	if (!p->out->mcp_path[0])
		check_set(r, CHECK_NA, "no MCP endpoint found (POST /mcp -> %d)",
			  p->out->init_status);
	else if (p->mcp_answer == HTTPPROBE_MCP_AUTH)
		check_set(r, CHECK_PASS, "%s without credentials -> %d", p->mcp_label,
			  p->out->init_status);
	else
		check_set(r, CHECK_FAIL, "%s without credentials -> %d", p->mcp_label,
			  p->out->init_status);
}

static void check_header_present(struct probe *p, enum check_id id, const char *name,
				 const char *value, bool sane)
{
	if (!value[0])
		check_set(check(p, id), CHECK_FAIL, "no %s on %s", name, p->primary.label);
	else
		check_set(check(p, id), sane ? CHECK_PASS : CHECK_FAIL, "%s: %.100s%s", name, value,
			  sane ? "" : " (not a safe value)");
}

/* max-age=N with N > 0 */
static bool hsts_max_age_positive(const char *v)
{
	const char *m = find_nocase(v, strlen(v), "max-age");

	if (!m)
		return false;
	m += 7;
	while (*m == ' ' || *m == '=' || *m == '"')
		m++;
	while (*m == '0')
		m++;
	return isdigit((unsigned char)*m);
}

static void check_security_headers(struct probe *p)
{
	const struct primary *pr = &p->primary;
	const char *csp = pr->csp;
	bool frame_csp = find_nocase(csp, strlen(csp), "frame-ancestors") != NULL;

	check_header_present(p, CHK_CSP, "Content-Security-Policy", csp, true);
	if (!p->out->tls)
		check_set(check(p, CHK_HSTS), CHECK_FAIL, "plain HTTP: no HSTS possible");
	else
		check_header_present(p, CHK_HSTS, "Strict-Transport-Security", pr->hsts,
				     hsts_max_age_positive(pr->hsts));
	if (!pr->xfo[0] && frame_csp)
		check_set(check(p, CHK_X_FRAME_OPTIONS), CHECK_PASS,
			  "framing limited by Content-Security-Policy frame-ancestors");
	else
		check_header_present(p, CHK_X_FRAME_OPTIONS, "X-Frame-Options", pr->xfo,
				     strcasecmp(pr->xfo, "DENY") == 0 ||
					 strcasecmp(pr->xfo, "SAMEORIGIN") == 0);
	check_header_present(p, CHK_X_CONTENT_TYPE_OPTIONS, "X-Content-Type-Options", pr->xcto,
			     strcasecmp(pr->xcto, "nosniff") == 0);
}

/* A catch-all server answers every path with the same page: that page is no evidence. */
static void fetch_baseline(struct probe *p)
{
	const struct request rq = {"GET", "/mcpwatch-probe-no-such-page", NULL, NULL, false};

	p->baseline_status = 0;
	if (probe_request(p, &rq) == 0) {
		p->baseline_status = p->ex.head.status;
		p->baseline_len = p->ex.body_len;
		p->baseline_hash = fnv1a(p->body, p->ex.body_len);
	}
}

static bool same_as_baseline(struct probe *p)
{
	return p->baseline_status == 200 && p->ex.body_len == p->baseline_len &&
	       fnv1a(p->body, p->ex.body_len) == p->baseline_hash;
}

static void check_admin_panel(struct probe *p)
{
	static const char *const paths[] = {"/admin", "/dashboard", "/_internal",
					    "/debug", "/console",   "/admin/"};
	unsigned answered = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct request rq = {"GET", paths[i], NULL, NULL, false};

		if (probe_request(p, &rq))
			continue;
		answered++;
		if (p->ex.head.status == 200 && p->ex.body_len > 0 && !same_as_baseline(p)) {
			check_set(check(p, CHK_ADMIN_PANEL), CHECK_FAIL,
				  "GET %s -> 200 with a %zu-byte page%s", paths[i], p->ex.body_len,
				  p->ex.body_cut ? "+" : "");
			return;
		}
	}
	if (!answered)
		untested(p, CHK_ADMIN_PANEL, "no answer for admin paths");
	else
		pass_answered(p, CHK_ADMIN_PANEL, answered, sizeof(paths) / sizeof(paths[0]),
			      "no page at /admin /dashboard /_internal /debug /console /admin/");
}

static void check_sensitive_files(struct probe *p)
{
	static const char *const paths[] = {"/.env", "/.git/config", "/config", "/config.json",
					    "/"};
	unsigned answered = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct request rq = {"GET", paths[i], NULL, NULL, false};
		const char *match;

		if (probe_request(p, &rq))
			continue;
		answered++;
		if (strcmp(paths[i], "/") == 0)
			capture_primary(p, 1);
		if (p->ex.head.status != 200 || (strcmp(paths[i], "/") && same_as_baseline(p)))
			continue;
		match = httpprobe_sensitive_file_match(paths[i], p->body, p->ex.body_len);
		if (match) {
			check_set(check(p, CHK_SENSITIVE_FILES), CHECK_FAIL,
				  "GET %s -> 200 with %s", paths[i], match);
			return;
		}
	}
	if (!answered)
		untested(p, CHK_SENSITIVE_FILES, "no answer for sensitive paths");
	else
		pass_answered(
		    p, CHK_SENSITIVE_FILES, answered, sizeof(paths) / sizeof(paths[0]),
		    "/.env /.git/config /config /config.json not served, no listing at /");
}

static void check_open_redirect(struct probe *p)
{
	static const char *const paths[] = {
	    "/redirect?url=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	    "/login?next=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	    "/?redirect=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	    "/oauth/callback?redirect_uri=https%3A%2F%2Fmcpwatch-probe.invalid%2F",
	};
	unsigned answered = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const struct request rq = {"GET", paths[i], NULL, NULL, false};
		const char *loc;

		if (probe_request(p, &rq))
			continue;
		answered++;
		loc = ex_header(p, "Location");
		if (p->ex.head.status >= 300 && p->ex.head.status < 400 &&
		    httpprobe_location_points_to(loc, HTTPPROBE_PROBE_HOST)) {
			check_set(check(p, CHK_OPEN_REDIRECT), CHECK_FAIL,
				  "GET %.90s -> %d, Location: %.80s", paths[i], p->ex.head.status,
				  loc);
			return;
		}
	}
	if (!answered)
		untested(p, CHK_OPEN_REDIRECT, "no answer for redirect paths");
	else
		pass_answered(p, CHK_OPEN_REDIRECT, answered, sizeof(paths) / sizeof(paths[0]),
			      "no redirect to " HTTPPROBE_PROBE_HOST
			      " from /redirect?url= /login?next= /?redirect= /oauth/callback");
}

static void check_cors_preflight(struct probe *p)
{
	const char *path = p->out->mcp_path[0] ? post_path(p) : "/";
	const struct request rq = {"OPTIONS", path, NULL, HTTPPROBE_PROBE_ORIGIN, true};

	p->preflight_answered = probe_request(p, &rq) == 0;
}

static void check_error_leak(struct probe *p)
{
	const char *path = post_path(p);
	const struct request rqs[] = {{"POST", path, malformed_body, NULL, false},
				      {"POST", path, unknown_method_body, NULL, false}};
	static const char *const names[] = {"malformed JSON", "an unknown method"};
	unsigned answered = 0;
	char what[96];

	for (size_t i = 0; i < 2; i++) {
		if (probe_request(p, &rqs[i]))
			continue;
		answered++;
		if (httpprobe_find_error_leak(p->body, p->ex.body_len, ex_header(p, "Content-Type"),
					      what, sizeof(what))) {
			check_set(check(p, CHK_ERROR_LEAK), CHECK_FAIL, "POST %s with %s -> %d: %s",
				  path, names[i], p->ex.head.status, what);
			return;
		}
	}
	if (!answered)
		untested(p, CHK_ERROR_LEAK, "no answer to bad requests");
	else
		check_set(check(p, CHK_ERROR_LEAK), CHECK_PASS,
			  "POST %s with malformed JSON and an unknown method: no trace, path or "
			  "framework name",
			  path);
}

static void judge_origin_answer(struct probe *p, const char *label)
{
	struct check_result *r = check(p, CHK_ORIGIN_VALIDATION);
	int st = p->ex.head.status, plain = p->out->init_status;
	bool names_origin = find_nocase(p->body, p->ex.body_len, "origin") != NULL;

	if ((st == 403 && (plain != 403 || names_origin)) || (st == 400 && names_origin))
		check_set(r, CHECK_PASS, "%s with Origin %s -> %d (rejected)", label,
			  HTTPPROBE_EVIL_ORIGIN, st);
	else if (st == 401 || st == 403)
		check_set(r, CHECK_NA, "auth answered first (%d): Origin not tested", st);
	else if (st >= 400 && st < 500 && st != plain)
		check_set(r, CHECK_PASS, "%s with Origin %s -> %d (without Origin: %d)", label,
			  HTTPPROBE_EVIL_ORIGIN, st, plain);
	else
		check_set(r, CHECK_FAIL, "%s with Origin %s -> %d (processed%s)", label,
			  HTTPPROBE_EVIL_ORIGIN, st, st == plain ? ", as without Origin" : "");
}

static void check_origin_validation(struct probe *p)
{
	struct request rq = {"POST", p->out->mcp_path, init_body, HTTPPROBE_EVIL_ORIGIN, false};
	char label[LABEL_MAX];

	if (!p->out->mcp_path[0]) {
		check_set(check(p, CHK_ORIGIN_VALIDATION), CHECK_NA, "no MCP endpoint found");
		return;
	}
	if (mcp_is_sse(p)) {
		rq.method = "GET";
		rq.body = NULL;
	}
	if (probe_request(p, &rq)) {
		untested(p, CHK_ORIGIN_VALIDATION, "no answer with a foreign Origin");
		return;
	}
	set_text(label, sizeof(label), "%s", p->ex.label);
	judge_origin_answer(p, label);
}

static void check_rate_limit(struct probe *p)
{
	const struct request rq = {"GET", p->out->mcp_path, NULL, NULL, false};
	int64_t start = now_ms();
	int sent = 0;

	if (!p->o.rate_limit) {
		check_set(check(p, CHK_RATE_LIMIT), CHECK_NA, "not tested (opt-in)");
		return;
	}
	if (!p->out->mcp_path[0]) {
		check_set(check(p, CHK_RATE_LIMIT), CHECK_NA, "no MCP endpoint found");
		return;
	}
	p->deadline += (int64_t)HTTPPROBE_BURST_STEPS * p->o.timeout_ms;
	p->max_requests = p->out->requests + (unsigned)p->o.burst;
	for (; sent < p->o.burst && probe_request(p, &rq) == 0; sent++) {
		const char *retry = ex_header(p, "Retry-After");

		if (p->ex.head.status != 429)
			continue;
		if (retry && *retry)
			check_set(check(p, CHK_RATE_LIMIT), CHECK_PASS,
				  "request %d of a burst -> 429, Retry-After: %.20s", sent + 1,
				  retry);
		else
			check_set(check(p, CHK_RATE_LIMIT), CHECK_FAIL,
				  "request %d of a burst -> 429 without Retry-After", sent + 1);
		return;
	}
	if (!sent)
		untested(p, CHK_RATE_LIMIT, "no answer to the burst");
	else
		check_set(check(p, CHK_RATE_LIMIT), CHECK_FAIL,
			  "%d GETs of %s in %lld ms: none answered 429", sent, p->out->mcp_path,
			  (long long)(now_ms() - start));
}

/* Checks fed by every response: pass only once something was seen. */
static void finish_observed_checks(struct probe *p)
{
	if (check(p, CHK_CREDENTIALS_EXPOSED)->status != CHECK_FAIL)
		check_set(check(p, CHK_CREDENTIALS_EXPOSED), CHECK_PASS,
			  "no secret pattern in %u responses", p->observed);
	if (check(p, CHK_VERSION_LEAK)->status != CHECK_FAIL) {
		if (p->out->server_header[0])
			check_set(check(p, CHK_VERSION_LEAK), CHECK_PASS,
				  "Server: %.60s names no product or version",
				  p->out->server_header);
		else
			check_set(check(p, CHK_VERSION_LEAK), CHECK_PASS,
				  "no Server or X-Powered-By header");
	}
	if (check(p, CHK_CORS)->status == CHECK_FAIL)
		return;
	if (!p->preflight_answered)
		untested(p, CHK_CORS, "no answer to the CORS preflight");
	else if (p->cors_allowed[0])
		check_set(check(p, CHK_CORS), CHECK_PASS, "allows only the origin %s",
			  p->cors_allowed);
	else
		check_set(check(p, CHK_CORS), CHECK_PASS,
			  "no Access-Control-Allow-Origin for Origin " HTTPPROBE_PROBE_ORIGIN);
}

static void run_checks(struct probe *p)
{
	check_https(p);
	check_auth(p);
	fetch_baseline(p);
	check_admin_panel(p);
	check_sensitive_files(p);
	check_open_redirect(p);
	check_cors_preflight(p);
	check_error_leak(p);
	check_origin_validation(p);
	check_security_headers(p); /* after GET /, which may be the best response to read */
	check_rate_limit(p);
	finish_observed_checks(p);
}

/* ---------------------------------------------------------------- set-up */

void httpprobe_opts_default(struct httpprobe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->max_body = DEFAULT_MAX_BODY;
	o->max_header = DEFAULT_MAX_HEADER;
	o->burst = DEFAULT_BURST;
}

static int resolve_opts(const struct httpprobe_opts *in, struct httpprobe_opts *o, char *err,
			size_t elen)
{
	httpprobe_opts_default(o);
	if (!in)
		return 0;
	if (in->timeout_ms < 0 || in->burst < 0) {
		set_text(err, elen, "httpprobe: timeout_ms %d or burst %d is negative",
			 in->timeout_ms, in->burst);
		return -EINVAL;
	}
	o->rate_limit = in->rate_limit;
	o->ca_file = in->ca_file;
	if (in->timeout_ms)
		o->timeout_ms = in->timeout_ms;
	if (in->max_body)
		o->max_body = in->max_body;
	if (in->max_header)
		o->max_header = in->max_header;
	if (in->burst)
		o->burst = in->burst < HTTPPROBE_BURST_MAX ? in->burst : HTTPPROBE_BURST_MAX;
	return 0;
}

static int check_target(const struct httpprobe_target *t, char *err, size_t elen)
{
	if ((t->family != AF_INET && t->family != AF_INET6) || t->port == 0 ||
	    !memchr(t->addr, '\0', sizeof(t->addr))) {
		set_text(err, elen,
			 "httpprobe: target needs family AF_INET/AF_INET6, an address "
			 "and a port (family %d, port %u)",
			 t->family, t->port);
		return -EINVAL;
	}
	if (t->tls_hint < HTTPPROBE_TLS_DETECT || t->tls_hint > HTTPPROBE_TLS_YES) {
		set_text(err, elen, "httpprobe: tls_hint %d is not -1, 0 or 1", t->tls_hint);
		return -EINVAL;
	}
	return 0;
}

/* Local only: the target must be this host's; libcurl is pinned to that address. */
static int pin_target(struct probe *p, const struct httpprobe_target *t)
{
	char reason[TLSPROBE_REASON_MAX], ip[INET6_ADDRSTRLEN], entry[96];
	const void *a;
	socklen_t len;
	bool v6;
	int rc = tlsprobe_local_target(t->family, t->addr, t->port, &p->pinned, &len, reason,
				       sizeof(reason));

	if (rc) {
		set_text(p->out->error, sizeof(p->out->error), "httpprobe: %s", reason);
		return rc;
	}
	v6 = p->pinned.ss_family == AF_INET6;
	a = v6 ? (const void *)&((struct sockaddr_in6 *)&p->pinned)->sin6_addr
	       : (const void *)&((struct sockaddr_in *)&p->pinned)->sin_addr;
	if (!inet_ntop(p->pinned.ss_family, a, ip, sizeof(ip)))
		return -EINVAL;
	snprintf(entry, sizeof(entry), "localhost:%u:%s%s%s", t->port, v6 ? "[" : "", ip,
		 v6 ? "]" : "");
	snprintf(p->authority, sizeof(p->authority), "localhost:%u", t->port);
	p->resolve = curl_slist_append(NULL, entry);
	return p->resolve ? 0 : -ENOMEM;
}

static int detect_scheme(struct probe *p, const struct httpprobe_target *t)
{
	char reason[TLSPROBE_REASON_MAX];
	enum tlsprobe_verdict v;

	if (t->tls_hint != HTTPPROBE_TLS_DETECT) {
		p->out->tls = t->tls_hint == HTTPPROBE_TLS_YES;
	} else {
		v = tlsprobe_check(t->family, t->addr, t->port, p->o.timeout_ms, reason,
				   sizeof(reason));
		if (v == TLSPROBE_UNKNOWN) {
			set_text(p->out->error, sizeof(p->out->error), "httpprobe: %s port %u: %s",
				 t->addr, t->port, reason);
			if (strstr(reason, "refused"))
				return -ECONNREFUSED;
			return strstr(reason, "timed out") ? -ETIMEDOUT : -EHOSTUNREACH;
		}
		p->out->reachable = true;
		p->out->tls = v == TLSPROBE_TLS;
	}
	set_text(p->out->scheme, sizeof(p->out->scheme), "%s", p->out->tls ? "https" : "http");
	return 0;
}

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int probe_alloc(struct probe *p)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	size_t big = p->o.max_body > p->o.max_header ? p->o.max_body : p->o.max_header;

	pthread_once(&once, curl_init_once);
	p->scratch_len = big + 1;
	p->raw = malloc(p->o.max_header + 1);
	p->headtext = malloc(p->o.max_header + 1);
	p->body = malloc(p->o.max_body + 1);
	p->scratch = malloc(p->scratch_len);
	p->plain = malloc(p->scratch_len);
	p->curl = curl_easy_init();
	if (!p->raw || !p->headtext || !p->body || !p->scratch || !p->plain || !p->curl) {
		set_text(p->out->error, sizeof(p->out->error),
			 "httpprobe: out of memory for %zu-byte buffers", big);
		return -ENOMEM;
	}
	p->body[0] = '\0';
	return 0;
}

static void probe_free(struct probe *p)
{
	if (p->curl)
		curl_easy_cleanup(p->curl);
	curl_slist_free_all(p->resolve);
	free(p->raw);
	free(p->headtext);
	free(p->body);
	free(p->scratch);
	free(p->plain);
	free(p);
}

static void report_init(struct httpprobe_report *out)
{
	memset(out, 0, sizeof(*out));
	for (int id = CHK_HTTPS; id <= CHK_RATE_LIMIT; id++)
		check_set(&out->checks[id], CHECK_NA, "not tested");
	check_set(&out->checks[CHK_REGISTRY], CHECK_NA, "cannot be known offline");
}

/* After a failed start: every HTTP check says why it was not tested. */
static void report_untested(struct httpprobe_report *out)
{
	for (int id = CHK_HTTPS; id <= CHK_RATE_LIMIT; id++)
		if (id != CHK_REGISTRY && id != CHK_BIND_SCOPE)
			check_set(&out->checks[id], CHECK_NA, "not tested: %.200s", out->error);
}

static int probe_start(struct probe *p, const struct httpprobe_target *t)
{
	char why[CHECK_EVIDENCE_MAX];
	enum check_status s;
	int rc = pin_target(p, t);

	if (rc)
		return rc;
	s = httpprobe_bind_scope(t->family, t->addr, why, sizeof(why));
	check_set(&p->out->checks[CHK_BIND_SCOPE], s, "%s", why);
	rc = probe_alloc(p);
	if (!rc)
		rc = detect_scheme(p, t);
	if (rc)
		return rc;
	p->deadline = now_ms() + (int64_t)HTTPPROBE_BUDGET_STEPS * p->o.timeout_ms;
	p->max_requests = HTTPPROBE_MAX_REQUESTS;
	p->verify = p->o.ca_file != NULL && p->out->tls;
	p->primary.rank = -1;
	rc = discover_mcp_path(p);
	if (rc)
		set_text(p->out->error, sizeof(p->out->error), "httpprobe: %s", p->ex.error);
	return rc;
}

/* Evidence quotes server data (Location, header values): mask anything secret-shaped. */
static void redact_report(struct httpprobe_report *out)
{
	for (int id = 0; id < CHK_COUNT; id++)
		redact_in_place(out->checks[id].evidence);
	redact_in_place(out->server_header);
	redact_in_place(out->error);
}

int httpprobe_run(const struct httpprobe_target *t, const struct httpprobe_opts *o,
		  struct httpprobe_report *out)
{
	struct probe *p;
	int rc;

	if (!out)
		return -EINVAL;
	report_init(out);
	if (!t) {
		set_text(out->error, sizeof(out->error), "httpprobe: no target");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		set_text(out->error, sizeof(out->error), "httpprobe: out of memory");
		return -ENOMEM;
	}
	p->out = out;
	rc = resolve_opts(o, &p->o, out->error, sizeof(out->error));
	if (!rc)
		rc = check_target(t, out->error, sizeof(out->error));
	if (!rc)
		rc = probe_start(p, t);
	if (!rc)
		run_checks(p);
	else
		report_untested(out);
	probe_free(p);
	redact_report(out);
	return rc;
}
