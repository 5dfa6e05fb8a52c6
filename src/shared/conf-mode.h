/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * [policy] mode, read by the shim itself when it cannot load the core (which reads the whole
 * configuration with libinih): only then, so a process that loads no module never reads it.
 * Same file, same trust checks and same AT_SECURE rule as the core (shared/conf-file.h); the text
 * is read as libinih reads it, key and values as conf.c takes them (tests/record/
 * test-conf-mode.c compares the two on a set of texts).
 */
#pragma once

#include <stdbool.h>

/* Whether ini text (NUL-terminated) sets [policy] mode = fail-closed (last valid value wins). */
bool conf_text_fail_closed(const char *text);

/*
 * Whether the configuration file says fail-closed. *path is the file considered; *ignored is
 * NULL, or (static text) why the file was ignored: the defaults (fail-open) apply then, as in
 * the core.
 */
bool conf_file_fail_closed(const char **path, const char **ignored);
