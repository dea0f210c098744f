// 8. Formats: real native records — a recorded agent run (tests/data/records)
// and a live one (shell spawn, credential file, plaintext listener, posture,
// agent records) — go through `mcpwatch format --format ocsf|ecs|falco`, and
// every output is validated with ajv against the JSON Schemas kept in
// tests/data/schemas (OCSF 1.3.0 Detection/Compliance Finding, ECS 8.11.0,
// Falco's JSON output), then its key fields are checked against the record.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { startAgent } from "./lib/agent.mjs";
import { BIN, ROOT, makeHome } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";
import { freePort } from "./lib/net.mjs";

const SCHEMAS = path.join(ROOT, "tests/data/schemas");
const RECORDED = path.join(ROOT, "tests/data/records/native-sample.ndjson");

function loadValidators() {
	// strictRequired off: OCSF's at_least_one constraints are anyOf of required lists.
	const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
	addFormats(ajv);
	for (const f of readdirSync(SCHEMAS).filter((n) => n.endsWith(".json"))) ajv.addSchema(JSON.parse(readFileSync(path.join(SCHEMAS, f), "utf8")));
	const get = (name) => ajv.getSchema(`https://mcpwatch.invalid/schemas/${name}`);
	return {
		detection: get("ocsf-1.3.0-detection-finding.json"),
		compliance: get("ocsf-1.3.0-compliance-finding.json"),
		api: get("ocsf-1.3.0-api-activity.json"),
		ecs: get("ecs-8.11.0.json"),
		falco: get("falco-output.json"),
	};
}

const V = loadValidators();

function validate(validator, rec, what) {
	if (!validator(rec)) assert.fail(`${what} does not validate against ${validator.schema.$id}:\n${JSON.stringify(validator.errors, null, 1)}\n${JSON.stringify(rec)}`);
}

// Pipe native records through `mcpwatch format`; one output line per record.
function formatRecords(format, records) {
	const input = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
	const r = spawnSync(BIN, ["format", "--format", format], { input, encoding: "utf8", maxBuffer: 64 << 20 });
	assert.equal(r.status, 0, `mcpwatch format --format ${format} exited ${r.status}: ${r.stderr}`);
	const lines = r.stdout.split("\n").filter(Boolean);
	assert.equal(lines.length, records.length, `one line out per record in (${format})`);
	return lines.map((l) => JSON.parse(l));
}

const timeMs = (rfc3339) => Date.parse(rfc3339);
const SEVERITY_ID = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };
const FALCO_PRIORITY = { info: "Informational", low: "Notice", medium: "Warning", high: "Error", critical: "Critical" };

function checkOcsf(native, out, what) {
	if (native.kind === "agent") {
		assert.deepEqual(out, native, `${what}: agent records stay native in OCSF`);
		return;
	}
	if (native.kind === "tool_call") {
		// The audit record of one MCP request: OCSF API Activity, activity Other.
		validate(V.api, out, what);
		assert.equal(out.class_uid, 6003, what);
		assert.equal(out.type_uid, 600399, what);
		assert.equal(out.api.operation, native.mcp.method, what);
		assert.equal(out.api.request.uid, native.mcp.request.id, what);
		assert.equal(out.time, Math.floor(timeMs(native.time)), what);
		return;
	}
	const isAlert = native.kind === "alert";
	validate(isAlert ? V.detection : V.compliance, out, what);
	assert.equal(out.class_uid, isAlert ? 2004 : 2003, what);
	assert.equal(out.type_uid, isAlert ? 200401 : 200301, what);
	assert.equal(out.metadata.version, "1.3.0", what);
	assert.equal(out.metadata.product.name, "mcpwatch", what);
	assert.equal(out.time, Math.floor(timeMs(native.time)), what);
	assert.equal(out.device.hostname, native.host.name, what);
	if (!isAlert) {
		assert.deepEqual(out.compliance.standards, ["AgentGrade"], what);
		return;
	}
	assert.equal(out.severity_id, SEVERITY_ID[native.rule.severity], what);
	assert.equal(out.finding_info.title, native.rule.name, what);
	assert.deepEqual(out.finding_info.types, [native.rule.id], what);
	assert.equal(out.finding_info.analytic.uid, native.rule.id, what);
	assert.equal(out.message, native.message, what);
	assert.deepEqual(out.unmapped.rule.tags, native.rule.tags, what);
	const ev = out.evidences?.[0];
	if (native.process) {
		assert.equal(ev.process.pid, native.process.pid, what);
		assert.equal(ev.process.cmd_line, native.process.cmdline, what);
		assert.equal(ev.process.file.path, native.process.exe, what);
		assert.equal(ev.process.user.uid, String(native.process.uid), what);
	}
	if (native.file) assert.equal(ev.file.path, native.file.path, what);
	if (native.network?.local_addr) assert.deepEqual(ev.dst_endpoint, { ip: native.network.local_addr, port: native.network.local_port }, what);
	if (native.container) assert.equal(out.container.uid, native.container.id, what);
}

function checkEcs(native, out, what) {
	validate(V.ecs, out, what);
	assert.equal(out.ecs.version, "8.11.0", what);
	assert.equal(Date.parse(out["@timestamp"]), timeMs(native.time), what);
	assert.equal(out.host.name, native.host.name, what);
	assert.equal(out.event.kind, { alert: "alert", posture: "state", agent: "event", tool_call: "event" }[native.kind], what);
	assert.equal(out.event.dataset, `mcpwatch.${native.kind}`, what);
	if (native.kind === "tool_call") assert.deepEqual(out.event.category, ["api"], what);
	if (native.kind !== "alert") return;
	assert.equal(out.rule.id, native.rule.id, what);
	assert.equal(out.event.severity, SEVERITY_ID[native.rule.severity], what);
	assert.deepEqual(out.tags, native.rule.tags, what);
	if (native.process) {
		assert.equal(out.process.pid, native.process.pid, what);
		assert.equal(out.process.executable, native.process.exe, what);
		assert.equal(out.process.command_line, native.process.cmdline, what);
	}
	if (native.file) {
		assert.deepEqual(out.event.category, ["file"], what);
		assert.equal(out.file.path, native.file.path, what);
	}
	if (native.network?.local_addr) {
		assert.deepEqual(out.event.category, ["network"], what);
		assert.deepEqual(out.destination, { ip: native.network.local_addr, port: native.network.local_port }, what);
	}
	if (native.server) assert.deepEqual(out.mcpwatch.server, native.server, what);
}

function checkFalco(native, out, what) {
	if (native.kind !== "alert") {
		assert.deepEqual(out, native, `${what}: only alerts have a Falco form`);
		return;
	}
	validate(V.falco, out, what);
	assert.equal(out.rule, native.rule.name, what);
	assert.equal(out.priority, FALCO_PRIORITY[native.rule.severity], what);
	assert.equal(out.time, native.time, what);
	assert.equal(out.output, `${native.time}: ${out.priority} ${native.message}`, what);
	assert.equal(out.hostname, native.host.name, what);
	assert.equal(out.source, "mcpwatch", what);
	const f = out.output_fields;
	if (native.process) {
		assert.equal(f["proc.pid"], native.process.pid, what);
		assert.equal(f["proc.exepath"], native.process.exe, what);
		assert.equal(f["proc.cmdline"], native.process.cmdline, what);
	}
	if (native.file) assert.equal(f["fd.name"], native.file.path, what);
	if (native.network?.local_addr) assert.equal(f["fd.sport"], native.network.local_port, what);
	if (native.server) assert.equal(f["mcp.server.name"], native.server.name, what);
}

// Every record in every format; returns how many of each kind were checked.
function checkAllFormats(records, source) {
	const checks = { ocsf: checkOcsf, ecs: checkEcs, falco: checkFalco };
	for (const [format, check] of Object.entries(checks)) {
		const outs = formatRecords(format, records);
		outs.forEach((out, i) => check(records[i], out, `${source} record ${i} (${records[i].kind}${records[i].rule ? " " + records[i].rule.id : ""}) as ${format}`));
	}
	const native = formatRecords("native", records);
	assert.deepEqual(native, records, "native is the record as is");
}

function readNdjson(file) {
	return readFileSync(file, "utf8")
		.split("\n")
		.filter(Boolean)
		.map((l) => JSON.parse(l));
}

test("recorded agent records validate as OCSF 1.3.0, ECS 8.11.0 and Falco", () => {
	const records = readNdjson(RECORDED);
	const kinds = new Set(records.map((r) => (r.kind === "alert" ? `alert:${r.rule.id}` : `${r.kind}:${r.scope ?? r.event}`)));
	for (const k of ["alert:mcp-shell-spawn", "alert:mcp-sensitive-file", "alert:mcp-plaintext-listener", "posture:server", "posture:host", "agent:ready"])
		assert.ok(kinds.has(k), `the recorded sample has a ${k} record (has ${[...kinds].join(", ")})`);
	checkAllFormats(records, "recorded");
});

// A pod's container as the resolver names it (enrich/resolver): every format's container and
// Kubernetes fields, validated by the schemas (which forbid ECS kubernetes.*: not ECS).
const POD_ALERT = {
	kind: "alert",
	time: "2026-11-25T12:49:20.486102482Z",
	host: { name: "node-1" },
	rule: { id: "mcp-sensitive-file", name: "Credential or secret file opened by an MCP server", severity: "high", tags: ["mcp"] },
	message: "MCP server fs opened /etc/shadow",
	count: 1,
	server: { pid: 41, name: "fs", cmdline: "node fs.js", transport: "stdio", identified_by: "protocol" },
	process: { pid: 41, ppid: 1, uid: 0, exe: "/usr/bin/node", cmdline: "node fs.js", comm: "node" },
	file: { path: "/etc/shadow", flags: "O_RDONLY", result: 3 },
	container: {
		id: "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899",
		name: "mcp-fs",
		image: "registry.local:5000/team/mcp-fs:1.4",
		image_id: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		runtime: "containerd",
	},
	k8s: { pod: { name: "mcp-fs-7d9f8", uid: "5a1b2c3d-4e5f-6789-abcd-ef0123456789" }, namespace: "agents", node: { name: "node-1" }, container: { name: "mcp-fs" } },
};

test("container and Kubernetes names map to OCSF, ECS and Falco", () => {
	const call = {
		kind: "tool_call",
		time: POD_ALERT.time,
		host: POD_ALERT.host,
		server: POD_ALERT.server,
		process: POD_ALERT.process,
		container: POD_ALERT.container,
		k8s: POD_ALERT.k8s,
		mcp: { method: "tools/call", request: { id: "1" }, tool: { name: "read" }, transport: "stdio" },
		tool_call: { start: POD_ALERT.time, duration_ms: 3, outcome: "result", is_error: false, request_bytes: 10, response_bytes: 20 },
	};
	// A server's posture record, from the recorded run, as if the server ran in that pod.
	const posture = { ...readNdjson(RECORDED).find((r) => r.kind === "posture" && r.scope === "server"), container: POD_ALERT.container, k8s: POD_ALERT.k8s };
	checkAllFormats([POD_ALERT, call, posture], "pod");
	const [ocsfPosture] = formatRecords("ocsf", [posture]);
	const [ecsPosture] = formatRecords("ecs", [posture]);
	assert.equal(ocsfPosture.container.pod_uuid, POD_ALERT.k8s.pod.uid);
	assert.equal(ecsPosture.orchestrator.resource.name, "mcp-fs-7d9f8");
	assert.deepEqual(ecsPosture.mcpwatch.k8s, POD_ALERT.k8s);
	const [ocsf, ocsfCall] = formatRecords("ocsf", [POD_ALERT, call]);
	for (const o of [ocsf, ocsfCall]) {
		assert.deepEqual(o.container, {
			uid: POD_ALERT.container.id,
			name: "mcp-fs",
			runtime: "containerd",
			image: { uid: POD_ALERT.container.image_id, name: POD_ALERT.container.image },
			orchestrator: "Kubernetes",
			pod_uuid: POD_ALERT.k8s.pod.uid,
		});
		assert.deepEqual(o.unmapped.k8s, POD_ALERT.k8s, "the pod's name and namespace have no OCSF attribute");
	}
	assert.ok(ocsf.metadata.profiles.includes("container"));
	const [ecs, ecsCall] = formatRecords("ecs", [POD_ALERT, call]);
	for (const e of [ecs, ecsCall]) {
		assert.deepEqual(e.container, { id: POD_ALERT.container.id, name: "mcp-fs", image: { name: POD_ALERT.container.image }, runtime: "containerd" });
		assert.deepEqual(e.orchestrator, { type: "kubernetes", namespace: "agents", resource: { type: "pod", name: "mcp-fs-7d9f8" } });
		assert.equal(e.kubernetes, undefined);
		assert.deepEqual(e.mcpwatch.k8s, POD_ALERT.k8s);
	}
	const [falco] = formatRecords("falco", [POD_ALERT]);
	const f = falco.output_fields;
	assert.equal(f["container.id"], POD_ALERT.container.id);
	assert.equal(f["container.name"], "mcp-fs");
	assert.equal(f["container.type"], "containerd");
	assert.equal(f["container.image"], POD_ALERT.container.image);
	assert.equal(f["container.image.repository"], "registry.local:5000/team/mcp-fs");
	assert.equal(f["container.image.tag"], "1.4");
	assert.equal(f["k8s.pod.name"], "mcp-fs-7d9f8");
	assert.equal(f["k8s.pod.uid"], POD_ALERT.k8s.pod.uid);
	assert.equal(f["k8s.ns.name"], "agents");

	// What is not known is left out: a container known by its id alone.
	const bare = structuredClone(POD_ALERT);
	bare.container = { id: POD_ALERT.container.id, runtime: "docker" };
	delete bare.k8s;
	const [o2] = formatRecords("ocsf", [bare]);
	const [e2] = formatRecords("ecs", [bare]);
	const [f2] = formatRecords("falco", [bare]);
	validate(V.detection, o2, "bare container as OCSF");
	assert.deepEqual(o2.container, { uid: POD_ALERT.container.id, runtime: "docker" });
	assert.deepEqual(e2.container, { id: POD_ALERT.container.id, runtime: "docker" });
	assert.equal(e2.orchestrator, undefined);
	assert.equal(f2.output_fields["k8s.pod.name"], undefined);
	assert.equal(f2.output_fields["container.name"], undefined);

	// The schemas check these objects too.
	const broken = structuredClone(ocsf);
	delete broken.container.image.uid;
	assert.equal(V.detection(broken), false, "an OCSF image without uid");
	const badPod = structuredClone(ocsf);
	badPod.container.pod_uuid = "mcp-fs-7d9f8";
	assert.equal(V.detection(badPod), false, "an OCSF pod_uuid that is not a uuid");
	const k8sEcs = structuredClone(ecs);
	k8sEcs.kubernetes = { pod: { name: "x" } };
	assert.equal(V.ecs(k8sEcs), false, "ECS has no kubernetes.* fields");
});

test("the schemas reject records that break them (they are not vacuous)", () => {
	const alert = readNdjson(RECORDED).find((r) => r.kind === "alert" && r.network);
	const [ocsf] = formatRecords("ocsf", [alert]);
	const [ecs] = formatRecords("ecs", [alert]);
	const [falco] = formatRecords("falco", [alert]);
	const broken = (rec, edit) => {
		const copy = structuredClone(rec);
		edit(copy);
		return copy;
	};
	const bad = [
		[V.detection, broken(ocsf, (r) => delete r.finding_info.uid), "finding_info.uid missing"],
		[V.detection, broken(ocsf, (r) => delete r.metadata.product.vendor_name), "metadata.product.vendor_name missing"],
		[V.detection, broken(ocsf, (r) => (r.class_uid = 2003)), "class_uid 2003"],
		[V.detection, broken(ocsf, (r) => (r.time = "2026-01-01")), "time as text"],
		[V.detection, broken(ocsf, (r) => (r.severity_id = 7)), "severity_id 7"],
		[V.detection, broken(ocsf, (r) => (r.evidences[0].process.pid = "1")), "process.pid as text"],
		[V.detection, broken(ocsf, (r) => delete r.evidences[0].process.pid), "process without pid or uid"],
		[V.detection, broken(ocsf, (r) => (r.evidences[0].dst_endpoint.ip = "not-an-ip")), "endpoint ip not an address"],
		[V.detection, broken(ocsf, (r) => (r.evidences[0].dst_endpoint.port = 70000)), "port out of range"],
		[V.detection, broken(ocsf, (r) => delete r.evidences[0].process.file.type_id), "file without type_id"],
		[V.compliance, ocsf, "a Detection Finding is no Compliance Finding"],
		[V.ecs, broken(ecs, (r) => delete r.ecs.version), "ecs.version missing"],
		[V.ecs, broken(ecs, (r) => (r.event.kind = "finding")), "event.kind not allowed"],
		[V.ecs, broken(ecs, (r) => (r.event.category = "network")), "event.category not an array"],
		[V.ecs, broken(ecs, (r) => (r.destination.ip = "localhost")), "destination.ip not an address"],
		[V.ecs, broken(ecs, (r) => (r["@timestamp"] = "yesterday")), "@timestamp not a date"],
		[V.falco, broken(falco, (r) => (r.priority = "High")), "priority not a Falco name"],
		[V.falco, broken(falco, (r) => delete r.output_fields), "output_fields missing"],
	];
	for (const [validator, rec, what] of bad) assert.equal(validator(rec), false, `${validator.schema.$id} accepts a record with ${what}`);
});

test("mcpwatch format: usage errors exit 2, bad lines are reported and skipped (exit 1)", () => {
	let r = spawnSync(BIN, ["format", "--format", "cef"], { input: "", encoding: "utf8" });
	assert.equal(r.status, 2);
	assert.match(r.stderr, /--format native\|ocsf\|ecs\|falco/);
	const good = JSON.stringify(readNdjson(RECORDED)[0]);
	r = spawnSync(BIN, ["format", "--format=ecs"], { input: `${good}\nnot json\n\n[1]\n${good}\n`, encoding: "utf8" });
	assert.equal(r.status, 1, r.stderr);
	assert.match(r.stderr, /stdin:2: not a JSON object/);
	assert.match(r.stderr, /stdin:4: not a JSON object/);
	assert.equal(r.stdout.split("\n").filter(Boolean).length, 2);
});

let home, agent, box;

before(async () => {
	home = makeHome();
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: 2 }, audit: { tool_calls: true } }) });
	box = await connectToolbox({ env: { HOME: home.home } });
});

after(async () => {
	await box?.close();
	await agent?.stop();
	home?.cleanup();
});

test("a live run's alerts, posture and agent records validate in every format", async () => {
	const from = agent.mark();
	const port = await freePort();
	await box.call("run", { command: "id" });
	await box.call("read", { path: home.idRsa }).catch(() => {});
	await box.call("listen", { host: "0.0.0.0", port });
	const mine = (id) => agent.waitAlert(id, (r) => r.server?.pid === box.pid, 15000, `${id} from toolbox pid ${box.pid}`, from);
	await Promise.all(["mcp-shell-spawn", "mcp-sensitive-file", "mcp-plaintext-listener"].map(mine));
	await agent.waitFor((r) => r.kind === "posture" && r.scope === "server" && r.server?.pid === box.pid, 30000, `posture of toolbox pid ${box.pid}`, from);
	await box.close();
	box = null;
	await agent.stop();
	const records = agent.records.map(({ _seq, ...r }) => r);
	assert.ok(records.some((r) => r.kind === "agent" && r.event === "stopping"), "the stopping record is on the stream");
	assert.ok(records.some((r) => r.kind === "posture" && r.scope === "host"), "a host posture record is on the stream");
	assert.ok(records.some((r) => r.kind === "tool_call" && r.mcp?.tool?.name === "run"), "the audit record of the run call is on the stream");
	assert.ok(records.some((r) => r.kind === "alert" && r.mcp?.tool?.name === "run"), "an alert carries the call in flight");
	checkAllFormats(records, "live");
});
