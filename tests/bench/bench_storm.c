/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Load generators for tests/bench/load.mjs, run as a watched MCP server
 * (the harness copies this binary to a name the agent's selectors match):
 *   open DIR N         opens and closes N files of DIR (f0..f999, round
 *                      robin) as fast as it can; prints "opens <n> <ns>"
 *   paced DIR RATE S   the same at RATE opens per second for S seconds;
 *                      prints "opens <n> <ns>"
 *   exec N             forks and execs /bin/true N times, waiting for each;
 *                      prints "execs <n> <ns>"
 *   idle               sleeps until killed (a server that does nothing)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NFILES 1000

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void open_one(const char *dir, long i)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/f%ld", dir, i % NFILES);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static int storm_open(const char *dir, long n)
{
	long long t0 = now_ns();

	for (long i = 0; i < n; i++)
		open_one(dir, i);
	printf("opens %ld %lld\n", n, now_ns() - t0);
	return 0;
}

static int storm_paced(const char *dir, long rate, long seconds)
{
	long long t0 = now_ns(), step = 1000000000LL / rate;
	long n = rate * seconds;

	for (long i = 0; i < n; i++) {
		long long due = t0 + i * step;

		while (now_ns() < due)
			;
		open_one(dir, i);
	}
	printf("opens %ld %lld\n", n, now_ns() - t0);
	return 0;
}

static int storm_exec(long n)
{
	long long t0 = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			return 1;
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) != pid)
			return 1;
	}
	printf("execs %ld %lld\n", n, now_ns() - t0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "open"))
		return storm_open(argv[2], atol(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "paced") && atol(argv[3]) > 0)
		return storm_paced(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "exec"))
		return storm_exec(atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "idle")) {
		for (;;)
			pause();
	}
	fprintf(stderr, "usage: bench_storm open DIR N | paced DIR RATE SECONDS | exec N | idle\n");
	return 2;
}
