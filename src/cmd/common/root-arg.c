/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/common/root-arg.h"

int root_arg_parse(const char *prog, const char *arg, char **root)
{
	char *path = realpath(arg, NULL);

	if (!path) {
		int r = -errno;

		fprintf(stderr, "%s: --root %s: %s\n", prog, arg, strerror(-r));
		return r;
	}
	free(*root);
	*root = NULL;
	if (!strcmp(path, "/"))
		free(path); /* the running system, its running state included */
	else
		*root = path;
	return 0;
}
