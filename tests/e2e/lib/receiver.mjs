// Real receivers for the delivery tests, on loopback only: the scripted
// HTTP(S) receiver (tests/fixtures/receivers/http-receiver.mjs) and an
// rsyslogd of our own (its own config, ports, pid file and output file).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import { FIXTURES, poll, sleep } from "./env.mjs";
import { startProcess } from "./mcp.mjs";
import { freePort } from "./net.mjs";

export const HTTP_RECEIVER = path.join(FIXTURES, "receivers/http-receiver.mjs");

// A control request; over TLS the CA that signed the receiver's certificate is trusted.
function control(rx, what, body) {
	const mod = rx.tls ? https : http;
	const opts = { host: "127.0.0.1", port: rx.port, path: `/__control/${what}`, method: body === undefined ? "GET" : "POST" };
	if (rx.tls) opts.ca = readFileSync(rx.tls.caCert);
	return new Promise((resolve, reject) => {
		const req = mod.request(opts, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString("utf8");
				if (res.statusCode !== 200) return reject(new Error(`receiver on ${rx.port}: /__control/${what} answered ${res.statusCode}: ${text}`));
				resolve(JSON.parse(text));
			});
		});
		req.on("error", reject);
		req.end(body === undefined ? undefined : JSON.stringify(body));
	});
}

// Start http-receiver.mjs on `port` (0: any free port) and wait until it
// listens; with tls {cert, key, caCert, ca?} it is HTTPS (caCert: the CA
// that signed cert; ca: ask for client certificates and note the CN of one
// signed by it). Returns {port, url(path), requests(), script(entries),
// reset(), stop()}.
export async function startHttpReceiver({ port = 0, log, tls } = {}) {
	const args = [HTTP_RECEIVER, "--port", String(port)];
	if (log) args.push("--log", log);
	if (tls) args.push("--tls-cert", tls.cert, "--tls-key", tls.key);
	if (tls?.ca) args.push("--tls-ca", tls.ca);
	const proc = await startProcess({ args, readyLine: /^listening \d+$/, timeoutMs: 15000 });
	const rx = { port: Number(proc.readyLine.split(" ")[1]), tls, proc };
	return Object.assign(rx, {
		url: (p = "/") => `${tls ? "https" : "http"}://127.0.0.1:${rx.port}${p}`,
		// Every recorded request: {method, path, headers, body, gzip, raw_length, tls, client_cert, ...}.
		requests: () => control(rx, "requests"),
		// Append scripted answers ({status, body, delay_ms, es_items, destroy}).
		script: (entries) => control(rx, "script", entries),
		reset: () => control(rx, "reset", {}),
		stop: () => proc.stop(),
	});
}

// A throw-away PKI in dir (tests/fixtures/receivers/make-test-pki.sh):
// {ca, caKey, server, serverKey, client, clientKey, otherCa} paths.
export function makeTestPki(dir) {
	mkdirSync(dir, { recursive: true });
	const r = spawnSync("sh", [path.join(FIXTURES, "receivers/make-test-pki.sh"), dir], { encoding: "utf8" });
	assert.equal(r.status, 0, `make-test-pki.sh failed: ${r.stdout}${r.stderr}`);
	const f = (n) => path.join(dir, n);
	return { ca: f("ca.pem"), caKey: f("ca.key"), server: f("server.pem"), serverKey: f("server.key"), client: f("client.pem"), clientKey: f("client.key"), otherCa: f("other-ca.pem") };
}

// Requests whose (decoded) body contains `needle`.
export function requestsWith(requests, needle) {
	return requests.filter((r) => typeof r.body === "string" && r.body.includes(needle));
}

// Non-empty lines of a body, each parsed as JSON; a bad line fails the test.
export function ndjsonLines(body, what = "body") {
	return body
		.split("\n")
		.filter((l) => l.length > 0)
		.map((l, i) => {
			try {
				return JSON.parse(l);
			} catch (e) {
				assert.fail(`${what}: line ${i + 1} is not JSON (${e.message}): ${l.slice(0, 300)}`);
			}
		});
}

// For each tag (in production order), the index of the first request whose
// body holds it, or -1.
export function firstArrivals(requests, tags) {
	return tags.map((t) => requests.findIndex((r) => typeof r.body === "string" && r.body.includes(t)));
}

// Wait until every tag has arrived at the receiver; returns the requests.
export async function waitForTags(rx, tags, ms, what) {
	let last = [];
	try {
		await poll(
			async () => {
				last = await rx.requests();
				return firstArrivals(last, tags).every((i) => i >= 0);
			},
			ms,
			what
		);
	} catch (e) {
		const missing = tags.filter((t, i) => firstArrivals(last, tags)[i] < 0);
		e.message += `\n${missing.length} of ${tags.length} missing: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""}` + `\n(${last.length} requests recorded)`;
		throw e;
	}
	return last;
}

// ------------------------------------------------------------------ rsyslogd

function canConnect(port) {
	return new Promise((resolve) => {
		const s = net.connect({ host: "127.0.0.1", port });
		s.once("connect", () => {
			s.destroy();
			resolve(true);
		});
		s.once("error", () => resolve(false));
	});
}

export function rsyslogdPath() {
	for (const p of ["/usr/sbin/rsyslogd", "/sbin/rsyslogd"]) if (existsSync(p)) return p;
	const r = spawnSync("sh", ["-c", "command -v rsyslogd"], { encoding: "utf8" });
	return r.status === 0 ? r.stdout.trim() : null;
}

// An rsyslogd in the foreground with its own config: UDP and TCP inputs on
// loopback, every message written to `out.log` in dir as one line
// "<inputname> <app-name> <procid> <msg>". Returns {udpPort, tcpPort,
// lines(), stop()}.
export async function startRsyslog(dir) {
	const bin = rsyslogdPath();
	assert.ok(bin, "rsyslogd is not installed (scripts/deps.sh installs it; or apt-get install -y rsyslog)");
	const udpPort = await freePort();
	let tcpPort = await freePort();
	while (tcpPort === udpPort) tcpPort = await freePort();
	const out = path.join(dir, "rsyslog-out.log");
	const pidFile = path.join(dir, "rsyslogd.pid");
	const conf = path.join(dir, "rsyslog.conf");
	writeFileSync(out, "");
	writeFileSync(
		conf,
		`global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
input(type="imtcp" address="127.0.0.1" port="${tcpPort}")
template(name="e2eLine" type="string" string="%inputname% %app-name% %procid% %msg%\\n")
*.* action(type="omfile" file="${out}" template="e2eLine")
`
	);
	const check = spawnSync(bin, ["-N1", "-f", conf], { encoding: "utf8" });
	assert.equal(check.status, 0, `rsyslogd -N1 rejects the test config:\n${check.stdout}${check.stderr}`);
	const child = spawn(bin, ["-n", "-f", conf, "-i", pidFile], { stdio: ["ignore", "pipe", "pipe"] });
	const output = [];
	child.stdout.on("data", (b) => output.push(String(b)));
	child.stderr.on("data", (b) => output.push(String(b)));
	let exited = null;
	const done = new Promise((r) =>
		child.once("exit", (code, signal) => {
			exited = { code, signal };
			r(exited);
		})
	);
	try {
		await poll(async () => exited || (await canConnect(tcpPort)), 15000, `rsyslogd listening on tcp ${tcpPort}`);
		assert.equal(exited, null, `rsyslogd exited (${exited?.code ?? exited?.signal}):\n${output.join("")}`);
	} catch (e) {
		if (!exited) child.kill("SIGKILL");
		throw e;
	}
	// The UDP input starts with the TCP one; give it a moment all the same.
	await sleep(200);
	return {
		udpPort,
		tcpPort,
		out,
		output,
		lines: () => readFileSync(out, "utf8").split("\n").filter(Boolean),
		async stop() {
			if (exited) return exited;
			child.kill("SIGTERM");
			const t = setTimeout(() => child.kill("SIGKILL"), 5000);
			const r = await done;
			clearTimeout(t);
			return r;
		},
	};
}

// ------------------------------------------------------------------ files

// Every regular file under dir with its contents (for the spool checks).
export function readTree(dir) {
	const out = [];
	if (!existsSync(dir)) return out;
	for (const name of readdirSync(dir)) {
		const p = path.join(dir, name);
		const st = statSync(p);
		if (st.isDirectory()) out.push(...readTree(p));
		else if (st.isFile()) out.push({ path: p, text: readFileSync(p, "latin1") });
	}
	return out;
}
