/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report --since/--until: ausearch's time forms. The expected instants are built here from
 * explicit calendar fields with mktime, in a fixed zone (TZ=Europe/Berlin: DST changes, an
 * offset that is not 0), for a fixed "now": Wednesday 2026-03-04 15:30:20 local time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/common/timespec.h"

static time_t now;

static long long local(int y, int mon, int d, int h, int min, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mon - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = min,
			.tm_sec = s,
			.tm_isdst = -1};

	return mktime(&tm);
}

static long long parse_ok(const char *s)
{
	long long t = 0;

	if (timespec_parse(s, now, 1000, &t) != 0)
		fail_msg("'%s' was refused", s);
	return t;
}

static void refused(const char *s)
{
	long long t = 0;

	if (timespec_parse(s, now, 1000, &t) != -EINVAL)
		fail_msg("'%s' was accepted as %lld", s, t);
}

static void test_keywords(void **state)
{
	assert_int_equal(parse_ok("now"), now);
	assert_int_equal(parse_ok("recent"), now - 600);
	assert_int_equal(parse_ok("boot"), 1000);
	assert_int_equal(parse_ok("today"), local(2026, 3, 4, 0, 0, 0));
	assert_int_equal(parse_ok("yesterday"), local(2026, 3, 3, 0, 0, 0));
	assert_int_equal(parse_ok("week-ago"), local(2026, 2, 25, 0, 0, 0));
	assert_int_equal(parse_ok("this-week"), local(2026, 3, 1, 0, 0, 0)); /* Sunday */
	assert_int_equal(parse_ok("this-month"), local(2026, 3, 1, 0, 0, 0));
	assert_int_equal(parse_ok("this-year"), local(2026, 1, 1, 0, 0, 0));
	assert_int_equal(parse_ok("yesterday 10:00"), local(2026, 3, 3, 10, 0, 0));
	assert_int_equal(parse_ok("today 23:59:59"), local(2026, 3, 4, 23, 59, 59));
}

static void test_boot_unknown(void **state)
{
	long long t;

	assert_int_equal(timespec_parse("boot", now, -1, &t), -EINVAL);
}

static void test_time_of_day(void **state)
{
	assert_int_equal(parse_ok("14:55"), local(2026, 3, 4, 14, 55, 0));
	assert_int_equal(parse_ok("09:05:07"), local(2026, 3, 4, 9, 5, 7));
}

static void test_dates(void **state)
{
	assert_int_equal(parse_ok("2026-02-28"), local(2026, 2, 28, 0, 0, 0));
	assert_int_equal(parse_ok("2026-02-28 13:14"), local(2026, 2, 28, 13, 14, 0));
	assert_int_equal(parse_ok("2026-02-28T13:14:15"), local(2026, 2, 28, 13, 14, 15));
	assert_int_equal(parse_ok("02/28/2026"), local(2026, 2, 28, 0, 0, 0));
	assert_int_equal(parse_ok("02/28/2026 13:14:15"), local(2026, 2, 28, 13, 14, 15));
	assert_int_equal(parse_ok("2024-02-29"), local(2024, 2, 29, 0, 0, 0));
	/* The night clocks go forward in Berlin: 02:30 does not exist, the date does. */
	assert_int_equal(parse_ok("2026-03-29 03:30"), local(2026, 3, 29, 3, 30, 0));
	assert_int_equal(parse_ok("@1700000000"), 1700000000);
}

static void test_refused(void **state)
{
	refused("2026-02-30");
	refused("2025-02-29");
	refused("2026-13-01");
	refused("02/30/2026");
	refused("2026-02-28 24:00");
	refused("25:00");
	refused("14:60");
	refused("14");
	refused("tomorrow");
	refused("today 10");
	refused("today 10:00 junk");
	refused("2026-02-28x");
	refused("@");
	refused("@12x");
	refused("");
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),    cmocka_unit_test(test_boot_unknown),
		cmocka_unit_test(test_time_of_day), cmocka_unit_test(test_dates),
		cmocka_unit_test(test_refused),
	};

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	now = local(2026, 3, 4, 15, 30, 20);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
