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
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
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

/*
 * The private copy: at the seccomp stop of a module call, the call is turned into
 * mmap(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), the tracer writes its copy of the
 * image there, and the tracee is made to issue the module call again (ip back over the syscall
 * instruction), now pointing at the copy: the kernel reads the very bytes the tracer hashed,
 * whoever writes the original memory meanwhile. At the call's syscall-exit stop the mapping is
 * unmapped the same way and the original pointer put back (a restarted call uses it).
 */
#define NR_MMAP_64 9
#define NR_MMAP2_32 192
#define NR_MUNMAP_64 11
#define NR_MUNMAP_32 91

struct trace_private {
	struct user_regs_struct orig; /* at the first seccomp stop */
	bool compat;
	int argno;
	uint64_t addr;
	size_t size;
};

static unsigned long long *arg_reg(struct user_regs_struct *r, bool compat, int i)
{
	static const size_t off64[] = {
		offsetof(struct user_regs_struct, rdi), offsetof(struct user_regs_struct, rsi),
		offsetof(struct user_regs_struct, rdx), offsetof(struct user_regs_struct, r10),
		offsetof(struct user_regs_struct, r8),	offsetof(struct user_regs_struct, r9)};
	static const size_t off32[] = {
		offsetof(struct user_regs_struct, rbx), offsetof(struct user_regs_struct, rcx),
		offsetof(struct user_regs_struct, rdx), offsetof(struct user_regs_struct, rsi),
		offsetof(struct user_regs_struct, rdi), offsetof(struct user_regs_struct, rbp)};

	return (unsigned long long *)((char *)r + (compat ? off32 : off64)[i]);
}

/* Set up the syscall nr(args) for the next resume from a syscall stop; ip over the instruction
 * again when from an exit stop. */
static void set_call(struct user_regs_struct *r, bool compat, long nr, const uint64_t args[6],
		     bool from_exit)
{
	for (int i = 0; i < 6; i++)
		*arg_reg(r, compat, i) = compat ? (uint32_t)args[i] : args[i];
	if (from_exit) {
		r->rax = (unsigned long long)nr;
		r->rip -= 2;
		r->orig_rax = (unsigned long long)-1LL;
	} else {
		r->orig_rax = (unsigned long long)nr;
	}
}

/* Resume and wait for the next stop of the wanted kind; signal stops pass (kept in *sig). */
static int resume_until(pid_t tid, int request, bool seccomp, int op, int *sig)
{
	for (int tries = 0; tries < 16; tries++) {
		struct __ptrace_syscall_info si = {0};
		int status, event;
		pid_t p;

		if (ptrace(request, tid, 0L, 0L) < 0)
			return -errno;
		do
			p = waitpid(tid, &status, __WALL);
		while (p < 0 && errno == EINTR);
		if (p < 0)
			return -errno;
		if (!WIFSTOPPED(status))
			return -ESRCH;
		event = (unsigned int)status >> 16;
		if (seccomp && event == PTRACE_EVENT_SECCOMP)
			return 0;
		if (!seccomp && event == 0 && WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) < 0)
				return -errno;
			if (si.op == op)
				return 0;
			continue;
		}
		if (event == 0 && WSTOPSIG(status) != (SIGTRAP | 0x80))
			*sig = WSTOPSIG(status);
	}
	return -EAGAIN;
}

/*
 * A tracee left half way through an injected call (registers or stack not its own) must never
 * run again: killed, it is reported gone (-ESRCH), its exit still to be reaped.
 */
static int lost(pid_t tid)
{
	kill(tid, SIGKILL);
	return -ESRCH;
}

/* Run the call set up in *r (already in the tracee); *r gets the registers at its exit stop. */
static int run_call(pid_t tid, struct user_regs_struct *r, int *sig, long *ret)
{
	if (r->orig_rax == (unsigned long long)-1LL) {
		/* from an exit stop: back to user space, the instruction, its entry stop */
		int e = resume_until(tid, PTRACE_SYSCALL, false, PTRACE_SYSCALL_INFO_ENTRY, sig);

		if (e < 0)
			return e;
	}
	{
		int e = resume_until(tid, PTRACE_SYSCALL, false, PTRACE_SYSCALL_INFO_EXIT, sig);

		if (e < 0)
			return e;
	}
	if (ptrace(PTRACE_GETREGS, tid, 0L, r) < 0)
		return -errno;
	*ret = (long)r->rax;
	return 0;
}

int trace_private_begin(pid_t tid, int argno, const void *buf, size_t len,
			struct trace_private **out, int *sig)
{
	struct trace_private *p;
	struct user_regs_struct r;
	uint64_t args[6] = {0};
	long addr = 0;
	int e;

	if (len == 0)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (ptrace(PTRACE_GETREGS, tid, 0L, &p->orig) < 0) {
		free(p);
		return -errno;
	}
	p->compat = p->orig.cs == USER32_CS;
	p->argno = argno;
	p->size = (len + 4095) & ~(size_t)4095;

	r = p->orig;
	args[1] = p->size;
	args[2] = PROT_READ | PROT_WRITE;
	args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	args[4] = (uint64_t)-1;
	set_call(&r, p->compat, p->compat ? NR_MMAP2_32 : NR_MMAP_64, args, false);
	if (ptrace(PTRACE_SETREGS, tid, 0L, &r) < 0) {
		e = -errno;
		goto fail; /* nothing changed */
	}
	e = run_call(tid, &r, sig, &addr);
	if (e < 0) {
		e = e == -ESRCH ? e : lost(tid);
		goto fail;
	}
	/* The module call is issued again, from its own registers. */
	if ((unsigned long)addr < (unsigned long)-4095L &&
	    write_mem(tid, (uint64_t)addr, buf, len) == 0)
		p->addr = (uint64_t)addr;
	for (int i = 0; i < 6; i++)
		args[i] = *arg_reg(&p->orig, p->compat, i);
	if (p->addr)
		args[argno] = p->addr;
	set_call(&r, p->compat, (long)p->orig.orig_rax, args, true);
	if (ptrace(PTRACE_SETREGS, tid, 0L, &r) < 0) {
		e = lost(tid);
		goto fail;
	}
	e = resume_until(tid, PTRACE_CONT, true, 0, sig);
	if (e < 0) {
		e = e == -ESRCH ? e : lost(tid);
		goto fail;
	}
	if (!p->addr) {
		free(p);
		return -ENOMEM; /* no copy: the call goes on from the original memory */
	}
	*out = p;
	return 0;
fail:
	free(p);
	return e;
}

int trace_private_end(pid_t tid, struct trace_private *p, int *sig)
{
	struct user_regs_struct exit_regs, r;
	uint64_t args[6] = {p->addr, p->size};
	long ret;
	int e;

	if (ptrace(PTRACE_GETREGS, tid, 0L, &exit_regs) < 0)
		return -errno;
	r = exit_regs;
	set_call(&r, p->compat, p->compat ? NR_MUNMAP_32 : NR_MUNMAP_64, args, true);
	if (ptrace(PTRACE_SETREGS, tid, 0L, &r) < 0)
		return -errno; /* nothing changed: the copy stays mapped */
	e = run_call(tid, &r, sig, &ret);
	if (e < 0)
		return e == -ESRCH ? e : lost(tid);
	/* the call's own exit state, with the caller's pointer back */
	*arg_reg(&exit_regs, p->compat, p->argno) = *arg_reg(&p->orig, p->compat, p->argno);
	return ptrace(PTRACE_SETREGS, tid, 0L, &exit_regs) < 0 ? lost(tid) : 0;
}

#else

struct trace_private {
	int unused;
};

int trace_private_begin(pid_t tid, int argno, const void *buf, size_t len,
			struct trace_private **out, int *sig)
{
	(void)tid;
	(void)argno;
	(void)buf;
	(void)len;
	(void)out;
	(void)sig;
	return -EOPNOTSUPP;
}

int trace_private_end(pid_t tid, struct trace_private *p, int *sig)
{
	(void)tid;
	(void)p;
	(void)sig;
	return -EOPNOTSUPP;
}

int trace_inject_filter(pid_t tid, const void *bpf, size_t len, int *sig)
{
	(void)tid;
	(void)bpf;
	(void)len;
	(void)sig;
	return -EOPNOTSUPP;
}

#endif

void trace_private_free(struct trace_private *p)
{
	free(p);
}
