// A seccomp profile for the agent's container: the engine's default profile
// with bpf(2) allowed to a holder of CAP_BPF and perf_event_open(2) to a holder
// of CAP_PERFMON. The default of podman 4.3 (containers-common 0.50, Debian
// 12) allows both only with CAP_SYS_ADMIN, which the agent does not get;
// everything else of the default profile is kept as it is.
//   node tests/image/seccomp.mjs [DEFAULT.json] > mcpwatch-seccomp.json
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const PODMAN_DEFAULT_PROFILE = "/usr/share/containers/seccomp.json";

// Syscall → the capability that makes it safe to allow (the kernel checks it too).
const BY_CAP = { bpf: "CAP_BPF", perf_event_open: "CAP_PERFMON" };

export function agentProfile(defaults) {
	const p = structuredClone(defaults);
	const syscalls = [];
	for (const rule of p.syscalls) {
		const names = rule.names ?? (rule.name ? [rule.name] : []);
		const moved = names.filter((n) => n in BY_CAP);
		// A denial that applies without CAP_SYS_ADMIN must not apply with the
		// syscall's own capability either: split those names into a rule of their own.
		if (moved.length && rule.action !== "SCMP_ACT_ALLOW" && rule.excludes?.caps?.length) {
			const rest = names.filter((n) => !(n in BY_CAP));
			if (rest.length) syscalls.push({ ...rule, names: rest });
			for (const n of moved) syscalls.push({ ...rule, names: [n], excludes: { ...rule.excludes, caps: [...rule.excludes.caps, BY_CAP[n]] } });
			continue;
		}
		syscalls.push(rule);
	}
	for (const [name, cap] of Object.entries(BY_CAP)) syscalls.push({ names: [name], action: "SCMP_ACT_ALLOW", includes: { caps: [cap] } });
	p.syscalls = syscalls;
	return p;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const file = process.argv[2] ?? PODMAN_DEFAULT_PROFILE;
	process.stdout.write(JSON.stringify(agentProfile(JSON.parse(readFileSync(file, "utf8"))), null, 1) + "\n");
}
