// Posture grades: run `mcpwatch grade`, read its report, compare checks, and
// the TLS material and HTTPS fetch the hardened fixture needs.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { withCaps } from "./caps.mjs";
import { BIN, ROOT } from "./env.mjs";

export const CHECK_IDS = [
	"https",
	"auth",
	"admin_panel",
	"credentials_exposed",
	"cors",
	"csp",
	"hsts",
	"x_frame_options",
	"x_content_type_options",
	"registry",
	"version_leak",
	"open_redirect",
	"sensitive_files",
	"error_leak",
	"bind_scope",
	"origin_validation",
	"rate_limit",
	"pinned_version",
	"inline_secrets",
	"runs_as_root",
	"runtime_shell",
	"runtime_sensitive_file",
	"runtime_plaintext_listener",
	"runtime_egress",
	"runtime_tool_input",
	"runtime_tool_output",
	"runtime_tool_flood",
];

// The checks the local HTTP probe fills (registry is never knowable offline).
export const HTTP_CHECK_IDS = [
	"https",
	"auth",
	"admin_panel",
	"credentials_exposed",
	"cors",
	"csp",
	"hsts",
	"x_frame_options",
	"x_content_type_options",
	"version_leak",
	"open_redirect",
	"sensitive_files",
	"error_leak",
	"bind_scope",
	"origin_validation",
];

export const RUNTIME_CHECK_IDS = [
	"runtime_shell",
	"runtime_sensitive_file",
	"runtime_plaintext_listener",
	"runtime_egress",
	"runtime_tool_input",
	"runtime_tool_output",
	"runtime_tool_flood",
];

const GRADE_BANDS = [
	["A", 90],
	["B", 75],
	["C", 60],
	["D", 40],
	["F", 0],
];

export function gradeForScore(score) {
	return GRADE_BANDS.find(([, min]) => score >= min)[0];
}

// Run `mcpwatch grade ARGS`; SIGKILL and fail after timeoutMs.
export function runGrade(args = [], { timeoutMs = 30000, env = {} } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const cmd = withCaps(BIN, ["grade", ...args]);
		const child = spawn(cmd.file, cmd.args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
		const out = [];
		const err = [];
		let timedOut = false;
		child.stdout.on("data", (b) => out.push(b));
		child.stderr.on("data", (b) => err.push(b));
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill("SIGKILL");
		}, timeoutMs);
		child.on("error", (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on("close", (code, signal) => {
			clearTimeout(timer);
			const r = {
				args,
				code,
				signal,
				ms: Date.now() - started,
				stdout: Buffer.concat(out).toString("utf8"),
				stderr: Buffer.concat(err).toString("utf8"),
			};
			if (timedOut) reject(new Error(`mcpwatch grade ${args.join(" ")} did not finish within ${timeoutMs} ms\nstderr:\n${r.stderr}`));
			else resolve(r);
		});
	});
}

// `mcpwatch grade --json ARGS`: exit 0 and a parseable report of the documented shape.
export async function gradeJson(args = [], opts = {}) {
	const r = await runGrade(["--json", ...args], opts);
	assert.equal(r.code, 0, `mcpwatch grade --json ${args.join(" ")} exited ${r.code ?? r.signal}\nstderr:\n${r.stderr}`);
	let report;
	try {
		report = JSON.parse(r.stdout);
	} catch (e) {
		assert.fail(`grade --json printed no JSON (${e.message}):\n${r.stdout.slice(0, 2000)}`);
	}
	expectReportShape(report);
	r.report = report;
	return r;
}

function describeServer(s) {
	return `${s.name} (pid ${s.pid}, ${s.running ? "running" : "configured"})`;
}

// Every documented field of one server object (grade --json's servers[],
// the daemon's posture server record); note(what, value) collects problems.
function serverShapeProblems(s, note) {
	const who = describeServer(s);
	if (typeof s.name !== "string" || !s.name) note(`${who}.name`, s.name);
	if (typeof s.running !== "boolean") note(`${who}.running`, s.running);
	if (s.running ? !(Number.isInteger(s.pid) && s.pid > 0) : s.pid !== null) note(`${who}.pid`, s.pid);
	if (!["stdio", "http", "sse"].includes(s.transport)) note(`${who}.transport`, s.transport);
	if (typeof s.command !== "string") note(`${who}.command`, s.command);
	if (!Array.isArray(s.declared_in)) note(`${who}.declared_in`, s.declared_in);
	if (!Array.isArray(s.endpoints)) note(`${who}.endpoints`, s.endpoints);
	expectGradeScore(s, who, note);
	const ids = (s.checks ?? []).map((c) => c.id);
	if (JSON.stringify([...ids].sort()) !== JSON.stringify([...CHECK_IDS].sort())) note(`${who}.checks ids`, ids);
	for (const c of s.checks ?? []) {
		if (!["pass", "fail", "n/a"].includes(c.status)) note(`${who}.${c.id}.status`, c.status);
		if (!Number.isInteger(c.weight) || c.weight <= 0) note(`${who}.${c.id}.weight`, c.weight);
		for (const k of ["name", "practice", "evidence", "fix"]) if (typeof c[k] !== "string" || !c[k]) note(`${who}.${c.id}.${k}`, c[k]);
	}
}

export function expectServerShape(s, what = "server") {
	const bad = [];
	serverShapeProblems(s, (k, v) => bad.push(`  ${k}: ${JSON.stringify(v)}`));
	assert.ok(bad.length === 0, `${what}: ${bad.length} field(s) wrong:\n${bad.join("\n")}`);
}

// Every field the brief documents, on every server; scores map to grades;
// the host is as strong as its weakest server.
export function expectReportShape(rep) {
	const bad = [];
	const note = (what, v) => bad.push(`  ${what}: ${JSON.stringify(v)}`);
	if (typeof rep?.host?.name !== "string" || !rep.host.name) note("host.name", rep?.host?.name);
	if (!Array.isArray(rep?.servers)) {
		assert.fail(`grade report has no servers array: ${JSON.stringify(rep).slice(0, 500)}`);
	}
	if (rep.host.servers !== rep.servers.length) note("host.servers (vs servers.length " + rep.servers.length + ")", rep.host.servers);
	expectGradeScore(rep.host, "host", note);
	for (const s of rep.servers) serverShapeProblems(s, note);
	if (rep.servers.length) {
		const weakest = Math.min(...rep.servers.map((s) => s.score));
		if (rep.host.score !== weakest) note(`host.score (weakest server ${weakest})`, rep.host.score);
	}
	assert.ok(bad.length === 0, `grade report: ${bad.length} field(s) wrong:\n${bad.join("\n")}`);
}

export function expectGradeScore(o, who, note) {
	if (!Number.isInteger(o.score) || o.score < 0 || o.score > 100) note(`${who}.score`, o.score);
	else if (o.grade !== gradeForScore(o.score)) note(`${who}.grade (score ${o.score})`, o.grade);
}

// The one server pred picks; fails listing what the report holds.
export function findServer(rep, pred, what) {
	const hits = rep.servers.filter(pred);
	assert.equal(
		hits.length,
		1,
		`expected one server ${what} in the grade, found ${hits.length}; servers:\n` +
			rep.servers.map((s) => `  ${describeServer(s)} ${s.command}`).join("\n")
	);
	return hits[0];
}

export function checkOf(server, id) {
	const c = server.checks.find((x) => x.id === id);
	assert.ok(c, `${describeServer(server)} has no check ${id}`);
	return c;
}

// want: {check_id: "pass" | "fail" | "n/a"}; reports every mismatch at once.
export function expectChecks(server, want, what) {
	const bad = [];
	for (const [id, status] of Object.entries(want)) {
		const c = checkOf(server, id);
		if (c.status !== status) bad.push(`  ${id}: ${c.status}, want ${status} (evidence: ${c.evidence})`);
	}
	const { checks, ...rest } = server;
	assert.ok(bad.length === 0, `${what}: ${bad.length} check(s) wrong:\n${bad.join("\n")}\nserver: ${JSON.stringify(rest)}`);
}

// All checks listed, one status.
export function checksWith(ids, status) {
	return Object.fromEntries(ids.map((id) => [id, status]));
}

// A self-signed P-256 certificate for localhost in a fresh directory any
// user can traverse; the key readable by `owner` (uid) only.
export function makeCert(owner = 0) {
	const dir = mkdtempSync(path.join(os.tmpdir(), "mcpwatch-e2e-tls-"));
	const key = path.join(dir, "key.pem");
	const cert = path.join(dir, "cert.pem");
	execFileSync(
		"openssl",
		["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", key, "-out", cert],
		{ stdio: ["ignore", "ignore", "pipe"] }
	);
	chmodSync(dir, 0o755);
	chmodSync(key, 0o600);
	chownSync(key, owner, owner);
	return { dir, key, cert, pem: readFileSync(cert, "utf8"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// A fetch for the SDK client that trusts only `ca` (the fixture's
// self-signed certificate), over node:https: the process-wide trust store
// stays untouched.
export function fetchTrusting(ca) {
	return (input, init = {}) =>
		new Promise((resolve, reject) => {
			const url = new URL(input instanceof Request ? input.url : String(input));
			const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries());
			const req = https.request(url, { method: init.method ?? "GET", headers, ca, servername: "localhost" }, (res) => {
				const h = new Headers();
				for (const [k, v] of Object.entries(res.headers)) {
					for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
				}
				const nullBody = [204, 205, 304].includes(res.statusCode) || init.method === "HEAD";
				resolve(new Response(nullBody ? null : Readable.toWeb(res), { status: res.statusCode, statusText: res.statusMessage, headers: h }));
			});
			req.on("error", reject);
			if (init.signal) {
				if (init.signal.aborted) req.destroy(new Error("aborted"));
				init.signal.addEventListener("abort", () => req.destroy(new Error("aborted")), { once: true });
			}
			req.end(init.body ?? undefined);
		});
}
