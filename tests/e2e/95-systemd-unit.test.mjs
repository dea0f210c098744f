// 12. The shipped systemd unit, hardened as it is, runs the real agent. PID 1
// here is not systemd, so root's systemd user manager starts it (in a private
// mount namespace, in the host PID namespace: tests/deploy/systemd-user-manager.sh);
// a drop-in only points ExecStart at this build and the stream at the
// manager's stdout. Every other line of deploy/systemd/mcpwatch.service
// applies: capabilities, seccomp filter, read-only file system, Type=notify.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Agent, READY_TIMEOUT_MS, cmdlineText, expectAlertShape } from "./lib/agent.mjs";
import { capMask, maskNames, procCaps, provenCaps } from "./lib/caps.mjs";
import { BIN, ROOT, sleep } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";

const UNIT = path.join(ROOT, "deploy/systemd/mcpwatch.service");
const MANAGER = path.join(ROOT, "tests/deploy/systemd-user-manager.sh");

let dir, agent, runtimeDir;

before(async () => {
	assert.ok(existsSync("/lib/systemd/systemd"), "systemd is not installed (scripts/deps.sh installs it)");
	// Not under /tmp: the unit's PrivateTmp=yes hides the host's /tmp (and
	// /var/tmp) from the agent, so a checkout there works from /var/lib, and
	// the binary the unit runs is a copy in that directory.
	const hidden = /^\/(var\/)?tmp\//.test(ROOT + "/");
	const parent = hidden ? "/var/lib" : path.join(ROOT, "build");
	mkdirSync(parent, { recursive: true });
	dir = mkdtempSync(path.join(parent, "mcpwatch-e2e-systemd-"));
	const bin = path.join(dir, "mcpwatch");
	copyFileSync(BIN, bin);
	chmodSync(bin, 0o755);
	const units = path.join(dir, "units");
	mkdirSync(path.join(units, "mcpwatch.service.d"), { recursive: true });
	copyFileSync(UNIT, path.join(units, "mcpwatch.service"));
	const config = path.join(dir, "config.json");
	writeFileSync(config, JSON.stringify({ alerts: { aggregate_window_s: 2 } }) + "\n");
	// The manager opens these for the service before its sandbox applies;
	// FIFOs, so that the records stream into the test as they are written.
	const fifo = { out: path.join(dir, "stdout"), err: path.join(dir, "stderr") };
	for (const f of Object.values(fifo)) execFileSync("mkfifo", ["-m", "0600", f]);
	writeFileSync(
		path.join(units, "mcpwatch.service.d/e2e.conf"),
		`[Service]\nExecStart=\nExecStart=${bin} run --config ${config}\nStandardOutput=file:${fifo.out}\nStandardError=file:${fifo.err}\nRestart=no\n`
	);
	const readers = Object.values(fifo).map((f) => spawn("cat", [f], { stdio: ["ignore", "pipe", "inherit"] }));
	runtimeDir = path.join(dir, "runtime");
	const manager = spawn("unshare", ["--mount", "--propagation", "private", MANAGER, units, "mcpwatch.service", runtimeDir], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
	manager.stderr.on("data", (b) => process.env.E2E_VERBOSE && process.stderr.write(b));
	// The Agent harness reads a child's stdout and stderr: here the FIFOs',
	// while signals go to the manager, which stops the unit on SIGTERM.
	const child = Object.assign(new EventEmitter(), {
		pid: manager.pid,
		stdout: readers[0].stdout,
		stderr: readers[1].stdout,
		kill: (sig) => manager.kill(sig),
	});
	let open = 3;
	const closed = () => --open === 0 && child.emit("close", manager.exitCode, manager.signalCode);
	manager.on("close", closed);
	for (const r of readers) r.on("close", closed);
	agent = new Agent(child);
	agent.ready = await agent.waitFor((r) => r.kind === "agent" && r.event === "ready", READY_TIMEOUT_MS, "the ready record of the agent started by systemd");
});

after(async () => {
	await agent?.stop();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

// systemctl talks to the manager on its private socket, inside its mount namespace.
function unitProperties(props) {
	const out = execFileSync(
		"nsenter",
		["--target", String(agent.child.pid), "--mount", "env", `XDG_RUNTIME_DIR=${runtimeDir}`, "systemctl", "--user", "show", ...props.map((p) => `--property=${p}`), "mcpwatch.service"],
		{ encoding: "utf8", timeout: 15000 }
	);
	return Object.fromEntries(out.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

test("systemd runs the agent: active/running after READY=1, exactly deploy/capabilities.txt, no_new_privs, seccomp, read-only root", async () => {
	const pid = agent.ready.pid;
	assert.ok(Number.isInteger(pid) && pid > 0, `ready record without pid: ${JSON.stringify(agent.ready)}`);
	// READY=1 follows the ready record: "activating" until the manager has it.
	let props;
	for (let i = 0; i < 50; i++) {
		props = unitProperties(["ActiveState", "SubState", "MainPID", "Type"]);
		if (props.ActiveState !== "activating") break;
		await sleep(200);
	}
	assert.deepEqual(props, { ActiveState: "active", SubState: "running", MainPID: String(pid), Type: "notify" }, `unit state\n${agent.diagnostics()}`);
	const want = capMask(provenCaps());
	const got = procCaps(pid);
	for (const k of ["CapPrm", "CapEff", "CapBnd"]) assert.equal(got[k], want, `${k} ${maskNames(got[k]).join(",")}, want ${provenCaps().join(",")}`);
	assert.equal(got.NoNewPrivs, 1, "no_new_privs");
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	assert.match(status, /^Seccomp:\s+2$/m, "the agent runs under a seccomp filter (SystemCallFilter=)");
	// ProtectSystem=strict: "/" is mounted read-only in the agent's namespace.
	const rootMount = readFileSync(`/proc/${pid}/mountinfo`, "utf8")
		.split("\n")
		.map((l) => l.split(" "))
		.filter((f) => f[4] === "/")
		.pop();
	assert.ok(rootMount && rootMount[5].split(",").includes("ro"), `/ is not read-only for the agent: ${rootMount?.join(" ")}`);
});

test("under the unit, a shell spawned by an MCP server raises mcp-shell-spawn", async () => {
	const from = agent.mark();
	const box = await connectToolbox();
	try {
		assert.match(await box.call("run", { command: "id" }), /uid=0\(root\)/);
		const alert = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === box.pid && /\bid\b/.test(cmdlineText(r.process?.cmdline)), 15000, `shell spawn by toolbox pid ${box.pid}`, from);
		expectAlertShape(alert, "shell spawn under the systemd unit");
	} finally {
		await box.close();
	}
});
