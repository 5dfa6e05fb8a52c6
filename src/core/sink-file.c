/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON-lines file sink: one object per line, appended in one write. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "core/sink.h"

int sink_file_append(const char *path, const char *line, size_t len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	ssize_t n;

	/* O_NONBLOCK: a FIFO planted at the path must not hang the caller */
	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
		  0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, line, len);
	buf[len] = '\n';
	do
		n = write(fd, buf, len + 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len + 1 ? 0 : -ENOSPC;
}
