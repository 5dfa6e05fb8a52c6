/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <root>/etc/ld.so.preload, read and replaced so that every process starting at any moment
 * sees either the old file or the new one, complete: the new text goes to a temporary file in
 * the same directory, is fsync()ed, and rename()d over the old one. Any failure before the
 * rename leaves the old file as it was. Concurrent runs serialise on a flock() of <root>/etc.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/fileio.h"
#include "cmd/preload.h"
#include "core/macro.h"

/* Our temporary files: "<prefix><random>". A killed run can leave one; the next run removes it. */
#define TEMP_PREFIX ".ld.so.preload.kmodaudit-"
#define MAX_FILE_SIZE (1024 * 1024)

static int read_all(int fd, char **text, size_t *len)
{
	struct stat st;
	size_t size, have = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size > MAX_FILE_SIZE)
		return -EFBIG;
	size = st.st_size;
	buf = malloc(size + 1);
	if (!buf)
		return -ENOMEM;
	while (have < size) {
		ssize_t n = pread(fd, buf + have, size - have, have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;

			free(buf);
			return r;
		}
		if (n == 0)
			break;
		have += n;
	}
	buf[have] = '\0';
	*text = buf;
	*len = have;
	return 0;
}

/* Temp files of runs that died mid-way; we hold the lock, so none is in use. */
static void remove_stale_temps(int etc_fd)
{
	int fd = openat(etc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)))
			unlinkat(etc_fd, de->d_name, 0);
	closedir(d);
}

int preload_file_open(struct preload_file *f, const char *root, bool lock)
{
	_cleanup_close_ int fd = -1;
	int r;

	*f = (struct preload_file){.etc_fd = -1};
	f->etc_path = preload_host_path(root, "/etc");
	if (!f->etc_path)
		return -ENOMEM;
	f->etc_fd = open(f->etc_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->etc_fd < 0)
		return -errno;
	if (lock) {
		while (flock(f->etc_fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return -errno;
		remove_stale_temps(f->etc_fd);
	}

	if (fstatat(f->etc_fd, PRELOAD_FILE_NAME, &f->st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -errno;
		f->text = strdup("");
		return f->text ? 0 : -ENOMEM;
	}
	/* A symlink or anything else we would silently replace by a regular file: refuse. */
	if (!S_ISREG(f->st.st_mode))
		return -EMEDIUMTYPE;
	f->exists = true;
	fd = openat(f->etc_fd, PRELOAD_FILE_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = read_all(fd, &f->text, &f->len);
	return r;
}

void preload_file_close(struct preload_file *f)
{
	if (f->etc_fd >= 0)
		close(f->etc_fd); /* releases the lock */
	free(f->etc_path);
	free(f->text);
	*f = (struct preload_file){.etc_fd = -1};
}

int preload_file_replace(struct preload_file *f, const char *text, size_t len)
{
	if (!text) {
		if (unlinkat(f->etc_fd, PRELOAD_FILE_NAME, 0) < 0 && errno != ENOENT)
			return -errno;
		fsync(f->etc_fd);
		return 0;
	}
	/* The file keeps its mode and owner; a new one is 0644 root:root, as packages ship it. */
	return fileio_replace_at(f->etc_fd, PRELOAD_FILE_NAME, TEMP_PREFIX, text, len,
				 f->exists ? (f->st.st_mode & 07777) : 0644,
				 f->exists ? f->st.st_uid : 0, f->exists ? f->st.st_gid : 0);
}
