/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "lost-log.h"

/*
 * RFC 3164 timestamp in UTC, computed here: localtime_r()/strftime() would read the time zone
 * file and the caller's locale.
 */
static int format_stamp(char *buf, size_t size)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	long long t = (long long)time(NULL);
	long long days = t / 86400, secs = t % 86400;
	/* Civil date from days since 1970-01-01 (H. Hinnant's algorithm). */
	long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
	long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long long mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1;
	long long month = mp < 10 ? mp + 3 : mp - 9;

	return snprintf(buf, size, "%s %2lld %02lld:%02lld:%02lld", months[month - 1], day,
			secs / 3600, secs / 60 % 60, secs % 60);
}

void lost_log(const char *fmt, ...)
{
	static const struct sockaddr_un dev_log = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	char stamp[32], body[768], line[896];
	va_list ap;
	int fd, n, pri = LOG_AUTHPRIV | LOG_ERR;

	n = snprintf(body, sizeof(body), "kmodaudit[%d]: ", (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(body))
		return;
	va_start(ap, fmt);
	vsnprintf(body + n, sizeof(body) - (size_t)n, fmt, ap);
	va_end(ap);
	format_stamp(stamp, sizeof(stamp));

	n = snprintf(line, sizeof(line), "<%d>%s %s", pri, stamp, body);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		ssize_t sent = sendto(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL,
				      (const struct sockaddr *)&dev_log, sizeof(dev_log));

		close(fd);
		if (sent == n)
			return;
	}

	/* No syslog: the kernel log takes the line (it understands the "<pri>" prefix). */
	n = snprintf(line, sizeof(line), "<%d>%s\n", pri, body);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing left to tell */
	}
	close(fd);
}
