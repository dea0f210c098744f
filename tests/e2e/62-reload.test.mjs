// SIGHUP reloads the config and the rules: new rules apply at once, a
// broken file keeps what runs and says why (FILE:LINE:COL), keys the kernel
// programs were set up with are named as needing a restart, and changed
// outputs are rebuilt.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, startAgent, syncMarker } from "./lib/agent.mjs";
import { makeHome, poll } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";

let home, agent, session, configPath, rulesPath;

// One exec rule: a process in a server tree whose command line holds tag.
function rule(id, tag) {
	return {
		version: 1,
		rules: [
			{
				id,
				name: `reload test ${id}`,
				event: "exec",
				severity: "low",
				condition: {
					all: [
						{ field: "process.in_server_tree", op: "eq", value: true },
						{ field: "process.cmdline", op: "glob", value: `*${tag}*` },
					],
				},
				message: `${id}: {process.cmdline}`,
			},
		],
	};
}

const baseConfig = () => ({ rules: { files: [rulesPath] }, alerts: { aggregate_window_s: 0 } });

async function reload(what) {
	const from = agent.mark();
	agent.child.kill("SIGHUP");
	return agent.waitFor((r) => r.kind === "agent" && r.event === "reload", 15000, `the reload record after ${what}`, from);
}

// Runs `: TAG` through the server (one exec, /bin/sh -c); resolves with the alerts of rule id that name TAG.
async function fires(id, tag) {
	const from = agent.mark();
	await session.call("run", { command: `: ${tag}` });
	await syncMarker(agent);
	return agent.alertsSince(from).filter((a) => a.rule?.id === id && JSON.stringify(a).includes(tag));
}

before(async () => {
	home = makeHome();
	rulesPath = home.writeJson("rules.json", rule("e2e-reload-a", "e2e-reload-A"));
	configPath = home.writeJson("config.json", baseConfig());
	agent = await startAgent({ config: configPath });
	session = await connectToolbox({ env: { HOME: home.home } });
});

after(async () => {
	await session?.close();
	await agent?.stop();
	home?.cleanup();
});

test("SIGHUP loads changed rules: the new rule fires, the removed one no longer does", async () => {
	assert.equal((await fires("e2e-reload-a", "e2e-reload-A1")).length, 1, "rule a before the reload");
	home.writeJson("rules.json", rule("e2e-reload-b", "e2e-reload-B"));
	const rec = await reload("a rules change");
	assert.equal(rec.ok, true, JSON.stringify(rec));
	assert.equal(rec.rules, agent.ready.rules, `the defaults and one rule, as at start: ${JSON.stringify(rec)}`);
	assert.equal(rec.outputs_restarted, false, JSON.stringify(rec));
	assert.deepEqual(rec.restart_needed, [], JSON.stringify(rec));
	assert.equal((await fires("e2e-reload-b", "e2e-reload-B1")).length, 1, "rule b after the reload");
	assert.equal((await fires("e2e-reload-a", "e2e-reload-A2")).length, 0, "rule a after it was removed");
});

test("a broken rules file keeps the running rules and says FILE:LINE:COL", async () => {
	// Line 3 lacks the comma that should end line 2.
	home.writeText("rules.json", '{\n  "version": 1\n  "rules": []\n}\n');
	const rec = await reload("breaking the rules file");
	assert.equal(rec.ok, false, JSON.stringify(rec));
	assert.ok(Array.isArray(rec.errors) && rec.errors.length >= 1, JSON.stringify(rec));
	assert.match(rec.errors[0], new RegExp(`^${rulesPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:[23]:\\d+: `), JSON.stringify(rec));
	assert.ok(agent.stderr.some((l) => l.includes("reload failed")), "the failure is also on stderr");
	assert.equal((await fires("e2e-reload-b", "e2e-reload-B2")).length, 1, "rule b still runs");
});

test("a bad config key keeps everything; a good one rebuilds changed outputs and names restart-only keys", async () => {
	home.writeJson("rules.json", rule("e2e-reload-b", "e2e-reload-B"));
	home.writeJson("config.json", { ...baseConfig(), alerts: { aggregate_window_s: -1 } });
	let rec = await reload("an out-of-range config value");
	assert.equal(rec.ok, false, JSON.stringify(rec));
	assert.match(rec.errors[0], new RegExp(`^${configPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: .*aggregate_window_s`), JSON.stringify(rec));

	const file = `${home.dir}/reload-alerts.ndjson`;
	home.writeJson("config.json", {
		...baseConfig(),
		tap: { enabled: false },
		outputs: [{ type: "stdout" }, { type: "file", path: file }],
	});
	rec = await reload("a new output and tap.enabled");
	assert.equal(rec.ok, true, JSON.stringify(rec));
	assert.equal(rec.outputs_restarted, true, JSON.stringify(rec));
	assert.deepEqual(rec.restart_needed, ["tap.enabled"], JSON.stringify(rec));
	assert.equal((await fires("e2e-reload-b", "e2e-reload-B3")).length, 1, "rule b on stdout");
	await poll(() => existsSync(file) && readFileSync(file, "utf8").includes("e2e-reload-B3"), 10000, `the alert in ${file}`);
	// The same outputs again: kept, not rebuilt.
	rec = await reload("no output change");
	assert.equal(rec.ok, true, JSON.stringify(rec));
	assert.equal(rec.outputs_restarted, false, JSON.stringify(rec));
	// tap.enabled stays what it was at start until a restart, and says so each time.
	assert.deepEqual(rec.restart_needed, ["tap.enabled"], JSON.stringify(rec));
	const from = agent.mark();
	await session.call("run", { command: ": e2e-reload-A3" });
	assertNoRuleA(await alertsAfterQuiet(agent, from));
});

function assertNoRuleA(alerts) {
	assert.equal(alerts.filter((a) => a.rule?.id === "e2e-reload-a").length, 0, "rule a is gone");
}

// The kernel sends only the opens some rule can match (the open filter,
// derived from the rules): a rule on a path no rule named before must still
// see its opens once a reload loads it.
test("a reload that adds an open rule on a new path: its opens are sent and it fires", async () => {
	assert.equal(agent.ready.open_filter, true, `the default rules leave the open filter on: ${JSON.stringify(agent.ready)}`);
	const file = home.writeText("e2e-newpath-7f3a.dat", "data\n");
	const openRule = {
		id: "e2e-reload-open",
		name: "reload test open",
		event: "open",
		severity: "low",
		condition: {
			all: [
				{ field: "process.in_server_tree", op: "eq", value: true },
				{ field: "file.path", op: "glob", value: "*/e2e-newpath-*.dat" },
			],
		},
		message: "e2e-reload-open: {file.path}",
	};
	const opened = async () => {
		const from = agent.mark();
		await session.call("read", { path: file });
		await syncMarker(agent);
		return agent.alertsSince(from).filter((a) => a.rule?.id === "e2e-reload-open" && a.file?.path === file);
	};
	assert.equal((await opened()).length, 0, "no rule on the path yet");
	home.writeJson("config.json", baseConfig());
	home.writeJson("rules.json", { version: 1, rules: [rule("e2e-reload-b", "e2e-reload-B").rules[0], openRule] });
	const rec = await reload("an open rule on a new path");
	assert.equal(rec.ok, true, JSON.stringify(rec));
	assert.equal((await opened()).length, 1, "the new open rule fires after the reload");
});
