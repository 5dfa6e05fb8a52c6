/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A module file streamed once without a whole copy (modimage-stream.c says how). */
#pragma once

#include "core/modimage-internal.h"

/* header, section headers, section names, two sections, trailer */
#define MODIMAGE_PLAN_MAX 6

struct modimage_plan {
	struct modimage_range r[MODIMAGE_PLAN_MAX];
	unsigned int n;
};

/* How the plan reads: len bytes at off into buf; 0, -EAGAIN when it cannot (read whole). */
struct modimage_plan_src {
	int (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	void *ctx;
};

/*
 * Which byte ranges of the size-byte module the parsers will need. -EAGAIN when it is not an
 * uncompressed module of the usual layout (read it whole), -ENOMEM, -errno.
 */
int modimage_plan(const struct modimage_plan_src *src, size_t size, struct modimage_plan *plan);

/* The same for the regular file at fd, whose first head_len bytes are head (already read). */
int modimage_plan_fd(int fd, size_t size, const unsigned char *head, size_t head_len,
		     struct modimage_plan *plan);

/*
 * Where the section header table is, by the ELF header eh (64 bytes) of a size-byte module;
 * -EAGAIN when the plan does not know its layout.
 */
int modimage_plan_table(const unsigned char eh[64], size_t size, struct modimage_range *table);

/* Keep what the plan needs of chunk (n bytes at file offset off) at its offset in image. */
void modimage_plan_keep(const struct modimage_plan *plan, unsigned char *image,
			const unsigned char *chunk, uint64_t off, size_t n);

/* Whether every byte the parsers read (img->reads) was kept. */
bool modimage_plan_covers(const struct modimage_plan *plan, const struct modimage *img);
