/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --root DIR of the commands that judge or write a system's files (check, rules): DIR taken
 * from the current directory with every link resolved, "/" meaning the running system.
 */
#pragma once

/*
 * Replace *ROOT with ARG resolved: NULL for "/" (the running system), else the absolute path.
 * Returns 0, or -errno after "PROG: --root ARG: reason" on stderr.
 */
int root_arg_parse(const char *prog, const char *arg, char **root);
