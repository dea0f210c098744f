/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Cost of the syscalls mcpwatch's kernel programs sit on, as seen by the
 * process making them: open+close of a benign file, write to /dev/null and
 * to a regular file, read of /dev/zero, and getppid (a syscall no program
 * cares about). Prints one line per case:
 * "<case> <ns per op>". tests/bench/run.sh runs it side by side with and
 * without the agent, and as a tracked server, and prints the ratios.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double bench_open(long n, const char *path)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(path);
			exit(1);
		}
		close(fd);
	}
	return (now_ns() - t0) / (double)n;
}

static double bench_write(long n)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	static const char msg[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n";
	double t0;

	if (fd < 0)
		exit(1);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (write(fd, msg, sizeof(msg) - 1) < 0)
			exit(1);
	close(fd);
	return (now_ns() - t0) / (double)n;
}

/* 64-byte writes to a regular file, rewound every 4,096 writes. */
static double bench_write_file(long n)
{
	char path[] = "/tmp/mcpwatch-bench-XXXXXX", buf[64] = {0};
	int fd = mkstemp(path);
	double t0;

	if (fd < 0)
		exit(1);
	unlink(path);
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		if (write(fd, buf, sizeof(buf)) < 0)
			exit(1);
		if ((i & 4095) == 4095 && lseek(fd, 0, SEEK_SET) < 0)
			exit(1);
	}
	close(fd);
	return (now_ns() - t0) / (double)n;
}

static double bench_read(long n)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	char buf[64];
	double t0;

	if (fd < 0)
		exit(1);
	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (read(fd, buf, sizeof(buf)) < 0)
			exit(1);
	close(fd);
	return (now_ns() - t0) / (double)n;
}

static double bench_getppid(long n)
{
	double t0 = now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;

	if (n <= 0)
		n = 200000;
	bench_open(n / 10, "/etc/hostname"); /* warm caches */
	printf("open_close %.1f\n", bench_open(n, "/etc/hostname"));
	printf("write_devnull %.1f\n", bench_write(n));
	printf("write_file %.1f\n", bench_write_file(n));
	printf("read_devzero %.1f\n", bench_read(n));
	printf("getppid %.1f\n", bench_getppid(n));
	return 0;
}
