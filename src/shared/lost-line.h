/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one line kmodaudit writes when a module call goes without its record, in one wording
 * whoever writes it (the shim without its core, the kmod front end without a context, the core
 * when no sink took a record or memory ran out):
 *
 *	fail-closed: refused CALL by COMM[PID] (WHAT): WHY	the load was refused (EPERM)
 *	record lost: CALL by COMM[PID] (WHAT): WHY		the call went on, unrecorded
 *
 * " (WHAT)" only when there is something to say of the call (the file, the image's size, the
 * record's seq and name). libc only: the shim links it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "call.h"
#include "macro.h"

/* The line into buf (snprintf's return). what may be NULL. */
int lost_line(char *buf, size_t size, bool refused, enum kma_syscall call, const char *comm,
	      pid_t pid, const char *what, const char *why);

/*
 * The line of this process's own call, WHY from fmt, sent as one datagram to /dev/log
 * (LOG_AUTHPRIV | LOG_ERR), or to the kernel log (/dev/kmsg) when there is no syslog; no fd
 * kept, no stdio: openlog()/syslog() would share the application's connection and ident.
 */
void lost_log(bool refused, enum kma_syscall call, const char *what, const char *fmt, ...)
	_printf_(4, 5);
