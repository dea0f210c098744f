// 2. server-filesystem reading a private key raises mcp-sensitive-file;
// public key and README raise nothing; a burst of reads is aggregated.
// 3. The same server launched through npx: the launch raises nothing and the
// alert names the node server process, not npx.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, cmdlineText, expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { FS_SERVER, descendants, makeHome, pinnedVersion, poll, readCmdline, readExe } from "./lib/env.mjs";
import { connectStdio } from "./lib/mcp.mjs";

const WINDOW_S = 2;
let home, agent;
const sessions = [];

before(async () => {
	home = makeHome();
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: WINDOW_S } }) });
});

after(async () => {
	for (const s of sessions) await s.close();
	await agent?.stop();
	home?.cleanup();
});

async function startFilesystem() {
	const s = await connectStdio({ args: [FS_SERVER, home.home], env: { HOME: home.home } });
	sessions.push(s);
	return s;
}

// The read tool this server version offers (read_text_file replaced read_file).
async function readTool(s) {
	const { tools } = await s.client.listTools();
	const names = tools.map((t) => t.name);
	if (names.includes("read_text_file")) return "read_text_file";
	assert.ok(names.includes("read_file"), `no read tool in ${names.join(",")}`);
	return "read_file";
}

function expectSensitiveFile(alert, s, serverPid, what) {
	expectAlertShape(alert, what);
	expectFields(
		alert,
		{
			"rule.id": "mcp-sensitive-file",
			"rule.severity": "high",
			"server.pid": serverPid,
			"server.name": s.serverInfo.name,
			"process.pid": serverPid,
			"process.exe": process.execPath,
			"file.path": home.idRsa,
			// Node's fs.readFile: open(path, O_RDONLY) and libuv adds O_CLOEXEC.
			"file.flags": "O_RDONLY|O_CLOEXEC",
			// A successful open: the result is the file descriptor.
			"file.result": (v) => Number.isInteger(v) && v >= 0,
			message: (v) => typeof v === "string" && v.includes(home.idRsa),
		},
		what
	);
	// Alerts never carry secrets.
	assert.ok(!JSON.stringify(alert).includes("PRIVATE KEY"), `${what} leaks the key's content`);
}

test("reading ~/.ssh/id_rsa raises mcp-sensitive-file; id_rsa.pub and README.md do not", async () => {
	const s = await startFilesystem();
	const tool = await readTool(s);
	assert.equal(s.serverInfo.name, "secure-filesystem-server");

	let from = agent.mark();
	await s.call(tool, { path: home.idRsaPub });
	await s.call(tool, { path: home.readme });
	assertNoAlerts(await alertsAfterQuiet(agent, from), "for reading id_rsa.pub and README.md");

	from = agent.mark();
	assert.match(await s.call(tool, { path: home.idRsa }), /BEGIN OPENSSH PRIVATE KEY/);
	const alert = await agent.waitAlert("mcp-sensitive-file", (r) => r.server?.pid === s.pid, 10000, `read of ${home.idRsa} by pid ${s.pid}`, from);
	expectSensitiveFile(alert, s, s.pid, "mcp-sensitive-file alert");
	expectFields(
		alert,
		{
			count: 1,
			"server.cmdline": (v) => cmdlineText(v).includes("server-filesystem"),
			"process.cmdline": (v) => cmdlineText(v).includes("server-filesystem/dist/index.js"),
		},
		"mcp-sensitive-file alert"
	);
	// The posture grade may drop too (mcp-posture-drop): that is another rule's record.
	const mine = (await alertsAfterQuiet(agent, from, WINDOW_S * 1000 + 1000)).filter(
		(r) => r.server?.pid === s.pid && r.rule?.id === "mcp-sensitive-file"
	);
	assert.equal(mine.length, 1, `one read, one record expected; got:\n${mine.map((r) => JSON.stringify(r)).join("\n")}`);
});

test(`20 reads of id_rsa in a row are aggregated (aggregate_window_s ${WINDOW_S})`, async () => {
	const s = await startFilesystem();
	const tool = await readTool(s);
	const from = agent.mark();
	for (let i = 0; i < 20; i++) await s.call(tool, { path: home.idRsa });
	const agg = await agent.waitAlert(
		"mcp-sensitive-file",
		(r) => r.server?.pid === s.pid && r.count > 1,
		WINDOW_S * 1000 + 8000,
		`an aggregated record (count > 1) for 20 reads by pid ${s.pid}`,
		from
	);
	expectSensitiveFile(agg, s, s.pid, "aggregated mcp-sensitive-file alert");
	const all = (await alertsAfterQuiet(agent, from, WINDOW_S * 1000 + 500)).filter((r) => r.server?.pid === s.pid);
	// Each read is also a tool call naming a credential path (mcp-tool-input-injection,
	// aggregated the same way); nothing else may fire.
	const mine = all.filter((r) => r.rule?.id === "mcp-sensitive-file");
	const calls = all.filter((r) => r.rule?.id === "mcp-tool-input-injection");
	const counts = mine.map((r) => r.count);
	assert.ok(mine.length <= 3, `20 reads gave ${mine.length} records (counts ${counts}), expected at most a couple`);
	assert.ok(calls.length <= 3, `20 calls gave ${calls.length} input-injection records, expected at most a couple`);
	assert.equal(mine.length + calls.length, all.length, `unexpected records:\n${all.map((r) => JSON.stringify(r)).join("\n")}`);
	assert.ok(
		mine.every((r) => r.file?.path === home.idRsa) && calls.every((r) => r.mcp?.tool?.name === tool),
		`unexpected records:\n${all.map((r) => JSON.stringify(r)).join("\n")}`
	);
	const total = counts.reduce((a, b) => a + b, 0);
	assert.ok(total >= 20 && total <= 21, `counts ${JSON.stringify(counts)} sum to ${total}; they should account for all 20 reads`);
});

test("launched through npx: no alert for the launch, the read names the node server", async () => {
	const version = pinnedVersion("@modelcontextprotocol/server-filesystem");
	const from = agent.mark();
	const s = await connectStdio({
		command: "npx",
		args: ["-y", `@modelcontextprotocol/server-filesystem@${version}`, home.home],
		// The local node_modules satisfies the spec; an unreachable loopback
		// registry guarantees nothing is fetched from the network.
		env: {
			HOME: home.home,
			npm_config_registry: "http://127.0.0.1:9/",
			npm_config_update_notifier: "false",
			npm_config_audit: "false",
			npm_config_fund: "false",
			npm_config_cache: `${home.dir}/npm-cache`,
		},
	});
	sessions.push(s);
	const npxPid = s.pid;
	// npx (node) → sh -c mcp-server-filesystem → node .bin/mcp-server-filesystem
	const serverPid = await poll(
		() => descendants(npxPid).find((p) => readExe(p) === process.execPath && cmdlineText(readCmdline(p)).includes("mcp-server-filesystem")),
		5000,
		`the node server under npx pid ${npxPid}`
	);
	const serverPpid = Number(readFileSync(`/proc/${serverPid}/stat`, "utf8").split(") ")[1].split(" ")[1]);
	const serverParentExe = readExe(serverPpid);
	assert.notEqual(serverPid, npxPid);

	assertNoAlerts(await alertsAfterQuiet(agent, from), `for launching the server through npx (npx pid ${npxPid}, server pid ${serverPid})`);

	const tool = await readTool(s);
	const from2 = agent.mark();
	await s.call(tool, { path: home.idRsa });
	const alert = await agent.waitAlert("mcp-sensitive-file", (r) => r.file?.path === home.idRsa, 10000, `read of ${home.idRsa} by the npx-launched server`, from2);
	expectSensitiveFile(alert, s, serverPid, `mcp-sensitive-file alert (npx pid ${npxPid}, server pid ${serverPid})`);
	expectFields(alert, { "process.ppid": serverPpid, "process.parent.pid": serverPpid, "process.parent.exe": serverParentExe }, "npx alert lineage");
});
