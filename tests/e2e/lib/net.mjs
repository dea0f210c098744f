// Loopback-only network helpers.
import net from "node:net";

// A TCP port that was free a moment ago (bind to port 0 on loopback, close).
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.once("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}
