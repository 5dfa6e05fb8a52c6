/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The syslog fallback, written to the socket directly: openlog()/syslog() would change the host
 * program's ident and keep an fd open in it.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include "core/conf.h"
#include "macro.h"
#include "core/sink.h"
#include "syslog-line.h"

static int connect_log(const char *path, int type)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int sink_syslog_send(const char *socket_path, int priority, const char *msg, size_t len,
		     unsigned timeout_ms)
{
	_cleanup_close_ int fd = -1;
	bool stream = false;
	char head[96];
	ssize_t n;

	if (!socket_path)
		socket_path = CONF_DEFAULT_SYSLOG_SOCKET;
	fd = connect_log(socket_path, SOCK_DGRAM);
	if (fd == -EPROTOTYPE) {
		fd = connect_log(socket_path, SOCK_STREAM);
		stream = true;
	}
	if (fd < 0)
		return fd;

	syslog_line_head(head, sizeof(head), priority, SINK_SYSLOG_IDENT);

	struct iovec iov[3] = {
		{head, strlen(head)},
		{(void *)msg, len},
		{(void *)"", stream ? 1 : 0}, /* a stream needs a frame end, as glibc writes */
	};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 3};
	size_t total = iov[0].iov_len + iov[1].iov_len + iov[2].iov_len;

	for (int tries = 0;; tries++) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};

		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || tries > 0)
			return -errno;
		/* the reader is behind: wait once, bounded */
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -ETIMEDOUT;
	}
	return (size_t)n == total ? 0 : -EIO;
}
