/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* elfsym: function offsets in real ELF files, and clean failures on others. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "sense/elfsym.h"

#define TINY "tests/fuzz/corpus/elfsym/tiny-libssl.so"

/* The bytes of path from off: the function's code there must be real code. */
static size_t read_at(const char *path, uint64_t off, unsigned char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	size_t got = 0;

	if (f && fseek(f, (long)off, SEEK_SET) == 0)
		got = fread(buf, 1, n, f);
	if (f)
		fclose(f);
	return got;
}

static void test_tiny_library(void **state)
{
	uint64_t rd = 0, wr = 0;
	unsigned char code[4];

	(void)state;
	assert_int_equal(elfsym_file_offset(TINY, "SSL_read", &rd), 0);
	assert_int_equal(elfsym_file_offset(TINY, "SSL_write", &wr), 0);
	assert_true(rd != wr);
	/* SSL_read is `return n`: mov %edx,%eax (89 d0) then ret (c3) at -O1. */
	assert_int_equal(read_at(TINY, rd, code, 3), 3);
	assert_memory_equal(code, "\x89\xd0\xc3", 3);
	assert_int_equal(elfsym_file_offset(TINY, "SSL_peek", &rd), -ENOENT);
}

/* The library the TLS tap attaches to on this distribution. */
static void test_system_libssl(void **state)
{
	const char *lib = "/usr/lib/x86_64-linux-gnu/libssl.so.3";
	uint64_t off = 0;

	(void)state;
	if (access(lib, R_OK) != 0)
		skip();
	assert_int_equal(elfsym_file_offset(lib, "SSL_read", &off), 0);
	assert_true(off > 0);
	assert_int_equal(elfsym_file_offset(lib, "SSL_read_ex", &off), 0);
	/* An undefined (imported) function is not the library's own code. */
	assert_int_equal(elfsym_file_offset(lib, "memcpy", &off), -ENOENT);
}

static void test_not_elf(void **state)
{
	char text[] = "not an ELF file at all";
	unsigned char head[64];
	uint64_t off;
	FILE *f = fopen(TINY, "rb");

	(void)state;
	assert_int_equal(elfsym_offset(text, sizeof(text), "SSL_read", &off), -ENOEXEC);
	assert_int_equal(elfsym_file_offset("/nonexistent/libssl.so", "SSL_read", &off), -ENOENT);
	assert_int_equal(elfsym_file_offset("tests", "SSL_read", &off), -ENOEXEC);
	/* An ELF header without the rest: no symbol, no crash. */
	assert_non_null(f);
	assert_int_equal(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	assert_true(elfsym_offset(head, sizeof(head), "SSL_read", &off) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tiny_library),
	    cmocka_unit_test(test_system_libssl),
	    cmocka_unit_test(test_not_elf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
