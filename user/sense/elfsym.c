/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
#include "sense/elfsym.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* func's address in a symbol table of e; false when none defines it. */
static bool elfsym_find(Elf *e, const char *func, uint64_t *addr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_DYNSYM && sh.sh_type != SHT_SYMTAB) || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < d->d_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF)
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, func)) {
				*addr = sym.st_value;
				return true;
			}
		}
	}
	return false;
}

int elfsym_offset(void *buf, size_t size, const char *func, uint64_t *off)
{
	uint64_t addr;
	size_t nph = 0;
	int rc = -ENOENT;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	e = elf_memory(buf, size);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		elf_end(e);
		return -ENOEXEC;
	}
	if (elfsym_find(e, func, &addr) && !elf_getphdrnum(e, &nph)) {
		for (size_t i = 0; i < nph && rc; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
			    (ph.p_flags & PF_X) && addr >= ph.p_vaddr &&
			    addr - ph.p_vaddr < ph.p_filesz && ph.p_offset < size &&
			    addr - ph.p_vaddr < size - ph.p_offset) {
				*off = addr - ph.p_vaddr + ph.p_offset;
				rc = 0;
			}
		}
	}
	elf_end(e);
	return rc;
}

int elfsym_file_offset(const char *path, const char *func, uint64_t *off)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	struct stat st;
	void *map;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return -ENOEXEC;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	rc = elfsym_offset(map, (size_t)st.st_size, func, off);
	munmap(map, (size_t)st.st_size);
	return rc;
}
