// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Fuzz target: arbitrary bytes as a ring-buffer record into sensor_decode,
 * and as component lists / paths into the path helpers. Every string the
 * decoder hands out is read to its end so that ASan sees any overrun.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "sense/sensor.h"

static size_t fuzz_sink;

static void fuzz_touch(const char *s)
{
	if (s)
		fuzz_sink += strlen(s);
}

static void fuzz_event(const struct sensor_event *ev, void *arg)
{
	int i;

	switch (ev->type) {
	case MW_EV_EXEC:
		fuzz_touch(ev->exec.comm);
		fuzz_touch(ev->exec.exe);
		for (i = 0; i < ev->exec.argc; i++)
			fuzz_touch(ev->exec.argv[i]);
		if (ev->exec.argv[ev->exec.argc])
			abort();
		/* The device round-trips: st_dev's encoding back to the kernel's. */
		if (ev->exec.exe_dev !=
		    sensor_dev_from_kernel(
			(uint32_t)(major(ev->exec.exe_dev) << 20 | minor(ev->exec.exe_dev))))
			abort();
		fuzz_sink += ev->exec.exe_ino;
		break;
	case MW_EV_OPEN:
		fuzz_touch(ev->open.path);
		/* Any device decodes to one that encodes back to it. */
		if (sensor_dev_from_kernel(sensor_dev_to_kernel(ev->open.dev)) != ev->open.dev)
			abort();
		break;
	case MW_EV_LISTEN:
	case MW_EV_CONNECT:
		fuzz_touch(ev->sock.laddr);
		fuzz_touch(ev->sock.raddr);
		/* The decoder's promises: a known protocol, UDP only as a listener
		 * that started, V6ONLY only on IPv6. */
		if ((ev->sock.protocol != IPPROTO_TCP && ev->sock.protocol != IPPROTO_UDP) ||
		    (ev->sock.protocol == IPPROTO_UDP &&
		     (ev->type != MW_EV_LISTEN || !ev->sock.listening)) ||
		    (ev->sock.v6only && ev->sock.family != AF_INET6))
			abort();
		break;
	case MW_EV_STDOUT:
		if (ev->out.len > MW_STDOUT_SAMPLE)
			abort();
		for (size_t j = 0; j < ev->out.len; j++)
			fuzz_sink += (unsigned char)ev->out.data[j];
		break;
	case MW_EV_IO:
		/* The decoder's promises: a bounded chunk that lies within its call. */
		if (ev->io.len > MW_IO_CHUNK ||
		    ev->io.offset + (uint64_t)ev->io.len > ev->io.total || ev->io.dir > MW_IO_OUT ||
		    ev->io.source > MW_IO_TLS || ev->io.fd_kind > MW_FD_SOCKET)
			abort();
		for (size_t j = 0; j < ev->io.len; j++)
			fuzz_sink += (unsigned char)ev->io.data[j];
		break;
	case MW_EV_URING:
		fuzz_sink += (uint32_t)ev->uring.fd + ev->uring.sq_entries + ev->uring.cq_entries +
			     ev->uring.setup_flags;
		break;
	default:
		break;
	}
}

static void fuzz_paths(const uint8_t *data, size_t size)
{
	char out[256], norm[256], *str;
	int n;

	n = sensor_path_join((const char *)data, size, out, sizeof(out));
	if (n >= 0 && (size_t)n != strlen(out))
		abort();
	if (n >= 0 && sensor_path_normalise(out, norm, sizeof(norm)) > n)
		abort();
	str = malloc(size + 1);
	if (!str)
		return;
	memcpy(str, data, size);
	str[size] = '\0';
	n = sensor_path_normalise(str, norm, sizeof(norm));
	if (n >= 0 && (size_t)n != strlen(norm))
		abort();
	free(str);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy, so reads past the record are caught. */
	uint8_t *rec = malloc(size ? size : 1);

	if (!rec)
		return 0;
	memcpy(rec, data, size);
	sensor_decode(rec, size, fuzz_event, NULL);
	free(rec);
	if (size < 512)
		fuzz_paths(data, size);
	return 0;
}
