// The capabilities the agent runs with in the e2e suite: exactly those of
// deploy/capabilities.txt, through setpriv, so every run proves that set is
// enough. MCPWATCH_E2E_CAPS overrides it: "all" runs the agent with the test
// runner's own capabilities (no setpriv); otherwise a comma- or space-separated
// list ("CAP_BPF,CAP_PERFMON" or "bpf perfmon"; "" for none).
//
// The agent stays uid 0, as under the systemd unit (no User=) and in the
// DaemonSet (runAsUser 0): root without the capabilities it needs is what a
// deployment gives it. So the bounding set is what limits it (root's exec
// gives it the whole bounding set); the inheritable and ambient sets are set to
// the same list so that all five sets in /proc/<pid>/status agree, and
// no_new_privs is on as NoNewPrivileges=yes / allowPrivilegeEscalation: false.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./env.mjs";

export const CAPS_FILE = path.join(ROOT, "deploy/capabilities.txt");

// linux/capability.h numbering.
export const CAP_NUMBERS = Object.freeze({
	CAP_CHOWN: 0,
	CAP_DAC_OVERRIDE: 1,
	CAP_DAC_READ_SEARCH: 2,
	CAP_FOWNER: 3,
	CAP_FSETID: 4,
	CAP_KILL: 5,
	CAP_SETGID: 6,
	CAP_SETUID: 7,
	CAP_SETPCAP: 8,
	CAP_LINUX_IMMUTABLE: 9,
	CAP_NET_BIND_SERVICE: 10,
	CAP_NET_BROADCAST: 11,
	CAP_NET_ADMIN: 12,
	CAP_NET_RAW: 13,
	CAP_IPC_LOCK: 14,
	CAP_IPC_OWNER: 15,
	CAP_SYS_MODULE: 16,
	CAP_SYS_RAWIO: 17,
	CAP_SYS_CHROOT: 18,
	CAP_SYS_PTRACE: 19,
	CAP_SYS_PACCT: 20,
	CAP_SYS_ADMIN: 21,
	CAP_SYS_BOOT: 22,
	CAP_SYS_NICE: 23,
	CAP_SYS_RESOURCE: 24,
	CAP_SYS_TIME: 25,
	CAP_SYS_TTY_CONFIG: 26,
	CAP_MKNOD: 27,
	CAP_LEASE: 28,
	CAP_AUDIT_WRITE: 29,
	CAP_AUDIT_CONTROL: 30,
	CAP_SETFCAP: 31,
	CAP_MAC_OVERRIDE: 32,
	CAP_MAC_ADMIN: 33,
	CAP_SYSLOG: 34,
	CAP_WAKE_ALARM: 35,
	CAP_BLOCK_SUSPEND: 36,
	CAP_AUDIT_READ: 37,
	CAP_PERFMON: 38,
	CAP_BPF: 39,
	CAP_CHECKPOINT_RESTORE: 40,
});

// "bpf", "CAP_BPF", "cap_bpf" → "CAP_BPF"; throws on a name the kernel does not have.
export function capName(word) {
	const name = word.toUpperCase().startsWith("CAP_") ? word.toUpperCase() : `CAP_${word.toUpperCase()}`;
	if (!(name in CAP_NUMBERS)) throw new Error(`unknown capability "${word}"`);
	return name;
}

export function parseCapList(text) {
	return text
		.split("\n")
		.map((l) => l.replace(/#.*/, ""))
		.join(" ")
		.split(/[\s,]+/)
		.filter(Boolean)
		.map(capName);
}

// deploy/capabilities.txt, in its order.
export function provenCaps() {
	return parseCapList(readFileSync(CAPS_FILE, "utf8"));
}

// The list the suite runs the agent with, or null for "all" (no setpriv).
export function agentCaps() {
	const env = process.env.MCPWATCH_E2E_CAPS;
	if (env === undefined) return provenCaps();
	if (env.trim() === "all") return null;
	return parseCapList(env);
}

export function capMask(names) {
	return names.reduce((m, n) => m | (1n << BigInt(CAP_NUMBERS[capName(n)])), 0n);
}

export function maskNames(mask) {
	return Object.entries(CAP_NUMBERS)
		.filter(([, bit]) => mask & (1n << BigInt(bit)))
		.map(([n]) => n);
}

// The command that runs `file args` with exactly agentCaps() (or as is for "all").
export function withCaps(file, args, caps = agentCaps()) {
	if (caps === null) return { file, args };
	const list = ["-all", ...caps.map((c) => "+" + c.slice(4).toLowerCase())].join(",");
	return {
		file: "setpriv",
		args: [`--inh-caps=${list}`, `--ambient-caps=${list}`, `--bounding-set=${list}`, "--no-new-privs", file, ...args],
	};
}

// The capability sets of a running process, as BigInt masks.
export function procCaps(pid) {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const out = {};
	for (const k of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs"]) {
		const m = status.match(new RegExp(`^${k}:\\s*(\\S+)$`, "m"));
		out[k] = m ? (k === "NoNewPrivs" ? Number(m[1]) : BigInt("0x" + m[1])) : undefined;
	}
	return out;
}
