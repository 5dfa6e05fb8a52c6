/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Times as administrators type them to ausearch -ts/-te, for report --since/--until: its
 * keywords (now, recent, boot, today, yesterday, this-week, week-ago, this-month, this-year),
 * a time of day alone (today), a keyword or a date followed by a time of day, ISO dates
 * (YYYY-MM-DD, with a space or T before the time), en_US dates (MM/DD/YYYY) and @EPOCH.
 * Local time, as ausearch; impossible dates (2026-02-30, 25:00) are refused, not normalised.
 */
#pragma once

#include <time.h>

/* The accepted forms, one line, for usage and error messages. */
extern const char timespec_forms[];

/*
 * Parse s relative to now (seconds since the epoch) into *out. boot is the boot time in seconds
 * since the epoch, or -1 when unknown (then "boot" is refused). Returns 0 or -EINVAL.
 */
int timespec_parse(const char *s, time_t now, long long boot, long long *out);

/* The boot time from /proc/stat (btime), or -errno. */
int timespec_boot_time(long long *out);
