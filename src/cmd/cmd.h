/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The subcommands of kmodaudit(8); one file each. Each returns the process exit status. */
#pragma once

/* Exit statuses shared by the subcommands. */
#define EXIT_USAGE 2

int cmd_inspect(int argc, char *argv[]);
int cmd_trace(int argc, char *argv[]);
int cmd_report(int argc, char *argv[]);
int cmd_check(int argc, char *argv[]);
int cmd_rules(int argc, char *argv[]);
int cmd_preload(int argc, char *argv[]);
