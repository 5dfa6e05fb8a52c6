/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit trace: bpf(BPF_PROG_LOAD) read out of a tracee at its seccomp stop and recorded as
 * the shim records it (core/bpf-emit.h). The block, the instructions and the license are copied
 * while every tracee is held, laid out in one buffer whose pointers the kernel follows, and the
 * kernel reads that buffer from a private mapping of the caller (trace_private_begin), not the
 * caller's memory.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/emit.h"

struct trace_bpf;

/* Whether a seccomp stop's call is bpf(BPF_PROG_LOAD) on ARCH (cmd is an int to the kernel). */
bool trace_bpf_is_load(uint32_t arch, uint64_t nr, uint64_t a0);

/*
 * Copy, record the intent and give the kernel the copy. As trace_call_begin: 1 to run the call,
 * 0 when fail-closed refused it, -ESRCH when the caller is gone. *userfault is set when memory a
 * userfaultfd serves was left unread.
 */
int trace_bpf_begin(struct kma_ctx *ctx, pid_t tid, pid_t pid, uint64_t uattr, uint32_t size,
		    struct trace_bpf **out, bool *userfault, int *sig);
/* At the syscall-exit stop: what the kernel wrote back goes to the caller; the copy goes. */
int trace_bpf_exit(struct trace_bpf *b, pid_t tid, int *sig);
/* The result record; ret is the kernel's answer (the caller's new fd) or KMA_RET_UNKNOWN. */
void trace_bpf_end(struct kma_ctx *ctx, struct trace_bpf *b, pid_t tid, pid_t pid, long ret);
void trace_bpf_free(struct trace_bpf *b);
