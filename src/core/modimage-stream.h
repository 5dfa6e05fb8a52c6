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

/*
 * Which byte ranges of the size-byte regular file at fd the parsers will need. -EAGAIN when
 * the file is not an uncompressed module of the usual layout (read it whole), -ENOMEM, -errno.
 */
int modimage_plan_fd(int fd, size_t size, struct modimage_plan *plan);

/* Keep what the plan needs of chunk (n bytes at file offset off) at its offset in image. */
void modimage_plan_keep(const struct modimage_plan *plan, unsigned char *image,
			const unsigned char *chunk, uint64_t off, size_t n);

/* Whether every byte the parsers read (img->reads) was kept. */
bool modimage_plan_covers(const struct modimage_plan *plan, const struct modimage *img);
