/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One module call read out of a tracee stopped at its seccomp stop, handed to the core
 * (core/emit.h) like any other emitter's: the image is copied out of the tracee while every
 * thread that shares its memory is stopped (trace-loop.c), so the copy is what the kernel copies.
 *
 * Every call stopped is recorded here, whichever code made it: the preload shim or the kmod front
 * end in the traced process leave their own record to the tracer (core/traced.h). The other way
 * round, the traced program could switch the record off (an in-process emitter fails open, e.g.
 * with KMODAUDIT_IMPL pointing nowhere, or is jumped into), while the tracer's record cannot be
 * suppressed from inside.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd/trace/trace-bpf.h"
#include "cmd/trace/trace.h"
#include "macro.h"
#include "core/procctx.h"

/*
 * The bounds are the core's (shared/call.h). What is the tracer's own: the kernel gets the
 * caller's pointers, never a copy of ours (the tracer cannot hand it one); the copy is what the
 * kernel copies because every thread that could change that memory is stopped meanwhile.
 */

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

struct trace_call {
	pid_t tid;
	bool compat;	      /* i386 caller: pointers are 32 bits */
	uint64_t args_raw[6]; /* as the seccomp stop saw them */
	struct kma_call call;
	struct kma_pending *pending;
	void *image;
	char *args;
	char *name;
	int fd;
	bool userfault;		       /* something was left unread: a userfaultfd serves it */
	struct trace_private *private; /* the image the kernel reads: our copy, in the caller */
	bool is_bpf;		       /* bpf(BPF_PROG_LOAD): trace-bpf.c */
	struct trace_bpf *bpf;
};

/* The syscall numbers at a seccomp stop, by the arch the tracee called with. */
static int module_syscall(uint32_t arch, uint64_t nr, enum kma_syscall *out)
{
	switch (arch) {
	case AUDIT_ARCH_X86_64: /* x32 too: the x32 bit is the only difference */
		return kma_syscall_of_nr((long)nr, false, out);
	case AUDIT_ARCH_I386:
		return kma_syscall_of_nr((long)nr, true, out);
	default:
		return -ENOENT;
	}
}

/*
 * The caller's file as an fd of ours: pidfd_getfd shares the caller's open file (no reopen of a
 * path that may have been replaced); /proc/PID/fd/N is the fallback on kernels without it.
 * Returns -1 when the caller has no such fd (the kernel will answer EBADF).
 */
static int caller_file(pid_t tid, pid_t tgid, int caller_fd)
{
	char path[64];
	int pidfd, fd;

	if (caller_fd < 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (pidfd < 0)
		pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pidfd >= 0) {
		fd = (int)syscall(SYS_pidfd_getfd, pidfd, caller_fd, 0);
		close(pidfd);
		if (fd >= 0)
			return fd;
		if (errno == EBADF)
			return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, caller_fd);
	return open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

int trace_call_read(pid_t tid, struct trace_call **out)
{
	struct __ptrace_syscall_info si = {0};
	enum kma_syscall sys;
	struct trace_call *c;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) < 0)
		return -errno;
	if (si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return -EINVAL;
	bool is_bpf = trace_bpf_is_load(si.arch, si.seccomp.nr, si.seccomp.args[0]);

	if (!is_bpf && module_syscall(si.arch, si.seccomp.nr, &sys) < 0)
		return 0;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->tid = tid;
	c->is_bpf = is_bpf;
	c->compat = si.arch == AUDIT_ARCH_I386;
	memcpy(c->args_raw, si.seccomp.args, sizeof(c->args_raw));
	c->fd = -1;
	/* the pid is what the kernel's SYSCALL record calls pid= (sys: unused for bpf) */
	c->call =
		kma_call_init(is_bpf ? KMA_SYS_INIT_MODULE : sys, KMA_VIA_TRACE, procctx_tgid(tid));
	if (c->call.pid <= 0)
		c->call.pid = tid;
	*out = c;
	return 1;
}

/* Pointer-sized argument i as the caller passed it (32 bits for i386). */
static uint64_t arg(const struct trace_call *c, int i)
{
	return c->compat ? (uint32_t)c->args_raw[i] : c->args_raw[i];
}

/*
 * Whether [addr, addr + len) may be read: not where a userfaultfd serves the pages. Its handler
 * may be a tracee held still (the read would wait forever), and it may answer the tracer's read
 * and the kernel's copy with different bytes: what is not read is not stated.
 */
static bool readable(struct trace_call *c, uint64_t addr, uint64_t len)
{
	if (trace_mem_userfault(c->tid, addr, len) != 1)
		return true;
	c->userfault = true;
	return false;
}

/* Copy what the call points at; the caller's memory must be held still (trace-loop.c). */
static void call_copy(struct trace_call *c)
{
	switch (c->call.syscall) {
	case KMA_SYS_INIT_MODULE: {
		uint64_t len = arg(c, 1);

		/* Unreadable (EFAULT ahead) or too big: image_len 0 < image_size says so. */
		c->call.image_size = len;
		if (len <= KMA_IMAGE_MAX && readable(c, arg(c, 0), len)) {
			c->image = malloc(len ? len : 1);
			if (c->image && trace_mem_read(c->tid, arg(c, 0), c->image, len) == 0) {
				c->call.image = c->image;
				c->call.image_len = len;
			}
		}
		break;
	}
	case KMA_SYS_FINIT_MODULE:
		c->call.caller_fd = (int)(uint32_t)c->args_raw[0];
		c->fd = caller_file(c->tid, c->call.pid, c->call.caller_fd);
		c->call.fd = c->fd;
		c->call.flags = (uint32_t)c->args_raw[2];
		break;
	case KMA_SYS_DELETE_MODULE:
		/* every byte either kernel reads; the record names what it can look up */
		if (readable(c, arg(c, 0), KMA_UNLOAD_NAME_MAX) &&
		    trace_mem_read_string(c->tid, arg(c, 0), KMA_UNLOAD_NAME_MAX, &c->name) == 0) {
			c->name[strnlen(c->name, KMA_UNLOAD_NAME_MAX - 1)] = '\0';
			c->call.name = c->name;
		}
		c->call.flags = (uint32_t)c->args_raw[1];
		break;
	}
	if (c->call.syscall != KMA_SYS_DELETE_MODULE) {
		int i = c->call.syscall == KMA_SYS_INIT_MODULE ? 2 : 1;

		/* a string without its NUL within the bound is cut there: not what the kernel got
		 */
		if (readable(c, arg(c, i), KMA_ARGS_MAX) &&
		    trace_mem_read_string(c->tid, arg(c, i), KMA_ARGS_MAX, &c->args) == 0 &&
		    strlen(c->args) < KMA_ARGS_MAX)
			c->call.args = c->args;
		else
			c->call.args_unreadable = true;
	}
}

int trace_call_begin(struct kma_ctx *ctx, struct trace_call *c, int *sig)
{
	if (c->is_bpf)
		return trace_bpf_begin(ctx, c->tid, c->call.pid, arg(c, 1),
				       (uint32_t)c->args_raw[2], &c->bpf, &c->userfault, sig);
	call_copy(c);
	/*
	 * The kernel reads the tracer's own copy, not the caller's memory: whatever writes that
	 * memory meanwhile (a process outside the trace too), the bytes hashed are the bytes the
	 * kernel gets. Without the copy (an image not read whole, no memory for it) the call reads
	 * the caller's memory, held still as far as the trace goes.
	 */
	if (c->call.image && c->call.image_len &&
	    trace_private_begin(c->tid, 0, c->call.image, c->call.image_len, &c->private, sig) ==
		    -ESRCH)
		return -ESRCH;
	/* Only a fail-closed refusal stops the call; any other trouble fails open. */
	return kma_call_begin(ctx, &c->call, &c->pending) != -EPERM;
}

int trace_call_exit(struct trace_call *c, int *sig)
{
	struct trace_private *p = TAKE_PTR(c->private);
	int r;

	if (c->is_bpf)
		return trace_bpf_exit(c->bpf, c->tid, sig);
	if (!p)
		return 0;
	r = trace_private_end(c->tid, p, sig);
	trace_private_free(p);
	return r == -ESRCH ? r : 0;
}

bool trace_call_unheld(const struct trace_call *c)
{
	return c->userfault;
}

void trace_call_end(struct kma_ctx *ctx, struct trace_call *c, long ret)
{
	if (c->is_bpf) {
		trace_bpf_end(ctx, c->bpf, c->tid, c->call.pid, ret);
		return;
	}
	if (c->pending)
		kma_call_end(ctx, TAKE_PTR(c->pending), ret);
}

void trace_call_free(struct trace_call *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	trace_private_free(c->private);
	trace_bpf_free(c->bpf);
	free(c->image);
	free(c->args);
	free(c->name);
	free(c);
}
