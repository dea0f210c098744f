// Health without a port: the heartbeat file for an exec probe and the
// Prometheus textfile the node exporter's collector reads, rewritten every
// interval: events by type, alerts by rule, servers watched, outputs, and
// the posture score of the host and of each server with its grade.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { startAgent } from "./lib/agent.mjs";
import { makeHome, poll } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";

let home, agent, heartbeat, metrics;
const sessions = [];

before(async () => {
	home = makeHome();
	heartbeat = `${home.dir}/health`;
	metrics = `${home.dir}/mcpwatch.prom`;
	const config = home.writeJson("config.json", {
		alerts: { aggregate_window_s: 0 },
		health: { file: heartbeat, metrics_file: metrics, interval_s: 1 },
	});
	agent = await startAgent({ config });
});

after(async () => {
	for (const s of sessions) await s.close();
	await agent?.stop();
	home?.cleanup();
});

// name{labels} value lines of the text exposition, as [name, labels object, number].
function samples(text) {
	const out = [];
	for (const line of text.split("\n")) {
		if (!line || line.startsWith("#")) continue;
		const m = line.match(/^([a-z_]+)(?:\{(.*)\})? (\S+)$/);
		assert.ok(m, `not a sample line: ${JSON.stringify(line)}`);
		const labels = {};
		for (const l of (m[2] ?? "").matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
		out.push([m[1], labels, Number(m[3])]);
	}
	return out;
}

const sample = (all, name, pred = () => true) => all.find(([n, l]) => n === name && pred(l));

test("the heartbeat file says ok with a fresh time, and is rewritten each interval", async () => {
	const first = await poll(() => existsSync(heartbeat) && readFileSync(heartbeat, "utf8"), 10000, heartbeat);
	const m = first.match(/^ok (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)\n$/);
	assert.ok(m, `heartbeat: ${JSON.stringify(first)}`);
	assert.ok(Math.abs(Date.now() - Date.parse(m[1])) < 30000, `heartbeat time ${m[1]} is not recent`);
	await poll(() => readFileSync(heartbeat, "utf8") !== first, 10000, "a newer heartbeat");
});

test("metrics: alerts by rule, servers watched, and a server's posture score with its grade", async () => {
	const s = await connectToolbox({ env: { HOME: home.home } });
	sessions.push(s);
	await s.call("run", { command: ": e2e-health" });
	await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === s.pid, 15000, "the shell of the toolbox");
	const graded = await agent.waitFor((r) => r.kind === "posture" && r.scope === "server" && r.server?.pid === s.pid, 60000, "the toolbox's posture record");
	const all = await poll(
		() => {
			const t = readFileSync(metrics, "utf8");
			const all = samples(t);
			return sample(all, "mcpwatch_posture_score", (l) => l.scope === "server" && l.pid === String(s.pid)) &&
				sample(all, "mcpwatch_rule_alerts_total", (l) => l.rule === "mcp-shell-spawn")
				? all
				: null;
		},
		15000,
		`the toolbox's score and the shell alert in ${metrics}`
	);
	const [, labels, score] = sample(all, "mcpwatch_posture_score", (l) => l.scope === "server" && l.pid === String(s.pid));
	assert.equal(labels.server, "toolbox-fixture");
	assert.equal(labels.grade, graded.server.grade, "the grade of the last posture record");
	assert.equal(score, graded.server.score);
	const host = sample(all, "mcpwatch_posture_score", (l) => l.scope === "host");
	assert.ok(host && /^[A-F]$/.test(host[1].grade) && host[2] >= 0 && host[2] <= 100, `host score: ${JSON.stringify(host)}`);
	assert.ok(sample(all, "mcpwatch_rule_alerts_total", (l) => l.rule === "mcp-shell-spawn")[2] >= 1);
	assert.ok(sample(all, "mcpwatch_servers_watched")[2] >= 1);
	assert.ok(sample(all, "mcpwatch_events_total", (l) => l.type === "exec")[2] > 0);
	const total = sample(all, "mcpwatch_alerts_total")[2];
	const byRule = all.filter(([n]) => n === "mcpwatch_rule_alerts_total").reduce((a, [, , v]) => a + v, 0);
	assert.equal(byRule, total, "alerts by rule add up to the total");
});
