/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A module file read once, as a stream, without a copy of the whole image: the plan (a few
 * small preads of the ELF header, the section header table, the section name table and the
 * end of the file; for a compressed file, those bytes as a first pass over the decompressed
 * stream kept them, modimage.c) says which byte ranges the parsers will need; the stream hashes
 * every byte through a small buffer and keeps those ranges (and only those) at their offsets in a
 * sparse anonymous mapping of the file's size. The parsers then run on that mapping as on the whole
 * image, and note what they read (struct modimage .reads): the image stands only when every
 * byte they read was kept from the hashed stream, so its fields are facts about exactly the
 * bytes hashed. Anything else (a file that changed between plan and stream, a layout the plan
 * does not know) is read again whole by the caller.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/modimage-stream.h"

/* The plan's own reads and the ranges it keeps stay small: more than this, read it whole. */
#define PLAN_MAX_TABLE ((size_t)1 << 20)
#define PLAN_MAX_TRAILER ((size_t)1 << 20)
#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_TAIL (sizeof(SIG_MAGIC) - 1 + 12) /* magic and struct module_signature */
#define SHF_ALLOC_FLAG 2u
#define SHT_NOBITS_TYPE 8u

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EAGAIN; /* shrank since fstat: the whole read will say so */
		done += (size_t)n;
	}
	return 0;
}

struct elf_view {
	bool is64, le;
};

static uint64_t get(const struct elf_view *v, const unsigned char *p, unsigned int width)
{
	uint64_t x = 0;

	for (unsigned int i = 0; i < width; i++)
		x |= (uint64_t)p[v->le ? i : width - 1 - i] << (8 * i);
	return x;
}

static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static void plan_add(struct modimage_plan *plan, uint64_t off, uint64_t len)
{
	if (len && plan->n < MODIMAGE_PLAN_MAX)
		plan->r[plan->n++] = (struct modimage_range){.off = off, .len = len};
}

/* The end of the file the signature readers look at (modimage-sig.c's trailer_reach()). */
static int plan_trailer(const struct modimage_plan_src *src, size_t size,
			struct modimage_plan *plan)
{
	unsigned char tail[SIG_TAIL];
	size_t reach = size < SIG_TAIL ? size : SIG_TAIL;
	int r;

	if (size >= SIG_TAIL) {
		r = src->read(src->ctx, tail, SIG_TAIL, size - SIG_TAIL);
		if (r < 0)
			return r;
		if (!memcmp(tail + 12, SIG_MAGIC, sizeof(SIG_MAGIC) - 1)) {
			uint32_t be;
			size_t need;

			memcpy(&be, tail + 8, sizeof(be));
			need = (size_t)be32toh(be) + tail[3] + tail[4];
			if (size - SIG_TAIL >= need)
				reach = SIG_TAIL + need;
		}
	}
	if (reach > PLAN_MAX_TRAILER)
		return -EAGAIN;
	plan_add(plan, size - reach, reach);
	return 0;
}

/* The first SHF_ALLOC section of each name the ELF parser reads (the kernel's find_sec()). */
static void plan_sections(const struct elf_view *v, const unsigned char *tab, size_t shnum,
			  const unsigned char *names, size_t names_len, size_t size,
			  struct modimage_plan *plan)
{
	static const char *const wanted[] = {".gnu.linkonce.this_module", ".modinfo"};
	bool found[2] = {false, false};
	size_t ent = v->is64 ? 64 : 40;

	for (size_t i = 0; i < shnum; i++) {
		const unsigned char *sh = tab + i * ent;
		uint64_t name = get(v, sh, 4), type = get(v, sh + 4, 4);
		uint64_t flags = get(v, sh + 8, v->is64 ? 8 : 4);
		uint64_t off = get(v, sh + (v->is64 ? 24 : 16), v->is64 ? 8 : 4);
		uint64_t len = get(v, sh + (v->is64 ? 32 : 20), v->is64 ? 8 : 4);

		if (!(flags & SHF_ALLOC_FLAG) || name >= names_len ||
		    !memchr(names + name, '\0', names_len - name))
			continue;
		for (size_t w = 0; w < 2; w++) {
			if (found[w] || strcmp((const char *)names + name, wanted[w]))
				continue;
			found[w] = true;
			if (type != SHT_NOBITS_TYPE && in_file(off, len, size))
				plan_add(plan, off, len);
		}
	}
}

/* The header of the usual layout, the kind the plan knows. */
static int plan_header(const unsigned char eh[64], size_t size, struct elf_view *v, uint64_t *shoff,
		       uint64_t *shnum, uint64_t *shstrndx)
{
	uint64_t shentsize;

	if (size < 64 || memcmp(eh, "\177ELF", 4) || (eh[4] != 1 && eh[4] != 2) ||
	    (eh[5] != 1 && eh[5] != 2))
		return -EAGAIN; /* compressed, or not ELF: read whole */
	*v = (struct elf_view){.is64 = eh[4] == 2, .le = eh[5] == 1};
	*shoff = get(v, eh + (v->is64 ? 0x28 : 0x20), v->is64 ? 8 : 4);
	shentsize = get(v, eh + (v->is64 ? 0x3a : 0x2e), 2);
	*shnum = get(v, eh + (v->is64 ? 0x3c : 0x30), 2);
	*shstrndx = get(v, eh + (v->is64 ? 0x3e : 0x32), 2);
	/* the usual layout only: no program headers, no extended section numbering */
	if (get(v, eh + 16, 2) != 1 || get(v, eh + (v->is64 ? 0x38 : 0x2c), 2) != 0 ||
	    shentsize != (v->is64 ? 64u : 40u) || *shnum == 0 || *shstrndx >= *shnum ||
	    *shnum * shentsize > PLAN_MAX_TABLE || !in_file(*shoff, *shnum * shentsize, size))
		return -EAGAIN;
	return 0;
}

int modimage_plan_table(const unsigned char eh[64], size_t size, struct modimage_range *table)
{
	struct elf_view v;
	uint64_t shoff, shnum, shstrndx;
	int r = plan_header(eh, size, &v, &shoff, &shnum, &shstrndx);

	if (r < 0)
		return r;
	*table = (struct modimage_range){.off = shoff, .len = shnum * (v.is64 ? 64u : 40u)};
	return 0;
}

int modimage_plan(const struct modimage_plan_src *src, size_t size, struct modimage_plan *plan)
{
	_cleanup_free_ unsigned char *tab = NULL, *names = NULL;
	unsigned char eh[64];
	struct elf_view v;
	uint64_t shoff, shentsize, shnum, shstrndx, str_off, str_len;
	const unsigned char *str_sh;
	int r;

	*plan = (struct modimage_plan){.n = 0};
	if (size < sizeof(eh))
		return -EAGAIN;
	r = src->read(src->ctx, eh, sizeof(eh), 0);
	if (r < 0)
		return r;
	r = plan_header(eh, size, &v, &shoff, &shnum, &shstrndx);
	if (r < 0)
		return r;
	shentsize = v.is64 ? 64 : 40;
	plan_add(plan, 0, sizeof(eh));
	plan_add(plan, shoff, shnum * shentsize);
	tab = malloc(shnum * shentsize);
	if (!tab)
		return -ENOMEM;
	r = src->read(src->ctx, tab, shnum * shentsize, shoff);
	if (r < 0)
		return r;

	str_sh = tab + shstrndx * shentsize;
	str_off = get(&v, str_sh + (v.is64 ? 24 : 16), v.is64 ? 8 : 4);
	str_len = get(&v, str_sh + (v.is64 ? 32 : 20), v.is64 ? 8 : 4);
	if (get(&v, str_sh + 4, 4) == SHT_NOBITS_TYPE || str_len > PLAN_MAX_TABLE ||
	    !in_file(str_off, str_len, size))
		return -EAGAIN;
	plan_add(plan, str_off, str_len);
	names = malloc(str_len ? str_len : 1);
	if (!names)
		return -ENOMEM;
	r = src->read(src->ctx, names, str_len, str_off);
	if (r < 0)
		return r;

	plan_sections(&v, tab, shnum, names, str_len, size, plan);
	return plan_trailer(src, size, plan);
}

struct fd_src {
	int fd;
	const unsigned char *head;
	size_t head_len;
};

/* The file's first bytes as the caller read them, the rest with pread. */
static int fd_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct fd_src *f = ctx;

	if (off + len <= f->head_len) {
		memcpy(buf, f->head + off, len);
		return 0;
	}
	return pread_all(f->fd, buf, len, off);
}

int modimage_plan_fd(int fd, size_t size, const unsigned char *head, size_t head_len,
		     struct modimage_plan *plan)
{
	struct fd_src f = {.fd = fd, .head = head, .head_len = head_len};

	return modimage_plan(&(struct modimage_plan_src){.read = fd_read, .ctx = &f}, size, plan);
}

void modimage_plan_keep(const struct modimage_plan *plan, unsigned char *image,
			const unsigned char *chunk, uint64_t off, size_t n)
{
	for (unsigned int i = 0; i < plan->n; i++) {
		uint64_t lo = plan->r[i].off, hi = plan->r[i].off + plan->r[i].len;

		if (lo < off)
			lo = off;
		if (hi > off + n)
			hi = off + n;
		if (lo < hi)
			memcpy(image + lo, chunk + (lo - off), hi - lo);
	}
}

/* Whether [off, off + len) lies within the union of the kept ranges. */
static bool kept(const struct modimage_plan *plan, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;

	if (end < off)
		return false;
	while (off < end) {
		uint64_t reach = off;

		for (unsigned int i = 0; i < plan->n; i++) {
			uint64_t lo = plan->r[i].off, hi = lo + plan->r[i].len;

			if (lo <= off && off < hi && hi > reach)
				reach = hi;
		}
		if (reach == off)
			return false;
		off = reach;
	}
	return true;
}

bool modimage_plan_covers(const struct modimage_plan *plan, const struct modimage *img)
{
	if (img->reads_overflow)
		return false;
	for (unsigned int i = 0; i < img->n_reads; i++)
		if (!kept(plan, img->reads[i].off, img->reads[i].len))
			return false;
	return true;
}
