/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The seccomp filter CMD runs under: SECCOMP_RET_TRACE for the three module syscalls, ALLOW for
 * everything else, so the tracer is woken for nothing but module calls. The kernel's per-syscall
 * action cache turns every ALLOW into a bitmap lookup, so other syscalls do not even run the
 * filter.
 *
 * Why RET_TRACE with ptrace rather than SECCOMP_RET_USER_NOTIF: with RET_TRACE the tracee stays
 * in its syscall; the tracer reads the arguments while it is stopped, then lets the kernel run
 * the call in the tracee's own context (its audit SYSCALL record, credentials and LSM checks are
 * the tracee's) and stops it again at syscall exit to read the kernel's answer. A user
 * notification supervisor can only let the call continue blindly (SECCOMP_USER_NOTIF_FLAG_CONTINUE
 * reports nothing back) or make the call itself, which would load the module as the tracer.
 *
 * The filter outlives the trace, but in a process the tracer has let go RET_TRACE fails a module
 * call with ENOSYS only while no other tracer with PTRACE_O_TRACESECCOMP is attached: such a
 * tracer can continue the call into the kernel. Hence ptrace attach is refused inside the trace
 * (below), and a tracee is let go only after it loaded trace_refusal_bpf's filter (trace-loop.c).
 *
 * A filter CMD stacks on ours is run too, and the kernel takes the highest-ranked action of all:
 * KILL, TRAP and ERRNO outrank TRACE but stop the call, while USER_NOTIF outranks TRACE and can
 * let the call run (SECCOMP_USER_NOTIF_FLAG_CONTINUE from a thread of CMD's own) with the tracer
 * never stopped. A USER_NOTIF action without a listener fails the call with ENOSYS, and the only
 * way to get a listener is seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER):
 * that call fails with EPERM under our filter. (prctl(PR_SET_SECCOMP) takes no flags, so it
 * cannot ask for a listener.)
 */
#include <errno.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "cmd/trace/trace.h"

struct trace_filter {
	scmp_filter_ctx seccomp;
};

/* i386 (x86_64 kernels run it as compat) and x32 have their own numbers for the same calls. */
static const uint32_t extra_arches[] = {
#if defined(__x86_64__)
	SCMP_ARCH_X86,
	SCMP_ARCH_X32,
#endif
};

static const char *const module_syscalls[] = {"init_module", "finit_module", "delete_module"};

static const char *const async_io[] = {"io_uring_setup", "io_setup"};

static const uint64_t ptrace_attach[] = {PTRACE_TRACEME, PTRACE_ATTACH, PTRACE_SEIZE};

/* The module syscalls answer action on every arch of the filter, everything else is allowed. */
static int module_rules(scmp_filter_ctx seccomp, uint32_t action)
{
	int r;

	for (size_t i = 0; i < sizeof(extra_arches) / sizeof(extra_arches[0]); i++) {
		r = seccomp_arch_add(seccomp, extra_arches[i]);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	/* Rules apply to every arch of the filter; libseccomp adds the arch checks. */
	for (size_t i = 0; i < sizeof(module_syscalls) / sizeof(module_syscalls[0]); i++) {
		int nr = seccomp_syscall_resolve_name(module_syscalls[i]);

		if (nr == __NR_SCMP_ERROR)
			return -ENOSYS;
		r = seccomp_rule_add(seccomp, action, nr, 0);
		if (r < 0)
			return r;
	}
	/* bpf(BPF_PROG_LOAD) (cmd in a0, an int): recorded as a module load (trace-bpf.c) */
	return seccomp_rule_add(seccomp, action, SCMP_SYS(bpf), 1, SCMP_A0_32(SCMP_CMP_EQ, 5));
}

int trace_filter_new(struct trace_filter **out)
{
	struct trace_filter *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->seccomp = seccomp_init(SCMP_ACT_ALLOW);
	if (!f->seccomp) {
		free(f);
		return -ENOMEM;
	}
	r = module_rules(f->seccomp, SCMP_ACT_TRACE(0));
	if (r < 0)
		goto fail;
	/*
	 * Every thread and process CMD starts must be traced, so that a module call can hold
	 * every sharer of the caller's memory still: a CLONE_UNTRACED thread would rewrite the
	 * image while it is copied and while the kernel copies it. clone with CLONE_UNTRACED
	 * fails with EPERM. clone3 passes its flags in memory a filter cannot read: it fails with
	 * ENOSYS, on which libc (glibc's pthread_create, posix_spawn) falls back to clone.
	 * Denying at the source rather than seizing untraced threads at each module call (by a
	 * walk of /proc/PID/task) also covers CLONE_VM children of other thread groups and has
	 * no race with a thread being created during the walk.
	 */
	r = seccomp_rule_add(f->seccomp, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
			     SCMP_A0_32(SCMP_CMP_MASKED_EQ, CLONE_UNTRACED, CLONE_UNTRACED));
	if (r < 0)
		goto fail;
	r = seccomp_rule_add(f->seccomp, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r < 0)
		goto fail;
	r = seccomp_rule_add(f->seccomp, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 2,
			     SCMP_A0_32(SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER),
			     SCMP_A1_32(SCMP_CMP_MASKED_EQ, SECCOMP_FILTER_FLAG_NEW_LISTENER,
					SECCOMP_FILTER_FLAG_NEW_LISTENER));
	if (r < 0)
		goto fail;
	/*
	 * No process of the trace becomes a tracer: a tracer with PTRACE_O_TRACESECCOMP turns our
	 * RET_TRACE into "go on" (the kernel answers ENOSYS only while no such tracer is attached),
	 * so a helper seizing another process of the trace (one let go at the end of the trace, or
	 * any other) could continue it into a module call unrecorded. PTRACE_TRACEME, ATTACH and
	 * SEIZE fail with EPERM; a traced process could not be attached anyway (it has a tracer).
	 */
	for (size_t i = 0; i < sizeof(ptrace_attach) / sizeof(ptrace_attach[0]); i++) {
		r = seccomp_rule_add(f->seccomp, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 1,
				     SCMP_A0_64(SCMP_CMP_EQ, ptrace_attach[i]));
		if (r < 0)
			goto fail;
	}
	/*
	 * Asynchronous I/O runs in the kernel while every tracee is held still for a module call
	 * (trace-loop.c): a read queued before the call, to complete into the caller's image
	 * during it, would change the bytes between the tracer's copy and the kernel's. io_uring
	 * and Linux AIO answer ENOSYS, as on kernels built without them (users fall back).
	 */
	for (size_t i = 0; i < sizeof(async_io) / sizeof(async_io[0]); i++) {
		int nr = seccomp_syscall_resolve_name(async_io[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(f->seccomp, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
		if (r < 0)
			goto fail;
	}
	/*
	 * no_new_privs would stop setuid programs that CMD runs from gaining privileges; a tracer
	 * with CAP_SYS_ADMIN does not need it (trace_filter_load sets it only when it must).
	 */
	r = seccomp_attr_set(f->seccomp, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		goto fail;
	/*
	 * The kernel's own errno from seccomp_load (EACCES without CAP_SYS_ADMIN, below):
	 * libseccomp 2.5 otherwise turns every kernel error into ECANCELED.
	 */
	r = seccomp_attr_set(f->seccomp, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (r < 0)
		goto fail;
	/*
	 * SECCOMP_FILTER_FLAG_SPEC_ALLOW: this filter observes, it does not sandbox. Kernels booted
	 * with spec_store_bypass_disable=seccomp (the default before 5.16) would otherwise force
	 * Speculative Store Bypass mitigation on CMD, slowing all of its code, not only syscalls.
	 */
	r = seccomp_attr_set(f->seccomp, SCMP_FLTATR_CTL_SSB, 1);
	if (r < 0)
		goto fail;
	*out = f;
	return 0;
fail:
	trace_filter_free(f);
	return r;
}

int trace_filter_load(struct trace_filter *f)
{
	int r = seccomp_load(f->seccomp);

	if (r == -EACCES) {
		/* Without CAP_SYS_ADMIN the kernel takes a filter only under no_new_privs. */
		r = seccomp_attr_set(f->seccomp, SCMP_FLTATR_CTL_NNP, 1);
		if (r == 0)
			r = seccomp_load(f->seccomp);
	}
	return r;
}

int trace_refusal_bpf(void **out, size_t *len)
{
	scmp_filter_ctx seccomp = seccomp_init(SCMP_ACT_ALLOW);
	void *buf = NULL;
	off_t size;
	int fd = -1, r;

	if (!seccomp)
		return -ENOMEM;
	r = module_rules(seccomp, SCMP_ACT_ERRNO(EPERM));
	if (r < 0)
		goto out;
	fd = memfd_create("kmodaudit-refusal", MFD_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = seccomp_export_bpf(seccomp, fd);
	if (r < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size > 65536) {
		r = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)size);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	if (pread(fd, buf, (size_t)size, 0) != size) {
		r = -EIO;
		goto out;
	}
	*out = buf;
	*len = (size_t)size;
	buf = NULL;
	r = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	seccomp_release(seccomp);
	return r;
}

void trace_filter_free(struct trace_filter *f)
{
	if (!f)
		return;
	seccomp_release(f->seccomp);
	free(f);
}

unsigned long trace_ptrace_options(void)
{
	/*
	 * PTRACE_O_EXITKILL: a tracer that dies (killed, crashed) takes its tracees with it. A
	 * tracee caught at its seccomp stop when the tracer vanishes would otherwise go on into
	 * the module call unrecorded (the kernel re-runs the filter with RET_TRACE allowed); a
	 * traced program that kills its tracer must not win a free load by it. A trace that ends
	 * normally lets every tracee go explicitly (trace-loop.c), so this only ever fires on an
	 * abnormal end. VFORKDONE tells when a vfork parent can run again (trace-loop.c freezes
	 * memory sharers).
	 */
	return PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
	       PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |
	       PTRACE_O_TRACEVFORKDONE | PTRACE_O_EXITKILL;
}
