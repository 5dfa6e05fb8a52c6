/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report (not implemented yet). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_report(int argc, char *argv[])
{
	fprintf(stderr, "kmodaudit report: not implemented yet\n");
	return EXIT_USAGE;
}
