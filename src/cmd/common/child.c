/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Children of kmodaudit check/preload, bounded in time (see check-child.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/common/child.h"
#include "clock.h"
#include "macro.h"

/* Reap PID by DEADLINE (ms): 1 when reaped, 0 when still running at the deadline, -errno. */
static int wait_until(pid_t pid, int *status, long long deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		long long left = deadline - clock_monotonic_ms();
		struct timespec nap = {.tv_nsec = 10 * 1000000L};

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (left <= 0)
			return 0;
		if (left < 10)
			nap.tv_nsec = left * 1000000L;
		nanosleep(&nap, NULL);
	}
}

/* Up to the deadline: 1 at EOF, 0 at the deadline, -errno. */
static int read_until(int fd, long long deadline, char **out, size_t *len)
{
	size_t cap = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - clock_monotonic_ms();
		ssize_t n;

		if (left <= 0)
			return 0;
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!pfd.revents)
			continue;
		if (cap - *len < 4096) {
			char *grown = realloc(*out, cap + 65536);

			if (!grown)
				return -ENOMEM;
			*out = grown;
			cap += 65536;
		}
		n = read(fd, *out + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 1;
		*len += n;
		(*out)[*len] = '\0';
	}
}

int check_child_collect(pid_t pid, int fd, long timeout_ms, char **out, size_t *len, int *status)
{
	long long deadline = clock_monotonic_ms() + timeout_ms;
	int r;

	*out = calloc(1, 1);
	*len = 0;
	r = *out ? read_until(fd, deadline, out, len) : -ENOMEM;
	close(fd);
	if (r > 0)
		r = wait_until(pid, status, deadline);
	if (r > 0)
		return 0;
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			break;
	return r == 0 ? -ETIMEDOUT : r;
}
