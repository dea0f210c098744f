// 81. Shells under another name (issue 11, class 1). Through a real MCP
// server's tool (toolbox exec_file, directly or through the evade-shells.py
// fixture): a renamed copy of /bin/sh, a hard link, a symlink with another
// name, `exec -a`, an interpreter that execs a renamed copy, a memfd run by
// fexecve, an exec through an fd, a busybox applet symlink and a renamed
// busybox copy each raise mcp-shell-spawn, and the alert says how the shell
// was recognised (process.exe_identity: inode, hash or name; exe_match: what
// it is). Runs from a memfd or an fd raise mcp-anonymous-exec too. A shell
// whose bytes differ from the host's and whose name is no shell's is the
// documented miss. The same runs from a program that is no MCP server raise
// nothing. The exec event is the same tp_btf program on every backend.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, cmdlineText, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { FIXTURES, SHELL_EXE, makeHome } from "./lib/env.mjs";
import { connectToolbox, startProcess } from "./lib/mcp.mjs";

const EVADE = path.join(FIXTURES, "evade-shells.py");
// Not a PATH lookup: a pyenv shim in front of python is itself a bash script.
const PY = "/usr/bin/python3";
const SHELL = path.basename(SHELL_EXE); // what /bin/sh is: "dash"
const SCRIPT = "sleep 0.5; echo $0"; // as the fixture's: $0 is the tag

let home, agent, box, dir, busybox;

before(async () => {
	home = makeHome();
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: 2 } }) });
	box = await connectToolbox({ env: { HOME: home.home } });
	dir = mkdtempSync(path.join(os.tmpdir(), "mw-e2e-shells-"));
	execFileSync(PY, [EVADE, "prepare", dir]);
	busybox = existsSync(path.join(dir, "ash")) ? realpathSync(path.join(dir, "ash")) : null;
});

after(async () => {
	await box?.close();
	await agent?.stop();
	home?.cleanup();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

const direct = (name, tag) => ({ file: path.join(dir, name), args: ["-c", SCRIPT, tag] });
const viaPython = (...args) => ({ file: PY, args: [EVADE, ...args] });
const ofTag = (tag) => (r) => r.server?.pid === box.pid && cmdlineText(r.process?.cmdline).includes(tag);

// Runs one variant through the server's tool; returns its shell-spawn alert.
async function shellVariant(tag, call, rule = "mcp-shell-spawn") {
	const from = agent.mark();
	const out = await box.call("exec_file", call);
	assert.match(out, new RegExp(`^${tag}$`, "m"), `the ${tag} shell ran (its output)`);
	const alert = await agent.waitAlert(rule, ofTag(tag), 10000, `${tag} run by toolbox pid ${box.pid}`, from);
	return { alert, from };
}

const variants = [
	{
		tag: "v-copy",
		what: "a renamed copy of /bin/sh: by content",
		call: () => direct("notashell", "v-copy"),
		want: () => ({ "process.exe": path.join(dir, "notashell"), "process.exe_identity": "hash", "process.exe_match": SHELL }),
	},
	{
		tag: "v-hardlink",
		what: "a hard link to /bin/sh under another name: by inode",
		call: () => direct("hardlink", "v-hardlink"),
		want: () => ({ "process.exe": path.join(dir, "hardlink"), "process.exe_identity": "inode", "process.exe_match": SHELL }),
	},
	{
		tag: "v-symlink",
		what: "a symlink with another name: the target's inode",
		call: () => direct("notsh", "v-symlink"),
		want: () => ({ "process.exe": SHELL_EXE, "process.exe_identity": "inode", "process.exe_match": SHELL }),
	},
	{
		tag: "v-argv0",
		what: "exec -a (argv[0] no shell's name): by inode",
		call: () => viaPython("run", SHELL_EXE, "notsh-a", "v-argv0"),
		want: () => ({
			"process.exe": SHELL_EXE,
			"process.exe_identity": "inode",
			"process.exe_match": SHELL,
			"process.cmdline": (v) => cmdlineText(v).startsWith("notsh-a -c"),
		}),
	},
	{
		tag: "v-pyexec",
		what: "an interpreter that execs itself into a renamed copy: by content",
		call: () => viaPython("run", path.join(dir, "notashell"), "notashell", "v-pyexec"),
		want: () => ({ "process.exe": path.join(dir, "notashell"), "process.exe_identity": "hash", "process.exe_match": SHELL }),
	},
	{
		tag: "v-memfd",
		what: "a copy in a memfd run by fexecve: by content, anonymous, through an fd",
		call: () => viaPython("memfd", SHELL_EXE, "notsh-m", "v-memfd"),
		shape: false, // a memfd has no path: process.exe is ""
		anonymous: true,
		want: () => ({
			"process.exe": "",
			"process.exe_identity": "hash",
			"process.exe_match": SHELL,
			"process.exe_anonymous": true,
			"process.exe_via_fd": true,
		}),
	},
	{
		tag: "v-fd",
		what: "execveat through an fd of the real shell: by inode, through an fd",
		call: () => viaPython("fd", SHELL_EXE, "notsh-f", "v-fd"),
		anonymous: true,
		want: () => ({
			"process.exe": SHELL_EXE,
			"process.exe_identity": "inode",
			"process.exe_match": SHELL,
			"process.exe_via_fd": true,
			"process.exe_anonymous": undefined,
		}),
	},
	{
		tag: "v-byname",
		what: "a modified shell copy called sh: by name only",
		call: () => direct("sh", "v-byname"),
		want: () => ({ "process.exe": path.join(dir, "sh"), "process.exe_identity": "name", "process.exe_match": "sh" }),
	},
	{
		tag: "v-busybox",
		what: "a busybox applet symlink named ash: busybox's inode, applet ash",
		busybox: true,
		call: () => direct("ash", "v-busybox"),
		want: () => ({ "process.exe": busybox, "process.exe_identity": "inode", "process.exe_match": "ash" }),
	},
	{
		tag: "v-bbcopy",
		what: "a renamed busybox copy run as sh: by content, applet sh",
		busybox: true,
		call: () => viaPython("run", path.join(dir, "bbcopy"), "sh", "v-bbcopy"),
		want: () => ({ "process.exe": path.join(dir, "bbcopy"), "process.exe_identity": "hash", "process.exe_match": "sh" }),
	},
];

for (const v of variants) {
	test(`${v.what}: mcp-shell-spawn (${v.tag})`, async (t) => {
		if (v.busybox && !busybox) {
			t.skip("busybox is not installed on this host");
			return;
		}
		const { alert, from } = await shellVariant(v.tag, v.call());
		if (v.shape !== false) expectAlertShape(alert, `${v.tag} alert`);
		expectFields(
			alert,
			{
				"rule.severity": "critical",
				"server.pid": box.pid,
				"server.name": "toolbox-fixture",
				...v.want(),
			},
			`${v.tag} mcp-shell-spawn alert`
		);
		if (v.anonymous) {
			const anon = await agent.waitAlert("mcp-anonymous-exec", ofTag(v.tag), 10000, `${v.tag} anonymous exec`, from);
			expectFields(anon, { "rule.severity": "critical", "server.pid": box.pid, ...v.want() }, `${v.tag} mcp-anonymous-exec alert`);
		}
	});
}

test("only the memfd and fd runs raised mcp-anonymous-exec", async () => {
	const anon = agent.alertsSince(0).filter((r) => r.rule?.id === "mcp-anonymous-exec" && r.server?.pid === box.pid);
	const tags = anon.map((r) => cmdlineText(r.process?.cmdline).split(" ").pop()).sort();
	assert.deepEqual(tags, ["v-fd", "v-memfd"], `mcp-anonymous-exec alerts: ${anon.map((r) => JSON.stringify(r)).join("\n")}`);
});

// Limitation (README): a shell whose bytes are not the host's (patched, rebuilt,
// another version) under a name that is no shell's is neither inode, hash nor
// name: nothing recognises it. Asserted so the test fails if that changes.
test("limitation: a modified shell copy under another name raises nothing", async () => {
	const from = agent.mark();
	const out = await box.call("exec_file", direct("modified", "v-modified"));
	assert.match(out, /^v-modified$/m, "the modified copy ran");
	// The agent watches the whole host: only this server's tree counts.
	const mine = (await alertsAfterQuiet(agent, from)).filter((r) => r.server?.pid === box.pid);
	assertNoAlerts(mine, "for a modified shell copy named `modified` (limitation)");
});

test("every variant run by a program that is no MCP server: no alert", async () => {
	const from = agent.mark();
	const p = await startProcess({ command: PY, args: [EVADE, "all", dir], readyLine: /evade-shells all done/, timeoutMs: 60000 });
	try {
		// The agent watches the whole host (other programs may run servers
		// meanwhile): an alert about these runs names the variant's tag or
		// this program, or runs a file from the copies' directory.
		const ours = (r) =>
			r.server?.pid === p.pid ||
			r.process?.pid === p.pid ||
			/\bv-[a-z0-9]+\b/.test(cmdlineText(r.process?.cmdline)) ||
			String(r.process?.exe ?? "").startsWith(dir);
		const alerts = await alertsAfterQuiet(agent, from);
		assertNoAlerts(alerts.filter(ours), `for evade-shells.py all (pid ${p.pid}), not an MCP server`);
	} finally {
		await p.stop();
	}
});
