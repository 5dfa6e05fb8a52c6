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

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/call.h" /* enum kma_via; libc only: the shim includes this header */

struct kma_ctx;

/* What the emitter saw. Every pointer is to memory the caller of the syscall cannot change. */
struct kma_bpf_call {
	enum kma_via via;
	pid_t pid; /* the process that made the call */
	/* the block the kernel gets (attr_len bytes, the size the caller passed, at most a page);
	 * NULL when it could not be read whole: then no field of it is stated */
	const void *attr;
	size_t attr_len;
	/* the instructions the kernel gets; NULL when not read whole (or insn_cnt out of range) */
	const void *insns;
	size_t insns_len;
	const char *license; /* the copy the kernel gets; NULL when unreadable */
	bool truncated_read; /* the block, the instructions or the license could not be read whole
			      */
};

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
