/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The head of an RFC 3164 line, "<PRI>Mmm dd hh:mm:ss IDENT[PID]: ", as both the core's syslog
 * sink and the shim's lost-record log write it (libc only: the shim includes it too). The stamp
 * is local time, as every syslog client writes it; localtime_r() loads the time zone once per
 * process, which is the only trace this leaves in a host process.
 */
#pragma once

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static inline int syslog_line_head(char *buf, size_t size, int priority, const char *ident)
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return snprintf(buf, size, "<%d>%s[%d]: ", priority, ident, (int)getpid());
	return snprintf(buf, size, "<%d>%s %2d %02d:%02d:%02d %s[%d]: ", priority,
			months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ident,
			(int)getpid());
}
