// 5. Negative controls: a program that is not an MCP server doing everything
// the rules look for raises nothing; servers started and initialized without
// any tool call raise nothing.
import { after, before, test } from "node:test";
import { alertsAfterQuiet, assertNoAlerts, startAgent } from "./lib/agent.mjs";
import { EVERYTHING_SERVER, FS_SERVER, NOT_MCP, makeHome } from "./lib/env.mjs";
import { connectStdio, connectToolbox, startProcess } from "./lib/mcp.mjs";

let home, agent;

before(async () => {
	home = makeHome();
	agent = await startAgent({ config: home.writeJson("config.json", { alerts: { aggregate_window_s: 2 } }) });
});

after(async () => {
	await agent?.stop();
	home?.cleanup();
});

test("not-mcp runs sh -c, reads id_rsa and listens on 0.0.0.0: no alert", async () => {
	const from = agent.mark();
	const p = await startProcess({ args: [NOT_MCP, home.idRsa], env: { HOME: home.home }, readyLine: /not-mcp done port=\d+/ });
	try {
		assertNoAlerts(await alertsAfterQuiet(agent, from), `for a non-MCP program (pid ${p.pid}: ${p.readyLine})`);
	} finally {
		await p.stop();
	}
});

test("servers launched and initialized with no tool call: no alert", async () => {
	const from = agent.mark();
	const sessions = [];
	try {
		sessions.push(await connectToolbox({ env: { HOME: home.home } }));
		sessions.push(await connectStdio({ args: [FS_SERVER, home.home], env: { HOME: home.home } }));
		sessions.push(await connectStdio({ args: [EVERYTHING_SERVER, "stdio"], env: { HOME: home.home } }));
		const pids = sessions.map((s) => s.pid).join(", ");
		assertNoAlerts(await alertsAfterQuiet(agent, from), `for starting and initializing servers (pids ${pids})`);
	} finally {
		for (const s of sessions) await s.close();
	}
});
