// SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
/* probes.c - --list-probes: the USDT probes (.note.stapsdt) in our binaries. */
#include <elf.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

/* Round @v up to a multiple of 4 (ELF note alignment). */
static size_t align4(size_t v)
{
	return (v + 3) & ~(size_t)3;
}

/*
 * Print the stapsdt notes of the 64-bit ELF file @path, one probe a line.
 * Return: probes found, or -1 when the file cannot be read as ELF64.
 */
static int list_file(FILE *out, const char *path)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const char *names;
	struct stat st;
	unsigned int i;
	int fd, found = 0;
	void *map;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || (size_t)st.st_size < sizeof(*eh)) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	eh = map;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > (size_t)st.st_size ||
	    eh->e_shstrndx >= eh->e_shnum) {
		munmap(map, (size_t)st.st_size);
		return -1;
	}
	sh = (const Elf64_Shdr *)((const char *)map + eh->e_shoff);
	names = (const char *)map + sh[eh->e_shstrndx].sh_offset;
	for (i = 0; i < eh->e_shnum; i++) {
		const char *p, *end;

		if (sh[i].sh_type != SHT_NOTE || strcmp(names + sh[i].sh_name, ".note.stapsdt") ||
		    sh[i].sh_offset + sh[i].sh_size > (size_t)st.st_size)
			continue;
		p = (const char *)map + sh[i].sh_offset;
		end = p + sh[i].sh_size;
		while (p + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *nh = (const Elf64_Nhdr *)p;
			const char *name = p + sizeof(*nh);
			const char *desc = name + align4(nh->n_namesz);
			const char *prov, *probe, *args;

			p = desc + align4(nh->n_descsz);
			if (p > end)
				break;
			if (nh->n_type != 3 || nh->n_namesz != 8 || memcmp(name, "stapsdt", 8) ||
			    nh->n_descsz < 3 * 8 + 3)
				continue;
			/* desc: pc, base, semaphore (8 bytes each), then three strings. */
			prov = desc + 24;
			probe = memchr(prov, 0, (size_t)(desc + nh->n_descsz - prov)) ?
				prov + strlen(prov) + 1 : NULL;
			if (!probe || probe >= desc + nh->n_descsz)
				continue;
			args = probe + strlen(probe) + 1;
			if (args >= desc + nh->n_descsz)
				args = "";
			fprintf(out, "  %s:%-10s args: %s\n", prov, probe, args);
			found++;
		}
	}
	munmap(map, (size_t)st.st_size);
	return found;
}

/**
 * rb_list_probes() - print the USDT probes tracers can attach to
 * @f: where to print
 *
 * ringbench links libringdev.a, so its own binary carries the library's
 * probes; libringdev.so beside it (build/) is listed too when present.
 *
 * Return: 0, or -1 when no probe was found anywhere.
 */
int rb_list_probes(FILE *f)
{
	char exe[PATH_MAX], so[PATH_MAX + 32], dir[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int total = 0, n;

	if (k <= 0)
		return -1;
	exe[k] = 0;
	snprintf(dir, sizeof(dir), "%s", exe);
	snprintf(so, sizeof(so), "%s/libringdev.so", dirname(dir));
	fprintf(f, "USDT probes (provider ringdev; arguments in stapsdt notation):\n");
	fprintf(f, "%s:\n", exe);
	n = list_file(f, exe);
	if (n <= 0)
		fprintf(f, "  none (built without <sys/sdt.h>: apt-get install systemtap-sdt-dev)\n");
	total += n > 0 ? n : 0;
	if (!access(so, R_OK)) {
		fprintf(f, "%s:\n", so);
		n = list_file(f, so);
		if (n <= 0)
			fprintf(f, "  none\n");
		total += n > 0 ? n : 0;
	}
	fprintf(f, "\nattach with, e.g.:\n"
		"  perf probe -x %s sdt_ringdev:kick  (after perf buildid-cache --add %s)\n"
		"  bpftrace -e 'usdt:%s:ringdev:kick { @[arg1] = count(); }'\n",
		access(so, R_OK) ? exe : so, access(so, R_OK) ? exe : so,
		access(so, R_OK) ? exe : so);
	return total ? 0 : -1;
}
