// Offline validation of Kubernetes objects against the API's schemas, as the
// API server would with strict field validation (kubectl's default since 1.27):
//  - types, required fields, enums and formats: the JSON-schema validators that
//    the kubernetes-models package generates from the Kubernetes OpenAPI spec;
//  - unknown fields (a misspelt key is silently dropped by a lenient server):
//    the field lists of the same package's generated type declarations, since
//    the OpenAPI schemas themselves allow additional properties.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);
const MODELS = path.dirname(require.resolve("kubernetes-models/package.json"));
const APIMACHINERY = path.dirname(require.resolve("@kubernetes-models/apimachinery/package.json"));

// YAML text (several documents) to objects; a YAML error throws.
export function parseManifests(text) {
	return parseAllDocuments(text)
		.map((doc) => {
			if (doc.errors.length) throw new Error(`YAML: ${doc.errors[0].message}`);
			return doc.toJS();
		})
		.filter((o) => o !== null);
}

async function modelClass(obj) {
	if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string")
		throw new Error("object without apiVersion or kind");
	// "apps/v1" → kubernetes-models/apps/v1; the core group "v1" → kubernetes-models/v1.
	let mod;
	try {
		mod = await import(`kubernetes-models/${obj.apiVersion}`);
	} catch {
		throw new Error(`unknown apiVersion ${obj.apiVersion}`);
	}
	const cls = mod[obj.kind];
	if (typeof cls !== "function") throw new Error(`unknown kind ${obj.kind} in ${obj.apiVersion}`);
	return cls;
}

// ---- field lists from the generated .d.ts files
// Each declares `export interface IName { "field"?: Type; ... }` and ends with
// `export { IName as IIoK8s<Canonical>, ... }`; fields refer to other types by
// their canonical names (imported) or by local interface names.
function* dtsFiles(dir) {
	for (const e of readdirSync(dir, { withFileTypes: true })) {
		const p = path.join(dir, e.name);
		if (e.isDirectory() && e.name !== "node_modules" && !e.name.startsWith("_")) yield* dtsFiles(p);
		else if (e.isFile() && e.name.endsWith(".d.ts")) yield p;
	}
}

// Type text → {shape: "ref"|"array"|"map", name} or null (a scalar or a type alias).
function fieldType(text) {
	let m = /^Array<(I\w+)>$/.exec(text);
	if (m) return { shape: "array", name: m[1] };
	m = /^(I\w+)$/.exec(text);
	if (m) return { shape: "ref", name: m[1] };
	return null;
}

function parseDts(file, types) {
	const lines = readFileSync(file, "utf8").split("\n");
	const alias = new Map(); // local interface name → canonical name
	for (const l of lines) {
		const m = /^export \{ (.*) \};$/.exec(l);
		if (!m) continue;
		for (const part of m[1].split(",")) {
			const a = /^\s*(I\w+) as (IIoK8s\w+)\s*$/.exec(part);
			if (a) alias.set(a[1], a[2]);
		}
	}
	const local = new Map();
	for (let i = 0; i < lines.length; i++) {
		const head = /^export interface (I\w+)(?: extends [\w, ]+)? \{$/.exec(lines[i]);
		if (!head) continue;
		const fields = new Map();
		for (i++; i < lines.length && lines[i] !== "}"; i++) {
			const f = /^ {4}"([^"]+)"\??: (.*)$/.exec(lines[i]);
			if (!f) continue;
			if (f[2] === "{") {
				// `{ [key: string]: Type; }`: a map whose values have Type
				const v = /^ {8}\[key: string\]: (.*);$/.exec(lines[i + 1] ?? "");
				const t = v && fieldType(v[1]);
				fields.set(f[1], t ? { shape: "map", name: t.shape === "ref" ? t.name : null } : null);
				while (i < lines.length && lines[i] !== "    };") i++;
			} else {
				fields.set(f[1], fieldType(f[2].replace(/;$/, "")));
			}
		}
		local.set(head[1], fields);
	}
	const canon = (n) => alias.get(n) ?? n;
	for (const [name, fields] of local) {
		for (const t of fields.values()) if (t?.name) t.name = canon(t.name);
		if (alias.has(name)) types.set(alias.get(name), fields);
	}
}

let typeIndex;
function types() {
	if (!typeIndex) {
		typeIndex = new Map();
		for (const root of [MODELS, APIMACHINERY]) for (const f of dtsFiles(root)) parseDts(f, typeIndex);
	}
	return typeIndex;
}

// The canonical type name of a top-level kind: the alias in its class's .d.ts.
function kindTypeName(obj) {
	const file = path.join(MODELS, obj.apiVersion, `${obj.kind}.d.ts`);
	const m = /export \{ I\w+ as (IIoK8s\w+),/.exec(readFileSync(file, "utf8"));
	if (!m) throw new Error(`no type declaration for ${obj.apiVersion} ${obj.kind}`);
	return m[1];
}

function unknownFields(value, typeName, where, out) {
	const fields = types().get(typeName);
	if (!fields || value === null || typeof value !== "object" || Array.isArray(value)) return;
	for (const [k, v] of Object.entries(value)) {
		if (!fields.has(k)) {
			out.push(`${where}.${k}: unknown field`);
			continue;
		}
		const t = fields.get(k);
		if (!t?.name) continue;
		if (t.shape === "ref") unknownFields(v, t.name, `${where}.${k}`, out);
		else if (t.shape === "array" && Array.isArray(v))
			v.forEach((e, i) => unknownFields(e, t.name, `${where}.${k}[${i}]`, out));
		else if (t.shape === "map" && v && typeof v === "object")
			for (const [mk, mv] of Object.entries(v)) unknownFields(mv, t.name, `${where}.${k}.${mk}`, out);
	}
}

// The problems of one object, [] when valid. Names the object in each line.
export async function validateObject(obj) {
	const name = `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;
	let cls;
	try {
		cls = await modelClass(obj);
	} catch (e) {
		return [`${name}: ${e.message}`];
	}
	const problems = [];
	try {
		new cls(obj).validate();
	} catch (e) {
		for (const line of String(e.message).split(", data")) problems.push(`${name}: ${line.replace(/^\//, "data/")}`);
	}
	const unknown = [];
	unknownFields(obj, kindTypeName(obj), "", unknown);
	for (const u of unknown) problems.push(`${name}: ${u.slice(1)}`);
	return problems;
}

// How many types the field index knows (a sanity check that parsing worked).
export function knownTypeCount() {
	return types().size;
}
