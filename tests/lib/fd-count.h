/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helper: how many fds this process has open (the leak checks of the test programs). */
#pragma once

#include <dirent.h>

static inline int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the DIR's own fd */
}
