// Test environment: repository paths, the per-run fake HOME with fake
// secrets, process-tree helpers read from /proc, and small utilities.
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, realpathSync, readFileSync, readlinkSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = process.env.MCPWATCH_BIN ? path.resolve(process.env.MCPWATCH_BIN) : path.join(ROOT, "build/mcpwatch");
export const FIXTURES = path.join(ROOT, "tests/fixtures");
export const TOOLBOX = path.join(FIXTURES, "toolbox.mjs");
export const NOT_MCP = path.join(FIXTURES, "not-mcp.mjs");
export const NODE_MODULES = path.join(ROOT, "node_modules");
export const FS_SERVER = path.join(NODE_MODULES, "@modelcontextprotocol/server-filesystem/dist/index.js");
export const EVERYTHING_SERVER = path.join(NODE_MODULES, "@modelcontextprotocol/server-everything/dist/index.js");

// The exact version package.json pins, so npx resolves to the local copy.
export function pinnedVersion(pkg) {
	const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
	const v = manifest.dependencies[pkg];
	assert.match(v, /^\d+\.\d+\.\d+$/, `package.json must pin an exact version of ${pkg}`);
	return v;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const FAKE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
FAKEFAKEFAKEFAKEFAKEFAKEFAKE-mcpwatch-e2e-not-a-real-key-FAKEFAKEFAKEFAKE
-----END OPENSSH PRIVATE KEY-----
`;

// A temporary directory holding a fake home with the files the rules care
// about. Paths are realpath'd: the agent reports resolved absolute paths.
export function makeHome() {
	const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), "mcpwatch-e2e-")));
	const home = path.join(dir, "home");
	const p = {
		dir,
		home,
		sshDir: path.join(home, ".ssh"),
		idRsa: path.join(home, ".ssh/id_rsa"),
		idRsaPub: path.join(home, ".ssh/id_rsa.pub"),
		readme: path.join(home, "project/README.md"),
		awsCredentials: path.join(home, ".aws/credentials"),
	};
	mkdirSync(p.sshDir, { recursive: true, mode: 0o700 });
	mkdirSync(path.dirname(p.readme), { recursive: true });
	mkdirSync(path.dirname(p.awsCredentials), { recursive: true });
	writeFileSync(p.idRsa, FAKE_KEY, { mode: 0o600 });
	writeFileSync(p.idRsaPub, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKEFAKE mcpwatch-e2e@example\n");
	writeFileSync(p.readme, "# project\n\nNothing secret here.\n");
	writeFileSync(
		p.awsCredentials,
		"[default]\naws_access_key_id = AKIAFAKEFAKEFAKEFAKE\naws_secret_access_key = fakefakefakefakefakefakefakefakefakefake\n",
		{ mode: 0o600 }
	);
	p.writeJson = (name, obj) => {
		const f = path.join(dir, name);
		writeFileSync(f, JSON.stringify(obj, null, 2) + "\n");
		return f;
	};
	p.writeText = (name, text) => {
		const f = path.join(dir, name);
		writeFileSync(f, text);
		return f;
	};
	p.cleanup = () => rmSync(dir, { recursive: true, force: true });
	return p;
}

export function readExe(pid) {
	try {
		return readlinkSync(`/proc/${pid}/exe`);
	} catch {
		return null;
	}
}

export function readCmdline(pid) {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0$/, "").split("\0");
	} catch {
		return null;
	}
}

function readPpid(pid) {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
		// comm may hold spaces and parentheses: fields start after the last ')'.
		return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
	} catch {
		return null;
	}
}

// All live descendants of pid (not pid itself), found by walking /proc.
export function descendants(pid) {
	const children = new Map();
	for (const name of readdirSync("/proc")) {
		if (!/^\d+$/.test(name)) continue;
		const ppid = readPpid(name);
		if (ppid === null) continue;
		if (!children.has(ppid)) children.set(ppid, []);
		children.get(ppid).push(Number(name));
	}
	const out = [];
	const todo = [pid];
	while (todo.length) {
		for (const c of children.get(todo.pop()) ?? []) {
			out.push(c);
			todo.push(c);
		}
	}
	return out;
}

// Wait until fn() returns a truthy value (polling), or fail with `what`.
export async function poll(fn, ms, what) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
		await sleep(50);
	}
}

// /bin/sh as the kernel sees it after following links (dash on Debian).
export const SHELL_EXE = realpathSync("/bin/sh");
