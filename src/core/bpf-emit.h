/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One bpf(BPF_PROG_LOAD) call, one event, as core/emit.h's module calls:
 *
 *	kma_bpf_begin()   before the syscall: parse the copied block, hash the copied
 *	                  instructions, send the intent record (op=bpf_prog_load_intent)
 *	<the emitter makes the real syscall with the copies it described>
 *	kma_bpf_end()     after: the kernel's prog id and tag, the result record (op=bpf_prog_load)
 */
#pragma once

#include "bpf-call.h"

struct kma_ctx;

struct kma_bpf_pending;

/* As kma_call_begin(): 0 (go on, *out set; maybe NULL), or -EPERM when fail-closed refuses. */
int kma_bpf_begin(struct kma_ctx *ctx, const struct kma_bpf_call *call,
		  struct kma_bpf_pending **out);

/*
 * After the syscall: ret as the raw syscall gives it (the new fd or -errno; KMA_RET_UNKNOWN).
 * prog_fd is an fd of this process on the new program (the shim: ret; the tracer: its copy of
 * the tracee's), or -1: the kernel's id and tag are read through it.
 */
void kma_bpf_end(struct kma_ctx *ctx, struct kma_bpf_pending *p, long ret, int prog_fd);
