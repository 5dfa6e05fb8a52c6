/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <time.h>

/* Milliseconds on the monotonic clock: for deadlines and bounded waits. */
static inline long long clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
