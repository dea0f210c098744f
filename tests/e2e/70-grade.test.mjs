// 8. `mcpwatch grade`, the one-shot posture scan: a sloppy real server
// (server-everything over HTTP) grades D/F with the failures named; a
// hardened real MCP server grades A; an npx launch is graded on its pin;
// client config files under --fs-root are inventoried without leaking their
// secrets; hostile endpoints neither hang nor crash the scan.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, chownSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { cmdlineText } from "./lib/agent.mjs";
import { withCaps } from "./lib/caps.mjs";
import { BIN, EVERYTHING_SERVER, FIXTURES, ROOT, descendants, makeHome, pinnedVersion, readCmdline } from "./lib/env.mjs";
import {
	HTTP_CHECK_IDS,
	RUNTIME_CHECK_IDS,
	checkOf,
	checksWith,
	expectChecks,
	fetchTrusting,
	findServer,
	gradeJson,
	makeCert,
	runGrade,
} from "./lib/grade.mjs";
import { callTool, connectStdio, startProcess } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";

const HARDENED = path.join(FIXTURES, "hardened-mcp-server.mjs");
const HOSTILE = path.join(FIXTURES, "http/hostile.mjs");
const NOBODY = 65534;
// Not a secret anywhere but here: the hardened fixture's bearer token.
const TOKEN = `e2e-${process.pid}-0123456789abcdef`;

let home;
before(() => {
	home = makeHome();
});
after(() => home?.cleanup());

// Start processes for one test and stop them all however it ends.
async function withProcesses(fn) {
	const procs = [];
	try {
		return await fn(procs);
	} finally {
		for (const p of procs.reverse()) await p.stop();
	}
}

function expectNonEmptyEvidence(server, ids, what) {
	for (const id of ids) {
		const c = checkOf(server, id);
		assert.ok(c.evidence.trim().length > 0, `${what}: ${id} has empty evidence`);
	}
}

async function startEverythingHttp(procs) {
	const port = await freePort();
	const srv = await startProcess({
		args: [EVERYTHING_SERVER, "streamableHttp"],
		env: { PORT: String(port), HOME: home.home },
		readyLine: /listening on port/,
	});
	procs.push(srv);
	return { srv, port };
}

test("server-everything over HTTP on every interface: grade D or F, https/auth/cors/bind_scope fail with evidence", () =>
	withProcesses(async (procs) => {
		const { srv, port } = await startEverythingHttp(procs);
		const { report, stderr } = await gradeJson();
		const s = findServer(report, (x) => x.pid === srv.pid, `with pid ${srv.pid} (server-everything)`);
		const what = `server-everything pid ${srv.pid}`;
		assert.equal(s.running, true, what);
		assert.equal(s.transport, "http", `${what} transport`);
		assert.match(s.name, /server-everything/, `${what} name`);
		assert.ok(s.command.includes("server-everything"), `${what} command: ${s.command}`);
		assert.ok(["D", "F"].includes(s.grade), `${what}: grade ${s.grade} (score ${s.score}), want D or F`);
		const ep = s.endpoints.find((e) => e.port === port);
		assert.ok(ep, `${what}: no endpoint on port ${port}: ${JSON.stringify(s.endpoints)}`);
		assert.deepEqual(
			{ addr: ep.addr, tls: ep.tls, mcp_path: ep.mcp_path },
			{ addr: ep.addr === "0.0.0.0" ? "0.0.0.0" : "::", tls: false, mcp_path: "/mcp" },
			`${what} endpoint`
		);
		expectChecks(
			s,
			{
				https: "fail",
				auth: "fail",
				cors: "fail",
				bind_scope: "fail",
				origin_validation: "fail",
				hsts: "fail",
				runs_as_root: "fail",
				registry: "n/a",
				rate_limit: "n/a",
				...checksWith(RUNTIME_CHECK_IDS, "n/a"),
			},
			what
		);
		expectNonEmptyEvidence(s, ["https", "auth", "cors", "bind_scope"], what);
		assert.match(checkOf(s, "auth").evidence, /\b200\b/, `${what}: auth evidence should show the unauthenticated 200`);
		assert.match(checkOf(s, "cors").evidence, /\*/, `${what}: cors evidence should show the wildcard`);
		assert.match(checkOf(s, "bind_scope").evidence, /::|0\.0\.0\.0/, `${what}: bind_scope evidence should name the wildcard address`);
		// The host is as weak as its weakest server, and this one is weak.
		assert.ok(["D", "F"].includes(report.host.grade), `host grade ${report.host.grade} with a ${s.grade} server on it`);
		assert.doesNotMatch(stderr, /mcpwatch: grade:/, "grade reported an error");
	}));

test("grade without --json: a table naming the server and what to fix first; colours only on a TTY", () =>
	withProcesses(async (procs) => {
		const { srv } = await startEverythingHttp(procs);
		const env = { ...process.env };
		delete env.NO_COLOR;
		const piped = await runGrade([], { env });
		assert.equal(piped.code, 0, `grade exited ${piped.code ?? piped.signal}\n${piped.stderr}`);
		const show = `\n--- stdout:\n${piped.stdout}`;
		assert.ok(!piped.stdout.includes("\x1b"), `ESC bytes in piped output${show}`);
		assert.match(piped.stdout, /server-everything/, `table does not name server-everything${show}`);
		assert.ok(piped.stdout.includes(String(srv.pid)), `table does not show pid ${srv.pid}${show}`);
		assert.match(piped.stdout, /fix first/, `no "fix first" section${show}`);
		assert.match(piped.stdout, /\b[DF]\b/, `no D/F grade in the table${show}`);

		// script(1) gives the grade a terminal; NO_COLOR turns colours off there too.
		const graded = withCaps(BIN, ["grade"]);
		const onTty = (extraEnv) =>
			spawnSync("script", ["-qec", [graded.file, ...graded.args].join(" "), "/dev/null"], { cwd: ROOT, env: { ...env, ...extraEnv }, encoding: "utf8", timeout: 30000 });
		const tty = onTty({});
		assert.equal(tty.status, 0, `grade on a TTY exited ${tty.status}: ${tty.stderr}`);
		assert.ok(tty.stdout.includes("\x1b["), `no colour escape on a TTY:\n${tty.stdout}`);
		const noColor = onTty({ NO_COLOR: "1" });
		assert.equal(noColor.status, 0, `grade on a TTY with NO_COLOR exited ${noColor.status}: ${noColor.stderr}`);
		assert.ok(!noColor.stdout.includes("\x1b["), `colour escapes despite NO_COLOR:\n${noColor.stdout}`);
	}));

async function startHardened(procs, cert) {
	const port = await freePort();
	// setpriv execs node: the pid is the server's, running as nobody.
	const srv = await startProcess({
		command: "setpriv",
		args: [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", process.execPath, HARDENED, "--cert", cert.cert, "--key", cert.key, "--port", String(port)],
		env: { MCP_BEARER_TOKEN: TOKEN, HOME: "/nonexistent" },
		readyLine: /hardened-mcp-server listening on/,
	});
	procs.push(srv);
	return { srv, port };
}

async function connectHardened(port, ca, token) {
	const client = new Client({ name: "mcpwatch-e2e-client", version: "1.0.0" });
	const transport = new StreamableHTTPClientTransport(new URL(`https://127.0.0.1:${port}/mcp`), {
		fetch: fetchTrusting(ca),
		requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
	});
	await client.connect(transport, { timeout: 15000 });
	return client;
}

test("hardened MCP server (HTTPS, bearer auth, headers, Origin check, loopback, unprivileged): grade A, every HTTP check passes", () =>
	withProcesses(async (procs) => {
		const cert = makeCert(NOBODY);
		procs.push({ stop: async () => cert.cleanup() });
		const { srv, port } = await startHardened(procs, cert);

		// It is a real MCP server: a client with the token calls a tool; one without is refused.
		const client = await connectHardened(port, cert.pem, TOKEN);
		try {
			assert.equal(client.getServerVersion()?.name, "hardened-mcp-server");
			assert.equal(await callTool(client, "echo", { message: "over tls" }), "over tls");
			assert.equal(await callTool(client, "add", { a: 2, b: 40 }), "42");
		} finally {
			await client.close().catch(() => {});
		}
		await assert.rejects(connectHardened(port, cert.pem, null), /401|Unauthorized/i, "a client without the token must be refused");

		const what = `hardened-mcp-server pid ${srv.pid}`;
		const { report, stdout, stderr } = await gradeJson();
		const s = findServer(report, (x) => x.pid === srv.pid, `with pid ${srv.pid} (hardened-mcp-server)`);
		assert.equal(s.running, true, what);
		assert.equal(s.transport, "http", `${what} transport`);
		assert.match(s.name, /hardened-mcp-server/, `${what} name`);
		assert.deepEqual(s.endpoints, [{ addr: "127.0.0.1", port, tls: true, mcp_path: "/mcp" }], `${what} endpoints`);
		expectChecks(
			s,
			{
				...checksWith(HTTP_CHECK_IDS, "pass"),
				registry: "n/a",
				rate_limit: "n/a",
				runs_as_root: "pass",
				pinned_version: "n/a",
				inline_secrets: "n/a",
				...checksWith(RUNTIME_CHECK_IDS, "n/a"),
			},
			what
		);
		assert.equal(s.grade, "A", `${what}: grade ${s.grade} (score ${s.score}), want A`);
		assert.equal(s.capped_by, undefined, `${what} capped_by`);
		assert.match(checkOf(s, "auth").evidence, /\b401\b/, `${what}: auth evidence should show the 401`);
		assert.match(checkOf(s, "origin_validation").evidence, /\b403\b/, `${what}: origin evidence should show the 403`);
		assert.match(checkOf(s, "runs_as_root").evidence, new RegExp(`\\b${NOBODY}\\b`), `${what}: runs_as_root evidence`);
		// The probe never had the token, so no report can carry it.
		assert.ok(!stdout.includes(TOKEN) && !stderr.includes(TOKEN), "the bearer token appears in grade's output");

		// Opt-in burst: the fixture answers 429 + Retry-After.
		const { report: withRate } = await gradeJson(["--rate-limit"]);
		const r = findServer(withRate, (x) => x.pid === srv.pid, `with pid ${srv.pid} (hardened-mcp-server, --rate-limit)`);
		expectChecks(r, { ...checksWith(HTTP_CHECK_IDS, "pass"), rate_limit: "pass" }, `${what} with --rate-limit`);
		assert.match(checkOf(r, "rate_limit").evidence, /429/, `${what}: rate_limit evidence`);
		assert.equal(r.grade, "A", `${what} with --rate-limit: grade ${r.grade} (score ${r.score})`);
	}));

test("launched through npx: pinned_version passes for pkg@<exact version> and fails for a bare package name", async () => {
	const pkg = "@modelcontextprotocol/server-filesystem";
	const version = pinnedVersion(pkg);
	// The local node_modules satisfies both specs; an unreachable loopback
	// registry guarantees nothing is fetched. Stdio servers exit on EOF, so
	// a connected client keeps each one up.
	const npxEnv = {
		HOME: home.home,
		npm_config_registry: "http://127.0.0.1:9/",
		npm_config_update_notifier: "false",
		npm_config_audit: "false",
		npm_config_fund: "false",
		npm_config_cache: `${home.dir}/npm-cache`,
	};
	const sessions = [];
	try {
		for (const spec of [`${pkg}@${version}`, pkg])
			sessions.push(await connectStdio({ command: "npx", args: ["-y", spec, home.home], env: npxEnv }));
		const [pinned, unpinned] = sessions;
		const { report } = await gradeJson();
		const inTree = (s) => (x) => x.running && (x.pid === s.pid || descendants(s.pid).includes(x.pid));
		const p = findServer(report, inTree(pinned), `under npx pid ${pinned.pid} (${pkg}@${version})`);
		const u = findServer(report, inTree(unpinned), `under npx pid ${unpinned.pid} (${pkg})`);
		// Both launches judged before failing: one message shows both.
		const bad = [];
		for (const [s, npxPid, want, spec] of [
			[p, pinned.pid, "pass", `${pkg}@${version}`],
			[u, unpinned.pid, "fail", pkg],
		]) {
			const c = checkOf(s, "pinned_version");
			if (c.status !== want || !c.evidence.includes(spec))
				bad.push(
					`  npx -y ${spec} (npx pid ${npxPid}): graded pid ${s.pid} "${s.command}" (process: ${cmdlineText(readCmdline(s.pid))}): ` +
						`pinned_version ${c.status} "${c.evidence}", want ${want} with evidence naming ${spec}`
				);
		}
		assert.ok(bad.length === 0, `pinned_version wrong:\n${bad.join("\n")}`);
		for (const s of [p, u]) assert.equal(s.transport, "stdio", `${s.name} pid ${s.pid} transport`);
	} finally {
		for (const s of sessions) await s.close();
	}
});

// tests/fixtures/clients/<file> → where each client keeps it (as tests/unit/posture/test_inventory.c lays them out).
const CLIENT_FILES = [
	["passwd", "/etc/passwd"],
	["managed-mcp.json", "/etc/claude-code/managed-mcp.json"],
	["claude_desktop_config.json", "/home/alice/.config/Claude/claude_desktop_config.json"],
	["claude.json", "/home/alice/.claude.json"],
	["vscode-mcp.json", "/home/alice/.config/Code/User/mcp.json"],
	["gemini-settings.json", "/home/alice/.gemini/settings.json"],
	["project.mcp.json", "/home/alice/src/webapp/.mcp.json"],
	["cursor-mcp.json", "/home/bob/.cursor/mcp.json"],
	// The same entries in a second file: one server each, declared in both.
	["cursor-mcp.json", "/root/.cursor/mcp.json"],
	["vscode-settings.json", "/home/bob/.config/Code/User/settings.json"],
	["windsurf-mcp_config.json", "/home/bob/.codeium/windsurf/mcp_config.json"],
];

const DESKTOP = "/home/alice/.config/Claude/claude_desktop_config.json";
const CURSOR = ["/home/bob/.cursor/mcp.json", "/root/.cursor/mcp.json"];
const WINDSURF = "/home/bob/.codeium/windsurf/mcp_config.json";
const GEMINI = "/home/alice/.gemini/settings.json";

// name, client, transport, declared_in, inline_secrets, pinned_version
const CONFIGURED = [
	["company-tools", "claude-code", "http", ["/etc/claude-code/managed-mcp.json"], "pass", "n/a"],
	["filesystem", "claude-desktop", "stdio", [DESKTOP], "pass", "fail"],
	["github", "claude-desktop", "stdio", [DESKTOP], "fail", "pass"],
	["fetch", "claude-desktop", "stdio", [DESKTOP], "pass", "pass"],
	["sentry", "claude-code", "http", ["/home/alice/.claude.json"], "pass", "n/a"],
	["postgres", "claude-code", "stdio", ["/home/alice/.claude.json"], "fail", "n/a"],
	["playwright", "claude-code", "stdio", ["/home/alice/.claude.json"], "pass", "fail"],
	["github", "vscode", "http", ["/home/alice/.config/Code/User/mcp.json"], "pass", "n/a"],
	["memory", "vscode", "stdio", ["/home/alice/.config/Code/User/mcp.json"], "pass", "pass"],
	["pythonTools", "gemini-cli", "stdio", [GEMINI], "pass", "n/a"],
	["remoteEvents", "gemini-cli", "sse", [GEMINI], "pass", "n/a"],
	["httpServer", "gemini-cli", "http", [GEMINI], "fail", "n/a"],
	["dockerTool", "gemini-cli", "stdio", [GEMINI], "pass", "pass"],
	["context7", "cursor", "http", CURSOR, "pass", "n/a"],
	["brave-search", "cursor", "stdio", CURSOR, "fail", "pass"],
	["notes", "cursor", "stdio", CURSOR, "pass", "n/a"],
	["sqlite", "vscode", "stdio", ["/home/bob/.config/Code/User/settings.json"], "pass", "pass"],
	["stripe", "windsurf", "http", [WINDSURF], "pass", "n/a"],
	["slack", "windsurf", "stdio", [WINDSURF], "fail", "pass"],
	["linear", "claude-code", "sse", ["/home/alice/src/webapp/.mcp.json"], "pass", "n/a"],
	["internal-api", "claude-code", "http", ["/home/alice/src/webapp/.mcp.json"], "fail", "n/a"],
];

// The literal secrets planted in the fixtures (as in tests/unit/posture/test_inventory.c).
const PLANTED_SECRETS = [
	"ghp_FAKEfake0000FAKEfake0000FAKEfake0000",
	"Sup3rS3cretPw",
	"sk-live-FAKE0123456789abcdefFAKE",
	"BSAfakeFAKEfake0123456789",
	"xoxb-FAKE1234567890-fakefakefake",
	"FAKE1234567890-fakefakefake",
	"FAKEfake0123456789",
];

function privateTree(dir, uid) {
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory()) privateTree(p, uid);
		else chmodSync(p, 0o600);
		chownSync(p, uid, uid);
	}
	chmodSync(dir, 0o700);
	chownSync(dir, uid, uid);
}

function buildClientRoot() {
	const root = path.join(home.dir, "fsroot");
	for (const [name, dest] of CLIENT_FILES) {
		mkdirSync(path.join(root, path.dirname(dest)), { recursive: true });
		cpSync(path.join(FIXTURES, "clients", name), path.join(root, dest));
	}
	mkdirSync(path.join(root, "home/alice/src/empty"), { recursive: true });
	// A project's file is attributed to its owner.
	chownSync(path.join(root, "home/alice/src/webapp/.mcp.json"), 1000, 1000);
	// Homes are private to their users (mode 0700, files 0600), as useradd
	// makes them: the agent reads them as root without CAP_DAC_OVERRIDE, so
	// this is what proves CAP_DAC_READ_SEARCH in deploy/capabilities.txt.
	for (const [user, uid] of [
		["alice", 1000],
		["bob", 1001],
	])
		privateTree(path.join(root, "home", user), uid);
	return root;
}

test("client configs under --fs-root: every configured server listed, declared_in without the root, secrets flagged and never printed", async () => {
	const root = buildClientRoot();
	const r = await gradeJson(["--fs-root", root]);
	const configured = r.report.servers.filter((s) => !s.running);
	const key = (name, client) => `${name} (${client})`;
	const listing = configured.map((s) => `  ${key(s.name, s.client)} ${JSON.stringify(s.declared_in)}`).join("\n");
	const bad = [];
	for (const [name, client, transport, declared, secrets, pin] of CONFIGURED) {
		const hits = configured.filter((s) => s.name === name && s.client === client);
		if (hits.length !== 1) {
			bad.push(`  ${key(name, client)}: listed ${hits.length} times`);
			continue;
		}
		const s = hits[0];
		const got = {
			pid: s.pid,
			transport: s.transport,
			declared_in: [...s.declared_in].sort(),
			endpoints: s.endpoints,
			inline_secrets: checkOf(s, "inline_secrets").status,
			pinned_version: checkOf(s, "pinned_version").status,
		};
		const want = { pid: null, transport, declared_in: [...declared].sort(), endpoints: [], inline_secrets: secrets, pinned_version: pin };
		if (JSON.stringify(got) !== JSON.stringify(want)) bad.push(`  ${key(name, client)}: got ${JSON.stringify(got)}\n    want ${JSON.stringify(want)}`);
		for (const d of s.declared_in) if (d.startsWith(root)) bad.push(`  ${key(name, client)}: declared_in ${d} keeps the root prefix`);
	}
	assert.ok(bad.length === 0, `configured servers wrong:\n${bad.join("\n")}\nlisted:\n${listing}`);
	assert.equal(configured.length, CONFIGURED.length, `configured servers listed:\n${listing}`);
	// "disabled": true is not something the host runs.
	assert.ok(!configured.some((s) => s.name === "puppeteer"), `the disabled puppeteer entry is graded:\n${listing}`);

	// The evidence says where the secret is, never what it is.
	const github = configured.find((s) => s.name === "github" && s.client === "claude-desktop");
	assert.match(checkOf(github, "inline_secrets").evidence, /GITHUB_PERSONAL_ACCESS_TOKEN/);
	assert.ok(checkOf(github, "inline_secrets").evidence.includes(DESKTOP), `evidence should name ${DESKTOP}: ${checkOf(github, "inline_secrets").evidence}`);
	// A configured remote endpoint's scheme is known without any request.
	expectChecks(configured.find((s) => s.name === "remoteEvents"), { https: "fail" }, "remoteEvents (http:// URL)");
	expectChecks(configured.find((s) => s.name === "sentry"), { https: "pass" }, "sentry (https:// URL)");

	for (const [stream, text] of [
		["stdout", r.stdout],
		["stderr", r.stderr],
	])
		for (const secret of PLANTED_SECRETS) assert.ok(!text.includes(secret), `planted secret ${secret} appears on grade's ${stream}`);

	// The table form reads the same files: no secret there either.
	const table = await runGrade(["--fs-root", root]);
	assert.equal(table.code, 0, table.stderr);
	for (const secret of PLANTED_SECRETS) assert.ok(!(table.stdout + table.stderr).includes(secret), `planted secret ${secret} appears in the table output`);
});

const HOSTILE_MODES = ["bigheaders", "drip", "garbage", "silent", "sse", "slowbody", "slash", "redirect"];

test("hostile endpoints (huge headers, drip, garbage, silence, endless SSE, slow body, redirects): grade finishes within 30 s and grades them all", () =>
	withProcesses(async (procs) => {
		const cfg = home.writeJson("hostile-config.json", { servers: { selectors: [{ name: "hostile", cmdline: "*hostile.mjs*" }] } });
		for (const mode of HOSTILE_MODES) {
			const srv = await startProcess({
				args: [HOSTILE, "--mode", mode, "--host", "127.0.0.1", "--to", "http://127.0.0.1:9/"],
				readyLine: /^listening \d+$/,
			});
			srv.mode = mode;
			srv.port = Number(srv.readyLine.split(" ")[1]);
			procs.push(srv);
		}
		const r = await gradeJson(["--config", cfg], { timeoutMs: 30000 });
		assert.ok(r.ms < 30000, `grade took ${r.ms} ms`);
		assert.equal(r.signal, null);
		for (const srv of procs) {
			const what = `hostile --mode ${srv.mode} (pid ${srv.pid}, port ${srv.port})`;
			const s = findServer(r.report, (x) => x.pid === srv.pid, what);
			assert.equal(s.name, "hostile", `${what} name`);
			assert.ok(
				s.endpoints.some((e) => e.port === srv.port),
				`${what}: no endpoint for port ${srv.port}: ${JSON.stringify(s.endpoints)}`
			);
			assert.ok(s.checks.every((c) => c.evidence.length < 1024), `${what}: oversized evidence`);
		}
		// The Starlette-style redirect to /mcp/ is followed on the same origin.
		const slash = findServer(r.report, (x) => x.pid === procs.find((p) => p.mode === "slash").pid, "hostile --mode slash");
		assert.equal(slash.endpoints[0].mcp_path, "/mcp/", `slash: ${JSON.stringify(slash.endpoints)}`);
		// An endless event stream is read up to its first event, not forever.
		const sse = findServer(r.report, (x) => x.pid === procs.find((p) => p.mode === "sse").pid, "hostile --mode sse");
		assert.equal(sse.transport, "sse", `sse: ${JSON.stringify(sse.endpoints)}`);
		// Every fixture is still alive: the probe closed its connections and moved on.
		for (const p of procs) assert.doesNotThrow(() => process.kill(p.pid, 0), `hostile --mode ${p.mode} died`);
	}));
