/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit inspect (not implemented yet). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_inspect(int argc, char *argv[])
{
	fprintf(stderr, "kmodaudit inspect: not implemented yet\n");
	return EXIT_USAGE;
}
