/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which configuration file, and whether its text may be trusted: shared by the core (conf.c,
 * which parses the text with libinih) and the preload shim (which, when it cannot load the
 * core, reads only [policy] mode from it). libc only, header only, no allocation: the shim
 * includes it and may be there because malloc failed.
 */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define CONF_MAX_SIZE (64 * 1024)
/* What conf_file_read() needs: the largest file, one byte to see it is larger, and the NUL. */
#define CONF_TEXT_SIZE (CONF_MAX_SIZE + 2)

/*
 * The path to load: explicit, else $KMODAUDIT_CONFIG unless secure (or AT_SECURE), else the
 * built-in KMODAUDIT_CONFIG_PATH.
 */
static inline const char *conf_path(const char *explicit_path, bool secure)
{
	const char *env;

	if (explicit_path)
		return explicit_path;
	if (!secure && !getauxval(AT_SECURE)) {
		env = secure_getenv("KMODAUDIT_CONFIG");
		if (env && *env)
			return env;
	}
	return KMODAUDIT_CONFIG_PATH;
}

/*
 * Read path into text (CONF_TEXT_SIZE bytes), NUL-terminated, when it may be trusted: a regular
 * file (not a symlink), owned by root, not writable by group or others, at most CONF_MAX_SIZE
 * bytes, no NUL byte. Returns 0; -ENOENT when there is no file (not worth a warning); another
 * -errno when the file must be ignored, *why (static text) saying why.
 */
static inline int conf_file_read(const char *path, char *text, size_t *text_len, const char **why)
{
	struct stat st;
	size_t len = 0;
	int fd, r = 0;

	*why = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r != -ENOENT)
			*why = r == -ELOOP ? "it is a symlink" : strerror(-r);
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		*why = "cannot stat it";
	} else if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		*why = "not a regular file";
	} else if (st.st_uid != 0) {
		r = -EPERM;
		*why = "not owned by root";
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		r = -EPERM;
		*why = "writable by group or others";
	} else if (st.st_size > CONF_MAX_SIZE) {
		r = -EFBIG;
		*why = "larger than 64 KiB";
	}
	while (r == 0) {
		ssize_t n = read(fd, text + len, CONF_MAX_SIZE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -EIO;
			*why = "read error";
		} else if (n == 0) {
			break;
		} else if ((len += (size_t)n) > CONF_MAX_SIZE) {
			r = -EFBIG;
			*why = "larger than 64 KiB";
		}
	}
	close(fd);
	if (r < 0)
		return r;
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		*why = "binary content (NUL bytes)";
		return -EINVAL;
	}
	*text_len = len;
	return 0;
}
