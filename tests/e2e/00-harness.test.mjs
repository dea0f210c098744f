// Self-check of the fixtures and the client side, no agent involved: if this
// fails, the other e2e failures say nothing about mcpwatch.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { EVERYTHING_SERVER, FS_SERVER, NOT_MCP, TOOLBOX, makeHome, readExe } from "./lib/env.mjs";
import { connectHttp, connectStdio, connectToolbox, startProcess } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";

let home;
before(() => {
	home = makeHome();
});
after(() => home.cleanup());

test("toolbox over stdio: serverInfo and every tool", async () => {
	const box = await connectToolbox();
	try {
		assert.equal(box.serverInfo.name, "toolbox-fixture");
		const { tools } = await box.client.listTools();
		assert.deepEqual(tools.map((t) => t.name).sort(), ["echo", "exec_file", "listen", "read", "run"]);
		assert.equal(await box.call("echo", { message: "hi" }), "hi");
		assert.match(await box.call("run", { command: "echo $((6*7))" }), /^42\n$/);
		assert.equal(await box.call("exec_file", { file: "/bin/echo", args: ["a b"] }), "a b\n");
		assert.match(await box.call("read", { path: home.readme }), /Nothing secret/);
		const port = await freePort();
		assert.equal(await box.call("listen", { host: "127.0.0.1", port }), `127.0.0.1:${port}`);
	} finally {
		await box.close();
	}
});

test("toolbox over Streamable HTTP", async () => {
	const port = await freePort();
	const srv = await startProcess({ args: [TOOLBOX, "--http", String(port), "--host", "127.0.0.1"], readyLine: /listening on/ });
	try {
		const c = await connectHttp(`http://127.0.0.1:${port}/mcp`);
		assert.equal(c.client.getServerVersion().name, "toolbox-fixture");
		assert.equal(await c.call("echo", { message: "over http" }), "over http");
		await c.close();
	} finally {
		await srv.stop();
	}
});

test("server-filesystem over stdio reads the fake home", async () => {
	const fs = await connectStdio({ args: [FS_SERVER, home.home] });
	try {
		const { tools } = await fs.client.listTools();
		const names = tools.map((t) => t.name);
		assert.ok(names.includes("read_text_file") || names.includes("read_file"), names.join(","));
		assert.match(await fs.call("read_text_file", { path: home.idRsa }), /BEGIN OPENSSH PRIVATE KEY/);
	} finally {
		await fs.close();
	}
});

test("server-everything over Streamable HTTP", async () => {
	const port = await freePort();
	const srv = await startProcess({ args: [EVERYTHING_SERVER, "streamableHttp"], env: { PORT: String(port) }, readyLine: /listening on port/ });
	try {
		const c = await connectHttp(`http://127.0.0.1:${port}/mcp`);
		assert.match(await c.call("echo", { message: "ping" }), /ping/);
		await c.close();
	} finally {
		await srv.stop();
	}
});

test("not-mcp does its three things and stays alive", async () => {
	const p = await startProcess({ args: [NOT_MCP, home.idRsa], readyLine: /not-mcp done port=\d+/ });
	try {
		assert.equal(readExe(p.pid), process.execPath);
		assert.equal(p.child.exitCode, null);
	} finally {
		const r = await p.stop();
		assert.equal(r.code, 0);
	}
});
