/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit check (not implemented yet). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_check(int argc, char *argv[])
{
	fprintf(stderr, "kmodaudit check: not implemented yet\n");
	return EXIT_USAGE;
}
