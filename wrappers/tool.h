/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kmod front end: insmod, rmmod and modprobe on libkmod, with the module syscalls recorded
 * through the core (audit-syscalls.c). Messages, options and exit codes follow Debian's kmod 30,
 * the tools this binary replaces.
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

struct kmod_ctx;

int insmod_main(int argc, char *argv[]);
int rmmod_main(int argc, char *argv[]);
int modprobe_main(int argc, char *argv[]);

/* "kmod version N" and our own line: what -V prints for every tool. */
void tool_print_version(void);

/*
 * Messages, as kmod prints them: "<tool>: <PRIORITY>: text" on stderr, or to syslog after
 * tool_log_open(true). A message above the threshold is dropped; one at LOG_CRIT or below that
 * is printed ends the process with EXIT_FAILURE.
 */
void tool_log_open(bool use_syslog);
void tool_log_close(void);
void tool_log(int prio, const char *fmt, ...) _printf_(2, 3);
/* Sets the threshold and routes libkmod's own messages through tool_log's format. */
void tool_log_attach(struct kmod_ctx *ctx, int threshold);

#define ERR(...) tool_log(LOG_ERR, __VA_ARGS__)
#define WRN(...) tool_log(LOG_WARNING, __VA_ARGS__)

/*
 * The name the user asked for (insmod's file, rmmod's argument, the module modprobe resolved):
 * the record compares it with the module's real name. The string must live until the next call.
 */
void audit_set_name_hint(const char *name);
