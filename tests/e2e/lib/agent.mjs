// The agent under test: start build/mcpwatch, collect its JSON records,
// wait for records, check absences behind a sync marker, and stop it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import readline from "node:readline";
import { agentCaps, capMask, maskNames, procCaps, withCaps } from "./caps.mjs";
import { BIN, ROOT, SHELL_EXE, sleep } from "./env.mjs";
import { connectToolbox } from "./mcp.mjs";

export const READY_TIMEOUT_MS = 60000;

export class Agent {
	constructor(child) {
		this.child = child;
		this.records = [];
		this.badLines = [];
		this.stderr = [];
		this.exit = null;
		this.waiters = new Set();
		this.exited = new Promise((resolve) => {
			// "close", not "exit": every stdout line has been read by then.
			child.on("close", (code, signal) => {
				this.exit = { code, signal };
				for (const w of this.waiters) w.fail(new Error(`agent exited (${code ?? signal}) while waiting for ${w.what}\n${this.diagnostics()}`));
				this.waiters.clear();
				resolve(this.exit);
			});
		});
		readline.createInterface({ input: child.stdout }).on("line", (l) => this.onLine(l));
		readline.createInterface({ input: child.stderr }).on("line", (l) => {
			this.stderr.push(l);
			if (process.env.E2E_VERBOSE) console.error(`[mcpwatch] ${l}`);
		});
	}

	onLine(line) {
		let rec;
		try {
			rec = JSON.parse(line);
		} catch {
			this.badLines.push(line);
			return;
		}
		if (rec === null || typeof rec !== "object" || Array.isArray(rec)) {
			this.badLines.push(line);
			return;
		}
		rec._seq = this.records.length;
		this.records.push(rec);
		if (process.env.E2E_VERBOSE) console.error(`[record] ${line}`);
		for (const w of this.waiters) {
			if (w.from <= rec._seq && w.pred(rec)) {
				this.waiters.delete(w);
				w.done(rec);
			}
		}
	}

	// Position in the stream; pass to waitFor/alertsSince to ignore earlier records.
	mark() {
		return this.records.length;
	}

	alertsSince(from = 0) {
		return this.records.slice(from).filter((r) => r.kind === "alert");
	}

	// Resolve with the first record (at index >= from) matching pred.
	waitFor(pred, ms, what = "a matching record", from = 0) {
		const hit = this.records.slice(from).find(pred);
		if (hit) return Promise.resolve(hit);
		if (this.exit) return Promise.reject(new Error(`agent already exited (${this.exit.code ?? this.exit.signal}); no ${what}\n${this.diagnostics()}`));
		return new Promise((resolve, reject) => {
			const w = { pred, from, what };
			const timer = setTimeout(() => {
				this.waiters.delete(w);
				reject(new Error(`timed out after ${ms} ms waiting for ${what}\n${this.diagnostics()}`));
			}, ms);
			w.done = (r) => {
				clearTimeout(timer);
				resolve(r);
			};
			w.fail = (e) => {
				clearTimeout(timer);
				reject(e);
			};
			this.waiters.add(w);
		});
	}

	waitAlert(ruleId, pred, ms, what, from = 0) {
		return this.waitFor((r) => r.kind === "alert" && r.rule?.id === ruleId && pred(r), ms, `${what} (${ruleId} alert)`, from);
	}

	diagnostics() {
		const recs = this.records.slice(-30).map((r) => "  " + JSON.stringify(r));
		const err = this.stderr.slice(-30).map((l) => "  " + l);
		const bad = this.badLines.slice(-5).map((l) => "  " + l);
		return (
			`--- last ${recs.length} agent records:\n${recs.join("\n")}\n` +
			`--- last ${err.length} agent stderr lines:\n${err.join("\n")}` +
			(bad.length ? `\n--- non-JSON stdout lines:\n${bad.join("\n")}` : "")
		);
	}

	// SIGTERM (or another signal) and wait for the exit; SIGKILL after 15 s.
	async stop(signal = "SIGTERM") {
		if (this.exit) return this.exit;
		this.child.kill(signal);
		const t = setTimeout(() => this.child.kill("SIGKILL"), 15000);
		const r = await this.exited;
		clearTimeout(t);
		return r;
	}
}

// Start `mcpwatch run` with optional config and rule files; wait for ready.
// It runs with exactly the capabilities of deploy/capabilities.txt (see
// caps.mjs), checked in /proc once it is ready.
export async function startAgent({ config, rules = [], args = [], env = {} } = {}) {
	assert.ok(existsSync(BIN), `${BIN} does not exist: build it with make first`);
	const argv = ["run"];
	if (config) argv.push("--config", config);
	for (const r of rules) argv.push("--rules", r);
	argv.push(...args);
	const caps = agentCaps();
	const cmd = withCaps(BIN, argv, caps);
	const child = spawn(cmd.file, cmd.args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
	const agent = new Agent(child);
	const ready = await agent.waitFor((r) => r.kind === "agent" && r.event === "ready", READY_TIMEOUT_MS, "the agent's ready record");
	agent.ready = ready;
	if (caps !== null) expectCaps(child.pid, caps, agent);
	return agent;
}

// setpriv execs the agent, so the child's pid is the agent's own.
function expectCaps(pid, caps, agent) {
	const want = capMask(caps);
	const got = procCaps(pid);
	for (const k of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"])
		assert.equal(
			got[k],
			want,
			`agent pid ${pid} ${k} is ${maskNames(got[k]).join(",") || "empty"}, want exactly ${caps.join(",") || "none"}\n${agent.diagnostics()}`
		);
	assert.equal(got.NoNewPrivs, 1, `agent pid ${pid} runs without no_new_privs`);
}

let markerSeq = 0;

// Sync marker: a fresh toolbox server runs a unique shell command; once that
// shell-spawn alert is on the stream, the agent has handled every earlier
// event. A fresh server each time so aggregation never hides the marker.
// Returns the marker server's pid (its alerts are to be ignored).
export async function syncMarker(agent, ms = 15000) {
	const tag = `mcpwatch-e2e-marker-${process.pid}-${++markerSeq}`;
	const from = agent.mark();
	const box = await connectToolbox();
	try {
		await box.call("run", { command: `echo ${tag}` });
		await agent.waitAlert(
			"mcp-shell-spawn",
			(r) => r.server?.pid === box.pid && cmdlineText(r.process?.cmdline).includes(tag),
			ms,
			`sync marker (toolbox pid ${box.pid} running "echo ${tag}"); absences cannot be checked without it`,
			from
		);
	} finally {
		await box.close();
	}
	return box.pid;
}

// Wait `quietMs` after the action, then a sync marker; return the alerts
// raised since `from` apart from the marker's own.
export async function alertsAfterQuiet(agent, from, quietMs = 1500) {
	await sleep(quietMs);
	const markerPid = await syncMarker(agent);
	return agent.alertsSince(from).filter((r) => r.server?.pid !== markerPid);
}

export function assertNoAlerts(alerts, what) {
	assert.equal(alerts.length, 0, `expected no alert ${what}, got ${alerts.length}:\n${alerts.map((r) => "  " + JSON.stringify(r)).join("\n")}`);
}

// Dotted-path lookup: get(rec, "server.pid").
export function get(obj, dotted) {
	return dotted.split(".").reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

// Compare every listed field; report all mismatches at once with the record.
// An expected value may be a function (a predicate) or a RegExp.
export function expectFields(rec, expected, what = "record") {
	const bad = [];
	for (const [k, want] of Object.entries(expected)) {
		const got = get(rec, k);
		let ok;
		if (typeof want === "function") ok = want(got);
		else if (want instanceof RegExp) ok = typeof got === "string" && want.test(got);
		else ok = JSON.stringify(got) === JSON.stringify(want);
		if (!ok) bad.push(`  ${k}: got ${JSON.stringify(got)}, want ${typeof want === "function" ? want.toString() : want instanceof RegExp ? want : JSON.stringify(want)}`);
	}
	assert.ok(bad.length === 0, `${what}: ${bad.length} field(s) wrong:\n${bad.join("\n")}\nrecord: ${JSON.stringify(rec)}`);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const isPid = (v) => Number.isInteger(v) && v > 0;
const isAbs = (v) => typeof v === "string" && v.startsWith("/");
const isCmdline = (v) => cmdlineText(v).length > 0;

// A command line as one string, whether the agent sends a string or an argv array.
export function cmdlineText(v) {
	if (Array.isArray(v)) return v.join(" ");
	return typeof v === "string" ? v : "";
}

// Fields every alert carries, whatever the rule.
export function expectAlertShape(rec, what = "alert") {
	expectFields(
		rec,
		{
			kind: "alert",
			time: RFC3339,
			"host.name": os.hostname(),
			"rule.id": (v) => typeof v === "string" && v.length > 0,
			"rule.name": (v) => typeof v === "string" && v.length > 0,
			"rule.severity": (v) => ["info", "low", "medium", "high", "critical"].includes(v),
			"rule.tags": (v) => Array.isArray(v) && v.every((t) => typeof t === "string"),
			message: (v) => typeof v === "string" && v.length > 0,
			count: (v) => Number.isInteger(v) && v >= 1,
			"server.pid": isPid,
			"server.name": (v) => typeof v === "string" && v.length > 0,
			"server.cmdline": isCmdline,
			"process.pid": isPid,
			"process.ppid": isPid,
			"process.uid": process.getuid(),
			"process.exe": isAbs,
			"process.cmdline": isCmdline,
			"process.parent.pid": isPid,
			"process.parent.exe": isAbs,
			"process.parent.cmdline": isCmdline,
		},
		what
	);
	// Alert timestamps are recent: not from the epoch, not from the future.
	const t = Date.parse(rec.time);
	assert.ok(Math.abs(Date.now() - t) < 5 * 60 * 1000, `${what}: time ${rec.time} is not close to now`);
}

export { SHELL_EXE };
