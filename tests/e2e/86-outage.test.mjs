// 86. Delivery when the receiver is down, full or slow: records wait in the
// on-disk spool across an agent restart and all arrive, in order, once the
// receiver is back; a full spool drops the oldest and says so; a receiver
// that takes seconds per request never delays the alerts on stdout.
import assert from "node:assert/strict";
import path from "node:path";
import { after, test } from "node:test";
import { cmdlineText, startAgent } from "./lib/agent.mjs";
import { makeHome, poll, sleep } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";
import { firstArrivals, readTree, requestsWith, startHttpReceiver, waitForTags } from "./lib/receiver.mjs";

const RUN = `${process.pid}x${Date.now().toString(36)}`;
const tag = (kind, i) => `out${RUN}${kind}${i}z`;

// Everything a test starts, stopped in reverse order even when it fails.
const cleanups = [];
function onCleanup(fn) {
	cleanups.push(fn);
}
async function cleanupAll() {
	while (cleanups.length) {
		try {
			await cleanups.pop()();
		} catch (e) {
			console.error(`cleanup: ${e.message}`);
		}
	}
}
after(cleanupAll);

function setup() {
	const home = makeHome();
	onCleanup(() => home.cleanup());
	return home;
}

// The toolbox is known by its command line too, so that a restarted agent
// (which missed its initialize) still counts it as an MCP server.
function agentConfig(home, hook) {
	return {
		spool_dir: path.join(home.dir, "spool"),
		alerts: { aggregate_window_s: 0 },
		sensor: { lost_report_interval_s: 1 },
		posture: { enabled: false },
		servers: { selectors: [{ name: "toolbox", cmdline: "*toolbox.mjs*" }] },
		outputs: [{ type: "stdout" }, { type: "webhook", name: "hook", format: "native", batch_max_wait_ms: 200, retry_initial_ms: 100, retry_max_ms: 500, ...hook }],
	};
}

async function start(config) {
	const agent = await startAgent({ config });
	onCleanup(() => agent.stop());
	return agent;
}

async function toolbox(home) {
	const box = await connectToolbox({ env: { HOME: home.home } });
	onCleanup(() => box.close());
	return box;
}

async function receiver(opts) {
	const rx = await startHttpReceiver(opts);
	onCleanup(() => rx.stop());
	return rx;
}

// Run `echo <t>` in the toolbox; resolve with its alert on stdout.
async function produce(agent, box, t, extra = "") {
	const from = agent.mark();
	await box.call("run", { command: `echo ${t}${extra}` });
	return agent.waitFor(
		(r) => r.kind === "alert" && r.rule?.id === "mcp-shell-spawn" && r.server?.pid === box.pid && cmdlineText(r.process?.cmdline).includes(t),
		10000,
		`the mcp-shell-spawn alert for "echo ${t}" on stdout`,
		from
	);
}

const dropsOf = (agent, output) => agent.records.filter((r) => r.kind === "agent" && r.event === "dropped" && r.output === output);

test("receiver down, agent restarted mid-outage: all 30 alerts arrive once it is back, in order", async (tc) => {
	try {
		const home = setup();
		const port = await freePort(); // nothing listens there yet
		const config = home.writeJson("config.json", agentConfig(home, { url: `http://127.0.0.1:${port}/ingest` }));
		const tags = Array.from({ length: 30 }, (_, i) => tag("r", i));

		const first = await start(config);
		const box = await toolbox(home);
		for (const t of tags.slice(0, 20)) await produce(first, box, t);
		const exit = await first.stop();
		assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM with the receiver down: the agent must exit 0\n${first.diagnostics()}`);
		assert.deepEqual(dropsOf(first, "hook"), [], "drops while the receiver was down");
		const stopping = first.records.find((r) => r.kind === "agent" && r.event === "stopping");
		const hookStats = stopping?.outputs?.find((o) => o.name === "hook");
		assert.ok(hookStats && hookStats.delivered === 0 && hookStats.pending >= 20, `the stopping record's outputs entry for hook: ${JSON.stringify(stopping?.outputs)}`);
		const spooled = readTree(path.join(home.dir, "spool", "hook"))
			.map((f) => f.text)
			.join("");
		const notSpooled = tags.slice(0, 20).filter((t) => !spooled.includes(t));
		assert.deepEqual(notSpooled, [], `alerts not in ${home.dir}/spool/hook after the agent stopped`);

		const second = await start(config);
		for (const t of tags.slice(20)) await produce(second, box, t);
		const rx = await receiver({ port });
		const reqs = await waitForTags(rx, tags, 30000, "all 30 alerts at the receiver after it came back");
		for (const q of reqs) assert.equal(q.headers["content-type"]?.split(";")[0], "application/x-ndjson");
		const order = firstArrivals(reqs, tags);
		tc.diagnostic(`${reqs.length} requests; first arrivals in requests ${order.join(",")}`);
		// Within one request, order is the line order.
		const pos = tags.map((t, i) => {
			const q = reqs[order[i]];
			return order[i] * 1e9 + q.body.indexOf(t);
		});
		const sorted = [...pos].sort((a, b) => a - b);
		assert.deepEqual(
			pos.map((p) => sorted.indexOf(p)),
			[...tags.keys()],
			`first arrivals are not in production order (request indexes: ${order.join(",")})`
		);
		assert.deepEqual(dropsOf(second, "hook"), [], "drops after the restart");
	} finally {
		await cleanupAll();
	}
});

test("an agent killed (SIGKILL) mid-outage loses nothing it had written to the spool", async () => {
	try {
		const home = setup();
		const port = await freePort();
		const config = home.writeJson("config.json", agentConfig(home, { url: `http://127.0.0.1:${port}/ingest` }));
		const tags = Array.from({ length: 10 }, (_, i) => tag("k", i));
		const first = await start(config);
		const box = await toolbox(home);
		for (const t of tags) await produce(first, box, t);
		// The spooler writes (and fsyncs) as records come; give it a moment, then crash.
		await poll(
			() => {
				const text = readTree(path.join(home.dir, "spool", "hook"))
					.map((f) => f.text)
					.join("");
				return tags.every((t) => text.includes(t));
			},
			5000,
			"all 10 alerts in the spool before the crash"
		);
		const exit = await first.stop("SIGKILL");
		assert.equal(exit.signal, "SIGKILL");
		const second = await start(config);
		const rx = await receiver({ port });
		const reqs = await waitForTags(rx, tags, 20000, "the 10 alerts spooled before the crash");
		const order = firstArrivals(reqs, tags);
		assert.deepEqual([...order].sort((a, b) => a - b), order, `first arrivals in production order (${order})`);
		assert.deepEqual(dropsOf(second, "hook"), [], "drops after the crash");
	} finally {
		await cleanupAll();
	}
});

test("spool full: the oldest records go, counted as spool_full; the newest are delivered", async (tc) => {
	try {
		const home = setup();
		const port = await freePort();
		// The smallest spool the config allows, and records of a few KiB.
		const config = home.writeJson("config.json", agentConfig(home, { url: `http://127.0.0.1:${port}/ingest`, spool_max_bytes: 65536 }));
		const pad = " " + "p".repeat(1500);
		const n = 60;
		const tags = Array.from({ length: n }, (_, i) => tag("f", i));
		const agent = await start(config);
		const box = await toolbox(home);
		let bytes = 0;
		for (const t of tags) bytes += JSON.stringify(await produce(agent, box, t, pad)).length;
		assert.ok(bytes > 2 * 65536, `the alerts (${bytes} bytes) do not overflow a 64 KiB spool; make them bigger`);
		const drop = await agent.waitFor(
			(r) => r.kind === "agent" && r.event === "dropped" && r.output === "hook" && r.reason === "spool_full",
			8000,
			'a {"event":"dropped","output":"hook","reason":"spool_full"} record'
		);
		assert.ok(Number.isInteger(drop.count) && drop.count >= 1, `drop count: ${JSON.stringify(drop)}`);

		const rx = await receiver({ port });
		const reqs = await waitForTags(rx, [tags[n - 1]], 20000, "the newest alert at the receiver");
		await sleep(1500); // whatever else the spool held
		const all = await rx.requests();
		const arrived = tags.map((t) => requestsWith(all, t).length > 0);
		const got = arrived.map((a, i) => (a ? i : -1)).filter((i) => i >= 0);
		assert.ok(!arrived[0], `the oldest alert was delivered from a full spool (arrived: ${got.join(",")})`);
		assert.ok(arrived[n - 1], "the newest alert was not delivered");
		// The oldest go first: what arrived is a tail of what was produced.
		const firstKept = arrived.indexOf(true);
		assert.ok(
			arrived.slice(firstKept).every(Boolean),
			`a hole in the delivered alerts: arrived ${got.join(",")} (the spool must drop oldest first)`
		);
		const counted = dropsOf(agent, "hook")
			.filter((r) => r.reason === "spool_full")
			.reduce((s, r) => s + r.count, 0);
		tc.diagnostic(`${bytes} bytes of alerts; arrived ${got.join(",")}; ${counted} reported as spool_full`);
		assert.ok(counted >= firstKept, `${firstKept} alerts are gone but only ${counted} spool_full drops were reported`);
		assert.ok(reqs.length > 0);
	} finally {
		await cleanupAll();
	}
});

test("a slow receiver (3 s a request) never slows the alerts on stdout", async (tc) => {
	try {
		const home = setup();
		const rx = await receiver();
		await rx.script(Array.from({ length: 200 }, () => ({ status: 200, delay_ms: 3000 })));
		const config = home.writeJson("config.json", agentConfig(home, { url: rx.url("/ingest"), timeout_ms: 20000 }));
		const agent = await start(config);
		const box = await toolbox(home);
		const tags = Array.from({ length: 20 }, (_, i) => tag("s", i));
		const lags = [];
		const t0 = Date.now();
		for (const t of tags) {
			const before = Date.now();
			await produce(agent, box, t);
			lags.push(Date.now() - before);
		}
		const total = Date.now() - t0;
		tc.diagnostic(`stdout lags (ms): ${lags.join(",")}; total ${total} ms`);
		const slow = lags.map((l, i) => [i, l]).filter(([, l]) => l > 2000);
		assert.deepEqual(slow, [], `alerts late on stdout behind a slow sink ([index, ms]); all lags: ${lags.join(",")}`);
		assert.ok(total < 15000, `20 actions took ${total} ms with a slow sink`);
		// The sink was really slow and busy meanwhile, and still got them all.
		await waitForTags(rx, tags, 30000, "all 20 alerts at the slow receiver");
		// A request is still in flight (3 s each): SIGTERM must not hang on it.
		await produce(agent, box, tag("s", "last"));
		await sleep(400);
		const t1 = Date.now();
		const exit = await agent.stop();
		const stopMs = Date.now() - t1;
		tc.diagnostic(`stopped in ${stopMs} ms with a request in flight`);
		assert.deepEqual(exit, { code: 0, signal: null }, `SIGTERM during a slow request: exit\n${agent.diagnostics()}`);
		assert.ok(stopMs < 8000, `SIGTERM took ${stopMs} ms with a slow receiver`);
	} finally {
		await cleanupAll();
	}
});
