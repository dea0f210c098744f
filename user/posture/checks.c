/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "posture/checks.h"
#include "lib/names.h"

#include <stdarg.h>
#include <stdio.h>

static const struct check_def catalogue[CHK_COUNT] = {
    [CHK_HTTPS] = {CHK_HTTPS, "https", "Served over HTTPS", 20, "transport-security",
		   "Serve the endpoint over TLS (or bind it to loopback behind a TLS proxy)."},
    [CHK_AUTH] = {CHK_AUTH, "auth", "Authentication required", 15, "authentication",
		  "Require a bearer token or OAuth on every MCP request; answer 401 without one."},
    [CHK_ADMIN_PANEL] =
	{CHK_ADMIN_PANEL, "admin_panel", "No admin panel on the port", 10, "least-privilege",
	 "Move admin and debug pages off the MCP port, or put them behind authentication."},
    [CHK_CREDENTIALS_EXPOSED] = {CHK_CREDENTIALS_EXPOSED, "credentials_exposed",
				 "No credentials exposed in responses", 10, "secrets-management",
				 "Remove tokens and keys from responses; rotate the exposed ones."},
    [CHK_CORS] =
	{CHK_CORS, "cors", "No wildcard or reflected-Origin CORS", 8, "transport-security",
	 "Allow only the exact origins that need access; never '*' or the request's Origin."},
    [CHK_CSP] = {CHK_CSP, "csp", "Content-Security-Policy set", 3, "secure-defaults",
		 "Send Content-Security-Policy: default-src 'none' (or a policy for your UI)."},
    [CHK_HSTS] = {CHK_HSTS, "hsts", "Strict-Transport-Security set", 3, "transport-security",
		  "Send Strict-Transport-Security: max-age=31536000 over HTTPS."},
    [CHK_X_FRAME_OPTIONS] = {CHK_X_FRAME_OPTIONS, "x_frame_options", "X-Frame-Options set", 3,
			     "secure-defaults", "Send X-Frame-Options: DENY."},
    [CHK_X_CONTENT_TYPE_OPTIONS] = {CHK_X_CONTENT_TYPE_OPTIONS, "x_content_type_options",
				    "X-Content-Type-Options set", 3, "secure-defaults",
				    "Send X-Content-Type-Options: nosniff."},
    [CHK_REGISTRY] = {CHK_REGISTRY, "registry", "Listed in a known registry", 5, "supply-chain",
		      "Install servers from the official MCP registry or a vetted internal one."},
    [CHK_VERSION_LEAK] =
	{CHK_VERSION_LEAK, "version_leak", "No server version leak", 5, "secure-defaults",
	 "Drop the Server and X-Powered-By headers (e.g. app.disable('x-powered-by'))."},
    [CHK_OPEN_REDIRECT] = {CHK_OPEN_REDIRECT, "open_redirect", "No open redirect", 5,
			   "input-validation",
			   "Redirect only to relative paths or an allow-list of hosts."},
    [CHK_SENSITIVE_FILES] = {CHK_SENSITIVE_FILES, "sensitive_files",
			     "No sensitive files or directory listing", 5, "secrets-management",
			     "Do not serve the working directory; remove /.env, /.git and config "
			     "files from the web root."},
    [CHK_ERROR_LEAK] = {CHK_ERROR_LEAK, "error_leak", "No error information leak", 5,
			"secure-defaults",
			"Return generic JSON-RPC errors; log stack traces, do not send them."},
    [CHK_BIND_SCOPE] = {CHK_BIND_SCOPE, "bind_scope", "Bound to loopback", 10, "transport-security",
			"Bind to 127.0.0.1 (as the MCP specification asks of local servers) unless "
			"remote clients need it."},
    [CHK_ORIGIN_VALIDATION] =
	{CHK_ORIGIN_VALIDATION, "origin_validation", "Invalid Origin rejected (DNS rebinding)", 8,
	 "transport-security",
	 "Validate the Origin header on every request and answer 403 to unknown origins."},
    [CHK_RATE_LIMIT] = {CHK_RATE_LIMIT, "rate_limit", "Rate limited", 3, "availability",
			"Limit request rates per client and answer 429 with Retry-After."},
    [CHK_PINNED_VERSION] =
	{CHK_PINNED_VERSION, "pinned_version", "Launch pinned to a version", 5, "supply-chain",
	 "Pin the package (npx pkg@1.2.3, uvx pkg==1.2.3) or the image digest; never :latest."},
    [CHK_INLINE_SECRETS] = {CHK_INLINE_SECRETS, "inline_secrets",
			    "No secrets written inline in client config", 10, "secrets-management",
			    "Move secrets out of env/args in the client config into a secret store "
			    "or an env file with 0600."},
    [CHK_RUNS_AS_ROOT] = {CHK_RUNS_AS_ROOT, "runs_as_root", "Not running as root", 5,
			  "least-privilege", "Run the server as an unprivileged user."},
    [CHK_RUNTIME_SHELL] =
	{CHK_RUNTIME_SHELL, "runtime_shell", "No shell spawned (observed)", 10, "least-privilege",
	 "Find the tool that ran a shell; pass arguments as a vector, never through a shell."},
    [CHK_RUNTIME_SENSITIVE_FILE] =
	{CHK_RUNTIME_SENSITIVE_FILE, "runtime_sensitive_file",
	 "No credential file opened (observed)", 10, "secrets-management",
	 "Confine the server's file access (allowed directories, a sandbox, another user)."},
    [CHK_RUNTIME_PLAINTEXT_LISTENER] = {CHK_RUNTIME_PLAINTEXT_LISTENER,
					"runtime_plaintext_listener",
					"No plaintext listener on a public address (observed)", 5,
					"transport-security", "Bind to loopback or serve TLS."},
    [CHK_RUNTIME_EGRESS] =
	{CHK_RUNTIME_EGRESS, "runtime_egress", "No connection to cloud metadata (observed)", 5,
	 "least-privilege",
	 "Block the metadata endpoint for the server (network policy, IMDSv2 hop limit)."},
    [CHK_RUNTIME_TOOL_INPUT] =
	{CHK_RUNTIME_TOOL_INPUT, "runtime_tool_input",
	 "No injection-shaped tool arguments (observed)", 5, "validate-tool-inputs",
	 "Validate tool arguments against a strict schema; never pass them to a shell or a path "
	 "outside the allowed roots."},
    [CHK_RUNTIME_TOOL_OUTPUT] =
	{CHK_RUNTIME_TOOL_OUTPUT, "runtime_tool_output",
	 "No prompt injection in tool results (observed)", 5, "sanitize-tool-outputs",
	 "Strip or quote instructions, HTML comments and invisible text from "
	 "fetched content before returning it to the model."},
    [CHK_RUNTIME_TOOL_FLOOD] = {CHK_RUNTIME_TOOL_FLOOD, "runtime_tool_flood",
				"No tool-call flood (observed)", 3, "rate-limit",
				"Rate-limit tool invocations per session and per client."},
};

const struct check_def *check_def(enum check_id id)
{
	if ((unsigned)id >= CHK_COUNT)
		return NULL;
	return &catalogue[id];
}

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = {[CHECK_PASS] = "pass", [CHECK_FAIL] = "fail"};

	return name_of(names, NAMES_LEN(names), s, "n/a");
}

void check_set(struct check_result *r, enum check_status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->evidence, sizeof(r->evidence), fmt, ap);
	va_end(ap);
	/* Evidence quotes outside input: keep it printable and on one line. */
	for (char *p = r->evidence; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}
