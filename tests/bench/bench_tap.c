/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Cost of the tool-call tap on a watched stdio server: a client sends N
 * tools/call requests (each with an argument of SIZE bytes) over a pipe to a
 * server that answers each with a result of the same size, one at a time,
 * as an MCP client and server do. Prints "calls <N> ns_per_call <x>
 * bytes <b>". tests/bench/run.sh runs it with no agent, with the agent and
 * the tap off, and with the tap on (auditing every call, to count losses).
 *
 *   bench_tap server              answer requests on stdin/stdout
 *   bench_tap client SERVER N SIZE  run SERVER (a copy named like an MCP server)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Reads lines, answers each with a result as long as it. */
static int serve(void)
{
	char *line = NULL, *out = NULL;
	size_t cap = 0, ocap = 0;
	ssize_t n;
	long id = 0;

	/* The handshake a client waits for: makes the server known by protocol too. */
	printf("{\"jsonrpc\":\"2.0\",\"id\":0,\"result\":{\"serverInfo\":{\"name\":\"bench\","
	       "\"version\":\"1\"}}}\n");
	fflush(stdout);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if ((size_t)n + 64 > ocap) {
			ocap = (size_t)n + 64;
			out = realloc(out, ocap);
			if (!out)
				return 1;
		}
		size_t text = n > 80 ? (size_t)n - 80 : 1;
		int len = snprintf(out, ocap,
				   "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"content\":[{"
				   "\"type\":\"text\",\"text\":\"",
				   ++id);

		memset(out + len, 'x', text);
		len += (int)text;
		len += snprintf(out + len, ocap - (size_t)len, "\"}]}}\n");
		if (write(1, out, (size_t)len) != len)
			return 1;
	}
	free(line);
	free(out);
	return 0;
}

static int client(const char *server, long calls, long size)
{
	int to[2], from[2];
	char *req = malloc((size_t)size + 128), *line = NULL;
	size_t cap = 0;
	double t0;
	long bytes = 0;
	FILE *in;
	pid_t pid;

	if (!req || pipe(to) || pipe(from))
		return 1;
	pid = fork();
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		close(to[1]);
		close(from[0]);
		execl(server, server, "server", (char *)NULL);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	in = fdopen(from[0], "r");
	if (!in || getline(&line, &cap, in) <= 0) /* the handshake */
		return 1;
	usleep(200 * 1000); /* let the agent identify and tap it */
	t0 = now_ns();
	for (long i = 1; i <= calls; i++) {
		int len = snprintf(
		    req, (size_t)size + 128,
		    "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{"
		    "\"name\":\"echo\",\"arguments\":{\"message\":\"",
		    i);

		memset(req + len, 'a', (size_t)size);
		len += (int)size;
		len += snprintf(req + len, 128, "\"}}}\n");
		if (write(to[1], req, (size_t)len) != len || getline(&line, &cap, in) <= 0)
			return 1;
		bytes += len + (long)strlen(line);
	}
	printf("calls %ld ns_per_call %.0f bytes %ld\n", calls, (now_ns() - t0) / (double)calls,
	       bytes);
	close(to[1]);
	fclose(in);
	waitpid(pid, NULL, 0);
	free(req);
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "server"))
		return serve();
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], atol(argv[3]), atol(argv[4]));
	fprintf(stderr, "usage: bench_tap server | client SERVER N SIZE\n");
	return 2;
}
