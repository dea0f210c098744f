// The Kubernetes manifests: the kustomize base and every overlay render with
// `kubectl kustomize` (offline), every object is valid against the Kubernetes
// schemas (types, required fields, no unknown field), a broken manifest is
// rejected, and the DaemonSet holds the least-privilege properties the README
// promises. The agent itself accepts each rendered config.json.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { knownTypeCount, parseManifests, validateObject } from "./lib/k8s-validate.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KDIR = path.join(ROOT, "deploy/kubernetes");
const BIN = process.env.MCPWATCH_BIN
	? path.resolve(process.env.MCPWATCH_BIN)
	: path.join(ROOT, process.env.BUILD ?? "build", "mcpwatch");
const OVERLAYS = readdirSync(path.join(KDIR, "overlays")).map((d) => `overlays/${d}`);

// The capability set of the agent: deploy/capabilities.txt (CAP_ names, one a
// line, # comments), the one list the e2e suite proves and the systemd unit
// grants; until that file exists, the set the e2e suite was proven with. The
// DaemonSet (base/daemonset.yaml, securityContext.capabilities.add) must hold
// exactly these, without the CAP_ prefix.
const CAPS_FILE = path.join(ROOT, "deploy/capabilities.txt");
const EXPECTED_CAPS = (
	existsSync(CAPS_FILE)
		? readFileSync(CAPS_FILE, "utf8")
				.split("\n")
				.map((l) => l.replace(/#.*/, "").trim())
				.filter(Boolean)
				.map((c) => c.replace(/^CAP_/, ""))
		: ["BPF", "PERFMON", "SYS_PTRACE", "DAC_READ_SEARCH"]
).sort();
// The host files and directories under /etc the posture grade reads (posture
// inventory: /etc/passwd, the system-wide client configs); nothing else of /etc.
const HOST_ETC_ALLOWED = ["/etc/passwd", "/etc/claude-code", "/etc/gemini-cli"];

function kustomize(dir) {
	const r = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8" });
	if (r.error) throw new Error(`kubectl: ${r.error.message} (kubectl with kustomize v4 or later is needed)`);
	assert.equal(r.status, 0, `kubectl kustomize ${dir}: ${r.stderr}`);
	return parseManifests(r.stdout);
}

const byKind = (objs, kind) => objs.filter((o) => o.kind === kind);
const one = (objs, kind) => {
	const list = byKind(objs, kind);
	assert.equal(list.length, 1, `one ${kind}`);
	return list[0];
};

let tmp;
before(() => {
	tmp = mkdtempSync(path.join(os.tmpdir(), "mcpwatch-k8s-"));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test("kustomize is new enough for the manifests (v4+: labels, envs, directory resources)", () => {
	const out = execFileSync("kubectl", ["version", "--client"], { encoding: "utf8" });
	const m = /Kustomize Version: v(\d+)/.exec(out);
	assert.ok(m && Number(m[1]) >= 4, `kubectl's kustomize: ${out.trim()}`);
});

test("the field index of the schemas was read (else unknown fields would pass)", () => {
	assert.ok(knownTypeCount() > 500, `${knownTypeCount()} types`);
});

test("a broken manifest is rejected, each fault named", async () => {
	const objs = parseManifests(readFileSync(path.join(ROOT, "tests/deploy/fixtures/broken-daemonset.yaml"), "utf8"));
	const problems = (await Promise.all(objs.map(validateObject))).flat();
	const has = (re) => assert.ok(problems.some((p) => re.test(p)), `${re} in\n${problems.join("\n")}`);
	has(/DaemonSet\/broken: .*hostPID must be boolean/);
	has(/DaemonSet\/broken: .*securityContext\.readOnlyRootFilesytem: unknown field/);
	has(/DaemonSet\/broken: .*volumeMounts\/0 must have required property '?mountPath'?/);
	has(/ClusterRole\/broken: rules\[0\]\.resource: unknown field/);
	assert.deepEqual(await validateObject({ apiVersion: "apps/v1", kind: "DaemonSett", metadata: { name: "x" } }), [
		"DaemonSett/x: unknown kind DaemonSett in apps/v1",
	]);
});

for (const dir of ["base", ...OVERLAYS]) {
	describe(`deploy/kubernetes/${dir}`, () => {
		let objs, ds, pod, c;
		before(() => {
			objs = kustomize(path.join(KDIR, dir));
			ds = one(objs, "DaemonSet");
			pod = ds.spec.template.spec;
			c = pod.containers.find((x) => x.name === "mcpwatch");
		});

		test("every object is valid against the Kubernetes schemas", async () => {
			for (const kind of ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap", "PriorityClass", "DaemonSet"])
				one(objs, kind);
			const problems = (await Promise.all(objs.map(validateObject))).flat();
			assert.deepEqual(problems, []);
		});

		test("namespaced objects are in mcpwatch, whose Pod Security is privileged (enforce), baseline (audit, warn)", () => {
			const ns = one(objs, "Namespace");
			assert.equal(ns.metadata.name, "mcpwatch");
			const l = ns.metadata.labels;
			assert.equal(l["pod-security.kubernetes.io/enforce"], "privileged");
			assert.equal(l["pod-security.kubernetes.io/audit"], "baseline");
			assert.equal(l["pod-security.kubernetes.io/warn"], "baseline");
			const clusterScoped = ["Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass"];
			for (const o of objs) {
				if (clusterScoped.includes(o.kind)) assert.equal(o.metadata.namespace, undefined, o.kind);
				else assert.equal(o.metadata.namespace, "mcpwatch", `${o.kind}/${o.metadata.name}`);
			}
		});

		test("the container is unprivileged: exactly the capability set, read-only root, no escalation, RuntimeDefault seccomp", () => {
			assert.equal(pod.initContainers, undefined, "no init containers");
			assert.equal(pod.containers.length, 1);
			assert.equal(pod.securityContext?.privileged, undefined);
			const sc = c.securityContext;
			assert.equal(sc.privileged, false);
			assert.equal(sc.allowPrivilegeEscalation, false);
			assert.equal(sc.readOnlyRootFilesystem, true);
			assert.equal(sc.runAsUser, 0);
			assert.deepEqual(sc.capabilities.drop, ["ALL"]);
			assert.deepEqual([...sc.capabilities.add].sort(), EXPECTED_CAPS);
			for (const never of ["SYS_ADMIN", "NET_ADMIN", "ALL"]) assert.ok(!sc.capabilities.add.includes(never), never);
			assert.equal(sc.seccompProfile.type, "RuntimeDefault");
			assert.equal(pod.securityContext?.seccompProfile, undefined, "no pod-level seccomp override");
		});

		test("host namespaces, node-wide scheduling and rollout settings", () => {
			assert.equal(pod.hostPID, true);
			assert.equal(pod.hostNetwork, true);
			assert.equal(pod.dnsPolicy, "ClusterFirstWithHostNet");
			assert.equal(pod.hostIPC, undefined);
			assert.ok(pod.tolerations.some((t) => t.operator === "Exists" && !t.key && !t.effect), "tolerates every taint");
			assert.equal(ds.spec.updateStrategy.type, "RollingUpdate");
			assert.match(String(ds.spec.updateStrategy.rollingUpdate.maxUnavailable), /^\d+%?$/);
			assert.ok(c.resources.requests.cpu && c.resources.requests.memory, "requests");
			assert.ok(c.resources.limits.memory, "memory limit");
			const pc = one(objs, "PriorityClass");
			assert.equal(pod.priorityClassName, pc.metadata.name);
			assert.ok(pc.value > 0 && pc.value < 1000000000, "above workloads, below the system classes");
			assert.equal(pc.globalDefault, false);
		});

		test("only the host files the grade reads, read-only; never all of /etc", () => {
			const mounts = new Map(c.volumeMounts.map((m) => [m.name, m]));
			for (const v of pod.volumes) {
				if (!v.hostPath) continue;
				const p = path.posix.normalize(v.hostPath.path).replace(/\/$/, "") || "/";
				assert.notEqual(p, "/", "the host root");
				assert.notEqual(p, "/etc", "all of /etc");
				if (p.startsWith("/etc/")) assert.ok(HOST_ETC_ALLOWED.includes(p), `${p} is not read by the grade`);
				const m = mounts.get(v.name);
				assert.ok(m, `volume ${v.name} mounted`);
				if (p === "/var/lib/mcpwatch") assert.notEqual(m.readOnly, true, "the spool is written");
				else assert.equal(m.readOnly, true, `${p} read-only`);
				assert.notEqual(m.mountPropagation, "Bidirectional");
			}
			const target = (hostPath) => mounts.get(pod.volumes.find((v) => v.hostPath?.path === hostPath)?.name)?.mountPath;
			// Under posture.fs_root, where the inventory looks for them.
			assert.equal(target("/etc/passwd"), "/host/etc/passwd");
			assert.equal(target("/home"), "/host/home");
			assert.equal(target("/root"), "/host/root");
			assert.equal(target("/sys/kernel/btf"), "/sys/kernel/btf");
		});

		test("RBAC: get/list/watch on pods, nothing else, for the mcpwatch ServiceAccount", () => {
			const role = one(objs, "ClusterRole");
			assert.equal(role.rules.length, 1);
			const [r] = role.rules;
			assert.deepEqual(r.apiGroups, [""]);
			assert.deepEqual(r.resources, ["pods"]);
			assert.deepEqual([...r.verbs].sort(), ["get", "list", "watch"]);
			assert.equal(r.resourceNames, undefined);
			const binding = one(objs, "ClusterRoleBinding");
			assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name });
			assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "mcpwatch", namespace: "mcpwatch" }]);
			assert.equal(byKind(objs, "Role").length + byKind(objs, "RoleBinding").length, 0);
			const sa = one(objs, "ServiceAccount");
			assert.equal(pod.serviceAccountName, sa.metadata.name);
			assert.equal(sa.automountServiceAccountToken, false, "no token unless a pod asks");
			assert.equal(pod.automountServiceAccountToken, true, "the agent's pod asks (Kubernetes API client)");
		});

		test("the node name comes from the downward API", () => {
			const env = c.env.find((e) => e.name === "MCPWATCH_NODE_NAME");
			assert.deepEqual(env?.valueFrom, { fieldRef: { fieldPath: "spec.nodeName" } });
		});

		test("the probes read the heartbeat file the config names, on a writable mount", () => {
			const cfg = JSON.parse(one(objs, "ConfigMap").data["config.json"]);
			const file = cfg.health?.file;
			assert.ok(file, "config.json sets health.file");
			for (const probe of [c.readinessProbe, c.livenessProbe]) {
				assert.ok(probe?.exec?.command, "an exec probe");
				assert.ok(probe.exec.command.join(" ").includes(file), `${probe.exec.command.join(" ")} reads ${file}`);
			}
			// The liveness window is longer than the heartbeat interval.
			assert.ok(Number(c.livenessProbe.exec.command.join(" ").match(/-lt (\d+)/)[1]) > 2 * (cfg.health.interval_s ?? 10));
			const m = c.volumeMounts.find((v) => file.startsWith(v.mountPath + "/"));
			assert.ok(m && !m.readOnly, `${file} is on a writable mount`);
		});

		test("the config is a generated ConfigMap (content hash in its name) that the agent accepts", () => {
			const cm = one(objs, "ConfigMap");
			assert.match(cm.metadata.name, /^mcpwatch-config-[a-z0-9]{10}$/);
			const vol = pod.volumes.find((v) => v.configMap);
			assert.equal(vol.configMap.name, cm.metadata.name);
			assert.equal(c.volumeMounts.find((m) => m.name === vol.name).mountPath, "/etc/mcpwatch");
			assert.deepEqual(c.args, ["run", "--config", "/etc/mcpwatch/config.json"]);
			const cfg = JSON.parse(cm.data["config.json"]);
			assert.equal(cfg.posture.fs_root, "/host");
			assert.equal(cfg.spool_dir.startsWith("/var/lib/mcpwatch/"), true, "the spool is on the hostPath");
			// The agent's own config loader: `grade` reads the whole file, outputs included,
			// and exits 2 on any unknown key or bad value.
			const file = path.join(tmp, `${dir.replace(/\//g, "-")}.json`);
			writeFileSync(file, cm.data["config.json"]);
			const empty = path.join(tmp, "empty");
			mkdirSync(path.join(empty, "proc"), { recursive: true });
			const r = spawnSync(BIN, ["grade", "--config", file, "--fs-root", empty, "--proc-root", path.join(empty, "proc")], {
				encoding: "utf8",
			});
			assert.equal(r.status, 0, `${BIN} grade --config: ${r.stderr}`);
			assert.doesNotMatch(r.stderr, new RegExp(`${file}:`), "no complaint about the config");
		});

		test("every reference resolves to a rendered object, or is optional", () => {
			const names = (kind) => byKind(objs, kind).map((o) => o.metadata.name);
			for (const v of pod.volumes) {
				if (v.configMap) assert.ok(v.configMap.optional || names("ConfigMap").includes(v.configMap.name), v.name);
				if (v.secret) assert.ok(v.secret.optional || names("Secret").includes(v.secret.secretName), v.name);
			}
			for (const e of c.envFrom ?? []) {
				if (e.secretRef) assert.ok(e.secretRef.optional || names("Secret").includes(e.secretRef.name), e.secretRef.name);
				if (e.configMapRef)
					assert.ok(e.configMapRef.optional || names("ConfigMap").includes(e.configMapRef.name), e.configMapRef.name);
			}
			// A Secret the overlay generated must be the one the pod reads (same namespace, hashed name).
			for (const s of byKind(objs, "Secret"))
				assert.ok(
					(c.envFrom ?? []).some((e) => e.secretRef?.name === s.metadata.name),
					`Secret ${s.metadata.name} is not referenced: is the overlay's namespace the base's?`,
				);
		});
	});
}

test("a change of config.json renames the ConfigMap, and so rolls the DaemonSet", () => {
	const copy = path.join(tmp, "base");
	cpSync(path.join(KDIR, "base"), copy, { recursive: true });
	const before = one(kustomize(copy), "DaemonSet").spec.template;
	const cfg = JSON.parse(readFileSync(path.join(copy, "config.json"), "utf8"));
	cfg.alerts = { aggregate_window_s: 30 };
	writeFileSync(path.join(copy, "config.json"), JSON.stringify(cfg));
	const after = one(kustomize(copy), "DaemonSet").spec.template;
	const cmName = (t) => t.spec.volumes.find((v) => v.configMap).configMap.name;
	assert.notEqual(cmName(after), cmName(before));
	assert.notDeepEqual(after, before, "a new pod template: the controller replaces the pods");
});

test("overlays/splunk: the HEC token goes Secret → environment → token_env, the image is overridden", () => {
	const objs = kustomize(path.join(KDIR, "overlays/splunk"));
	const c = one(objs, "DaemonSet").spec.template.spec.containers[0];
	const secret = one(objs, "Secret");
	assert.match(secret.metadata.name, /^mcpwatch-outputs-[a-z0-9]{10}$/);
	const cfg = JSON.parse(one(objs, "ConfigMap").data["config.json"]);
	const hec = cfg.outputs.find((o) => o.type === "splunk_hec");
	assert.ok(hec?.token_env, "a splunk_hec output with token_env");
	assert.equal(hec.token, undefined, "no token in the ConfigMap");
	assert.ok(Object.keys(secret.data).includes(hec.token_env), `the Secret provides ${hec.token_env}`);
	assert.ok(c.envFrom.some((e) => e.secretRef?.name === secret.metadata.name));
	assert.equal(c.image, "registry.example.com/mcpwatch:0.1.0");
	const base = one(kustomize(path.join(KDIR, "base")), "DaemonSet").spec.template.spec.containers[0];
	assert.equal(base.image, "localhost/mcpwatch", "the base runs what `make image` builds");
});
