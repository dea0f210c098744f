// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Unit tests for user/sense/container.c: container ids from real-world cgroup files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sense/container.h"

#define ID_A "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899"
#define ID_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define POD  "5a1b2c3d-4e5f-6789-abcd-ef0123456789"
#define POD_ "5a1b2c3d_4e5f_6789_abcd_ef0123456789"

struct sample {
	const char *content;
	const char *id; /* NULL: none expected */
	const char *runtime;
};

static void check_sample(const struct sample *s)
{
	char id[CONTAINER_ID_LEN + 1];
	const char *runtime = "x";
	int ret =
	    container_id_from_cgroup(s->content, strlen(s->content), id, sizeof(id), &runtime);

	if (!s->id) {
		assert_int_equal(ret, 0);
		assert_string_equal(id, "");
		assert_null(runtime);
		return;
	}
	assert_int_equal(ret, 1);
	assert_string_equal(id, s->id);
	assert_string_equal(runtime, s->runtime);
}

static void test_docker_v1(void **state)
{
	/* Docker 20 on a cgroup v1 host (Ubuntu 20.04), cgroupfs driver. */
	const struct sample s = {"12:pids:/docker/" ID_A "\n"
				 "11:memory:/docker/" ID_A "\n"
				 "2:cpu,cpuacct:/docker/" ID_A "\n"
				 "1:name=systemd:/docker/" ID_A "\n"
				 "0::/system.slice/containerd.service\n",
				 ID_A, "docker"};

	check_sample(&s);
}

static void test_docker_systemd_v2(void **state)
{
	const struct sample s = {"0::/system.slice/docker-" ID_A ".scope\n", ID_A, "docker"};

	check_sample(&s);
}

static void test_containerd_kubepods_systemd(void **state)
{
	const struct sample s = {
	    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
	    ".slice/cri-containerd-" ID_B ".scope\n",
	    ID_B, "containerd"};

	check_sample(&s);
}

static void test_kubepods_cgroupfs(void **state)
{
	/* kubelet with the cgroupfs driver: a bare id under pod<uid>. */
	const struct sample s = {"0::/kubepods/burstable/pod" POD "/" ID_B "\n", ID_B, "cri"};

	check_sample(&s);
}

static void test_kubepods_v1_besteffort(void **state)
{
	const struct sample s = {"11:devices:/kubepods/besteffort/pod" POD "/" ID_A "\n"
				 "1:name=systemd:/kubepods/besteffort/pod" POD "/" ID_A "\n",
				 ID_A, "cri"};

	check_sample(&s);
}

static void test_crio(void **state)
{
	const struct sample s = {
	    "0::/kubepods.slice/kubepods-pod" POD_ ".slice/crio-" ID_A ".scope\n", ID_A, "cri-o"};

	check_sample(&s);
}

static void test_crio_conmon_excluded(void **state)
{
	/* conmon runs beside the container, not in it. */
	const struct sample s = {"0::/machine.slice/crio-conmon-" ID_A ".scope\n", NULL, NULL};

	check_sample(&s);
}

static void test_podman(void **state)
{
	/* Rootless podman on cgroup v2; the payload sits in a "container" child cgroup. */
	const struct sample s = {
	    "0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID_B
	    ".scope/container\n",
	    ID_B, "podman"};

	check_sample(&s);
}

static void test_podman_conmon_excluded(void **state)
{
	const struct sample s = {"0::/machine.slice/libpod-conmon-" ID_B ".scope\n", NULL, NULL};

	check_sample(&s);
}

static void test_podman_cgroupfs(void **state)
{
	const struct sample s = {"0::/libpod_parent/libpod-" ID_A "\n", ID_A, "podman"};

	check_sample(&s);
}

static void test_docker_in_docker_innermost(void **state)
{
	const struct sample s = {"0::/docker/" ID_A "/docker/" ID_B "\n", ID_B, "docker"};

	check_sample(&s);
}

static void test_nerdctl(void **state)
{
	const struct sample s = {"0::/system.slice/nerdctl-" ID_A ".scope\n", ID_A, "containerd"};

	check_sample(&s);
}

static void test_bare_id_elsewhere(void **state)
{
	const struct sample s = {"0::/default/" ID_A "\n", ID_A, "unknown"};

	check_sample(&s);
}

static void test_host_processes(void **state)
{
	static const char *const hosts[] = {
	    "0::/init.scope\n",
	    "0::/user.slice/user-1000.slice/session-3.scope\n",
	    "0::/system.slice/docker.service\n",
	    "12:pids:/user.slice\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n",
	    "0::/\n",
	    "",
	};

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		const struct sample s = {hosts[i], NULL, NULL};

		check_sample(&s);
	}
}

static void test_near_misses(void **state)
{
	static const char *const misses[] = {
	    /* 63 hex digits */
	    "0::/docker/3f4e5d6c7b8a99887766554433221100ffeeddccbbaa0011223344556677889\n",
	    /* upper case is not how runtimes write ids */
	    "0::/docker/3F4E5D6C7B8A99887766554433221100FFEEDDCCBBAA00112233445566778899\n",
	    /* 65 hex digits */
	    "0::/docker-" ID_A "0.scope\n",
	    /* a suffix that is not .scope */
	    "0::/docker-" ID_A ".slice\n",
	    /* no path field */
	    ID_A "\n",
	};

	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		const struct sample s = {misses[i], NULL, NULL};

		check_sample(&s);
	}
}

static void test_not_nul_terminated(void **state)
{
	char buf[128], id[CONTAINER_ID_LEN + 1];
	const char *line = "0::/docker/" ID_A;
	size_t n = strlen(line);

	memcpy(buf, line, n);
	memset(buf + n, 'f', sizeof(buf) - n); /* must not be read as part of the id */
	assert_int_equal(container_id_from_cgroup(buf, n, id, sizeof(id), NULL), 1);
	assert_string_equal(id, ID_A);
	assert_int_equal(container_id_from_cgroup(buf, n - 1, id, sizeof(id), NULL), 0);
}

static void test_bad_arguments(void **state)
{
	char id[CONTAINER_ID_LEN];

	assert_int_equal(container_id_from_cgroup("0::/", 4, id, sizeof(id), NULL), -EINVAL);
	assert_int_equal(container_id_from_cgroup(NULL, 4, id, 65, NULL), -EINVAL);
	assert_int_equal(container_pod_uid_from_cgroup("0::/", 4, id, 36), -EINVAL);
}

static void test_pod_uid(void **state)
{
	static const char *const with_pod[] = {
	    "0::/kubepods/burstable/pod" POD "/" ID_B "\n",
	    "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
	    ".slice/cri-containerd-" ID_B ".scope\n",
	    "0::/kubepods.slice/kubepods-pod" POD_ ".slice/crio-" ID_A ".scope\n",
	};
	char uid[CONTAINER_POD_UID_LEN + 1];

	for (size_t i = 0; i < sizeof(with_pod) / sizeof(with_pod[0]); i++) {
		assert_int_equal(container_pod_uid_from_cgroup(with_pod[i], strlen(with_pod[i]),
							       uid, sizeof(uid)),
				 1);
		assert_string_equal(uid, POD);
	}
	assert_int_equal(
	    container_pod_uid_from_cgroup("0::/docker/" ID_A "\n", 76, uid, sizeof(uid)), 0);
	assert_string_equal(uid, "");
	/* a malformed uid (a hex digit where a dash goes) */
	const char *bad = "0::/kubepods/burstable/pod5a1b2c3d04e5f-6789-abcd-ef0123456789/x\n";

	assert_int_equal(container_pod_uid_from_cgroup(bad, strlen(bad), uid, sizeof(uid)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docker_v1),
	    cmocka_unit_test(test_docker_systemd_v2),
	    cmocka_unit_test(test_containerd_kubepods_systemd),
	    cmocka_unit_test(test_kubepods_cgroupfs),
	    cmocka_unit_test(test_kubepods_v1_besteffort),
	    cmocka_unit_test(test_crio),
	    cmocka_unit_test(test_crio_conmon_excluded),
	    cmocka_unit_test(test_podman),
	    cmocka_unit_test(test_podman_conmon_excluded),
	    cmocka_unit_test(test_podman_cgroupfs),
	    cmocka_unit_test(test_docker_in_docker_innermost),
	    cmocka_unit_test(test_nerdctl),
	    cmocka_unit_test(test_bare_id_elsewhere),
	    cmocka_unit_test(test_host_processes),
	    cmocka_unit_test(test_near_misses),
	    cmocka_unit_test(test_not_nul_terminated),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_pod_uid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
