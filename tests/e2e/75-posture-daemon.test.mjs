// 9. The daemon's posture records: a host record at start, a graded record
// for a new HTTP server (with its runtime findings) and again each interval;
// a shell spawned by a server fails runtime_shell, caps its grade at F and,
// when that is a drop, raises mcp-posture-drop.
import assert from "node:assert/strict";
import { symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { cmdlineText, expectFields, startAgent } from "./lib/agent.mjs";
import { EVERYTHING_SERVER, TOOLBOX, makeHome } from "./lib/env.mjs";
import { checkOf, expectChecks, expectGradeScore, expectServerShape } from "./lib/grade.mjs";
import { connectStdio, connectToolbox, startProcess } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";

const INTERVAL_S = 10;
const GRADE_ORDER = ["A", "B", "C", "D", "F"];
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

let home, agent, selectedToolbox;
const cleanups = [];

before(async () => {
	home = makeHome();
	// The toolbox under another name, matched by a user selector: a
	// cmdline-identified stdio server next to the protocol-identified one.
	selectedToolbox = path.join(home.dir, "selected-toolbox.mjs");
	symlinkSync(TOOLBOX, selectedToolbox);
	const config = home.writeJson("config.json", {
		alerts: { aggregate_window_s: 2 },
		posture: { interval_s: INTERVAL_S },
		servers: { selectors: [{ name: "selected-toolbox", cmdline: "*selected-toolbox.mjs*" }] },
	});
	agent = await startAgent({ config });
});

after(async () => {
	for (const c of cleanups.reverse()) await c();
	await agent?.stop();
	home?.cleanup();
});

const isPosture = (scope) => (r) => r.kind === "posture" && r.scope === scope;
const serverRecord = (pid, pred = () => true) => (r) => isPosture("server")(r) && r.server?.pid === pid && pred(r.server);

function expectPostureRecord(rec, what) {
	expectFields(rec, { kind: "posture", time: RFC3339, "host.name": os.hostname() }, what);
	if (rec.scope === "server") {
		expectServerShape(rec.server, what);
		return;
	}
	assert.equal(rec.scope, "host", `${what}: scope`);
	const bad = [];
	const note = (k, v) => bad.push(`  ${k}: ${JSON.stringify(v)}`);
	expectGradeScore(rec.host, "host", note);
	if (!Array.isArray(rec.servers)) note("servers", rec.servers);
	for (const s of rec.servers ?? []) {
		if (typeof s.name !== "string" || !s.name) note("servers[].name", s.name);
		if (!Number.isInteger(s.pid)) note("servers[].pid", s.pid);
		expectGradeScore(s, `servers[pid ${s.pid}]`, note);
	}
	assert.ok(bad.length === 0, `${what}: ${bad.length} field(s) wrong:\n${bad.join("\n")}\nrecord: ${JSON.stringify(rec)}`);
}

test("a host posture record follows the ready record", async () => {
	const rec = await agent.waitFor(isPosture("host"), 15000, "a host posture record after start", agent.ready._seq);
	expectPostureRecord(rec, "start-up host posture record");
});

test("server-everything over HTTP: a server posture record (D/F, listener finding), a host record naming it, again each interval", async () => {
	const port = await freePort();
	const from = agent.mark();
	const srv = await startProcess({
		args: [EVERYTHING_SERVER, "streamableHttp"],
		env: { PORT: String(port), HOME: home.home },
		readyLine: /listening on port/,
	});
	cleanups.push(() => srv.stop());
	const what = `server-everything pid ${srv.pid} on port ${port}`;
	// A grade may catch it before its port opens (a stdio grade): wait for the one with the endpoint.
	const rec = await agent.waitFor(
		serverRecord(srv.pid, (s) => s.endpoints?.some((e) => e.port === port)),
		15000,
		`a posture server record for ${what}`,
		from
	);
	expectPostureRecord(rec, `posture record for ${what}`);
	const s = rec.server;
	assert.ok(["D", "F"].includes(s.grade), `${what}: grade ${s.grade} (score ${s.score}), want D or F`);
	assert.equal(s.transport, "http", `${what} transport`);
	assert.equal(s.running, true, `${what} running`);
	expectChecks(
		s,
		{
			https: "fail",
			auth: "fail",
			cors: "fail",
			bind_scope: "fail",
			// The agent saw it listen in plaintext on every interface (mcp-plaintext-listener).
			runtime_plaintext_listener: "fail",
			// In the daemon, runtime checks are judged: nothing else was seen.
			runtime_shell: "pass",
			runtime_sensitive_file: "pass",
			runtime_egress: "pass",
		},
		`daemon grade of ${what}`
	);

	const host = await agent.waitFor(
		(r) => isPosture("host")(r) && r.servers?.some((x) => x.pid === srv.pid),
		10000,
		`a host posture record listing ${what}`,
		rec._seq
	);
	expectPostureRecord(host, "host posture record");
	const entry = host.servers.find((x) => x.pid === srv.pid);
	assert.deepEqual({ name: entry.name, grade: entry.grade, score: entry.score }, { name: s.name, grade: s.grade, score: s.score }, "host record entry");
	assert.ok(host.host.score <= s.score, `host score ${host.host.score} above its server's ${s.score}`);

	// Periodic: graded again within the interval (plus the grade's own time).
	const again = await agent.waitFor(serverRecord(srv.pid), (INTERVAL_S + 5) * 1000, `a periodic posture record for ${what}`, host._seq + 1);
	const gapMs = Date.parse(again.time) - Date.parse(rec.time);
	assert.ok(gapMs > 0 && gapMs <= (INTERVAL_S + 5) * 1000, `periodic record ${gapMs} ms after the first`);
	assert.equal(again.server.grade, s.grade, `${what}: nothing changed, yet the grade went ${s.grade} -> ${again.server.grade}`);
});

// Run `id` through the server's shell tool; its next posture record must
// show the shell; a drop from an earlier better grade raises an alert.
async function expectShellCapsGrade(box, what, { requireEarlierGrade }) {
	const from = agent.mark();
	let earlier = null;
	const firstWait = agent.waitFor(serverRecord(box.pid), 8000, `a first posture record for ${what} (graded ~2 s after identification)`, from);
	if (requireEarlierGrade) earlier = await firstWait;
	else earlier = await firstWait.catch(() => null);

	const before = agent.mark();
	assert.match(await box.call("run", { command: "id" }), /uid=0\(root\)/);
	const rec = await agent.waitFor(
		serverRecord(box.pid, (s) => s.checks?.some((c) => c.id === "runtime_shell" && c.status === "fail")),
		15000,
		`a posture server record for ${what} with runtime_shell fail after it ran /bin/sh -c id`,
		before
	);
	expectPostureRecord(rec, `posture record for ${what}`);
	const s = rec.server;
	assert.match(checkOf(s, "runtime_shell").evidence, /sh/, `${what}: runtime_shell evidence`);
	assert.equal(s.grade, "F", `${what}: grade ${s.grade} (score ${s.score}) after a shell spawn`);
	assert.ok(s.score <= 39, `${what}: score ${s.score} above the shell cap 39`);
	assert.ok(typeof s.capped_by === "string" && s.capped_by.length > 0, `${what}: capped_by ${JSON.stringify(s.capped_by)}`);
	assert.equal(s.transport, "stdio", `${what} transport`);

	if (earlier && earlier.server.grade !== "F") {
		const drop = await agent.waitAlert("mcp-posture-drop", (r) => r.server?.pid === box.pid, 10000, `a posture drop for ${what} (${earlier.server.grade} -> F)`, before);
		// Not an event: no process fields, the rest of an alert's shape.
		expectFields(
			drop,
			{
				kind: "alert",
				time: RFC3339,
				"host.name": os.hostname(),
				"rule.id": "mcp-posture-drop",
				"rule.name": (v) => typeof v === "string" && v.length > 0,
				"rule.severity": (v) => ["info", "low", "medium", "high", "critical"].includes(v),
				"rule.tags": (v) => Array.isArray(v) && v.every((t) => typeof t === "string"),
				message: (v) => typeof v === "string" && v.includes(s.name) && v.includes(`${earlier.server.grade}`) && v.includes("F"),
				count: 1,
				"server.pid": box.pid,
				"server.name": s.name,
				"server.cmdline": (v) => cmdlineText(v).length > 0,
				"posture.from": earlier.server.grade,
				"posture.to": "F",
				"posture.score_from": earlier.server.score,
				"posture.score_to": s.score,
			},
			`mcp-posture-drop alert for ${what}`
		);
	}
	return { earlier, rec };
}

test("toolbox over stdio (identified by protocol) runs a shell: its next posture record fails runtime_shell, capped at F", async () => {
	const box = await connectToolbox({ env: { HOME: home.home } });
	cleanups.push(() => box.close());
	await expectShellCapsGrade(box, `toolbox-fixture pid ${box.pid} (protocol-identified)`, { requireEarlierGrade: false });
});

test("toolbox over stdio (identified by a selector) graded better than F, then a shell: F, capped, and an mcp-posture-drop alert", async () => {
	const box = await connectStdio({ args: [selectedToolbox], env: { HOME: home.home } });
	cleanups.push(() => box.close());
	const { earlier } = await expectShellCapsGrade(box, `selected-toolbox pid ${box.pid} (cmdline selector)`, { requireEarlierGrade: true });
	assert.notEqual(earlier.server.grade, "F", `a quiet stdio server graded F before doing anything: ${JSON.stringify(earlier.server)}`);
	// Found by the selector, then named by its own serverInfo (as alerts name it).
	assert.equal(earlier.server.name, "toolbox-fixture");
});
