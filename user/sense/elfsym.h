/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * elfsym: where a function's code is in an ELF file, as a uprobe wants it
 * (a file offset). The file is a library a watched process maps, so its
 * contents are outside input: every answer is checked against the file.
 */
#ifndef MCPWATCH_SENSE_ELFSYM_H
#define MCPWATCH_SENSE_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

/*
 * The file offset of the code of func (a defined STT_FUNC in .dynsym or
 * .symtab) in the ELF image of size bytes at buf: its address moved from its
 * executable PT_LOAD segment's address to that segment's place in the file.
 * 0, or -ENOENT (no such function, or outside every executable segment),
 * -ENOEXEC (not ELF). The offset is inside the image. libelf may rewrite
 * the image in place (byte order): buf must be a private, writable copy.
 */
int elfsym_offset(void *buf, size_t size, const char *func, uint64_t *off);

/* The same for the file at path (mapped privately); -errno when it cannot be read. */
int elfsym_file_offset(const char *path, const char *func, uint64_t *off);

#endif /* MCPWATCH_SENSE_ELFSYM_H */
