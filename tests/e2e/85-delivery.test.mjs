// 85. Delivery to real receivers: one agent with every network sink at once
// (webhook, Splunk HEC, Elasticsearch _bulk, Falcosidekick, syslog over UDP
// and TCP into a real rsyslogd), plus a stdout output for the harness. Ten
// distinct mcp-shell-spawn alerts must reach each receiver in the form it
// expects, with its credentials, in order; 4xx answers drop (and say so),
// 5xx and 429 are retried; secrets are masked before any output and in the
// spool.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { cmdlineText, startAgent } from "./lib/agent.mjs";
import { makeHome, poll, sleep } from "./lib/env.mjs";
import { connectToolbox } from "./lib/mcp.mjs";
import { firstArrivals, makeTestPki, ndjsonLines, readTree, requestsWith, startHttpReceiver, startRsyslog, waitForTags } from "./lib/receiver.mjs";

const N = 10;
const RUN = `${process.pid}x${Date.now().toString(36)}`;
// "dlv<run>n<i>z": the trailing z keeps n1 from matching n10.
const tag = (i, kind = "n") => `dlv${RUN}${kind}${i}z`;
const TAGS = Array.from({ length: N }, (_, i) => tag(i));

const TOKENS = {
	hook: "e2e-hook-token-Zq81xKp0s",
	hec: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
	es: "ZTJlLWVzLWFwaS1rZXk6c2VjcmV0",
	falco: "e2e-falco-token-Ux7mM2",
	rej: "e2e-rej-token-Lm4Q",
	sec: "e2e-sec-token-Pw9T",
};
const DATA_STREAM = "logs-mcpwatch-e2e";
const SECRET_PASSWORD = "hunter2-secret";
const SECRET_GHP = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";

let home, agent, box, syslog;
const rx = {};
const produced = []; // the stdout alerts of TAGS, in production order

function shellAlert(t) {
	return (r) => r.kind === "alert" && r.rule?.id === "mcp-shell-spawn" && r.server?.pid === box.pid && cmdlineText(r.process?.cmdline).includes(t);
}

// Run `echo <t>` in the toolbox and wait for its alert on stdout.
async function produce(t, extra = "") {
	const from = agent.mark();
	await box.call("run", { command: `echo ${t}${extra}` });
	return agent.waitFor(shellAlert(t), 10000, `the mcp-shell-spawn alert for "echo ${t}" on stdout`, from);
}

function everythingTheAgentSaid() {
	return agent.records.map((r) => JSON.stringify(r)).join("\n") + "\n" + agent.stderr.join("\n") + "\n" + agent.badLines.join("\n");
}

// Wait until a receiver has got the agent's ready record: connected, and the
// start-up records are out of the way before a test scripts answers.
async function waitStartupDelivered(r, name) {
	await poll(async () => (await r.requests()).some((q) => typeof q.body === "string" && q.body.includes('"ready"')), 15000, `the ready record at the ${name} receiver`);
}

before(async () => {
	home = makeHome();
	const tok = {};
	for (const [k, v] of Object.entries(TOKENS)) tok[k] = home.writeText(`${k}.token`, v + "\n");
	for (const k of Object.keys(TOKENS)) rx[k] = await startHttpReceiver();
	// HTTPS with a CA made here: one receiver the agent trusts (and shows a
	// client certificate to), one it must not (verified against another CA).
	const pki = makeTestPki(path.join(home.dir, "pki"));
	const serverTls = { cert: pki.server, key: pki.serverKey, caCert: pki.ca, ca: pki.ca };
	rx.tls = await startHttpReceiver({ tls: serverTls });
	rx.tlsbad = await startHttpReceiver({ tls: serverTls });
	syslog = await startRsyslog(home.dir);
	const fast = { batch_max_wait_ms: 200, retry_initial_ms: 100, retry_max_ms: 1000 };
	const config = {
		spool_dir: path.join(home.dir, "spool"),
		alerts: { aggregate_window_s: 0 },
		sensor: { lost_report_interval_s: 1 },
		posture: { enabled: false },
		outputs: [
			{ type: "stdout" },
			{ type: "webhook", name: "hook", format: "native", url: rx.hook.url("/ingest"), token_file: tok.hook, ...fast },
			{ type: "splunk_hec", name: "hec", format: "ecs", url: rx.hec.url("/"), token_file: tok.hec, gzip: true, ...fast },
			// Two records a batch, a long wait: the first alert batch is alerts 0 and 1.
			// The API key from the environment (token_env), the others from files.
			{ type: "elasticsearch", name: "es", format: "ecs", url: rx.es.url("/"), token_env: "MCPWATCH_E2E_ES_KEY", data_stream: DATA_STREAM, ...fast, batch_max_records: 2, batch_max_wait_ms: 2500 },
			{ type: "falcosidekick", name: "falco", format: "falco", url: rx.falco.url("/"), token_file: tok.falco, ...fast },
			{ type: "syslog", name: "sys-udp", format: "native", address: `udp://127.0.0.1:${syslog.udpPort}` },
			{ type: "syslog", name: "sys-tcp", format: "native", address: `tcp://127.0.0.1:${syslog.tcpPort}` },
			{ type: "webhook", name: "rej", url: rx.rej.url("/rej"), token_file: tok.rej, ...fast },
			{ type: "webhook", name: "sec", url: rx.sec.url("/sec"), token_file: tok.sec, ...fast },
			{ type: "webhook", name: "tls", url: rx.tls.url("/tls"), tls: { ca_file: pki.ca, client_cert: pki.client, client_key: pki.clientKey }, ...fast },
			{ type: "webhook", name: "tls-bad", url: rx.tlsbad.url("/tls-bad"), tls: { ca_file: pki.otherCa }, ...fast },
		],
	};
	agent = await startAgent({ config: home.writeJson("config.json", config), env: { MCPWATCH_E2E_ES_KEY: TOKENS.es } });
	for (const k of [...Object.keys(TOKENS), "tls"]) await waitStartupDelivered(rx[k], k);
	// The ES receiver: the first batch after this (alerts 0 and 1) gets
	// a partial failure, item 0 taken, item 1 "too many requests".
	await rx.es.script([{ status: 200, es_items: [201, 429] }]);
	box = await connectToolbox({ env: { HOME: home.home } });
	for (const t of TAGS) produced.push(await produce(t));
});

after(async () => {
	await box?.close();
	await agent?.stop();
	for (const r of Object.values(rx)) await r.stop();
	await syslog?.stop();
	home?.cleanup();
});

test("webhook (native): NDJSON batches with the bearer token, every alert in order", async () => {
	const reqs = await waitForTags(rx.hook, TAGS, 15000, `${N} alerts at the webhook receiver`);
	for (const q of reqs) {
		assert.equal(q.method, "POST", `webhook request ${q.path}`);
		assert.equal(q.path, "/ingest");
		assert.match(q.headers["content-type"] ?? "", /^application\/x-ndjson\b/, "webhook Content-Type");
		assert.equal(q.headers.authorization, `Bearer ${TOKENS.hook}`, "webhook Authorization header");
		assert.ok(q.body !== null, `webhook body not decodable: ${q.decode_error}`);
		assert.ok(q.body.endsWith("\n"), "an NDJSON body ends with a newline");
	}
	// Every line of every batch is a native record; ours are the alerts.
	const lines = reqs.flatMap((q, i) => ndjsonLines(q.body, `webhook request ${i}`));
	for (const [i, t] of TAGS.entries()) {
		const got = lines.filter((l) => l.kind === "alert" && cmdlineText(l.process?.cmdline).includes(t));
		assert.ok(got.length >= 1, `alert ${i} (${t}) is not in any NDJSON line`);
		const want = { ...produced[i] };
		delete want._seq;
		assert.deepEqual(got[0], want, `alert ${i} at the webhook is the stdout record`);
	}
	const first = lines.map((l) => TAGS.findIndex((t) => cmdlineText(l.process?.cmdline).includes(t))).filter((i) => i >= 0);
	const order = first.filter((i, k) => first.indexOf(i) === k);
	assert.deepEqual(order, [...TAGS.keys()], "first arrivals at the webhook follow production order");
	// The token is a credential: never in the agent's own output.
	const said = everythingTheAgentSaid();
	for (const [k, v] of Object.entries(TOKENS)) assert.ok(!said.includes(v), `the ${k} token appears on the agent's stdout/stderr`);
});

test("splunk_hec (ecs, gzip): /services/collector/event, Splunk token, envelopes", async () => {
	const reqs = await waitForTags(rx.hec, TAGS, 15000, `${N} alerts at the HEC receiver`);
	const events = [];
	for (const [i, q] of reqs.entries()) {
		assert.equal(q.method, "POST");
		assert.equal(q.path, "/services/collector/event", "HEC path");
		assert.equal(q.headers.authorization, `Splunk ${TOKENS.hec}`, "HEC Authorization header");
		assert.equal(q.headers["content-encoding"], "gzip", "HEC request gzip-encoded (gzip: true)");
		assert.equal(q.decode_error, undefined, `HEC body ${i} did not gunzip: ${q.decode_error}`);
		assert.equal(q.gzip, true);
		for (const env of ndjsonLines(q.body, `HEC request ${i}`)) {
			assert.deepEqual(Object.keys(env).filter((k) => !["index"].includes(k)).sort(), ["event", "host", "source", "sourcetype", "time"], `HEC envelope keys: ${JSON.stringify(env).slice(0, 300)}`);
			assert.equal(typeof env.time, "number", "HEC time is epoch seconds");
			assert.ok(Math.abs(env.time * 1000 - Date.now()) < 10 * 60 * 1000, `HEC time ${env.time} is recent`);
			assert.equal(typeof env.host, "string");
			assert.ok(env.host.length > 0);
			assert.equal(env.source, "mcpwatch");
			assert.match(env.sourcetype, /^mcpwatch:/);
			assert.equal(typeof env.event, "object");
			events.push(env);
		}
	}
	for (const [i, t] of TAGS.entries()) {
		const env = events.find((e) => JSON.stringify(e.event).includes(t));
		assert.ok(env, `alert ${i} not in any HEC envelope`);
		assert.equal(env.sourcetype, "mcpwatch:alert");
		assert.equal(env.host, produced[i].host.name, "HEC host is the record's host");
		assert.ok(Math.abs(env.time * 1000 - Date.parse(produced[i].time)) < 1000, `HEC time ${env.time} vs record time ${produced[i].time}`);
		// ECS inside the envelope.
		assert.match(env.event["@timestamp"] ?? "", /^\d{4}-\d\d-\d\dT/, "ECS @timestamp");
		assert.equal(typeof env.event.ecs?.version, "string", "ECS ecs.version");
		assert.equal(env.event.event?.kind, "alert");
		assert.equal(env.event.rule?.id, "mcp-shell-spawn");
	}
	const order = firstArrivals(
		events.map((e) => ({ body: JSON.stringify(e.event) })),
		TAGS
	);
	assert.deepEqual([...order].sort((a, b) => a - b), order, `HEC first arrivals in production order: ${order}`);
});

test("elasticsearch (ecs): _bulk create actions, a 429 item resent, every alert arrives", async () => {
	const reqs = await waitForTags(rx.es, TAGS, 20000, `${N} alerts at the _bulk receiver`);
	const docs = []; // [request index, doc]
	for (const [i, q] of reqs.entries()) {
		assert.equal(q.method, "POST");
		assert.match(q.path, /^\/_bulk(\?|$)/, "ES path");
		assert.equal(q.headers.authorization, `ApiKey ${TOKENS.es}`, "ES Authorization header (API key)");
		assert.match(q.headers["content-type"] ?? "", /^application\/x-ndjson\b/, "ES Content-Type");
		const lines = ndjsonLines(q.body, `_bulk request ${i}`);
		assert.equal(lines.length % 2, 0, `_bulk request ${i}: action and document lines pair up`);
		for (let k = 0; k < lines.length; k += 2) {
			assert.deepEqual(lines[k], { create: { _index: DATA_STREAM } }, `_bulk request ${i} line ${k + 1}: a create action`);
			assert.match(lines[k + 1]["@timestamp"] ?? "", /^\d{4}-\d\d-\d\dT/, `_bulk request ${i} doc ${k / 2}: @timestamp`);
			docs.push([i, lines[k + 1]]);
		}
	}
	const alertDocs = docs.filter(([, d]) => d.rule?.id === "mcp-shell-spawn");
	for (const [, d] of alertDocs) {
		assert.equal(typeof d.ecs?.version, "string", "ECS doc has ecs.version");
		assert.equal(d.event?.kind, "alert");
	}
	const where = (t) => alertDocs.filter(([, d]) => JSON.stringify(d).includes(t)).map(([i]) => i);
	// The scripted partial failure hit the first request holding alert 0.
	const r0 = where(TAGS[0])[0];
	const firstBatch = ndjsonLines(reqs[r0].body).filter((_, k) => k % 2 === 1);
	assert.equal(firstBatch.length, 2, `the first alert batch holds two records (batch_max_records 2): ${reqs[r0].body.slice(0, 400)}`);
	assert.ok(JSON.stringify(firstBatch[1]).includes(TAGS[1]), "the first alert batch is alerts 0 and 1 (item 1 got the scripted 429)");
	const again = where(TAGS[1]).filter((i) => i > r0);
	assert.ok(again.length >= 1, `alert 1 (429 item) was not resent after request ${r0}; it was in requests ${where(TAGS[1])}`);
	for (const [i, t] of TAGS.entries()) assert.ok(where(t).length >= 1, `alert ${i} never reached _bulk`);
	const first = TAGS.map((t) => Math.min(...where(t)));
	assert.deepEqual([...first].sort((a, b) => a - b), first, `_bulk first arrivals in production order (request indexes ${first})`);
});

test("falcosidekick (falco): one POST per alert with the Falco fields", async () => {
	const reqs = await waitForTags(rx.falco, TAGS, 15000, `${N} alerts at the Falcosidekick receiver`);
	for (const [i, t] of TAGS.entries()) {
		const mine = requestsWith(reqs, t);
		assert.ok(mine.length >= 1, `alert ${i}`);
		for (const q of mine) {
			assert.equal(q.method, "POST");
			assert.equal(q.path, "/");
			assert.match(q.headers["content-type"] ?? "", /^application\/json\b/, "Falcosidekick Content-Type");
			assert.equal(q.headers.authorization, `Bearer ${TOKENS.falco}`);
			// One JSON document per request, not NDJSON.
			const docs = ndjsonLines(q.body, `falcosidekick request for alert ${i}`);
			assert.equal(docs.length, 1, `one alert per POST, got ${docs.length} documents`);
			const d = docs[0];
			for (const k of ["rule", "priority", "output", "output_fields", "time", "hostname", "source"]) assert.ok(d[k] !== undefined && d[k] !== null, `Falco document lacks "${k}": ${q.body.slice(0, 400)}`);
			assert.equal(typeof d.rule, "string");
			assert.equal(d.priority, "Critical", "mcp-shell-spawn is critical → Falco priority Critical");
			assert.equal(typeof d.output, "string");
			assert.equal(typeof d.output_fields, "object");
			assert.match(d.time, /^\d{4}-\d\d-\d\dT/);
			assert.equal(d.hostname, produced[i].host.name);
			assert.equal(typeof d.source, "string");
		}
	}
	const first = firstArrivals(reqs, TAGS);
	assert.deepEqual([...first].sort((a, b) => a - b), first, `Falcosidekick first arrivals in production order (${first})`);
});

test("syslog to a real rsyslogd over UDP and TCP: RFC 5424, APP-NAME mcpwatch, JSON in MSG", async () => {
	const parse = (line) => {
		const m = /^(\S+) (\S+) (\S+) (.*)$/.exec(line);
		if (!m) return null;
		let msg = m[4].replace(/^\uFEFF/, "").trim();
		let json = null;
		try {
			json = JSON.parse(msg);
		} catch {
			json = null;
		}
		return { input: m[1], app: m[2], procid: m[3], msg, json };
	};
	let entries = [];
	const have = (input) => TAGS.every((t) => entries.some((e) => e.input === input && e.msg.includes(t)));
	try {
		await poll(
			() => {
				entries = syslog.lines().map(parse).filter(Boolean);
				return have("imudp") && have("imtcp");
			},
			15000,
			`${N} alerts in rsyslog's file from both imudp and imtcp`
		);
	} catch (e) {
		e.message += `\nudp: ${TAGS.filter((t) => entries.some((x) => x.input === "imudp" && x.msg.includes(t))).length}/${N}, tcp: ${TAGS.filter((t) => entries.some((x) => x.input === "imtcp" && x.msg.includes(t))).length}/${N}\nlast lines:\n${syslog.lines().slice(-5).join("\n").slice(0, 3000)}\nrsyslogd said: ${syslog.output.join("")}`;
		throw e;
	}
	for (const input of ["imudp", "imtcp"]) {
		const mine = entries.filter((e) => e.input === input && TAGS.some((t) => e.msg.includes(t)));
		for (const e of mine) {
			assert.equal(e.app, "mcpwatch", `${input}: APP-NAME`);
			assert.equal(e.procid, String(agent.child.pid), `${input}: PROCID is the agent's pid`);
			assert.ok(e.json, `${input}: MSG is not one JSON document (cut or mangled?): ${e.msg.slice(0, 300)}...${e.msg.slice(-100)}`);
			assert.equal(e.json.kind, "alert");
			assert.equal(e.json.rule?.id, "mcp-shell-spawn");
		}
		const order = mine.map((e) => TAGS.findIndex((t) => e.msg.includes(t)));
		const first = order.filter((i, k) => order.indexOf(i) === k);
		assert.deepEqual(first, [...TAGS.keys()], `${input}: alerts in production order`);
	}
});

test("webhook over HTTPS: verified with the test CA, client certificate shown; a wrong CA delivers nothing", async () => {
	const reqs = await waitForTags(rx.tls, TAGS, 15000, `${N} alerts at the HTTPS receiver`);
	for (const q of reqs) {
		assert.equal(q.tls, true, "request over TLS");
		assert.equal(q.client_cert, "mcpwatch-client", "the configured client certificate was presented");
		assert.equal(q.path, "/tls");
	}
	const first = firstArrivals(reqs, TAGS);
	assert.deepEqual([...first].sort((a, b) => a - b), first, `HTTPS first arrivals in production order (${first})`);
	// Verification on by default: a receiver the configured CA did not sign gets nothing...
	assert.deepEqual((await rx.tlsbad.requests()).map((q) => q.path), [], "the agent sent records to a receiver it cannot verify");
	// ... and the records are kept for a retry, not dropped; the log says why.
	assert.deepEqual(
		agent.records.filter((r) => r.event === "dropped" && r.output === "tls-bad"),
		[],
		"records dropped for a TLS verification failure (must be retried)"
	);
	const why = agent.stderr.filter((l) => l.includes("tls-bad"));
	assert.ok(
		why.some((l) => /certificate|SSL|TLS|verif/i.test(l)),
		`no log line says why output tls-bad fails:\n${why.join("\n") || "(no line names tls-bad)"}`
	);
});

test("4xx drops the batch and says so; 503 and 429 are retried until delivered", async () => {
	// A 400 for the next request: what it holds is dropped for good.
	const base = (await rx.rej.requests()).length;
	await rx.rej.script([{ status: 400, body: { error: "scripted bad request" } }]);
	const from = agent.mark();
	const bad = tag(0, "bad");
	await produce(bad);
	const rejectedReq = await poll(async () => requestsWith((await rx.rej.requests()).slice(base), bad)[0], 10000, `the request holding ${bad} at the rej receiver`);
	const dropped = await agent.waitFor(
		(r) => r.kind === "agent" && r.event === "dropped" && r.output === "rej",
		8000,
		'an {"kind":"agent","event":"dropped","output":"rej"} record after the 400',
		from
	);
	assert.equal(dropped.reason, "rejected", `drop reason: ${JSON.stringify(dropped)}`);
	assert.ok(Number.isInteger(dropped.count) && dropped.count >= 1, `drop count: ${JSON.stringify(dropped)}`);
	const batchSize = ndjsonLines(rejectedReq.body).length;
	assert.ok(dropped.count <= batchSize, `dropped ${dropped.count} but the rejected batch held ${batchSize}`);

	// Then 503, then 429, then 200s: those records are late, not lost.
	const base2 = (await rx.rej.requests()).length;
	await rx.rej.script([
		{ status: 503, body: "scripted unavailable" },
		{ status: 429, body: "scripted slow down", headers: { "retry-after": "0" } },
	]);
	const from2 = agent.mark();
	const good = [0, 1, 2].map((i) => tag(i, "retry"));
	for (const t of good) await produce(t);
	// Requests 0 and 1 after the script got 503 and 429; each alert must be in a later one.
	let reqs = [];
	try {
		await poll(
			async () => {
				reqs = (await rx.rej.requests()).slice(base2);
				return good.every((t) => requestsWith(reqs.slice(2), t).length >= 1);
			},
			15000,
			"the 503'd and 429'd records delivered by a later request"
		);
	} catch (e) {
		e.message += `\n${reqs.length} requests since the script; holding ${good.join(", ")}: ${good.map((t) => JSON.stringify(reqs.map((q, i) => (q.body?.includes(t) ? i : -1)).filter((i) => i >= 0)))}`;
		throw e;
	}
	// The 400'd record was not retried.
	await sleep(1500);
	const all = await rx.rej.requests();
	assert.equal(requestsWith(all, bad).length, 1, `the 400'd record ${bad} was sent again`);
	// No drop reported for the retried ones (reports come every second).
	const drops = agent.records.slice(from2).filter((r) => r.kind === "agent" && r.event === "dropped" && r.output === "rej");
	assert.deepEqual(drops, [], "503/429 caused drops");
});

test("secrets: masked in what the receiver gets and in the spool files", async () => {
	const spool = path.join(home.dir, "spool", "sec");
	const base = (await rx.sec.requests()).length;
	// Keep the record in the spool a while: 503s first.
	await rx.sec.script(Array.from({ length: 6 }, () => ({ status: 503 })));
	const t = tag(0, "sec");
	const rec = await produce(t, ` --password=${SECRET_PASSWORD} ${SECRET_GHP}`);
	const onStdout = JSON.stringify(rec);
	assert.ok(onStdout.includes(t), "the alert names the command");
	const leaks = (s) => [SECRET_PASSWORD, SECRET_GHP, SECRET_GHP.slice(0, 12)].filter((x) => s.includes(x));
	assert.deepEqual(leaks(onStdout), [], `secrets on stdout: ${onStdout}`);
	// Sent at least once (from the spool): the spool has it now.
	await poll(async () => requestsWith((await rx.sec.requests()).slice(base), t).length > 0, 10000, "a first (503'd) attempt with the secret alert");
	const files = readTree(spool);
	assert.ok(files.some((f) => f.text.includes(t)), `the alert is not in any spool file under ${spool}: ${files.map((f) => f.path).join(", ")}`);
	for (const f of files) assert.deepEqual(leaks(f.text), [], `secret in spool file ${f.path}`);
	const reqs = (await waitForTags(rx.sec, [t], 20000, "the secret alert delivered")).slice(base);
	for (const q of requestsWith(reqs, t)) assert.deepEqual(leaks(q.body), [], `secret in the body at the receiver: ${q.body.slice(0, 600)}`);
	// And at every other receiver.
	for (const [name, r] of Object.entries(rx)) {
		if (name === "rej") continue;
		const got = requestsWith(await r.requests(), t);
		for (const q of got) assert.deepEqual(leaks(q.body), [], `secret at the ${name} receiver`);
	}
	assert.deepEqual(leaks(syslog.lines().join("\n")), [], "secret in rsyslog's file");
});
