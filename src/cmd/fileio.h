/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Files the command writes for the system to read (ld.so.preload, audit rules). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

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
