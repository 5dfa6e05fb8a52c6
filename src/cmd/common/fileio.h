/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Files the commands read (rules, login.defs, ld.so.preload, libraries, modules: often under
 * --root, in a tree someone else prepared) and files they write for the system to read
 * (ld.so.preload, audit rules).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Opens PATH (as openat2(DIR_FD, PATH): RESOLVE its RESOLVE_* flags, 0 for plain openat) to read
 * it whole. Every file a command reads goes through here: the open is non-blocking, so a FIFO (or
 * a device) put in place of the file cannot hang it, and anything but a regular file is refused
 * with -EMEDIUMTYPE (fileio_strerror() words it) before a byte is read. FLAGS adds O_* flags
 * (O_NOFOLLOW). Returns the fd (O_CLOEXEC, back in blocking mode) or -errno.
 */
int fileio_open_read(int dir_fd, const char *path, int flags, uint64_t resolve);
/* The same as a stream ("re"); NULL with errno set on failure. */
FILE *fileio_fopen_read(int dir_fd, const char *path, int flags, uint64_t resolve);
/* strerror(-R), but "not a regular file" for fileio_open_read()'s -EMEDIUMTYPE. */
const char *fileio_strerror(int r);

/*
 * Replaces NAME in the directory DIR_FD by LEN bytes of DATA so that a reader at any moment, and
 * the disk after a crash, has the old file or the new one, complete: the bytes go to a new file
 * TEMP_PREFIX<6 random characters> in the same directory, which gets MODE and the owner UID:GID
 * ((uid_t)-1 / (gid_t)-1: the creator's), is fsync()ed and rename()d over NAME; then the
 * directory is fsync()ed. On failure NAME is untouched and the temporary file is gone.
 * Returns 0 or -errno.
 */
int fileio_replace_at(int dir_fd, const char *name, const char *temp_prefix, const void *data,
		      size_t len, mode_t mode, uid_t uid, gid_t gid);
