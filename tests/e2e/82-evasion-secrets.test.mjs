// Issue 11, class 2: a credential file read through another path than its
// own. A real MCP server (the toolbox, driven by the SDK client) reads
// ~/.ssh/id_rsa through a symlink, a hard link, a bind mount of ~/.ssh,
// /proc/<pid>/root, openat2 (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), openat on
// a directory fd, and a child `cat` — each raises mcp-sensitive-file with
// file.match saying how it was recognised ("path": the resolved path is the
// secret's; "inode": the file is the secret under another name) and
// file.canonical_path naming the secret. The same reads by a program that is
// not an MCP server raise nothing; a hard link to a harmless file raises
// nothing. The limitations are asserted as they are: open_by_handle_at and
// a copy of the content are not recognised; a secret created after the
// agent's last look is known by inode only from the next one (SIGHUP here).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, linkSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { FIXTURES, makeHome, sleep } from "./lib/env.mjs";
import { connectToolbox, startProcess } from "./lib/mcp.mjs";

const PYTHON = "/usr/bin/python3";
const EVADE = path.join(FIXTURES, "evade-secrets.py");
const RULE = "mcp-sensitive-file";
// The agent's verbose line for each look at the credential files.
const LEARNT = /credential files by inode: \d+ files/;

let home, agent, box, work, hardLink, mnt;
let mounted = false;

function devText(dev) {
	// glibc's st_dev encoding, as major:minor.
	const major = ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
	const minor = (dev & 0xff) | ((dev >>> 12) & 0xfff00);
	return `${major}:${minor}`;
}

before(async () => {
	home = makeHome();
	work = path.join(home.dir, "work");
	mkdirSync(work);
	// Same file system as the home: a hard link is the same inode.
	hardLink = path.join(work, "innocent.txt");
	linkSync(home.idRsa, hardLink);
	mnt = path.join(work, "mnt");
	mkdirSync(mnt);
	execFileSync("mount", ["--bind", home.sshDir, mnt]);
	mounted = true;
	agent = await startAgent({
		// The test home is where the agent looks for credential files; no
		// posture daemon, whose grade-drop alerts would cross the negatives.
		config: home.writeJson("config.json", { alerts: { aggregate_window_s: 0 }, posture: { enabled: false, home_dirs: [home.home] } }),
		args: ["-v"],
	});
	box = await connectToolbox({ env: { HOME: home.home } });
});

after(async () => {
	await box?.close();
	await agent?.stop();
	if (mounted) execFileSync("umount", [mnt]);
	home?.cleanup();
});

// Runs the fixture's variant in the server tree (toolbox exec_file: no shell).
async function evade(variant, arg) {
	const args = [EVADE, variant, home.home];
	if (arg) args.push(arg);
	assert.match(await box.call("exec_file", { file: PYTHON, args }), /read \d+ bytes/, `${variant} read nothing`);
}

// The alert of one read: path as opened, match, canonical path and identity.
async function expectRead(what, from, { path: opened, match, exe, canonical = home.idRsa }) {
	const st = statSync(canonical);
	const alert = await agent.waitAlert(RULE, (r) => r.server?.pid === box.pid && r.file?.path === opened, 10000, what, from);
	expectAlertShape(alert, what);
	expectFields(
		alert,
		{
			"server.pid": box.pid,
			"process.exe": exe,
			"file.path": opened,
			"file.canonical_path": canonical,
			"file.match": match,
			"file.inode": st.ino,
			"file.device": devText(st.dev),
			"file.result": (v) => Number.isInteger(v) && v >= 0,
		},
		what
	);
	assert.ok(!JSON.stringify(alert).includes("PRIVATE KEY"), `${what}: the alert leaks the key`);
	return alert;
}

// The sensitive-file alerts of the toolbox since from, after a quiet spell.
async function boxSecretAlerts(from) {
	return (await alertsAfterQuiet(agent, from)).filter((r) => r.server?.pid === box.pid && r.rule?.id === RULE);
}

test("the agent learnt the test home's credential files", () => {
	assert.ok(agent.ready.secret_inodes >= 2, `ready.secret_inodes: ${JSON.stringify(agent.ready)}`);
	assert.equal(agent.ready.open_filter, true, "the default rules keep the open filter on");
});

test("resolved paths: symlink, /proc/<pid>/root, openat2, openat on a dirfd -> file.match path", async () => {
	const python = execFileSync("readlink", ["-f", PYTHON], { encoding: "utf8" }).trim();
	for (const variant of ["symlink", "proc-root", "openat2", "dirfd"]) {
		const from = agent.mark();
		await evade(variant, variant === "symlink" ? work : undefined);
		await expectRead(`${variant} read of id_rsa`, from, { path: home.idRsa, match: "path", exe: python });
	}
});

test("hard link and bind mount, by the server and by a child -> file.match inode", async () => {
	const python = execFileSync("readlink", ["-f", PYTHON], { encoding: "utf8" }).trim();
	// The server process itself (node's readFile), through the hard link.
	let from = agent.mark();
	await box.call("read", { path: hardLink });
	await expectRead("toolbox read of a hard link", from, { path: hardLink, match: "inode", exe: process.execPath });

	from = agent.mark();
	await evade("path", hardLink);
	await expectRead("python read of a hard link", from, { path: hardLink, match: "inode", exe: python });

	const viaMount = path.join(mnt, "id_rsa");
	from = agent.mark();
	await evade("path", viaMount);
	await expectRead("read through a bind mount of ~/.ssh", from, { path: viaMount, match: "inode", exe: python });

	from = agent.mark();
	await evade("child", hardLink);
	await expectRead("a child cat of the hard link", from, { path: hardLink, match: "inode", exe: "/usr/bin/cat" });
});

test("negatives: a non-MCP program doing every variant, a harmless file hard-linked", async () => {
	let from = agent.mark();
	const p = await startProcess({ command: PYTHON, args: [EVADE, "all", home.home, hardLink], readyLine: /evade-secrets done all/ });
	try {
		assertNoAlerts(await alertsAfterQuiet(agent, from), `for a non-MCP program doing every variant (pid ${p.pid})`);
	} finally {
		await p.stop();
	}

	const readmeLink = path.join(work, "readme.txt");
	linkSync(home.readme, readmeLink);
	from = agent.mark();
	await evade("path", readmeLink);
	await box.call("read", { path: readmeLink });
	assertNoAlerts(await alertsAfterQuiet(agent, from), "for a hard link to README.md read by the server");
});

test("limitation: open_by_handle_at and a copy made outside the tree are not recognised", async () => {
	// open_by_handle_at goes through none of the hooked open paths (any backend).
	let from = agent.mark();
	await evade("handle");
	let mine = await boxSecretAlerts(from);
	assert.equal(mine.length, 0, `open_by_handle_at is now seen (${agent.ready.file_backend}): update README Limitations\n${mine.map((r) => JSON.stringify(r)).join("\n")}`);

	// A copy is a new inode with an innocent name.
	const copy = path.join(work, "copy.txt");
	copyFileSync(home.idRsa, copy);
	from = agent.mark();
	await evade("path", copy);
	mine = await boxSecretAlerts(from);
	assert.equal(mine.length, 0, `a copy is now recognised: update README Limitations\n${mine.map((r) => JSON.stringify(r)).join("\n")}`);
});

test("a secret created after the last look: by path only until the next one (SIGHUP)", async () => {
	let fresh, link, missed;
	// A periodic look (every 30 s) between creating and reading would learn it
	// early; then try again with another file.
	for (let attempt = 0; attempt < 3 && missed === undefined; attempt++) {
		const looks = agent.stderr.filter((l) => LEARNT.test(l)).length;
		fresh = path.join(home.sshDir, `id_new${attempt}`);
		link = path.join(work, `later${attempt}.txt`);
		writeFileSync(fresh, "-----BEGIN OPENSSH PRIVATE KEY-----\nnew\n", { mode: 0o600 });
		linkSync(fresh, link);
		const from = agent.mark();
		await evade("path", link);
		const mine = await boxSecretAlerts(from);
		if (agent.stderr.filter((l) => LEARNT.test(l)).length === looks) missed = mine;
	}
	assert.ok(missed !== undefined, "the agent looked at the credential files during every attempt");
	assert.equal(missed.length, 0, `a secret newer than the last look is recognised by inode: update README\n${missed.map((r) => JSON.stringify(r)).join("\n")}`);

	const before = agent.mark();
	agent.child.kill("SIGHUP");
	await agent.waitFor((r) => r.kind === "agent" && r.event === "reload" && r.ok === true, 15000, "the reload record", before);
	await sleep(100);
	const from = agent.mark();
	await evade("path", link);
	const python = execFileSync("readlink", ["-f", PYTHON], { encoding: "utf8" }).trim();
	await expectRead("read of a hard link to a secret learnt at the reload", from, { path: link, match: "inode", exe: python, canonical: fresh });
});
