// The container image, run the way the DaemonSet runs it: host PID and
// network namespaces, all capabilities dropped but CAPS, a read-only root
// filesystem, BTF mounted read-only, a tmpfs for the spool only, the config
// mounted read-only. An MCP server started on the host, outside the
// container, spawns a shell: the container's stdout must carry the
// mcp-shell-spawn alert for that server. Run by tests/image/run.sh (make
// test-image), which sets IMAGE, ENGINE and the engine's options.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Agent, READY_TIMEOUT_MS, expectAlertShape, expectFields } from "../e2e/lib/agent.mjs";
import { ROOT, makeHome } from "../e2e/lib/env.mjs";
import { connectToolbox } from "../e2e/lib/mcp.mjs";
import { PODMAN_DEFAULT_PROFILE, agentProfile } from "./seccomp.mjs";

// The capabilities the DaemonSet grants (drop ALL, then add these): the
// proven least-privilege set of deploy/capabilities.txt (CAP_ names, one a
// line, # comments) once that file exists, else DEFAULT_CAPS.
// MCPWATCH_IMAGE_CAPS (comma separated) overrides both for one run.
const DEFAULT_CAPS = ["BPF", "PERFMON", "SYS_RESOURCE", "SYS_PTRACE", "DAC_READ_SEARCH"];
const CAPS_FILE = path.join(ROOT, "deploy/capabilities.txt");
const CAPS = process.env.MCPWATCH_IMAGE_CAPS
	? process.env.MCPWATCH_IMAGE_CAPS.split(",").filter(Boolean)
	: existsSync(CAPS_FILE)
		? readFileSync(CAPS_FILE, "utf8")
				.split("\n")
				.map((l) => l.replace(/#.*/, "").trim())
				.filter(Boolean)
				.map((c) => c.replace(/^CAP_/, ""))
		: DEFAULT_CAPS;

const CAP_NUMBER = { DAC_READ_SEARCH: 2, SYS_PTRACE: 19, SYS_ADMIN: 21, SYS_RESOURCE: 24, NET_ADMIN: 12, PERFMON: 38, BPF: 39 };
const IMAGE = process.env.IMAGE;
const ENGINE = process.env.ENGINE ?? "podman";
const GLOBAL_ARGS = (process.env.ENGINE_GLOBAL_ARGS ?? "").split(" ").filter(Boolean);
const RUN_ARGS = (process.env.ENGINE_RUN_ARGS ?? "").split(" ").filter(Boolean);
const PREFIX = process.env.IMAGE_TEST_PREFIX ?? `mcpwatch-image-test-${process.pid}`;
const CONFIG = path.join(ROOT, "deploy/config.json");

let home, agent, box, seccompFile, seccompNote;

function capMask(caps) {
	return caps.reduce((m, c) => {
		assert.ok(c in CAP_NUMBER, `unknown capability ${c} in CAPS`);
		return m | (1n << BigInt(CAP_NUMBER[c]));
	}, 0n);
}

function statusField(pid, name) {
	const line = readFileSync(`/proc/${pid}/status`, "utf8")
		.split("\n")
		.find((l) => l.startsWith(`${name}:`));
	assert.ok(line, `/proc/${pid}/status has no ${name}`);
	return line.slice(name.length + 1).trim();
}

// `ENGINE run` with the DaemonSet's options; `seccomp` is a --security-opt value or null (the default).
function runArgs(name, seccomp) {
	return [
		...GLOBAL_ARGS,
		"run",
		"--rm",
		"--name",
		name,
		...RUN_ARGS,
		"--pid=host",
		"--network=host",
		"--cap-drop=ALL",
		`--cap-add=${CAPS.join(",")}`,
		"--read-only",
		"--volume=/sys/kernel/btf:/sys/kernel/btf:ro",
		// The host's tracefs, as the DaemonSet mounts it: the syscall tracepoints.
		...(existsSync("/sys/kernel/tracing/events/syscalls") ? ["--volume=/sys/kernel/tracing:/sys/kernel/tracing:ro"] : []),
		"--tmpfs=/var/lib/mcpwatch:rw,mode=0700,size=64m",
		`--volume=${CONFIG}:/etc/mcpwatch/config.json:ro`,
		...(seccomp ? [`--security-opt=seccomp=${seccomp}`] : []),
		IMAGE,
		"run",
		"--config",
		"/etc/mcpwatch/config.json",
	];
}

function removeContainer(name) {
	spawnSync(ENGINE, [...GLOBAL_ARGS, "rm", "-f", name], { stdio: "ignore" });
}

before(async () => {
	assert.ok(IMAGE, "IMAGE is not set: run tests/image/run.sh (make test-image)");
	home = makeHome();
	// Podman's default profile blocks bpf(2) without CAP_SYS_ADMIN (the first
	// test shows it); the agent gets that profile plus bpf for CAP_BPF and
	// perf_event_open for CAP_PERFMON. An engine without a profile file here
	// (docker keeps it built in) runs unconfined, and says so.
	if (ENGINE === "podman") {
		seccompFile = home.writeJson("seccomp.json", agentProfile(JSON.parse(readFileSync(PODMAN_DEFAULT_PROFILE, "utf8"))));
		seccompNote = `${PODMAN_DEFAULT_PROFILE} + bpf(CAP_BPF) + perf_event_open(CAP_PERFMON)`;
	} else {
		seccompFile = "unconfined";
		seccompNote = "unconfined (no default profile file to extend)";
	}
	const name = `${PREFIX}-agent`;
	removeContainer(name);
	const child = spawn(ENGINE, runArgs(name, seccompFile), { stdio: ["ignore", "pipe", "pipe"] });
	agent = new Agent(child);
	agent.name = name;
	agent.ready = await agent.waitFor((r) => r.kind === "agent" && r.event === "ready", READY_TIMEOUT_MS, "the containerised agent's ready record");
});

after(async () => {
	await box?.close();
	await agent?.stop();
	if (agent) removeContainer(agent.name);
	home?.cleanup();
});

test("the engine's default seccomp profile keeps bpf(2) from an agent without CAP_SYS_ADMIN", { skip: ENGINE !== "podman" && "only podman's profile is a file here" }, async () => {
	// A second agent next to the first one: it would load its own programs, but
	// under the default profile it must fail at its first bpf(2).
	const name = `${PREFIX}-default-seccomp`;
	const child = spawn(ENGINE, runArgs(name, null), { stdio: ["ignore", "pipe", "pipe"] });
	const other = new Agent(child);
	const t = setTimeout(() => other.stop("SIGKILL"), 60000);
	const exit = await other.exited;
	clearTimeout(t);
	removeContainer(name);
	assert.ok(
		!other.records.some((r) => r.event === "ready"),
		`the agent started under the default seccomp profile with ${CAPS.join(",")}: either that holds SYS_ADMIN, or the default now allows bpf(2) with CAP_BPF and the extended profile is not needed`
	);
	// The same flags with the extended profile start (the other tests): the
	// profile is the difference. What the agent says about it is its own business.
	assert.notEqual(exit.code, 0, `the agent must fail under the default profile; stderr:\n${other.stderr.join("\n")}`);
	console.log(`under the default profile: exit ${exit.code ?? exit.signal}, ${other.stderr.join(" | ")}`);
});

test("the containerised agent runs with exactly the granted capabilities, no CAP_SYS_ADMIN, seccomp on, read-only root", () => {
	const pid = agent.ready.pid;
	assert.ok(Number.isInteger(pid) && pid > 1, `ready.pid ${pid}`);
	// Host PID namespace: the pid it reports is its pid on the host.
	assert.equal(readlinkSync(`/proc/${pid}/exe`), "/usr/local/bin/mcpwatch", `pid ${pid} is not the container's agent`);
	// A capability this host never grants (not in this process's bounding set)
	// cannot reach the container either.
	const bounding = BigInt("0x" + statusField(process.pid, "CapBnd"));
	const want = capMask(CAPS) & bounding;
	const eff = BigInt("0x" + statusField(pid, "CapEff"));
	const missing = CAPS.filter((c) => !(bounding & (1n << BigInt(CAP_NUMBER[c]))));
	if (missing.length) console.log(`this host's bounding set lacks ${missing.join(", ")}: the container cannot have it`);
	assert.equal(eff.toString(16), want.toString(16), `CapEff of the agent (pid ${pid})`);
	assert.equal(eff & (1n << 21n), 0n, "CAP_SYS_ADMIN must not be granted");
	assert.equal(BigInt("0x" + statusField(pid, "CapBnd")), want, "the bounding set must hold the granted capabilities only");
	assert.equal(statusField(pid, "Seccomp"), seccompFile === "unconfined" ? "0" : "2", `seccomp mode (${seccompNote})`);
	console.log(`seccomp: ${seccompNote}; CapEff ${eff.toString(16).padStart(16, "0")}`);
	// The root filesystem is mounted read-only, the spool is the one writable place.
	const mounts = readFileSync(`/proc/${pid}/mountinfo`, "utf8").split("\n");
	const root = mounts.find((l) => l.split(" ")[4] === "/");
	assert.ok(root && root.split(" ")[5].split(",").includes("ro"), `root mount is not read-only: ${root}`);
	const spool = mounts.find((l) => l.split(" ")[4] === "/var/lib/mcpwatch");
	assert.ok(spool && spool.split(" ")[5].split(",").includes("rw"), `no writable /var/lib/mcpwatch: ${spool}`);
	const btf = mounts.find((l) => l.split(" ")[4] === "/sys/kernel/btf");
	assert.ok(btf && btf.split(" ")[5].split(",").includes("ro"), `/sys/kernel/btf is not mounted read-only: ${btf}`);
	// With the host's tracefs the agent needs no program on every syscall.
	if (existsSync("/sys/kernel/tracing/events/syscalls"))
		assert.equal(agent.ready.io_backend, "tp", `io backend in the container: ${JSON.stringify(agent.ready)}`);
});

test("an MCP server on the host spawning a shell raises mcp-shell-spawn on the container's stdout", async () => {
	const from = agent.mark();
	box = await connectToolbox({ env: { HOME: home.home } });
	assert.match(await box.call("run", { command: "id" }), /uid=0\(root\)/);
	const alert = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === box.pid, 20000, `shell spawn by toolbox pid ${box.pid}`, from);
	expectAlertShape(alert, "mcp-shell-spawn alert from the container");
	expectFields(
		alert,
		{
			"rule.id": "mcp-shell-spawn",
			"rule.severity": "critical",
			"server.pid": box.pid,
			"server.name": "toolbox-fixture",
			"server.identified_by": "protocol",
			"process.ppid": box.pid,
			"process.exe": (v) => /\/(dash|bash)$/.test(v),
			"process.parent.exe": process.execPath,
		},
		"mcp-shell-spawn alert from the container"
	);
});
