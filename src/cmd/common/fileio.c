/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmd/common/fileio.h"
#include "macro.h"

#define TEMP_SUFFIX_LEN 6

int fileio_open_read(int dir_fd, const char *path, int flags, uint64_t resolve)
{
	/* O_NOCTTY: a terminal in the file's place must not become ours either. */
	struct open_how how = {
		.flags = (uint64_t)(O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags),
		.resolve = resolve,
	};
	struct stat st;
	int fd, r;

	if (resolve)
		fd = (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
	else
		fd = openat(dir_fd, path, (int)how.flags);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EMEDIUMTYPE;
	}
	/* Reads of a regular file never block; clear the flag so no reader is surprised by it. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

FILE *fileio_fopen_read(int dir_fd, const char *path, int flags, uint64_t resolve)
{
	int fd = fileio_open_read(dir_fd, path, flags, resolve);
	FILE *f;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "re");
	if (!f) {
		int err = errno;

		close(fd);
		errno = err;
	}
	return f;
}

const char *fileio_strerror(int r)
{
	return r == -EMEDIUMTYPE ? "not a regular file" : strerror(-r);
}

/* As mkostemp(), but in a directory fd: O_EXCL on a random name, another name on a clash. */
static int create_temp(int dir_fd, const char *prefix, char **temp)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	size_t plen = strlen(prefix);
	_cleanup_free_ char *name = malloc(plen + TEMP_SUFFIX_LEN + 1);

	if (!name)
		return -ENOMEM;
	memcpy(name, prefix, plen);
	for (int tries = 0; tries < 100; tries++) {
		uint64_t v;
		int fd;

		if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v)) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			v = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
			    (uint64_t)getpid() << 20 ^ (uint64_t)tries;
		}
		for (int i = 0; i < TEMP_SUFFIX_LEN; i++, v /= sizeof(chars) - 1)
			name[plen + i] = chars[v % (sizeof(chars) - 1)];
		name[plen + TEMP_SUFFIX_LEN] = '\0';
		fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			    0600);
		if (fd >= 0) {
			*temp = TAKE_PTR(name);
			return fd;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

static int fill_temp(int fd, const void *data, size_t len, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	/* Only when it differs: an unprivileged run on its own files can still replace them. */
	if (((uid != (uid_t)-1 && st.st_uid != uid) || (gid != (gid_t)-1 && st.st_gid != gid)) &&
	    fchown(fd, uid, gid) < 0)
		return -errno;
	if (fchmod(fd, mode) < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

int fileio_replace_at(int dir_fd, const char *name, const char *temp_prefix, const void *data,
		      size_t len, mode_t mode, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *temp = NULL;
	int fd, r;

	fd = create_temp(dir_fd, temp_prefix, &temp);
	if (fd < 0)
		return fd;
	r = fill_temp(fd, data, len, mode, uid, gid);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dir_fd, temp, dir_fd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dir_fd, temp, 0);
		return r;
	}
	/* The rename itself must survive a crash too. */
	fsync(dir_fd);
	return 0;
}
