/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* caps: names, the effective set of this process, and the EPERM hint. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/caps.h"

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(caps_name(0), "CAP_CHOWN");
	assert_string_equal(caps_name(CAPS_DAC_READ_SEARCH), "CAP_DAC_READ_SEARCH");
	assert_string_equal(caps_name(CAPS_SYS_PTRACE), "CAP_SYS_PTRACE");
	assert_string_equal(caps_name(CAPS_SYS_ADMIN), "CAP_SYS_ADMIN");
	assert_string_equal(caps_name(CAPS_SYS_RESOURCE), "CAP_SYS_RESOURCE");
	assert_string_equal(caps_name(CAPS_PERFMON), "CAP_PERFMON");
	assert_string_equal(caps_name(CAPS_BPF), "CAP_BPF");
	assert_string_equal(caps_name(CAPS_LAST), "CAP_CHECKPOINT_RESTORE");
	assert_null(caps_name(CAPS_LAST + 1));
	assert_null(caps_name(-1));
}

static void test_format(void **state)
{
	char buf[256], small[16];

	(void)state;
	assert_string_equal(caps_format(CAPS_NEEDED, buf, sizeof(buf)),
			    "CAP_DAC_READ_SEARCH CAP_SYS_PTRACE CAP_PERFMON CAP_BPF");
	assert_string_equal(caps_format(0, buf, sizeof(buf)), "none");
	assert_string_equal(caps_format(CAPS_BIT(45), buf, sizeof(buf)), "cap_45");
	/* Cut between names, never inside one. */
	assert_string_equal(caps_format(CAPS_FOR_BPF, small, sizeof(small)), "CAP_PERFMON");
}

static void test_missing_hint(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(
	    caps_missing_hint(-EPERM, CAPS_FOR_BPF, CAPS_BIT(CAPS_BPF), buf, sizeof(buf)),
	    " (missing CAP_PERFMON)");
	assert_string_equal(caps_missing_hint(EACCES, CAPS_NEEDED, 0, buf, sizeof(buf)),
			    " (missing CAP_DAC_READ_SEARCH CAP_SYS_PTRACE CAP_PERFMON CAP_BPF)");
	/* Another errno, or nothing missing: no hint. */
	assert_string_equal(caps_missing_hint(-ENOENT, CAPS_FOR_BPF, 0, buf, sizeof(buf)), "");
	assert_string_equal(caps_missing_hint(-EPERM, CAPS_FOR_BPF, CAPS_FOR_BPF, buf, sizeof(buf)),
			    "");
	/* The kernel's stand-ins: SYS_ADMIN for BPF+PERFMON, DAC_OVERRIDE for DAC_READ_SEARCH. */
	assert_string_equal(
	    caps_missing_hint(-EPERM, CAPS_FOR_BPF, CAPS_BIT(CAPS_SYS_ADMIN), buf, sizeof(buf)),
	    "");
	assert_string_equal(caps_missing_hint(-EACCES, CAPS_BIT(CAPS_DAC_READ_SEARCH),
					      CAPS_BIT(CAPS_DAC_OVERRIDE), buf, sizeof(buf)),
			    "");
}

/* The real capget(2) against /proc/self/status, as the kernel reports it. */
static void test_effective_matches_proc(void **state)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long eff = 0;
	int found = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found |= sscanf(line, "CapEff: %llx", &eff) == 1;
	fclose(f);
	assert_true(found);
	assert_int_equal(caps_effective(), (uint64_t)eff);
	assert_true(caps_have(0));
	assert_int_equal(caps_have(CAPS_BIT(CAPS_BPF)), (eff >> CAPS_BPF) & 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_missing_hint),
	    cmocka_unit_test(test_effective_matches_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
