/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one thing the shim says on its own: a record was lost (the core could not be loaded or
 * could not record the call). Straight to /dev/log (or /dev/kmsg when there is no syslog), libc
 * only, one datagram, no fd kept: openlog()/syslog() would share the application's connection
 * and ident.
 */
#pragma once

#include "core/macro.h"

void lost_log(const char *fmt, ...) _printf_(1, 2);
