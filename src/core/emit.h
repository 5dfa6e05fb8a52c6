/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One intercepted module call, one event: the lifecycle every emitter (preload shim, tracer,
 * kmod front end) drives, so that no field is computed in two places. What the emitter read is
 * a struct kma_call (shared/call.h).
 *
 *	kma_ctx_new()          once per process (config, sinks, seq counter)
 *	kma_call_init()        the emitter reads the caller's arguments into a struct kma_call
 *	kma_call_begin()       before the syscall: analyse the image, send the intent record
 *	<the emitter makes the real syscall with the copy / fd it described>
 *	kma_call_end()         after: send the result record with the kernel's answer
 *
 * The record format is kmodaudit-records(5); record.c is its only implementation.
 */
#pragma once

#include <stdbool.h>

#include "call.h" /* struct kma_call, kma_ctx_opts, the initialiser and bounds */

struct kma_ctx;
struct kma_pending;

int kma_ctx_new(const struct kma_ctx_opts *opts, struct kma_ctx **out);
void kma_ctx_free(struct kma_ctx *ctx);

/*
 * Before the syscall. Returns 0 when the call may go on, -EPERM when fail-closed refuses it
 * (no sink took the intent record; the core has said why in syslog), -EINVAL for a call not
 * made by kma_call_init() of this core's struct kma_call. *out is set on 0 and must be passed to
 * kma_call_end().
 */
int kma_call_begin(struct kma_ctx *ctx, const struct kma_call *call, struct kma_pending **out);

/*
 * The emitter could not see the kernel's answer (the tracee was killed inside the call): the
 * result record says exit=? res=failed.
 */
#define KMA_RET_UNKNOWN (-0x7fffffffL - 1)

/* After the syscall: ret is the kernel's answer as the raw syscall gives it (>= 0 or -errno). */
void kma_call_end(struct kma_ctx *ctx, struct kma_pending *p, long ret);
