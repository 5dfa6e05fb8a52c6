/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit preload (not implemented yet). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_preload(int argc, char *argv[])
{
	fprintf(stderr, "kmodaudit preload: not implemented yet\n");
	return EXIT_USAGE;
}
