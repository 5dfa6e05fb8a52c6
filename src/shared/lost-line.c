/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "lost-line.h"
#include "syslog-line.h"

int lost_line(char *buf, size_t size, bool refused, enum kma_syscall call, const char *comm,
	      pid_t pid, const char *what, const char *why)
{
	return snprintf(
		buf, size, "%s %s by %s[%d]%s%s%s: %s",
		refused ? "fail-closed: refused" : "record lost:", kma_syscall_name(call) ?: "?",
		comm ?: "?", (int)pid, what ? " (" : "", what ?: "", what ? ")" : "", why);
}

void lost_log(bool refused, enum kma_syscall call, const char *what, const char *fmt, ...)
{
	static const struct sockaddr_un dev_log = {.sun_family = AF_UNIX, .sun_path = "/dev/log"};
	char head[64], why[640], line[896];
	va_list ap;
	int fd, n, pri = LOG_AUTHPRIV | LOG_ERR;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	syslog_line_head(head, sizeof(head), pri, "kmodaudit");

	n = snprintf(line, sizeof(line), "%s", head);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	lost_line(line + n, sizeof(line) - (size_t)n, refused, call, program_invocation_short_name,
		  getpid(), what, why);
	n = (int)strnlen(line, sizeof(line));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		ssize_t sent = sendto(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
				      (const struct sockaddr *)&dev_log, sizeof(dev_log));

		close(fd);
		if (sent == n)
			return;
	}

	/* No syslog: the kernel log takes the same line (it reads the "<pri>" prefix). */
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing left to tell */
	}
	close(fd);
}
