/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the caller's memory without ever faulting: a bad pointer must reach the kernel and get
 * its EFAULT there, never crash the caller inside the shim.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy up to len bytes from src (this process); returns the length of the readable prefix. */
size_t safe_read(void *dst, const void *src, size_t len);

/*
 * A NUL-terminated malloc'd copy of the string at src, reading at most max bytes, as the kernel's
 * strncpy_from_user() would. Returns 0 when a NUL was found within max bytes; -E2BIG when max
 * bytes hold no NUL (*out: those max bytes); -EFAULT when the string is unreadable before its
 * NUL (*out: the readable prefix); -ENOMEM (*out NULL). *len is strlen(*out).
 */
int safe_strndup(const char *src, size_t max, char **out, size_t *len);

/*
 * Whether a new mapping [map, map + map_len) took memory of the source [src, src + len): then
 * that part of the source was unmapped when the copy was made (the kernel picks free ranges, a
 * caller's hole included), and a copy would read our own buffer where the kernel would fault.
 * The caller must then drop the copy so that the kernel gets the caller's pointer and answers.
 */
static inline bool copy_took_source(const void *map, size_t map_len, uintptr_t src, size_t len)
{
	uintptr_t m = (uintptr_t)map;

	return m <= src ? src - m < map_len : m - src < len;
}
