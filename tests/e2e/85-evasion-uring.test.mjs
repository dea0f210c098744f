// Issue 11, io_uring: a server tool that opens ~/.ssh/id_rsa and connects
// out through io_uring (raw syscalls, tests/fixtures/evade-uring.c) instead
// of open(2)/connect(2). The ring set-up raises mcp-io-uring; the OPENAT is
// seen at its completion (tp_btf, every file backend) and raises
// mcp-sensitive-file with file.via "io_uring"; the CONNECT is seen by the
// TCP state tracepoint. What stays unseen is asserted as exactly that (README,
// Limitations). The same program outside any server tree raises nothing.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, realpathSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { FIXTURES, ROOT, makeHome } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";

const SRC = path.join(FIXTURES, "evade-uring.c");
const OUT_DIR = path.join(ROOT, "build/fixtures");
let home, agent, listener, port, evade;
let accepted = 0;
const boxes = [];

// The kernel's BTF names the tracepoints the agent's io_uring hooks need.
const btf = readFileSync("/sys/kernel/btf/vmlinux");
const HAS_CREATE = btf.includes("btf_trace_io_uring_create");
// The completion hook also needs the 6.0+ request layout (io_cmd_data).
const HAS_COMPLETE = btf.includes("btf_trace_io_uring_complete") && btf.includes("io_cmd_data");

before(async () => {
	mkdirSync(OUT_DIR, { recursive: true });
	execFileSync(process.env.CC || "cc", ["-O2", "-Wall", "-Wextra", "-Werror", "-o", path.join(OUT_DIR, "evade-uring"), SRC]);
	evade = realpathSync(path.join(OUT_DIR, "evade-uring"));
	listener = net.createServer((sock) => {
		accepted++;
		sock.end();
	});
	await new Promise((resolve) => listener.listen(0, "127.0.0.1", resolve));
	port = listener.address().port;
	home = makeHome();
	// No default rule looks at a loopback connect: this one makes it visible.
	const rules = home.writeJson("uring-rules.json", {
		version: 1,
		rules: [
			{
				id: "e2e-uring-connect",
				event: "connect",
				severity: "low",
				condition: {
					all: [
						{ field: "process.in_server_tree", op: "eq", value: true },
						{ field: "process.exe", op: "eq", value: evade },
					],
				},
				message: "{process.exe} connected to {network.remote_addr} port {network.remote_port}",
			},
		],
	});
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: 2 } }), rules: [rules] });
});

after(async () => {
	for (const b of boxes) await b.close();
	await agent?.stop();
	listener?.close();
	home?.cleanup();
});

// A fresh server per variant: alerts of one program in one server aggregate.
async function toolbox() {
	const box = await connectToolbox({ env: { HOME: home.home } });
	boxes.push(box);
	return box;
}

function mine(box) {
	return (r) => r.server?.pid === box.pid && r.process?.exe === evade;
}

async function expectUringAlert(box, from, what) {
	const a = await agent.waitAlert("mcp-io-uring", mine(box), 10000, what, from);
	expectAlertShape(a, what);
	expectFields(
		a,
		{
			"rule.severity": "medium",
			"server.pid": box.pid,
			"server.name": "toolbox-fixture",
			"process.exe": evade,
			"process.parent.pid": box.pid,
			"io_uring.fd": (v) => Number.isInteger(v) && v >= 3,
			"io_uring.sq_entries": 4,
			"io_uring.cq_entries": 8,
			"io_uring.flags": 0,
			"io_uring.sqpoll": false,
			message: (v) => typeof v === "string" && v.includes("set up io_uring") && v.includes(evade),
		},
		what
	);
	return a;
}

test("the ready record says which io_uring hooks this kernel has", () => {
	assert.equal(agent.ready.io_uring, HAS_CREATE && HAS_COMPLETE ? "tp_btf" : HAS_CREATE ? "setup" : "none");
});

test("io_uring OPENAT of ~/.ssh/id_rsa by a server tool: mcp-io-uring, and mcp-sensitive-file with file.via io_uring", async () => {
	const box = await toolbox();
	const from = agent.mark();
	assert.match(await box.call("exec_file", { file: evade, args: ["open", home.idRsa] }), /^open fd=\d+/);
	await expectUringAlert(box, from, `io_uring set-up by ${evade} under toolbox pid ${box.pid}`);
	const what = `io_uring open of ${home.idRsa} under toolbox pid ${box.pid}`;
	if (agent.ready.io_uring !== "tp_btf") {
		// The documented limitation on kernels without the completion hook.
		const alerts = (await alertsAfterQuiet(agent, from)).filter((r) => r.rule.id === "mcp-sensitive-file");
		assertNoAlerts(alerts, `${what} (no io_uring completion hook on this kernel)`);
		return;
	}
	const a = await agent.waitAlert("mcp-sensitive-file", (r) => mine(box)(r) && r.file?.path === home.idRsa, 10000, what, from);
	expectAlertShape(a, what);
	expectFields(
		a,
		{
			"rule.severity": "high",
			"file.path": home.idRsa,
			"file.via": "io_uring",
			"file.flags": "O_RDONLY|O_CLOEXEC",
			"file.result": (v) => Number.isInteger(v) && v >= 3,
			"process.exe": evade,
		},
		what
	);
	assert.ok(!JSON.stringify(a).includes("PRIVATE KEY"), `${what}: the alert leaks the key`);
});

test("io_uring OPENAT with IOSQE_CQE_SKIP_SUCCESS: mcp-io-uring only (the open itself is the documented blind spot)", async () => {
	const box = await toolbox();
	const from = agent.mark();
	assert.equal(await box.call("exec_file", { file: evade, args: ["open-skip", home.idRsa] }), "open-skip ok\n");
	await expectUringAlert(box, from, `io_uring set-up (open-skip) under toolbox pid ${box.pid}`);
	// (The tool call's arguments name the key: mcp-tool-input-injection may
	// fire on them; the open itself is what stays unseen.)
	const alerts = (await alertsAfterQuiet(agent, from)).filter((r) => r.server?.pid === box.pid && r.rule.id === "mcp-sensitive-file");
	assertNoAlerts(alerts, `mcp-sensitive-file for an io_uring open that posts no completion (toolbox pid ${box.pid})`);
});

test("io_uring CONNECT by a server tool: mcp-io-uring, and the connect is seen like connect(2)", async () => {
	const box = await toolbox();
	const from = agent.mark();
	const before = accepted;
	assert.equal(await box.call("exec_file", { file: evade, args: ["connect", "127.0.0.1", String(port)] }), "connect ok\n");
	await expectUringAlert(box, from, `io_uring set-up (connect) under toolbox pid ${box.pid}`);
	const what = `io_uring connect to 127.0.0.1:${port} under toolbox pid ${box.pid}`;
	const a = await agent.waitAlert("e2e-uring-connect", mine(box), 10000, what, from);
	expectFields(a, { "network.remote_addr": "127.0.0.1", "network.remote_port": port, "process.exe": evade }, what);
	await new Promise((r) => setTimeout(r, 200));
	assert.ok(accepted > before, `the listener on port ${port} saw no connection`);
});

test("the same io_uring open, open-skip and connect outside any server tree: no alert", async () => {
	const from = agent.mark();
	assert.match(execFileSync(evade, ["open", home.idRsa], { encoding: "utf8" }), /^open fd=\d+/);
	assert.equal(execFileSync(evade, ["open-skip", home.idRsa], { encoding: "utf8" }), "open-skip ok\n");
	assert.equal(execFileSync(evade, ["connect", "127.0.0.1", String(port)], { encoding: "utf8" }), "connect ok\n");
	assertNoAlerts(await alertsAfterQuiet(agent, from), `for ${evade} run by the test itself (not an MCP server)`);
});
