/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "cmd/common/conf-named.h"
#include "conf-file.h"

const char *conf_named(const char *option)
{
	const char *env;

	if (option)
		return option;
	if (getauxval(AT_SECURE))
		return NULL;
	env = secure_getenv("KMODAUDIT_CONFIG");
	return env && *env ? env : NULL;
}

static void warn_stderr(void *data, const char *msg)
{
	fprintf(stderr, "%s: %s\n", (const char *)data, msg);
}

int conf_load_for_command(struct kma_conf *conf, const char *option, const char *prog)
{
	const char *named = conf_named(option);
	const char *path = conf_path(option, false);
	int r;

	r = conf_load_path(conf, path, warn_stderr, (void *)prog);
	if (r == -ENOMEM) {
		fprintf(stderr, "%s: cannot read the configuration: %s\n", prog, strerror(-r));
		return r;
	}
	if (r < 0 && named) {
		/* An ignored file was named, with the reason, by conf_load_path()'s warning. */
		fprintf(stderr, "%s: %s%s: %s\n", prog,
			option ? "--config " : "KMODAUDIT_CONFIG=", named,
			r == -ENOENT ? strerror(-r) : "not used (see above)");
		return r;
	}
	return 0;
}
