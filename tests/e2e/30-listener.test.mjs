// 4. Streamable HTTP: server-everything binds all interfaces in plaintext →
// mcp-plaintext-listener; driving it over loopback raises nothing more. A
// server identified by a user selector that binds loopback only raises no
// listener alert.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, cmdlineText, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { EVERYTHING_SERVER, TOOLBOX, makeHome } from "./lib/env.mjs";
import { connectHttp, startProcess } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";

let home, agent;
const procs = [];

before(async () => {
	home = makeHome();
	const config = home.writeJson("config.json", {
		alerts: { aggregate_window_s: 2 },
		servers: { selectors: [{ name: "toolbox", cmdline: "*toolbox.mjs*" }] },
	});
	agent = await startAgent({ config });
});

after(async () => {
	for (const p of procs) await p.stop();
	await agent?.stop();
	home?.cleanup();
});

test("server-everything streamableHttp on all interfaces raises mcp-plaintext-listener, and nothing else when used", async () => {
	const port = await freePort();
	const from = agent.mark();
	// The pinned version picks its transport from argv[2] and its port from
	// $PORT, and listens on every interface.
	const srv = await startProcess({
		args: [EVERYTHING_SERVER, "streamableHttp"],
		env: { PORT: String(port), HOME: home.home },
		readyLine: /listening on port/,
	});
	procs.push(srv);
	const alert = await agent.waitAlert("mcp-plaintext-listener", (r) => r.server?.pid === srv.pid, 10000, `listener on port ${port} by pid ${srv.pid}`, from);
	expectAlertShape(alert, "mcp-plaintext-listener alert");
	expectFields(
		alert,
		{
			"rule.id": "mcp-plaintext-listener",
			"rule.severity": "high",
			"server.pid": srv.pid,
			"server.cmdline": (v) => cmdlineText(v).includes("server-everything"),
			"process.pid": srv.pid,
			"process.exe": process.execPath,
			"network.transport": "tcp",
			"network.local_addr": (v) => v === "0.0.0.0" || v === "::",
			"network.local_port": port,
			count: 1,
		},
		"mcp-plaintext-listener alert"
	);

	const c = await connectHttp(`http://127.0.0.1:${port}/mcp`);
	assert.match(await c.call("echo", { message: "hello over http" }), /hello over http/);
	await c.close();
	const alerts = await alertsAfterQuiet(agent, from);
	const others = alerts.filter((r) => r !== alert);
	assertNoAlerts(others, `besides the listener alert while serving an MCP client over loopback (server pid ${srv.pid})`);
});

test("toolbox (user selector) on 127.0.0.1 raises no listener alert", async () => {
	const port = await freePort();
	const from = agent.mark();
	const srv = await startProcess({
		args: [TOOLBOX, "--http", String(port), "--host", "127.0.0.1"],
		env: { HOME: home.home },
		readyLine: /listening on/,
	});
	procs.push(srv);
	const c = await connectHttp(`http://127.0.0.1:${port}/mcp`);
	assert.equal(await c.call("echo", { message: "loopback" }), "loopback");
	assertNoAlerts(await alertsAfterQuiet(agent, from), `for a loopback-only listener (toolbox pid ${srv.pid}, port ${port})`);

	// The selector did make it a server: a shell from it is reported, named after the selector.
	const from2 = agent.mark();
	await c.call("run", { command: "true" });
	const alert = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === srv.pid, 10000, `shell spawn by selector-identified toolbox pid ${srv.pid}`, from2);
	expectFields(
		alert,
		{ "server.pid": srv.pid, "server.name": "toolbox", "server.identified_by": "cmdline", "process.parent.pid": srv.pid },
		"selector-identified server"
	);
	await c.close();
});
