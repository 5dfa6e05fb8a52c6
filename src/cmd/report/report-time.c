/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report's times: the table in local time as ausearch prints it (or UTC with --utc,
 * marked Z); JSON always with its offset, so a row read elsewhere means one instant.
 */
#include <stdio.h>
#include <time.h>

#include "cmd/report/report-event.h"
#include "cmd/report/report-view.h"

static bool use_utc;

void rep_time_utc(bool utc)
{
	use_utc = utc;
}

static bool broken_down(const struct rep_time *t, struct tm *tm)
{
	time_t sec = (time_t)t->sec;

	return use_utc ? gmtime_r(&sec, tm) != NULL : localtime_r(&sec, tm) != NULL;
}

void rep_format_time(const struct rep_time *t, char *buf, size_t size)
{
	struct tm tm;
	char base[32];

	if (!broken_down(t, &tm) || !strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(buf, size, "@%lld", t->sec);
		return;
	}
	snprintf(buf, size, "%s.%03u%s", base, t->ms, use_utc ? "Z" : "");
}

void rep_format_time_iso(const struct rep_time *t, char *buf, size_t size)
{
	struct tm tm;
	char base[32];
	long off;

	if (!broken_down(t, &tm) || !strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, size, "@%lld", t->sec);
		return;
	}
	off = use_utc ? 0 : tm.tm_gmtoff;
	if (use_utc)
		snprintf(buf, size, "%s.%03uZ", base, t->ms);
	else
		snprintf(buf, size, "%s.%03u%c%02ld:%02ld", base, t->ms, off < 0 ? '-' : '+',
			 (off < 0 ? -off : off) / 3600, (off < 0 ? -off : off) % 3600 / 60);
}
