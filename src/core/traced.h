/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which emitter records a call when several see it. kmodaudit trace records every module call it
 * stops, and nothing the traced program does can suppress that record; the in-process emitters
 * (the preload shim through the core, the kmod front end) leave the record to it then, so that
 * each call is recorded once.
 */
#pragma once

#include <stdbool.h>

/*
 * True when the calling thread is traced by kmodaudit trace: its tracer (TracerPid) runs a
 * kmodaudit binary. Any doubt (unreadable /proc, another tracer) answers false: a second record
 * is better than none.
 */
bool traced_by_kmodaudit(void);
