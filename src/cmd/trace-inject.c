/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Syscall injection: a tracee stopped in PTRACE_EVENT_STOP (an interrupt or group stop) is made to
 * call seccomp(SECCOMP_SET_MODE_FILTER, 0, prog) itself, the only way to add a filter to another
 * thread. The program and its sock_fprog go below the tracee's stack pointer (past the x86_64 red
 * zone, where a signal frame would go too); the system call instruction replaces two bytes at its
 * instruction pointer for the one call. Registers, code and (as far as the program can tell)
 * stack are put back afterwards.
 *
 * The caller must hold every thread sharing the tracee's memory still (trace-loop.c): a running
 * one could execute the patched bytes or rewrite the program before the kernel copies it.
 */
#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "cmd/trace.h"

#if defined(__x86_64__)

#define NR_SECCOMP_64 317
#define NR_SECCOMP_32 354
#define NR_RESTART_64 219
#define NR_RESTART_32 0
#define X32_BIT 0x40000000UL
#define USER32_CS 0x23
/* The kernel's restart codes, never seen by user space. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/*
 * A syscall interrupted by the stop is restarted by the kernel as it returns to user space
 * (ip back over the instruction, ax = the syscall number). Registers put back after another
 * syscall ran would skip that step and leak -ERESTART* to the program: do it here, once.
 */
static void restart_fixup(struct user_regs_struct *r, bool compat)
{
	long orig = (long)r->orig_rax;

	if (orig < 0)
		return;
	switch ((long)r->rax) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
		r->rax = r->orig_rax;
		r->rip -= 2;
		break;
	case -ERESTART_RESTARTBLOCK:
		r->rax = compat ? NR_RESTART_32 : (NR_RESTART_64 | (r->orig_rax & X32_BIT));
		r->rip -= 2;
		break;
	}
	r->orig_rax = (unsigned long)-1L;
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

/* Resume with PTRACE_SYSCALL until the next syscall stop of op; other stops pass. */
static int to_syscall_stop(pid_t tid, int op, int *sig)
{
	for (int tries = 0; tries < 16; tries++) {
		struct __ptrace_syscall_info si = {0};
		int status;
		pid_t p;

		if (ptrace(PTRACE_SYSCALL, tid, 0L, 0L) < 0)
			return -errno;
		do
			p = waitpid(tid, &status, __WALL);
		while (p < 0 && errno == EINTR);
		if (p < 0)
			return -errno;
		if (!WIFSTOPPED(status))
			return -ESRCH; /* gone: its status is reaped here, the caller drops it */
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) < 0)
				return -errno;
			if (si.op == op)
				return 0;
			continue;
		}
		/* A signal that came meanwhile is delivered when the tracee is let go. */
		if ((unsigned int)status >> 16 == 0)
			*sig = WSTOPSIG(status);
	}
	return -EAGAIN;
}

int trace_inject_filter(pid_t tid, const void *bpf, size_t len, int *sig)
{
	struct user_regs_struct saved, regs;
	bool compat;
	uint64_t sp, prog_at, fprog_at;
	unsigned char fprog[16] = {0};
	size_t fprog_len;
	uint16_t n = (uint16_t)(len / 8);
	long word, patched;
	int r, r2;

	if (len == 0 || len % 8 || len / 8 > 0xffff)
		return -EINVAL;
	if (ptrace(PTRACE_GETREGS, tid, 0L, &saved) < 0)
		return -errno;
	compat = saved.cs == USER32_CS;
	restart_fixup(&saved, compat);

	sp = saved.rsp;
	if (!compat)
		sp -= 128; /* the red zone */
	prog_at = (sp - len - 64) & ~(uint64_t)15;
	fprog_at = prog_at - 16;
	if (compat) {
		uint32_t p32 = (uint32_t)prog_at;

		memcpy(fprog, &n, 2);
		memcpy(fprog + 4, &p32, 4);
		fprog_len = 8;
	} else {
		memcpy(fprog, &n, 2);
		memcpy(fprog + 8, &prog_at, 8);
		fprog_len = 16;
	}
	if (compat && prog_at + len > UINT32_MAX)
		return -EFAULT;
	r = write_mem(tid, prog_at, bpf, len);
	if (r == 0)
		r = write_mem(tid, fprog_at, fprog, fprog_len);
	if (r < 0)
		return r;

	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, tid, (void *)(uintptr_t)saved.rip, 0L);
	if (errno)
		return -errno;
	/* syscall (0f 05) or int $0x80 (cd 80), little-endian in the low two bytes */
	patched = (long)(((unsigned long)word & ~0xffffUL) | (compat ? 0x80cdUL : 0x050fUL));
	if (ptrace(PTRACE_POKETEXT, tid, (void *)(uintptr_t)saved.rip, (void *)patched) < 0)
		return -errno;

	regs = saved;
	regs.orig_rax = (unsigned long)-1L;
	if (compat) {
		regs.rax = NR_SECCOMP_32;
		regs.rbx = SECCOMP_SET_MODE_FILTER;
		regs.rcx = 0;
		regs.rdx = fprog_at;
	} else {
		regs.rax = NR_SECCOMP_64;
		regs.rdi = SECCOMP_SET_MODE_FILTER;
		regs.rsi = 0;
		regs.rdx = fprog_at;
	}
	r = ptrace(PTRACE_SETREGS, tid, 0L, &regs) < 0 ? -errno : 0;
	if (r == 0)
		r = to_syscall_stop(tid, PTRACE_SYSCALL_INFO_ENTRY, sig);
	if (r == 0)
		r = to_syscall_stop(tid, PTRACE_SYSCALL_INFO_EXIT, sig);
	if (r == -ESRCH)
		return r;
	if (r == 0 && ptrace(PTRACE_GETREGS, tid, 0L, &regs) < 0)
		r = -errno;
	if (r == 0 && (long)regs.rax < 0)
		r = (int)(long)regs.rax;
	/* Put everything back, whatever happened. */
	r2 = ptrace(PTRACE_POKETEXT, tid, (void *)(uintptr_t)saved.rip, (void *)word) < 0 ||
			     ptrace(PTRACE_SETREGS, tid, 0L, &saved) < 0
		     ? -errno
		     : 0;
	return r < 0 ? r : r2;
}

#else

int trace_inject_filter(pid_t tid, const void *bpf, size_t len, int *sig)
{
	(void)tid;
	(void)bpf;
	(void)len;
	(void)sig;
	return -EOPNOTSUPP;
}

#endif
