/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * <root>/etc/ld.so.preload, read and replaced so that every process starting at any moment
 * sees either the old file or the new one, complete: the new text goes to a temporary file in
 * the same directory, is fsync()ed, and rename()d over the old one. Any failure before the
 * rename leaves the old file as it was. Concurrent runs serialise on a flock() of the directory.
 * Everything is found inside <root>: an absolute symlink (etc itself, or ld.so.preload pointing
 * elsewhere) is followed as on that system, never out to this host's files. A symlinked
 * ld.so.preload stays a symlink: its target is what gets replaced.
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

#include "cmd/common/fileio.h"
#include "cmd/preload/preload.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"
#include "core/procctx.h"

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

/* Points F at the directory and name of the file <root>/etc/ld.so.preload resolves to. */
static int locate(struct preload_file *f, const char *root)
{
	_cleanup_free_ char *real = NULL, *dir_path = NULL;
	struct stat st;
	char *slash;
	int r;

	f->dir_fd = rules_open_in_root(root, "/etc", O_RDONLY | O_DIRECTORY);
	if (f->dir_fd < 0)
		return f->dir_fd;
	f->name = strdup(PRELOAD_FILE_NAME);
	if (!f->name)
		return -ENOMEM;
	if (fstatat(f->dir_fd, PRELOAD_FILE_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISLNK(st.st_mode))
		return 0;

	/* A symlink: its target, found inside root, is the file ld.so reads there. */
	f->via_link = true;
	r = rules_resolve_in_root(root, "/etc/" PRELOAD_FILE_NAME, &real);
	if (r == -ENOENT)
		return -EMEDIUMTYPE; /* dangling: we would have to invent where it points */
	if (r < 0)
		return r;
	slash = strrchr(real, '/');
	if (!slash || !slash[1])
		return -EMEDIUMTYPE;
	free(f->name);
	f->name = strdup(slash + 1);
	dir_path = strndup(real, slash == real ? 1 : (size_t)(slash - real));
	if (!f->name || !dir_path)
		return -ENOMEM;
	close(f->dir_fd);
	f->dir_fd = rules_open_in_root(root, dir_path, O_RDONLY | O_DIRECTORY);
	return f->dir_fd < 0 ? f->dir_fd : 0;
}

int preload_file_open(struct preload_file *f, const char *root, bool lock)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	*f = (struct preload_file){.dir_fd = -1};
	r = locate(f, root);
	if (r < 0)
		goto out_path;
	r = procctx_fd_path(0, f->dir_fd, &dir);
	if (r < 0)
		return r;
	if (asprintf(&f->path, "%s/%s", strcmp(dir, "/") ? dir : "", f->name) < 0) {
		f->path = NULL;
		return -ENOMEM;
	}
	if (lock) {
		while (flock(f->dir_fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return -errno;
		remove_stale_temps(f->dir_fd);
	}

	/*
	 * Non-blocking, a regular file only: a FIFO in its place must not hang us, and anything
	 * else we would silently replace by a regular file. A symlink here (ELOOP) appeared after
	 * locate() looked: refused the same way.
	 */
	fd = fileio_open_read(f->dir_fd, f->name, O_NOFOLLOW, 0);
	if (fd == -ENOENT) {
		f->text = strdup("");
		return f->text ? 0 : -ENOMEM;
	}
	if (fd == -ELOOP)
		return -EMEDIUMTYPE;
	if (fd < 0)
		return fd;
	if (fstat(fd, &f->st) < 0)
		return -errno;
	f->exists = true;
	r = read_all(fd, &f->text, &f->len);
	return r;

out_path:
	/* For the message: where the file was looked for. */
	if (asprintf(&f->path, "%s/etc/" PRELOAD_FILE_NAME, root && strcmp(root, "/") ? root : "") <
	    0)
		f->path = NULL;
	return r;
}

void preload_file_close(struct preload_file *f)
{
	if (f->dir_fd >= 0)
		close(f->dir_fd); /* releases the lock */
	free(f->name);
	free(f->path);
	free(f->text);
	*f = (struct preload_file){.dir_fd = -1};
}

int preload_file_replace(struct preload_file *f, const char *text, size_t len)
{
	/* Through a link the file stays, empty: removing it would leave the link dangling. */
	if (!text && f->via_link)
		text = "";
	if (!text) {
		if (unlinkat(f->dir_fd, f->name, 0) < 0 && errno != ENOENT)
			return -errno;
		fsync(f->dir_fd);
		return 0;
	}
	/* The file keeps its mode and owner; a new one is 0644 root:root, as packages ship it. */
	return fileio_replace_at(f->dir_fd, f->name, TEMP_PREFIX, text, len,
				 f->exists ? (f->st.st_mode & 07777) : 0644,
				 f->exists ? f->st.st_uid : 0, f->exists ? f->st.st_gid : 0);
}
