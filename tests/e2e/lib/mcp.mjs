// MCP client side: start servers with the official SDK client (stdio or
// Streamable HTTP), call tools, and shut everything down.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ROOT, TOOLBOX, sleep } from "./env.mjs";

const CLIENT_INFO = { name: "mcpwatch-e2e-client", version: "1.0.0" };

// A connected client on a server started over stdio. `pid` is the process
// the client spawned (for a launcher such as npx, the launcher).
export class StdioSession {
	constructor(client, transport, stderrLines) {
		this.client = client;
		this.transport = transport;
		this.pid = transport.pid;
		this.stderrLines = stderrLines;
	}

	get serverInfo() {
		return this.client.getServerVersion();
	}

	async call(name, args) {
		return callTool(this.client, name, args);
	}

	async close() {
		await this.client.close().catch(() => {});
	}
}

export async function connectStdio({ command = process.execPath, args, env = {}, cwd = ROOT, timeoutMs = 30000 }) {
	const transport = new StdioClientTransport({ command, args, env, cwd, stderr: "pipe" });
	const stderrLines = [];
	transport.stderr.on("data", (b) => stderrLines.push(...String(b).split("\n").filter(Boolean)));
	const client = new Client(CLIENT_INFO);
	try {
		await client.connect(transport, { timeout: timeoutMs });
	} catch (err) {
		await client.close().catch(() => {});
		throw new Error(`cannot start MCP server ${command} ${args.join(" ")}: ${err.message}\n` + stderrLines.join("\n"));
	}
	return new StdioSession(client, transport, stderrLines);
}

export function connectToolbox(opts = {}) {
	return connectStdio({ args: [TOOLBOX], ...opts });
}

export async function connectHttp(url, timeoutMs = 15000) {
	const client = new Client(CLIENT_INFO);
	const transport = new StreamableHTTPClientTransport(new URL(url));
	await client.connect(transport, { timeout: timeoutMs });
	return {
		client,
		call: (name, args) => callTool(client, name, args),
		close: async () => {
			await transport.terminateSession().catch(() => {});
			await client.close().catch(() => {});
		},
	};
}

// Call a tool and return its text; a tool-level error fails the test.
export async function callTool(client, name, args) {
	const res = await client.callTool({ name, arguments: args }, undefined, { timeout: 20000 });
	const text = (res.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");
	assert.ok(!res.isError, `tool ${name}(${JSON.stringify(args)}) failed: ${text}`);
	return text;
}

// A long-running child that is not spoken to over MCP (HTTP servers, the
// negative control). Resolves once `readyLine` (a RegExp) shows on stdout or
// stderr.
export async function startProcess({ command = process.execPath, args, env = {}, cwd = ROOT, readyLine, timeoutMs = 20000 }) {
	const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
	const lines = [];
	let exited = null;
	const ready = new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`${args.join(" ")}: no line matching ${readyLine} within ${timeoutMs} ms\n${lines.join("\n")}`)),
			timeoutMs
		);
		const onData = (b) => {
			for (const l of String(b).split("\n").filter(Boolean)) {
				lines.push(l);
				if (readyLine && readyLine.test(l)) {
					clearTimeout(timer);
					resolve(l);
				}
			}
		};
		child.stdout.on("data", onData);
		child.stderr.on("data", onData);
		child.on("exit", (code, signal) => {
			exited = { code, signal };
			clearTimeout(timer);
			reject(new Error(`${args.join(" ")} exited (${code ?? signal}) before ready\n${lines.join("\n")}`));
		});
		if (!readyLine) {
			clearTimeout(timer);
			resolve(null);
		}
	});
	const proc = {
		child,
		pid: child.pid,
		lines,
		readyLine: await ready,
		async stop() {
			if (exited) return exited;
			const done = new Promise((r) => child.once("exit", (code, signal) => r({ code, signal })));
			child.kill("SIGTERM");
			const t = setTimeout(() => child.kill("SIGKILL"), 3000);
			const r = await done;
			clearTimeout(t);
			return r;
		},
	};
	// After ready, the exit listener must not turn into an unhandled rejection.
	ready.catch(() => {});
	return proc;
}

export { sleep };
