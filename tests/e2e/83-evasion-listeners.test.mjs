// Issue 11, classes 3 and 5: every wildcard plaintext listener a server tree
// opens is caught, whatever its family (IPv4, IPv6 dual stack, IPv6 only),
// its protocol (TCP, UDP) or how far its process got from the server (a
// grandchild after double fork + setsid reparented to init, or to a
// PR_SET_CHILD_SUBREAPER). Each alert says how: network.transport,
// network.type, network.dual_stack, and process.pid / server.pid for the
// attribution. Loopback UDP and a TLS listener stay quiet; the same listeners
// opened by programs that are not MCP servers raise nothing.
//
// The listeners are opened by a real MCP server's tools: toolbox `listen`
// (TCP, in the server itself) and `exec_file` of tests/fixtures/evade-listen.py
// (everything else; its holder process keeps the listener open after the
// tool returns, so that the agent's TLS check can connect to it).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { alertsAfterQuiet, assertNoAlerts, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { FIXTURES, makeHome, sleep } from "./lib/env.mjs";
import { makeCert } from "./lib/grade.mjs";
import { connectToolbox, startProcess } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";

const PYTHON = "/usr/bin/python3";
const EVADE = path.join(FIXTURES, "evade-listen.py");
const TLS_SERVER = path.join(FIXTURES, "tls-mcp-server.py");
const RULE = "mcp-plaintext-listener";
const UDP_EVIDENCE = "udp: not probed, taken as plaintext";

let home, agent, box;
const holders = []; // listener holders the fixture left running: killed at the end
const cleanups = [];

before(async () => {
	home = makeHome();
	const config = home.writeJson("config.json", {
		alerts: { aggregate_window_s: 0 },
		servers: { selectors: [{ name: "tls-fixture", cmdline: "*tls-mcp-server.py*" }] },
	});
	// -v: the agent logs its TLS check verdicts, which the TLS case asserts on.
	agent = await startAgent({ config, args: ["-v"] });
	box = await connectToolbox({ env: { HOME: home.home } });
});

after(async () => {
	await box?.close();
	for (const pid of holders) {
		try {
			process.kill(pid, "SIGTERM");
		} catch {
			// already gone (its hold time ran out)
		}
	}
	for (const c of cleanups.reverse()) await c().catch(() => {});
	await agent?.stop();
	home?.cleanup();
});

function evadeArgs({ mode, proto, addr, port, v6only = false }) {
	return [EVADE, "--mode", mode, "--proto", proto, "--addr", addr, "--port", String(port), "--hold", "60", ...(v6only ? ["--v6only"] : [])];
}

// Runs the fixture through the server's exec_file tool: a member of its tree.
async function evadeInServer(opts) {
	const out = await box.call("exec_file", { file: PYTHON, args: evadeArgs(opts) });
	const rep = JSON.parse(out.trim());
	holders.push(rep.holder);
	assert.equal(rep.port, opts.port, `fixture bound ${JSON.stringify(rep)}`);
	return rep;
}

// The same fixture run by the test itself: a program that is no MCP server.
async function evadeOutside(opts) {
	const { stdout } = await promisify(execFile)(PYTHON, evadeArgs(opts), { timeout: 15000 });
	const rep = JSON.parse(stdout.trim());
	holders.push(rep.holder);
	return rep;
}

function waitListener(from, port, transport, what) {
	return agent.waitAlert(
		RULE,
		(r) => r.server?.pid === box.pid && r.network?.local_port === port && r.network?.transport === transport,
		15000,
		`${what} (port ${port}, ${transport}, toolbox pid ${box.pid})`,
		from
	);
}

const mine = (pid) => (r) => r.server?.pid === pid;

test("TCP 0.0.0.0 from the server itself (toolbox listen): alert, ipv4, not dual stack", async () => {
	const port = await freePort();
	const from = agent.mark();
	assert.equal(await box.call("listen", { host: "0.0.0.0", port }), `0.0.0.0:${port}`);
	const a = await waitListener(from, port, "tcp", "IPv4 wildcard listener");
	expectAlertShape(a, "IPv4 listener alert");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": box.pid,
			"network.transport": "tcp",
			"network.type": "ipv4",
			"network.local_addr": "0.0.0.0",
			"network.local_port": port,
			"network.dual_stack": false,
			"network.tls": false,
			message: (v) => v.includes(`port ${port} (tcp)`),
		},
		"IPv4 listener alert"
	);
});

test("TCP :: dual stack from the server itself (toolbox listen): alert, ipv6, dual_stack true", async () => {
	const port = await freePort();
	const from = agent.mark();
	// node listens on "::" without IPV6_V6ONLY: every IPv4 address too.
	assert.equal(await box.call("listen", { host: "::", port }), `:::${port}`);
	const a = await waitListener(from, port, "tcp", "IPv6 dual-stack listener");
	expectAlertShape(a, "dual-stack listener alert");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": box.pid,
			"network.transport": "tcp",
			"network.type": "ipv6",
			"network.local_addr": "::",
			"network.dual_stack": true,
			"network.tls": false,
		},
		"dual-stack listener alert"
	);
});

test("TCP :: with IPV6_V6ONLY from a child of the server: alert, ipv6, dual_stack false", async () => {
	const port = await freePort();
	const from = agent.mark();
	const rep = await evadeInServer({ mode: "plain", proto: "tcp", addr: "::", port, v6only: true });
	const a = await waitListener(from, port, "tcp", "IPv6-only listener");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": rep.holder,
			"network.transport": "tcp",
			"network.type": "ipv6",
			"network.local_addr": "::",
			"network.dual_stack": false,
			"network.tls": false,
		},
		"IPv6-only listener alert"
	);
});

test("double fork + setsid: the grandchild, reparented away from the tree, listens: alert attributed to the server", async () => {
	const port = await freePort();
	const from = agent.mark();
	const rep = await evadeInServer({ mode: "daemon", proto: "tcp", addr: "0.0.0.0", port });
	// The escape happened: the intermediate exited before the bind, the
	// holder had another parent by then and leads no session of the server's.
	assert.ok(rep.intermediate > 0 && rep.intermediate !== rep.holder, JSON.stringify(rep));
	assert.notEqual(rep.ppid_at_bind, rep.intermediate, `holder not reparented: ${JSON.stringify(rep)}`);
	assert.equal(rep.sid, rep.intermediate, `setsid not done: ${JSON.stringify(rep)}`);
	const a = await waitListener(from, port, "tcp", "listener of a setsid grandchild");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": rep.holder,
			"network.transport": "tcp",
			"network.type": "ipv4",
			"network.local_addr": "0.0.0.0",
			"network.tls": false,
		},
		"setsid grandchild listener alert"
	);
});

test("under a PR_SET_CHILD_SUBREAPER: the grandchild reparented to the subreaper listens: alert attributed to the server", async () => {
	const port = await freePort();
	const from = agent.mark();
	const rep = await evadeInServer({ mode: "subreaper", proto: "tcp", addr: "0.0.0.0", port });
	assert.equal(rep.ppid_at_bind, rep.fixture, `holder not reparented to the subreaper: ${JSON.stringify(rep)}`);
	assert.notEqual(rep.intermediate, rep.fixture);
	const a = await waitListener(from, port, "tcp", "listener of a grandchild under a subreaper");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": rep.holder,
			"network.transport": "tcp",
			"network.local_addr": "0.0.0.0",
			"network.tls": false,
		},
		"subreaper grandchild listener alert"
	);
});

test("UDP bound to 0.0.0.0 by a child of the server: alert, transport udp, tls false (not probed)", async () => {
	const port = await freePort();
	const from = agent.mark();
	const rep = await evadeInServer({ mode: "plain", proto: "udp", addr: "0.0.0.0", port });
	const a = await waitListener(from, port, "udp", "UDP wildcard bind");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": rep.holder,
			"network.transport": "udp",
			"network.type": "ipv4",
			"network.local_addr": "0.0.0.0",
			"network.local_port": port,
			"network.dual_stack": false,
			"network.tls": false,
			"network.tls_evidence": UDP_EVIDENCE,
			message: (v) => v.includes(`port ${port} (udp)`),
		},
		"UDP listener alert"
	);
});

test("UDP :: dual stack bound by a setsid grandchild: alert, udp, ipv6, dual_stack true, attributed to the server", async () => {
	const port = await freePort();
	const from = agent.mark();
	const rep = await evadeInServer({ mode: "daemon", proto: "udp", addr: "::", port });
	assert.notEqual(rep.ppid_at_bind, rep.intermediate, `holder not reparented: ${JSON.stringify(rep)}`);
	const a = await waitListener(from, port, "udp", "UDP dual-stack bind of a setsid grandchild");
	expectFields(
		a,
		{
			"server.pid": box.pid,
			"process.pid": rep.holder,
			"network.transport": "udp",
			"network.type": "ipv6",
			"network.local_addr": "::",
			"network.dual_stack": true,
			"network.tls": false,
			"network.tls_evidence": UDP_EVIDENCE,
		},
		"UDP dual-stack listener alert"
	);
});

test("UDP bound to 127.0.0.1, and UDP bound to port 0 (a client), by children of the server: no alert", async () => {
	const port = await freePort();
	const from = agent.mark();
	await evadeInServer({ mode: "plain", proto: "udp", addr: "127.0.0.1", port });
	const any = await box.call("exec_file", { file: PYTHON, args: evadeArgs({ mode: "plain", proto: "udp", addr: "0.0.0.0", port: 0 }) });
	holders.push(JSON.parse(any.trim()).holder);
	assertNoAlerts((await alertsAfterQuiet(agent, from)).filter(mine(box.pid)), `for loopback and port-0 UDP binds in toolbox pid ${box.pid}'s tree`);
});

test("a TLS listener on 0.0.0.0 of a server (selector): the TLS check says TLS, no alert", async () => {
	const cert = makeCert(0);
	cleanups.push(async () => cert.cleanup());
	const port = await freePort();
	const from = agent.mark();
	const stderrFrom = agent.stderr.length;
	const srv = await startProcess({
		command: PYTHON,
		args: [TLS_SERVER, "--host", "0.0.0.0", "--port", String(port), "--cert", cert.cert, "--key", cert.key],
		readyLine: /^listening \d+$/,
	});
	cleanups.push(() => srv.stop());
	// The agent did check this listener, and found TLS.
	const verdict = new RegExp(`TLS check 0\\.0\\.0\\.0:${port}: replied with a TLS`);
	const deadline = Date.now() + 15000;
	while (!agent.stderr.slice(stderrFrom).some((l) => verdict.test(l))) {
		assert.ok(Date.now() < deadline, `no TLS verdict for 0.0.0.0:${port} in the agent's log\n${agent.diagnostics()}`);
		await sleep(100);
	}
	assertNoAlerts((await alertsAfterQuiet(agent, from)).filter(mine(srv.pid)), `for a TLS listener (pid ${srv.pid}, port ${port})`);
});

test("the same listeners opened by a program that is no MCP server: no alert", async () => {
	const from = agent.mark();
	const reps = [];
	reps.push(await evadeOutside({ mode: "plain", proto: "tcp", addr: "0.0.0.0", port: await freePort() }));
	reps.push(await evadeOutside({ mode: "plain", proto: "tcp", addr: "::", port: await freePort() }));
	reps.push(await evadeOutside({ mode: "plain", proto: "tcp", addr: "::", port: await freePort(), v6only: true }));
	reps.push(await evadeOutside({ mode: "daemon", proto: "tcp", addr: "0.0.0.0", port: await freePort() }));
	reps.push(await evadeOutside({ mode: "subreaper", proto: "tcp", addr: "0.0.0.0", port: await freePort() }));
	reps.push(await evadeOutside({ mode: "plain", proto: "udp", addr: "0.0.0.0", port: await freePort() }));
	reps.push(await evadeOutside({ mode: "daemon", proto: "udp", addr: "::", port: await freePort() }));
	// The escapes happened here too, outside any tree.
	assert.notEqual(reps[3].ppid_at_bind, reps[3].intermediate, JSON.stringify(reps[3]));
	assert.equal(reps[4].ppid_at_bind, reps[4].fixture, JSON.stringify(reps[4]));
	const holderPids = reps.map((r) => r.holder).join(", ");
	assertNoAlerts(await alertsAfterQuiet(agent, from), `for listeners of non-MCP programs (holders ${holderPids})`);
});
