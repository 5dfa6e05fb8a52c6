/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common/timespec.h"
#include "macro.h"

const char timespec_forms[] =
	"YYYY-MM-DD[ HH:MM[:SS]], MM/DD/YYYY[ HH:MM[:SS]], HH:MM[:SS] (today), @EPOCH, or "
	"now, recent, boot, today, yesterday, this-week, week-ago, this-month, this-year "
	"(the dates and keywords may be followed by a time of day)";

/* Midnight of the day `days` before now's day (local time). */
static struct tm midnight(time_t now, int days)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days;
	tm.tm_isdst = -1;
	return tm;
}

/* The day a keyword names, at midnight; false when s is no day keyword. */
static bool keyword_day(const char *s, time_t now, struct tm *tm)
{
	if (!strcmp(s, "today"))
		*tm = midnight(now, 0);
	else if (!strcmp(s, "yesterday"))
		*tm = midnight(now, 1);
	else if (!strcmp(s, "week-ago"))
		*tm = midnight(now, 7);
	else if (!strcmp(s, "this-week")) {
		/* Day 0 of the week is Sunday in the C and en_US locales, as for ausearch there. */
		*tm = midnight(now, 0);
		tm->tm_mday -= tm->tm_wday;
	} else if (!strcmp(s, "this-month")) {
		*tm = midnight(now, 0);
		tm->tm_mday = 1;
	} else if (!strcmp(s, "this-year")) {
		*tm = midnight(now, 0);
		tm->tm_mday = 1;
		tm->tm_mon = 0;
	} else
		return false;
	return true;
}

/* A date (ISO or en_US) alone; the fields are checked by to_epoch. */
static bool date_only(const char *s, struct tm *tm)
{
	static const char *const formats[] = {"%Y-%m-%d", "%m/%d/%Y"};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		const char *end;

		memset(tm, 0, sizeof(*tm));
		end = strptime(s, formats[i], tm);
		if (end && !*end)
			return true;
	}
	return false;
}

/* HH:MM or HH:MM:SS into tm's time of day. */
static bool time_of_day(const char *s, struct tm *tm)
{
	unsigned h, m, sec = 0;
	int n = 0;

	if (sscanf(s, "%2u:%2u%n", &h, &m, &n) != 2)
		return false;
	if (s[n] == ':') {
		int n2 = 0;

		if (sscanf(s + n + 1, "%2u%n", &sec, &n2) != 1)
			return false;
		n += 1 + n2;
	}
	if (s[n] || h > 23 || m > 59 || sec > 60)
		return false;
	tm->tm_hour = (int)h;
	tm->tm_min = (int)m;
	tm->tm_sec = (int)sec;
	return true;
}

/* mktime, refusing a date it had to normalise (February 30th is not March 2nd). */
static int to_epoch(struct tm *tm, bool check_date, long long *out)
{
	int mday = tm->tm_mday, mon = tm->tm_mon, year = tm->tm_year;
	time_t t;

	tm->tm_isdst = -1;
	t = mktime(tm);
	if (t == (time_t)-1)
		return -EINVAL;
	if (check_date && (tm->tm_mday != mday || tm->tm_mon != mon || tm->tm_year != year))
		return -EINVAL;
	*out = t;
	return 0;
}

int timespec_parse(const char *s, time_t now, long long boot, long long *out)
{
	_cleanup_free_ char *copy = NULL;
	const char *tod = NULL;
	struct tm tm;
	bool keyword;
	char *sep;

	if (s[0] == '@') {
		char *end;

		errno = 0;
		*out = strtoll(s + 1, &end, 10);
		return errno || end == s + 1 || *end ? -EINVAL : 0;
	}
	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if (!strcmp(s, "recent")) {
		*out = now - 600;
		return 0;
	}
	if (!strcmp(s, "boot")) {
		if (boot < 0)
			return -EINVAL;
		*out = boot;
		return 0;
	}
	tm = midnight(now, 0);
	if (time_of_day(s, &tm))
		return to_epoch(&tm, false, out);

	/* DAY[ TIME] or DAYTTIME: split off the time of day. */
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	sep = strchr(copy, ' ');
	if (!sep && copy[0] >= '0' && copy[0] <= '9')
		sep = strchr(copy, 'T');
	if (sep) {
		*sep = '\0';
		tod = sep + 1;
		while (*tod == ' ')
			tod++;
	}
	keyword = keyword_day(copy, now, &tm);
	if (!keyword && !date_only(copy, &tm))
		return -EINVAL;
	if (tod && !time_of_day(tod, &tm))
		return -EINVAL;
	return to_epoch(&tm, !keyword, out);
}

int timespec_boot_time(long long *out)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/stat", "re");
	char line[256];

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "btime %lld", out) == 1)
			return 0;
	}
	return -ENOENT;
}
