// 9. Container and Kubernetes names on records (enrich/resolver):
// - Kubernetes: the agent lists and watches pods from a fake API server
//   (tests/fixtures/k8s/fake-apiserver.mjs, HTTPS on 127.0.0.1 with a CA made
//   here by openssl); a real MCP server runs in a real cgroup v2 directory laid
//   out like kubelet's (kubepods…-pod<uid>.slice/cri-containerd-<id>.scope), so
//   the pod uid and container id come from /proc/<pid>/cgroup as on a node.
//   Records made before the API answered carry what the cgroup said; after,
//   the pod's name, namespace and container; a rule can match k8s.namespace.
// - Podman: a real container from an image imported here (no registry), the
//   MCP server inside it, the agent asking podman's API socket for its name.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { after, before, describe, test } from "node:test";
import { expectFields, startAgent } from "./lib/agent.mjs";
import { FIXTURES, ROOT, TOOLBOX, makeHome, poll, sleep } from "./lib/env.mjs";
import { connectStdio } from "./lib/mcp.mjs";

const POD_UID = "11111111-2222-4333-8444-555555555555"; // pod A of the fixtures
const CTR_ID = "a3".repeat(32); // its mcp-fs container after the watch's MODIFIED
const UNKNOWN_POD = "99999999-2222-4333-8444-555555555555";
const UNKNOWN_CTR = "f9".repeat(32);

// Where cgroup v2 is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host).
function cgroup2Root() {
	const line = readFileSync("/proc/self/mounts", "utf8")
		.split("\n")
		.find((l) => l.split(" ")[2] === "cgroup2");
	assert.ok(line, "cgroup v2 is mounted (the test makes a kubepods hierarchy in it)");
	return line.split(" ")[1];
}

// kubelet's systemd-driver layout for one container of a burstable pod.
function makePodCgroup(root, podUid, ctrId) {
	const u = podUid.replaceAll("-", "_");
	const dirs = [
		path.join(root, "kubepods.slice"),
		path.join(root, "kubepods.slice/kubepods-burstable.slice"),
		path.join(root, `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice`),
		path.join(root, `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${u}.slice/cri-containerd-${ctrId}.scope`),
	];
	for (const d of dirs) if (!existsSync(d)) mkdirSync(d);
	return { procs: path.join(dirs[3], "cgroup.procs"), dirs };
}

// Empty cgroups only: the processes must have exited first.
async function removeCgroups(dirs) {
	for (const d of [...dirs].reverse()) {
		for (let i = 0; i < 50 && existsSync(d); i++) {
			try {
				rmdirSync(d);
			} catch {
				await sleep(100);
			}
		}
	}
}

// The toolbox MCP server, moved into the cgroup before it execs node.
function connectInCgroup(procs, env) {
	return connectStdio({ command: "/bin/sh", args: ["-c", `echo $$ > '${procs}' && exec '${process.execPath}' '${TOOLBOX}'`], env });
}

function makeCerts(dir) {
	const ssl = (...a) => execFileSync("openssl", a, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
	const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
	writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
	ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=mcpwatch-e2e-ca");
	ssl("req", ...ec, "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1");
	ssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.crt", "-days", "2", "-extfile", "san.ext");
	writeFileSync(path.join(dir, "token"), "e2e-token\n", { mode: 0o600 });
}

async function startFakeApi(dir) {
	const child = spawn(process.execPath, [path.join(FIXTURES, "k8s/fake-apiserver.mjs"), "--cert", path.join(dir, "srv.crt"), "--key", path.join(dir, "srv.key"), "--token-file", path.join(dir, "token"), "--log", path.join(dir, "requests.ndjson"), "--hold-list", path.join(dir, "answer")], { stdio: ["ignore", "pipe", "inherit"] });
	const lines = [];
	const waiters = [];
	readline.createInterface({ input: child.stdout }).on("line", (l) => {
		lines.push(l);
		for (const w of waiters.splice(0)) w();
	});
	const waitLine = async (re, ms = 20000) => {
		const t0 = Date.now();
		while (!lines.some((l) => re.test(l))) {
			if (Date.now() - t0 > ms) throw new Error(`fake API server: no line ${re} (has: ${lines.join(" | ")})`);
			await new Promise((r) => {
				waiters.push(r);
				setTimeout(r, 200);
			});
		}
		return lines.find((l) => re.test(l));
	};
	const port = Number((await waitLine(/^port \d+$/)).split(" ")[1]);
	return { child, port, waitLine, stop: () => child.kill("SIGTERM") };
}

const K8S_RULES = {
	version: 1,
	rules: [
		{
			id: "t-k8s-namespace",
			name: "Exec in the agents namespace",
			event: "exec",
			severity: "low",
			condition: { all: [{ field: "k8s.namespace", op: "eq", value: "agents" }, { field: "process.name", op: "eq", value: "true" }] },
			message: "{process.exe} ran in pod {k8s.pod.name} ({k8s.namespace}/{k8s.container.name}) on {k8s.node.name}",
			tags: ["test"],
		},
	],
};

describe("Kubernetes: pod names from the API server", () => {
	let home, api, agent, cg, cgUnknown;
	const boxes = [];

	before(async () => {
		home = makeHome();
		makeCerts(home.dir);
		api = await startFakeApi(home.dir);
		const root = cgroup2Root();
		cg = makePodCgroup(root, POD_UID, CTR_ID);
		cgUnknown = makePodCgroup(root, UNKNOWN_POD, UNKNOWN_CTR);
		const config = home.writeJson("config.json", {
			alerts: { aggregate_window_s: 2 },
			audit: { tool_calls: true },
			metadata: { enabled: "on", kubernetes: "on", node_name: "node-1", api_url: `https://127.0.0.1:${api.port}`, ca_file: path.join(home.dir, "ca.crt"), token_file: path.join(home.dir, "token") },
		});
		agent = await startAgent({ config, rules: [home.writeJson("k8s-rules.json", K8S_RULES)], args: ["--verbose"] });
	});

	after(async () => {
		for (const b of boxes) await b.close();
		await agent?.stop();
		api?.stop();
		await removeCgroups(cg?.dirs ?? []);
		await removeCgroups(cgUnknown?.dirs ?? []);
		home?.cleanup();
	});

	test("before the API answers, records carry what the cgroup says and no names", async () => {
		const box = await connectInCgroup(cg.procs, { HOME: home.home });
		boxes.push(box);
		assert.match(readFileSync(`/proc/${box.pid}/cgroup`, "utf8"), new RegExp(`kubepods-burstable-pod${POD_UID.replaceAll("-", "_")}\\.slice/cri-containerd-${CTR_ID}\\.scope`));
		const from = agent.mark();
		await box.call("run", { command: "id" });
		const alert = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === box.pid, 15000, "shell spawn in the pod's cgroup", from);
		expectFields(alert, { "container.id": CTR_ID, "container.runtime": "containerd", "k8s.pod.uid": POD_UID, "k8s.node.name": "node-1" }, "alert before the first answer");
		// Unknown stays absent: never "" or a guess.
		assert.equal(alert.k8s.pod.name, undefined, JSON.stringify(alert));
		assert.equal(alert.k8s.namespace, undefined, JSON.stringify(alert));
		assert.equal(alert.container.name, undefined, JSON.stringify(alert));
		assert.equal(alert.container.image, undefined, JSON.stringify(alert));
		const log = readFileSync(path.join(home.dir, "requests.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
		assert.ok(log.length >= 1 && !log[0].watch, "the agent asked for the list first");
		assert.equal(log[0].query.fieldSelector, "spec.nodeName=node-1", "pods of this node only");
		assert.equal(log[0].authorization, "Bearer e2e-token");
	});

	test("after the list and watch, alerts and rules see the pod's names", async () => {
		writeFileSync(path.join(home.dir, "answer"), "");
		await api.waitLine(/^watch-1 sent$/);
		const box = boxes[0];
		const want = {
			"container.id": CTR_ID,
			"container.name": "mcp-fs",
			"container.image": "registry.local/team/mcp-fs:1.4",
			"container.runtime": "containerd",
			"k8s.pod.name": "mcp-fs-7d9f8-x2x9q",
			"k8s.pod.uid": POD_UID,
			"k8s.namespace": "agents",
			"k8s.node.name": "node-1",
			"k8s.container.name": "mcp-fs",
		};
		// The watch's events reach the cache within moments; each try is a new command (no aggregation).
		let alert;
		await poll(
			async () => {
				const from = agent.mark();
				const tag = `k8s-${Date.now()}`;
				await box.call("run", { command: `echo ${tag}` });
				const a = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === box.pid && JSON.stringify(r.process).includes(tag), 15000, "shell spawn after the watch", from);
				if (a.k8s?.pod?.name) alert = a;
				return Boolean(alert);
			},
			15000,
			"an alert with the pod's name"
		);
		expectFields(alert, want, "alert after the watch");
		// The audit record of that tool call names the pod too.
		const audit = await agent.waitFor((r) => r.kind === "tool_call" && r.server?.pid === box.pid && r.k8s?.pod?.name, 15000, "a tool_call record with the pod");
		expectFields(audit, want, "tool_call record");
		// A rule on k8s.namespace matches, and its message renders the k8s fields.
		const from = agent.mark();
		await box.call("exec_file", { file: "/usr/bin/true", args: [] });
		const hit = await agent.waitAlert("t-k8s-namespace", (r) => r.server?.pid === box.pid, 15000, "the k8s.namespace rule", from);
		expectFields(hit, { ...want, message: "/usr/bin/true ran in pod mcp-fs-7d9f8-x2x9q (agents/mcp-fs) on node-1" }, "k8s.namespace rule alert");
	});

	test("a pod the API does not list keeps only what the cgroup says", async () => {
		const box = await connectInCgroup(cgUnknown.procs, { HOME: home.home });
		boxes.push(box);
		const from = agent.mark();
		await box.call("exec_file", { file: "/usr/bin/true", args: [] });
		await box.call("run", { command: "id" });
		const alert = await agent.waitAlert("mcp-shell-spawn", (r) => r.server?.pid === box.pid, 15000, "shell spawn in an unlisted pod", from);
		expectFields(alert, { "container.id": UNKNOWN_CTR, "k8s.pod.uid": UNKNOWN_POD, "k8s.node.name": "node-1" }, "unlisted pod");
		assert.equal(alert.k8s.pod.name, undefined);
		// and the namespace rule does not match a pod whose namespace is unknown
		assert.equal(agent.alertsSince(from).filter((r) => r.rule.id === "t-k8s-namespace").length, 0);
	});
});

// ------------------------------------------------------------------ podman

const IMAGE = `localhost/mcpwatch-e2e-workload:${process.pid}`;

// A tiny image: directories and merged-/usr symlinks only; the host's /usr is mounted in.
function importImage(dir) {
	const root = path.join(dir, "rootfs");
	for (const d of ["usr", "tmp", "proc", "sys", "dev", "etc", "root", "run", "var", "work"]) mkdirSync(path.join(root, d), { recursive: true });
	for (const [l, t] of [["bin", "usr/bin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], ["sbin", "usr/sbin"]]) execFileSync("ln", ["-s", t, path.join(root, l)]);
	writeFileSync(path.join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
	execFileSync("tar", ["-C", root, "-cf", path.join(dir, "rootfs.tar"), "."]);
	execFileSync("podman", ["import", path.join(dir, "rootfs.tar"), IMAGE], { stdio: ["ignore", "ignore", "pipe"] });
}

// What podman needs on this host, found by trying (never by changing the host):
// runc where crun refuses a cgroup hybrid host; this shell's rlimits where raising them is denied.
function podmanOptions() {
	const global = [];
	const run = [];
	for (let i = 0; i < 3; i++) {
		const r = spawnSync("podman", [...global, "run", "--rm", "--network", "none", ...run, "-v", "/usr:/usr:ro", IMAGE, "/usr/bin/true"], { encoding: "utf8" });
		if (r.status === 0) return { global, run };
		if (/hybrid mode/.test(r.stderr) && !global.length) global.push("--runtime", "runc");
		else if (/rlimit/i.test(r.stderr) && !run.length) {
			const pidMax = Number(readFileSync("/proc/sys/kernel/pid_max", "utf8"));
			const nofile = execFileSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim();
			run.push("--ulimit", `nofile=${nofile}:${nofile}`, "--ulimit", `nproc=${pidMax}:${pidMax}`);
		} else if (!global.length) global.push("--runtime", "runc");
		else throw new Error(`podman cannot run a container here: ${r.stderr}`);
	}
	throw new Error("podman cannot run a container here");
}

describe("Podman: container names from the runtime's API socket", () => {
	let home, agent, service, opts, box;
	const name = `mcpwatch-e2e-${process.pid}`;

	before(async () => {
		home = makeHome();
		importImage(home.dir);
		opts = podmanOptions();
		const sock = path.join(home.dir, "podman.sock");
		service = spawn("podman", [...opts.global, "system", "service", "--time=0", `unix://${sock}`], { stdio: "ignore" });
		await poll(() => existsSync(sock), 15000, "podman's API socket");
		const config = home.writeJson("config.json", { alerts: { aggregate_window_s: 2 }, posture: { interval_s: 10 }, metadata: { runtime_socket: sock, kubernetes: "off" } });
		agent = await startAgent({ config });
	});

	after(async () => {
		await box?.close();
		spawnSync("podman", ["rm", "-f", "-t", "0", name], { stdio: "ignore" });
		await agent?.stop();
		service?.kill("SIGTERM");
		spawnSync("podman", ["rmi", "-f", IMAGE], { stdio: "ignore" });
		home?.cleanup();
	});

	test("an MCP server in a podman container: alerts name the container and its image", async () => {
		box = await connectStdio({
			command: "podman",
			args: [...opts.global, "run", "--rm", "-i", "--name", name, "--network", "none", ...opts.run, "-v", "/usr:/usr:ro", "-v", `${ROOT}:${ROOT}:ro`, "-w", ROOT, IMAGE, process.execPath, TOOLBOX],
			timeoutMs: 60000,
		});
		let alert;
		await poll(
			async () => {
				const from = agent.mark();
				const tag = `podman-${Date.now()}`;
				assert.match(await box.call("run", { command: `echo ${tag}` }), new RegExp(tag));
				const a = await agent.waitAlert("mcp-shell-spawn", (r) => JSON.stringify(r.process).includes(tag), 15000, "shell spawn in the container", from);
				// Before podman answered, only the cgroup's facts: never an empty or wrong name.
				assert.equal(a.container?.runtime, "podman", JSON.stringify(a));
				assert.match(a.container?.id ?? "", /^[0-9a-f]{64}$/);
				if (a.container.name !== undefined) alert = a;
				return Boolean(alert);
			},
			20000,
			"an alert naming the container"
		);
		const inspect = JSON.parse(execFileSync("podman", ["inspect", name], { encoding: "utf8" }))[0];
		expectFields(alert, { "container.id": inspect.Id, "container.name": name, "container.image": IMAGE, "container.image_id": (v) => typeof v === "string" && v.includes(inspect.Image.replace(/^sha256:/, "")) }, "podman container alert");
		assert.equal(alert.k8s, undefined, "no pod: no k8s object");
		// The server's posture record (graded at least every 10 s here) names its container too.
		const posture = await agent.waitFor((r) => r.kind === "posture" && r.scope === "server" && r.server?.pid === alert.server.pid && r.container?.name, 40000, "a posture record of the containerized server with its container");
		expectFields(posture, { "container.id": inspect.Id, "container.name": name, "container.image": IMAGE, "container.runtime": "podman" }, "posture record");
	});
});
