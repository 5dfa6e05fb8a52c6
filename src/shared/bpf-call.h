/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One bpf(BPF_PROG_LOAD) call as an emitter describes it to the core (core/bpf-emit.h). libc
 * only: the shim fills it. It crosses the shim/core boundary (shared/impl-abi.h pins its layout):
 * a change here is an ABI change.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "call.h" /* enum kma_via */

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
