/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ELF object of a module, read with libelf (32/64-bit, either byte order) the way the
 * kernel's module loader finds things: the first SHF_ALLOC section of a given name, the name in
 * struct module of .gnu.linkonce.this_module, and the key=value strings of .modinfo. Every
 * offset and size comes from the file, so each is checked against the bytes we have.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <string.h>

#include "core/modimage-internal.h"

/*
 * struct module starts with enum module_state (int) and struct list_head (two pointers); the
 * name follows: offset 24 on 64-bit, 12 on 32-bit. Its size, MODULE_NAME_LEN, is
 * 64 - sizeof(unsigned long): 56 on 64-bit, 60 on 32-bit.
 */
#define MODULE_NAME_OFFSET(is64) ((is64) ? 24u : 12u)
#define MODULE_NAME_LEN(is64) ((is64) ? 56u : 60u)

static pthread_once_t elf_once = PTHREAD_ONCE_INIT;

static void elf_init(void)
{
	elf_version(EV_CURRENT);
}

static void elf_endp(Elf **e)
{
	if (*e)
		elf_end(*e);
}

struct section {
	const unsigned char *data;
	size_t size;
	bool found;
	bool nobits;
};

/*
 * The first SHF_ALLOC section called name (the kernel's find_sec()), bounds-checked: one out of
 * bounds is found without data. -ENOEXEC when the section headers cannot be read at all.
 */
static int find_section(struct modimage *img, Elf *elf, size_t shstrndx, const unsigned char *buf,
			size_t len, const char *name, struct section *out)
{
	Elf_Scn *scn = NULL;

	*out = (struct section){0};
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *s;

		if (!gelf_getshdr(scn, &shdr)) {
			modimage_set_error(img, -ENOEXEC, "bad ELF section header: %s",
					   elf_errmsg(-1));
			return -ENOEXEC;
		}
		if (!(shdr.sh_flags & SHF_ALLOC))
			continue;
		s = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!s || strcmp(s, name))
			continue;
		out->found = true;
		if (shdr.sh_type == SHT_NOBITS) {
			out->nobits = true;
			return 0;
		}
		if (shdr.sh_offset > len || shdr.sh_size > len - shdr.sh_offset)
			/* Found but unreadable: the reader of the other section still runs. */
			return modimage_set_error(img, -ENOEXEC,
						  "%s section is out of the file's bounds", name);
		out->data = buf + shdr.sh_offset;
		out->size = shdr.sh_size;
		modimage_note_read(img, shdr.sh_offset, shdr.sh_size);
		return 0;
	}
	return 0;
}

static int read_this_module(struct modimage *img, const struct section *sec, bool is64)
{
	size_t off = MODULE_NAME_OFFSET(is64), max = MODULE_NAME_LEN(is64), end;
	const unsigned char *nul;

	if (!sec->found)
		return modimage_set_error(img, -ENOEXEC, "no .gnu.linkonce.this_module section");
	if (sec->nobits || !sec->data)
		return modimage_set_error(img, -ENOEXEC,
					  ".gnu.linkonce.this_module section has no data");
	if (sec->size <= off)
		return modimage_set_error(img, -ENOEXEC,
					  ".gnu.linkonce.this_module section is too small");
	end = sec->size - off < max ? sec->size - off : max;
	nul = memchr(sec->data + off, '\0', end);
	if (!nul)
		return modimage_set_error(img, -ENOEXEC, "module name is not NUL-terminated");
	memcpy(img->name_buf, sec->data + off, (size_t)(nul - (sec->data + off)) + 1);
	img->info.name = img->name_buf;
	return 0;
}

static void set_known_field(struct modimage_info *info, const char *key, const char *value)
{
	static const struct {
		const char *key;
		size_t offset;
	} fields[] = {
		{"name", offsetof(struct modimage_info, modinfo_name)},
		{"vermagic", offsetof(struct modimage_info, vermagic)},
		{"srcversion", offsetof(struct modimage_info, srcversion)},
		{"version", offsetof(struct modimage_info, version)},
		{"license", offsetof(struct modimage_info, license)},
		{"intree", offsetof(struct modimage_info, intree)},
	};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char **slot = (const char **)((char *)info + fields[i].offset);

		/* The first entry wins, as in the kernel's get_modinfo(). */
		if (!strcmp(key, fields[i].key) && !*slot)
			*slot = value;
	}
}

/* Split .modinfo into its NUL-separated key=value strings; empty strings are padding. */
static int read_modinfo(struct modimage *img, const struct section *sec)
{
	size_t n = 0, size = sec->size;
	char *s;

	if (!sec->found)
		return modimage_set_error(img, -ENOEXEC, "no .modinfo section");
	if (sec->nobits || !sec->data)
		return modimage_set_error(img, -ENOEXEC, ".modinfo section has no data");

	img->modinfo_strings = s = malloc(size + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, sec->data, size);
	s[size] = '\0'; /* the last string may run to the end of the section */

	for (size_t i = 0; i < size; i++)
		if (s[i] && (i == 0 || !s[i - 1]))
			n++;
	img->modinfo = calloc(n ? n : 1, sizeof(*img->modinfo));
	if (!img->modinfo)
		return -ENOMEM;

	for (size_t i = 0; i < size;) {
		char *entry = s + i, *eq;
		size_t elen = strlen(entry);

		i += elen + 1;
		if (!elen)
			continue;
		eq = strchr(entry, '=');
		if (eq)
			*eq = '\0';
		img->modinfo[img->n_modinfo].key = entry;
		img->modinfo[img->n_modinfo].value = eq ? eq + 1 : entry + elen;
		set_known_field(&img->info, entry, img->modinfo[img->n_modinfo].value);
		img->n_modinfo++;
	}
	return 0;
}

int modimage_parse_elf(struct modimage *img, const unsigned char *buf, size_t len)
{
	_cleanup_(elf_endp) Elf *elf = NULL;
	struct section this_module, modinfo;
	GElf_Ehdr ehdr;
	GElf_Shdr strshdr;
	Elf_Scn *strscn;
	size_t shstrndx, shnum;
	bool is64;
	int r;

	pthread_once(&elf_once, elf_init);
	/*
	 * Which bytes libelf reads is noted (img->reads) as far as it is known: the header, the
	 * section header table, the section name table. Where it is not (not an ELF object, an
	 * unreadable table), all of them.
	 */
	modimage_note_read(img, 0, len < sizeof(Elf64_Ehdr) ? len : sizeof(Elf64_Ehdr));
	/* libelf reads the image in place and copies whatever it must convert; it never writes. */
	elf = elf_memory((char *)buf, len);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr)) {
		modimage_note_read(img, 0, len);
		return modimage_set_error(img, -ENOEXEC, "not an ELF object");
	}
	if (elf_getshdrnum(elf, &shnum) < 0) {
		modimage_note_read(img, 0, len);
		shnum = 0;
	}
	modimage_note_read(img, ehdr.e_shoff, (uint64_t)shnum * ehdr.e_shentsize);
	if (ehdr.e_type != ET_REL)
		return modimage_set_error(img, -ENOEXEC, "not a relocatable ELF object (type %u)",
					  (unsigned int)ehdr.e_type);
	is64 = gelf_getclass(elf) == ELFCLASS64;
	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return modimage_set_error(img, -ENOEXEC, "no ELF section name table: %s",
					  elf_errmsg(-1));
	strscn = elf_getscn(elf, shstrndx);
	if (strscn && gelf_getshdr(strscn, &strshdr)) {
		if (strshdr.sh_type != SHT_NOBITS)
			modimage_note_read(img, strshdr.sh_offset, strshdr.sh_size);
	} else {
		modimage_note_read(img, 0, len);
	}

	if (find_section(img, elf, shstrndx, buf, len, ".gnu.linkonce.this_module", &this_module) <
		    0 ||
	    find_section(img, elf, shstrndx, buf, len, ".modinfo", &modinfo) < 0)
		return 0;

	/*
	 * Both are read even when one is missing, so that the record has what there is; a
	 * missing struct module is reported first, as the kernel does.
	 */
	r = read_this_module(img, &this_module, is64);
	if (r < 0)
		return r;
	return read_modinfo(img, &modinfo);
}
