/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit rules (not implemented yet). */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_rules(int argc, char *argv[])
{
	fprintf(stderr, "kmodaudit rules: not implemented yet\n");
	return EXIT_USAGE;
}
