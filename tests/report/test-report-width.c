/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * report's table widths (report-width.c): the wide columns give way first, the widest first, so
 * that a hostile long name shrinks before its neighbours; text is cut on code points.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "cmd/report/report-view.h"

static void widest_first(void **state)
{
	/* TIME 23, MODULE 300 (hostile), SIGNER 35, FLAGS 6 into 80 columns */
	size_t width[] = {23, 300, 35, 6}, min[] = {23, 8, 8, 5};
	bool shrink[] = {false, true, true, false};

	(void)state;
	rep_fit_widths(width, min, shrink, 4, 80);
	assert_int_equal(width[0] + width[1] + width[2] + width[3] + 3, 80);
	assert_int_equal(width[0], 23);
	assert_int_equal(width[3], 6);
	/* shared evenly once the hostile one is down to the signer's width */
	assert_true(width[1] == 24 || width[1] == 23);
	assert_true(width[2] == 24 || width[2] == 23);
}

static void fits_untouched(void **state)
{
	size_t width[] = {10, 20}, min[] = {4, 4};
	bool shrink[] = {true, true};

	(void)state;
	rep_fit_widths(width, min, shrink, 2, 31);
	assert_int_equal(width[0], 10);
	assert_int_equal(width[1], 20);
	rep_fit_widths(width, min, shrink, 2, 0); /* no terminal: no limit */
	assert_int_equal(width[1], 20);
}

static void stops_at_min(void **state)
{
	size_t width[] = {30, 30}, min[] = {8, 30};
	bool shrink[] = {true, true};

	(void)state;
	rep_fit_widths(width, min, shrink, 2, 20);
	assert_int_equal(width[0], 8);
	assert_int_equal(width[1], 30);
}

static void utf8_cut(void **state)
{
	char s[] = "af_k\xc3\xa9y_long";

	(void)state;
	assert_int_equal(rep_text_width("af_k\xc3\xa9y"), 6);
	rep_text_truncate(s, 5);
	assert_string_equal(s, "af_k\xc3\xa9");
	rep_text_truncate(s, 0);
	assert_string_equal(s, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(widest_first),
		cmocka_unit_test(fits_untouched),
		cmocka_unit_test(stops_at_min),
		cmocka_unit_test(utf8_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
