// 7. Agent lifecycle: --version, rules check diagnostics, bad usage, clean
// stop on SIGTERM and SIGINT.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { startAgent } from "./lib/agent.mjs";
import { BIN, ROOT, makeHome } from "./lib/env.mjs";

let home;
before(() => {
	home = makeHome();
});
after(() => home.cleanup());

function runBin(args) {
	const r = spawnSync(BIN, args, { cwd: ROOT, encoding: "utf8", timeout: 30000 });
	assert.equal(r.error, undefined, `${BIN} ${args.join(" ")}: ${r.error}`);
	return { code: r.status, signal: r.signal, out: r.stdout + r.stderr, stdout: r.stdout, stderr: r.stderr };
}

const show = (r) => `exit ${r.code ?? r.signal}; output:\n${r.out}`;

test("mcpwatch --version exits 0 and prints a version", () => {
	const r = runBin(["--version"]);
	assert.equal(r.code, 0, show(r));
	assert.match(r.stdout, /\S/, show(r));
});

test("rules check on a broken rules file exits 2 with FILE:LINE:COLUMN", () => {
	// Line 5 lacks the comma that should end line 4.
	const file = home.writeText(
		"broken-rules.json",
		'{\n  "rules": [\n    {\n      "id": "broken"\n      "severity": "high"\n    }\n  ]\n}\n'
	);
	const r = runBin(["rules", "check", file]);
	assert.equal(r.code, 2, show(r));
	const m = r.out.match(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:(\\d+):(\\d+)`));
	assert.ok(m, `no ${file}:LINE:COLUMN in the output; ${show(r)}`);
	assert.ok([4, 5].includes(Number(m[1])), `error reported on line ${m[1]}, the fault is at the end of line 4 / start of line 5; ${show(r)}`);
	assert.ok(Number(m[2]) >= 1, show(r));
});

test("rules check on a missing rules file exits 2 naming it", () => {
	const file = `${home.dir}/no-such-rules.json`;
	const r = runBin(["rules", "check", file]);
	assert.equal(r.code, 2, show(r));
	assert.ok(r.out.includes(file), `output does not name ${file}; ${show(r)}`);
});

test("run with a broken config file exits 2 naming it", () => {
	const file = home.writeText("broken-config.json", '{"aggregate_window_s": }\n');
	const r = runBin(["run", "--config", file]);
	assert.equal(r.code, 2, show(r));
	assert.ok(r.out.includes(file), `output does not name ${file}; ${show(r)}`);
});

test("an unknown option exits 2", () => {
	const r = runBin(["run", "--no-such-option"]);
	assert.equal(r.code, 2, show(r));
});

for (const signal of ["SIGTERM", "SIGINT"]) {
	test(`${signal}: a "stopping" record, then exit 0`, async () => {
		const agent = await startAgent();
		assert.equal(agent.ready.kind, "agent");
		assert.match(agent.ready.time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
		assert.equal(typeof agent.ready.host?.name, "string");
		const exit = await agent.stop(signal);
		assert.deepEqual(exit, { code: 0, signal: null }, `exit after ${signal}\n${agent.diagnostics()}`);
		const stopping = agent.records.filter((r) => r.kind === "agent" && r.event === "stopping");
		assert.equal(stopping.length, 1, `expected one stopping record\n${agent.diagnostics()}`);
		assert.deepEqual(agent.badLines, [], "every stdout line must be one JSON object");
	});
}

test("run as an unprivileged user exits 3 with one line saying what is missing", () => {
	const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BIN, "run"], {
		cwd: "/",
		encoding: "utf8",
		timeout: 30000,
	});
	assert.equal(r.error, undefined, String(r.error));
	assert.equal(r.status, 3, `exit ${r.status}; ${r.stdout}${r.stderr}`);
	const lines = r.stderr.trim().split("\n");
	assert.equal(lines.length, 1, `one line expected:\n${r.stderr}`);
	assert.match(lines[0], /^mcpwatch: needs root \(CAP_BPF/);
	assert.equal(r.stdout, "", "nothing on the stream");
});
