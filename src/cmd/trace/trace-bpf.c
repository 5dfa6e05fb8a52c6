/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit trace: bpf(BPF_PROG_LOAD) (cmd/trace-bpf.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cmd/trace/trace-bpf.h"
#include "cmd/trace/trace.h"
#include "core/bpf-emit.h"
#include "core/bpf-prog.h"
#include "macro.h"

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

struct trace_bpf {
	uint64_t uattr; /* the caller's block */
	size_t attr_len;
	/* one buffer: the block, then the instructions, then the license (each 8-aligned) */
	unsigned char *buf;
	size_t buf_len, insns_off, insns_len, license_off;
	bool has_insns, has_license;
	uint64_t copy_at; /* where the kernel reads the buffer in the caller, 0: no copy */
	struct trace_private *private;
	struct kma_bpf_pending *pending;
};

bool trace_bpf_is_load(uint32_t arch, uint64_t nr, uint64_t a0)
{
	if ((int)(uint32_t)a0 != KMA_BPF_PROG_LOAD)
		return false;
	switch (arch) {
	case AUDIT_ARCH_X86_64:
		return (nr & ~(uint64_t)__X32_SYSCALL_BIT) == 321;
	case AUDIT_ARCH_I386:
		return nr == 357;
	default:
		return false;
	}
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Whether [addr, addr + len) may be read: not where a userfaultfd serves it (trace-call.c). */
static bool readable(pid_t tid, uint64_t addr, uint64_t len, bool *userfault)
{
	if (trace_mem_userfault(tid, addr, len) != 1)
		return true;
	*userfault = true;
	return false;
}

static int write_mem(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = {.iov_base = (void *)buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)addr, .iov_len = len};
	ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* Copy the block and what it points at; true when the block itself was read whole. */
static bool copy_in(struct trace_bpf *b, pid_t tid, uint32_t size, struct kma_bpf_call *call,
		    bool *userfault)
{
	struct kma_bpf_attr a;
	size_t insns_len, total;
	_cleanup_free_ char *license = NULL;

	if (size > KMA_BPF_ATTR_MAX || !readable(tid, b->uattr, size, userfault))
		return false;
	/* the block first, to learn how much room the rest takes */
	b->buf = malloc(size ? size : 1);
	if (!b->buf || (size && trace_mem_read(tid, b->uattr, b->buf, size) < 0))
		return false;
	b->attr_len = size;
	kma_bpf_attr_parse(b->buf, size, &a);
	insns_len = kma_bpf_insns_len(a.insn_cnt);
	if (a.insn_cnt && (!insns_len || !readable(tid, a.insns, insns_len, userfault)))
		insns_len = 0;
	if (readable(tid, a.license, KMA_BPF_LICENSE_MAX, userfault) &&
	    trace_mem_read_string(tid, a.license, KMA_BPF_LICENSE_MAX, &license) < 0)
		license = NULL;
	b->insns_off = align8(size);
	b->license_off = b->insns_off + align8(insns_len);
	total = b->license_off + (license ? strlen(license) + 1 : 0);
	{
		unsigned char *n = realloc(b->buf, total ? total : 1);

		if (!n)
			return true;
		b->buf = n;
	}
	b->buf_len = total;
	if (insns_len && trace_mem_read(tid, a.insns, b->buf + b->insns_off, insns_len) == 0) {
		b->has_insns = true;
		b->insns_len = insns_len;
	}
	/* the kernel faults on them as on the caller's, whatever our mapping takes (bpf-prog.h) */
	if (a.insn_cnt && !b->has_insns)
		kma_bpf_attr_set_insns(b->buf, size, KMA_BPF_INSNS_UNREADABLE);
	if (license) {
		memcpy(b->buf + b->license_off, license, strlen(license) + 1);
		b->has_license = true;
	}
	call->attr = b->buf;
	call->attr_len = size;
	call->insns = b->has_insns ? b->buf + b->insns_off : NULL;
	call->insns_len = b->has_insns ? insns_len : 0;
	call->license = b->has_license ? (const char *)b->buf + b->license_off : NULL;
	call->truncated_read = (a.insn_cnt && !b->has_insns) || !b->has_license;
	return true;
}

/* The buffer at its address in the caller: the block's pointers to the copies there. */
static int place(struct trace_bpf *b, pid_t tid)
{
	struct __ptrace_syscall_info si = {0};
	uint64_t at;

	/* trace_private_begin left the call at its new seccomp stop, the block argument ours */
	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) < 0)
		return -errno;
	if (si.op != PTRACE_SYSCALL_INFO_SECCOMP || si.seccomp.args[1] == b->uattr)
		return -EINVAL;
	at = si.seccomp.args[1];
	if (b->has_insns)
		kma_bpf_attr_set_insns(b->buf, b->attr_len, (void *)(uintptr_t)(at + b->insns_off));
	if (b->has_license)
		kma_bpf_attr_set_license(b->buf, b->attr_len,
					 (const char *)(uintptr_t)(at + b->license_off));
	b->copy_at = at;
	return write_mem(tid, at, b->buf, b->attr_len);
}

int trace_bpf_begin(struct kma_ctx *ctx, pid_t tid, pid_t pid, uint64_t uattr, uint32_t size,
		    struct trace_bpf **out, bool *userfault, int *sig)
{
	struct kma_bpf_call call = {.via = KMA_VIA_TRACE, .pid = pid, .truncated_read = true};
	struct trace_bpf *b = calloc(1, sizeof(*b));
	int r;

	*out = b;
	if (!b)
		return 1; /* no memory in the tracer: fail open, as the core does */
	b->uattr = uattr;
	if (copy_in(b, tid, size, &call, userfault) && call.attr && b->buf_len) {
		/*
		 * The kernel reads the tracer's copy in a private mapping of the caller: the block
		 * (its insns and license pointing into the mapping) and what they point at.
		 */
		r = trace_private_begin(tid, 1, b->buf, b->buf_len, &b->private, sig);
		if (r == -ESRCH)
			return -ESRCH;
		if (r == 0 && place(b, tid) < 0) {
			/* the kernel would read the copy with the caller's pointers: not stated */
			call.insns = NULL;
			call.license = NULL;
			call.truncated_read = true;
		}
		if (r < 0) {
			/* no copy in the caller: the kernel reads the caller's held memory */
			b->copy_at = 0;
		}
	} else if (!call.attr) {
		call.truncated_read = true;
	}
	return kma_bpf_begin(ctx, &call, &b->pending) != -EPERM;
}

int trace_bpf_exit(struct trace_bpf *b, pid_t tid, int *sig)
{
	struct trace_private *p;
	unsigned char v[4];
	int r;

	if (!b || !b->private)
		return 0;
	/* 6.4+ writes log_true_size into the block it read: into the caller's, as it would */
	if (b->copy_at && b->attr_len >= KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF + 4 &&
	    trace_mem_read(tid, b->copy_at + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF, v, 4) == 0 &&
	    memcmp(v, b->buf + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF, 4))
		write_mem(tid, b->uattr + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF, v, 4);
	p = TAKE_PTR(b->private);
	r = trace_private_end(tid, p, sig);
	trace_private_free(p);
	return r == -ESRCH ? r : 0;
}

/* The caller's new fd as one of ours, for BPF_OBJ_GET_INFO_BY_FD; -1 if it cannot be had. */
static int caller_fd(pid_t tid, pid_t pid, int fd)
{
	int pidfd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD), ours = -1;

	if (pidfd < 0)
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0) {
		ours = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		close(pidfd);
	}
	return ours;
}

void trace_bpf_end(struct kma_ctx *ctx, struct trace_bpf *b, pid_t tid, pid_t pid, long ret)
{
	int fd = -1;

	if (!b || !b->pending)
		return;
	if (ret >= 0 && ret != KMA_RET_UNKNOWN)
		fd = caller_fd(tid, pid, (int)ret);
	kma_bpf_end(ctx, TAKE_PTR(b->pending), ret, fd);
	if (fd >= 0)
		close(fd);
}

void trace_bpf_free(struct trace_bpf *b)
{
	if (!b)
		return;
	trace_private_free(b->private);
	free(b->buf);
	free(b);
}
