/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit trace (not implemented yet). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_trace(int argc, char *argv[])
{
	fprintf(stderr, "kmodaudit trace: not implemented yet\n");
	return EXIT_USAGE;
}
