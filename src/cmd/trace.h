/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit trace, split by concern: trace.c (command line, starting CMD, exit status),
 * trace-filter.c (the seccomp filter), trace-loop.c (the ptrace event loop, thread freezing),
 * trace-call.c (reading one module call out of a stopped tracee), trace-mem.c (tracee memory).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/emit.h"

/* What the event loop needs from the command line. */
struct trace_opts {
	bool follow; /* keep tracing after CMD exits until every descendant has exited */
	/* The filter injected into every tracee before it is let go (trace_refusal_bpf). */
	const void *refusal_bpf;
	size_t refusal_len;
};

/* trace-filter.c: built in the tracer, loaded in the child between fork and exec. */
struct trace_filter;
int trace_filter_new(struct trace_filter **out);
int trace_filter_load(struct trace_filter *f); /* in the child: async-signal-safe enough */
void trace_filter_free(struct trace_filter *f);

/*
 * The BPF program of a second filter that refuses (EPERM) the module syscalls on every arch of
 * the first and allows everything else: an ERRNO action outranks RET_TRACE whoever traces.
 */
int trace_refusal_bpf(void **out, size_t *len);

/* trace-inject.c: make a tracee stopped in PTRACE_EVENT_STOP load a seccomp filter itself. */
/*
 * 0 when the filter is in place, -errno when not (-ESRCH: the tracee is gone; its exit is still
 * to be reaped). The tracee is left stopped at the injected call's syscall-exit stop with its
 * registers (and the memory it had) back. *sig is set to a signal that arrived meanwhile (to be
 * delivered when it is resumed), else left alone.
 */
int trace_inject_filter(pid_t tid, const void *bpf, size_t len, int *sig);

/*
 * At tid's seccomp stop of a module call: place len bytes of buf in a fresh private mapping of
 * the tracee and make it issue the call again with argument argno pointing there; it is left at
 * the new seccomp stop. 0 and *out, or -errno (-ESRCH: gone, reaped; any other: the call is
 * left as it was, at a seccomp stop, reading its own memory). *sig as for trace_inject_filter.
 */
struct trace_private;
int trace_private_begin(pid_t tid, int argno, const void *buf, size_t len,
			struct trace_private **out, int *sig);
/* At that call's syscall-exit stop: unmap the copy, put the caller's pointer back. */
int trace_private_end(pid_t tid, struct trace_private *p, int *sig);
void trace_private_free(struct trace_private *p);

/* The ptrace options every tracee carries (set once by PTRACE_SEIZE, inherited by new ones). */
unsigned long trace_ptrace_options(void);

/*
 * trace-loop.c: trace cmd (already seized) and its descendants until the loop is done.
 * Returns CMD's wait status in *cmd_status.
 */
int trace_loop_run(struct kma_ctx *ctx, const struct trace_opts *opts, pid_t cmd, int *cmd_status);

/* trace-call.c: the module call a tracee is stopped at (a seccomp stop). */
struct trace_call;
/*
 * The call at tid's seccomp stop (its registers only). Returns 1 and *out when it is a module
 * call (to record, whoever made it), 0 when it is no module call, or -errno.
 */
int trace_call_read(pid_t tid, struct trace_call **out);
/*
 * Copy the image, parameters, fd or name out of the caller, analyse the copy and send the intent
 * record; every tracee must be stopped. An init_module image is then given to the kernel from a
 * private copy in the caller (trace_private_begin). 1 when the kernel may run the call, 0 when
 * fail-closed refused it, -ESRCH when the caller was killed meanwhile (and reaped). *sig: a
 * signal to deliver to the caller at syscall exit.
 */
int trace_call_begin(struct kma_ctx *ctx, struct trace_call *c, int *sig);
/* At the call's syscall-exit stop, before trace_call_end: the private copy goes (-ESRCH: gone). */
int trace_call_exit(struct trace_call *c, int *sig);
/*
 * True when trace_call_begin left memory unread because a userfaultfd serves it: then the
 * record states nothing of it, and no tracee need (or may: it could be the handler) be held.
 */
bool trace_call_unheld(const struct trace_call *c);
/* Send the result record; ret is the kernel's answer or KMA_RET_UNKNOWN. */
void trace_call_end(struct kma_ctx *ctx, struct trace_call *c, long ret);
void trace_call_free(struct trace_call *c);

/* trace-mem.c: reading a stopped tracee's memory and mappings. */
/* Copy len bytes at addr; -EFAULT unless all of them could be read. */
int trace_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* A NUL-terminated string of at most max bytes (cut there); -EFAULT if unreadable. */
int trace_mem_read_string(pid_t pid, uint64_t addr, size_t max, char **out);
/*
 * 1 when some of [addr, addr + len) is registered with a userfaultfd (missing or minor faults):
 * a read there waits for its handler, whoever that is. 0 if not, -errno.
 */
int trace_mem_userfault(pid_t pid, uint64_t addr, uint64_t len);
/* The path of the file mapped at addr in pid, *out = NULL if none (anonymous memory). */
int trace_mem_mapping_path(pid_t pid, uint64_t addr, char **out);
