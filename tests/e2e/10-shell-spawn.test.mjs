// 1. A tool that hands its argument to /bin/sh -c raises mcp-shell-spawn;
// benign work on the same server raises nothing. The toolbox's command line
// matches no selector: it is an MCP server only by protocol detection.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, cmdlineText, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { SHELL_EXE, TOOLBOX, makeHome } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";

let home, agent, box;

before(async () => {
	home = makeHome();
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: 2 } }) });
	box = await connectToolbox({ env: { HOME: home.home } });
});

after(async () => {
	await box?.close();
	await agent?.stop();
	home?.cleanup();
});

test("run {command: id} raises one mcp-shell-spawn with the server's identity", async () => {
	const from = agent.mark();
	const out = await box.call("run", { command: "id" });
	assert.match(out, /uid=0\(root\)/);
	const alert = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === box.pid, 10000, `shell spawn by toolbox pid ${box.pid}`, from);
	expectAlertShape(alert, "mcp-shell-spawn alert");
	expectFields(
		alert,
		{
			"rule.id": "mcp-shell-spawn",
			"rule.severity": "critical",
			"server.pid": box.pid,
			"server.name": "toolbox-fixture",
			// Its command line matches no selector: only the initialize reply on stdout names it.
			"server.identified_by": "protocol",
			"server.transport": "stdio",
			"server.cmdline": (v) => cmdlineText(v).includes(TOOLBOX) || cmdlineText(v).includes("toolbox.mjs"),
			"process.exe": SHELL_EXE,
			"process.ppid": box.pid,
			"process.parent.pid": box.pid,
			"process.parent.exe": process.execPath,
			"process.parent.cmdline": (v) => cmdlineText(v).includes("toolbox.mjs"),
			"process.cmdline": (v) => /^(\/bin\/)?sh -c id$/.test(cmdlineText(v)),
			"process.pid": (v) => Number.isInteger(v) && v !== box.pid,
			count: 1,
			message: (v) => typeof v === "string" && v.includes("/bin/sh -c id") && v.includes("toolbox-fixture"),
		},
		"mcp-shell-spawn alert"
	);
	// Exactly one record for one shell, even after the aggregation window closes.
	const alerts = await alertsAfterQuiet(agent, from, 2500);
	const mine = alerts.filter((r) => r.server?.pid === box.pid);
	assert.equal(mine.length, 1, `expected exactly one alert for one shell, got:\n${mine.map((r) => JSON.stringify(r)).join("\n")}`);
});

test("benign tools on the same server raise nothing", async () => {
	const from = agent.mark();
	assert.equal(await box.call("echo", { message: "hello" }), "hello");
	assert.equal(await box.call("exec_file", { file: "/usr/bin/true", args: [] }), "");
	assert.match(await box.call("read", { path: home.readme }), /Nothing secret/);
	assertNoAlerts(await alertsAfterQuiet(agent, from), "for echo, exec_file /usr/bin/true and reading README.md");
});

test("(sanity) the fixture shell is what the test expects", () => {
	assert.ok(path.isAbsolute(SHELL_EXE) && /\/(dash|bash)$/.test(SHELL_EXE), `realpath /bin/sh = ${SHELL_EXE}`);
});
