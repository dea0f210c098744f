// 6. A server already running (client connected, initialized) when the agent
// starts is found by the start-up /proc scan.
import { after, test } from "node:test";
import { expectAlertShape, expectFields, startAgent } from "./lib/agent.mjs";
import { FS_SERVER, makeHome } from "./lib/env.mjs";
import { connectStdio } from "./lib/mcp.mjs";

const home = makeHome();
let agent, s;

after(async () => {
	await s?.close();
	await agent?.stop();
	home.cleanup();
});

test("server-filesystem started before the agent: reading id_rsa names it", async () => {
	s = await connectStdio({ args: [FS_SERVER, home.home], env: { HOME: home.home } });
	await s.client.listTools();
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: 2 } }) });
	const from = agent.mark();
	await s.call("read_text_file", { path: home.idRsa });
	const alert = await agent.waitAlert("mcp-sensitive-file", (r) => r.file?.path === home.idRsa, 10000, `read of ${home.idRsa} by pre-existing server pid ${s.pid}`, from);
	expectAlertShape(alert, "mcp-sensitive-file alert");
	expectFields(
		alert,
		{
			"rule.id": "mcp-sensitive-file",
			"server.pid": s.pid,
			// serverInfo went by before the agent ran: the name comes from the command line.
			"server.name": (v) => typeof v === "string" && /filesystem/.test(v),
			"server.identified_by": "cmdline",
			"process.pid": s.pid,
			"process.ppid": process.pid,
			"process.parent.pid": process.pid,
			"process.exe": process.execPath,
			"file.path": home.idRsa,
		},
		"mcp-sensitive-file alert for a pre-existing server"
	);
});
