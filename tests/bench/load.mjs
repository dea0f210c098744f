// make bench, second half: what the agent sustains and how fast it answers.
//   throughput  watched servers (one per CPU) opening files a rule matches,
//               as fast as they can: opens/s, events the agent received and lost, the
//               agent's CPU per 100k events; and an exec storm
//   latency     the same opens paced at RATE/s, every match written
//               (aggregation off): kernel event time -> alert line read
//               from the agent's stdout, p50/p99/max
//   scale       SCALE_PROCS idle processes and SCALE_SERVERS idle servers
//               on the host: agent start -> ready, and its RSS
// Usage: node tests/bench/load.mjs BUILD_DIR; prints a table.
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

const B = process.argv[2] ?? "build";
const OPENS = Number(process.env.BENCH_STORM_OPENS ?? 600000);
const STORMS = Number(process.env.BENCH_STORM_PROCS ?? os.cpus().length);
const EXECS = Number(process.env.BENCH_STORM_EXECS ?? 3000);
const RATE = Number(process.env.BENCH_LATENCY_RATE ?? 10000);
const SECONDS = Number(process.env.BENCH_LATENCY_S ?? 5);
const SCALE_PROCS = Number(process.env.BENCH_SCALE_PROCS ?? 5000);
const SCALE_SERVERS = Number(process.env.BENCH_SCALE_SERVERS ?? 100);

const work = mkdtempSync(path.join(os.tmpdir(), "mcpwatch-load-"));
const files = path.join(work, "mwbench-files");
mkdirSync(files);
for (let i = 0; i < 1000; i++) writeFileSync(path.join(files, `f${i}`), "x");
// Named like an MCP server: the built-in selectors watch it from its exec.
const storm = path.join(work, "mcp-server-storm");
copyFileSync(path.join(B, "bench/bench_storm"), storm);
chmodSync(storm, 0o755);
const rules = path.join(work, "rules.json");
writeFileSync(
	rules,
	JSON.stringify({
		version: 1,
		rules: [
			{
				id: "bench-open",
				name: "bench: a watched server opened a bench file",
				event: "open",
				severity: "low",
				condition: {
					all: [
						{ field: "process.in_server_tree", op: "eq", value: true },
						{ field: "file.path", op: "glob", value: "*/mwbench-files/f*" },
					],
				},
				message: "{file.path}",
			},
		],
	})
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid) {
	const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
	return Number(f[11]) + Number(f[12]); // utime + stime
}

function rssKb(pid) {
	const m = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/);
	return m ? Number(m[1]) : 0;
}

// Kernel event time of a record ("time": RFC 3339 with nanoseconds) in ns since the epoch.
function recordNs(t) {
	const m = t.match(/^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/);
	return BigInt(Date.parse(m[1] + "Z")) * 1000000n + BigInt((m[2] ?? "0").padEnd(9, "0").slice(0, 9));
}
const nowNs = () => BigInt(Date.now()) * 1000000n + (process.hrtime.bigint() % 1000000n);

async function startAgent(config, onRecord) {
	const cfg = path.join(work, `config-${Math.random().toString(16).slice(2)}.json`);
	writeFileSync(cfg, JSON.stringify(config));
	const child = spawn(path.join(B, "mcpwatch"), ["run", "--config", cfg, "--rules", rules], { stdio: ["ignore", "pipe", "pipe"] });
	const lost = {};
	let ready = null;
	const t0 = process.hrtime.bigint();
	readline.createInterface({ input: child.stdout }).on("line", (line) => {
		const at = nowNs();
		let r;
		try {
			r = JSON.parse(line);
		} catch {
			return;
		}
		if (r.kind === "agent" && r.event === "ready") ready = { ms: Number(process.hrtime.bigint() - t0) / 1e6, rec: r };
		if (r.kind === "agent" && r.event === "lost") for (const [k, v] of Object.entries(r.lost ?? r)) if (typeof v === "number") lost[k] = (lost[k] ?? 0) + v;
		onRecord?.(r, at);
	});
	child.stderr.resume();
	for (let i = 0; i < 1200 && !ready; i++) await sleep(100);
	if (!ready) throw new Error("the agent did not become ready");
	return { child, lost, ready };
}

async function stopAgent(a) {
	a.child.kill("SIGTERM");
	await new Promise((r) => a.child.on("close", r));
}

function metrics(file) {
	const out = {};
	for (const l of readFileSync(file, "utf8").split("\n")) {
		const m = l.match(/^(mcpwatch_events(?:_lost)?_total)\{type="(\w+)"\} (\d+)/);
		if (m) out[`${m[1]}:${m[2]}`] = Number(m[3]);
	}
	return out;
}

// A load generator, run asynchronously so that the agent's lines are read
// (and timed) while it runs; resolves with its output's words.
function run(cmd, args) {
	return new Promise((resolve, reject) => {
		const c = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
		let out = "";
		c.stdout.on("data", (d) => (out += d));
		c.on("close", (code) => (code === 0 ? resolve(out.trim().split(" ")) : reject(new Error(`${cmd} ${args.join(" ")}: exit ${code}`))));
	});
}


const HZ = 100; // USER_HZ on Linux
const rows = [];
rows.push = (r) => {
	console.log(r.filter(Boolean).join(" | "));
	return Array.prototype.push.call(rows, r);
};

async function throughput() {
	const prom = path.join(work, "t.prom");
	const a = await startAgent({
		alerts: { aggregate_window_s: 60 },
		posture: { enabled: false },
		sensor: { lost_report_interval_s: 1 },
		health: { metrics_file: prom, interval_s: 1 },
	});
	const c0 = cpuTicks(a.child.pid);
	// One storm per CPU: a single opener is slower than the agent, so one
	// process alone would measure the opener, not what the agent sustains.
	const outs = await Promise.all(Array.from({ length: STORMS }, () => run(storm, ["open", files, String(Math.ceil(OPENS / STORMS))])));
	await sleep(2500);
	const c1 = cpuTicks(a.child.pid);
	const m = metrics(prom);
	const n = outs.reduce((t, o) => t + Number(o[1]), 0);
	const rate = n / (Math.max(...outs.map((o) => Number(o[2]))) / 1e9);
	const events = m["mcpwatch_events_total:open"] ?? 0;
	const lost = m["mcpwatch_events_lost_total:open"] ?? 0;
	rows.push([`open storm (${STORMS} openers)`, `${Math.round(rate)} opens/s`, `${events} events, ${lost} lost`, `${(((c1 - c0) / HZ) * 1000 * (100000 / Math.max(events, 1))).toFixed(0)} ms CPU per 100k events`, `RSS ${rssKb(a.child.pid)} kB`]);
	const e0 = cpuTicks(a.child.pid);
	const before = metrics(prom);
	const [, en, ens] = await run(storm, ["exec", String(EXECS)]);
	await sleep(2500);
	const e1 = cpuTicks(a.child.pid);
	const after = metrics(prom);
	const execs = (after["mcpwatch_events_total:exec"] ?? 0) - (before["mcpwatch_events_total:exec"] ?? 0);
	const elost = (after["mcpwatch_events_lost_total:exec"] ?? 0) - (before["mcpwatch_events_lost_total:exec"] ?? 0);
	rows.push(["exec storm", `${Math.round(Number(en) / (Number(ens) / 1e9))} execs/s`, `${execs} exec events, ${elost} lost`, `${(((e1 - e0) / HZ) * 1000 * (100000 / Math.max(execs, 1))).toFixed(0)} ms CPU per 100k events`, `RSS ${rssKb(a.child.pid)} kB`]);
	await stopAgent(a);
}

async function latency() {
	const lat = [];
	const a = await startAgent({ alerts: { aggregate_window_s: 0 }, posture: { enabled: false }, sensor: { lost_report_interval_s: 1 } }, (r, at) => {
		if (r.kind === "alert" && r.rule?.id === "bench-open") lat.push(Number(at - recordNs(r.time)) / 1e6);
	});
	const [, n] = await run(storm, ["paced", files, String(RATE), String(SECONDS)]);
	await sleep(3000);
	await stopAgent(a);
	lat.sort((x, y) => x - y);
	const q = (p) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2) : "-");
	rows.push(["latency", `${RATE} opens/s for ${SECONDS} s`, `${lat.length} of ${n} alerts read`, `p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`, `lost ${JSON.stringify(a.lost)}`]);
}

// How many more tasks this process's pids cgroup allows (Infinity without a limit).
function pidsRoom() {
	try {
		const line = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => /(^|:)pids:/.test(l) || l.startsWith("0::"));
		const rel = line.split(":")[2];
		for (const base of ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"]) {
			const dir = path.join(base, rel);
			try {
				const max = readFileSync(path.join(dir, "pids.max"), "utf8").trim();
				const cur = Number(readFileSync(path.join(dir, "pids.current"), "utf8"));
				return max === "max" ? Infinity : Number(max) - cur;
			} catch {}
		}
	} catch {}
	return Infinity;
}

async function scale() {
	const procs = [];
	let refused = 0;
	// A pids limit (cgroup pids.max) may stop short of SCALE_PROCS: count what started.
	const start = (cmd, args) => {
		const p = spawn(cmd, args, { stdio: "ignore" });
		p.on("error", () => refused++);
		procs.push(p);
	};
	// Leave room under a pids limit for the agent and its threads.
	const room = pidsRoom();
	const want = Math.max(0, Math.min(SCALE_PROCS, room - SCALE_SERVERS - 200));
	for (let i = 0; i < SCALE_SERVERS; i++) start(storm, ["idle"]);
	for (let i = 0; i < want; i++) start("sleep", ["600"]);
	await sleep(3000);
	const started = procs.length - refused;
	try {
		const a = await startAgent({ posture: { enabled: false } });
		await sleep(1000);
		rows.push(["scale", `${started - SCALE_SERVERS} idle processes + ${SCALE_SERVERS} servers started${want < SCALE_PROCS ? ` (pids limit: ${SCALE_PROCS} asked)` : ""}${refused ? `, ${refused} refused` : ""}`, `ready after ${a.ready.ms.toFixed(0)} ms`, `${a.ready.rec.processes} processes, ${a.ready.rec.servers} servers in the table`, `RSS ${rssKb(a.child.pid)} kB`]);
		await stopAgent(a);
	} finally {
		for (const p of procs) if (p.pid) p.kill("SIGKILL");
	}
}

try {
	await throughput();
	await latency();
	await scale();
	const idle = await startAgent({});
	await sleep(3000);
	rows.push(["idle", "default config", "", "", `RSS ${rssKb(idle.child.pid)} kB`]);
	await stopAgent(idle);
	console.log(`(${os.cpus().length} CPUs, kernel ${os.release()})`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
