/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A configuration file the administrator named (--config FILE, or $KMODAUDIT_CONFIG outside
 * secure execution) must be there and be used: a command fails, saying why, where the shim and
 * the core inside other processes fail open. The built-in path may be missing (the defaults).
 */
#pragma once

#include "core/conf.h"

/* The file named explicitly: OPTION, else $KMODAUDIT_CONFIG unless AT_SECURE; NULL if none. */
const char *conf_named(const char *option);

/*
 * Load the configuration (OPTION as conf_path()'s explicit path) into CONF, every warning printed
 * on stderr after "PROG: ". Returns 0; -errno when a named file is missing or was ignored as a
 * whole (the reason printed), or on -ENOMEM: the command must then stop.
 */
int conf_load_for_command(struct kma_conf *conf, const char *option, const char *prog);
