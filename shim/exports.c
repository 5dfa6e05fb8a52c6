/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The four symbols libkmodaudit.so exports (libkmodaudit.sym): libc's module call wrappers and
 * syscall(). Each returns what libc's would: the kernel's value, or -1 with errno set from the
 * kernel's -errno; errno is the caller's own on success, whatever the shim did meanwhile.
 *
 * They return long, as libc's syscall stubs do (the whole register): kmod declares them long.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpf-attr.h"
#include "macro.h"
#include "intercept.h"
#include "raw-syscall.h"

long init_module(void *image, unsigned long len, const char *args);
long finit_module(int fd, const char *args, int flags);
long delete_module(const char *name, unsigned int flags);

/*
 * Set while this thread is inside the shim: the core's own libraries call syscall() too, and
 * anything they do goes straight to the kernel.
 */
static __thread bool in_shim __attribute__((tls_model("initial-exec")));

static long libc_result(long ret, int caller_errno)
{
	if (raw_syscall_failed(ret)) {
		errno = (int)-ret;
		return -1;
	}
	errno = caller_errno;
	return ret;
}

static long module_call(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	int caller_errno = errno;
	int cancel_state;
	long ret;

	if (in_shim)
		return libc_result(raw_syscall6(nr, a1, a2, a3, a4, a5, a6), caller_errno);
	/* A thread cancelled inside the core could leave its lock taken, or a record half sent. */
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	in_shim = true;
	ret = intercept_module_call(nr, a1, a2, a3, a4, a5, a6);
	in_shim = false;
	pthread_setcancelstate(cancel_state, NULL);
	return libc_result(ret, caller_errno);
}

_public_ long init_module(void *image, unsigned long len, const char *args)
{
	return module_call(SYS_init_module, (long)image, (long)len, (long)args, 0, 0, 0);
}

_public_ long finit_module(int fd, const char *args, int flags)
{
	return module_call(SYS_finit_module, fd, (long)args, flags, 0, 0, 0);
}

_public_ long delete_module(const char *name, unsigned int flags)
{
	return module_call(SYS_delete_module, (long)name, flags, 0, 0, 0, 0);
}

/*
 * Every other number goes to the kernel with all six registers as the caller left them (reading
 * arguments that were not passed is what libc's own syscall() does, in assembly).
 */
_public_ long syscall(long nr, ...)
{
	long a1, a2, a3, a4, a5, a6, ret;
	va_list ap;

	va_start(ap, nr);
	a1 = va_arg(ap, long);
	a2 = va_arg(ap, long);
	a3 = va_arg(ap, long);
	a4 = va_arg(ap, long);
	a5 = va_arg(ap, long);
	a6 = va_arg(ap, long);
	va_end(ap);

	/* the number as the kernel reads it; the kernel gets it as the caller passed it */
	switch (kernel_syscall_nr(nr)) {
	case SYS_init_module:
	case SYS_finit_module:
	case SYS_delete_module:
		return module_call(nr, a1, a2, a3, a4, a5, a6);
	case SYS_bpf:
		/* only BPF_PROG_LOAD (cmd is an int to the kernel): intercept-bpf.c */
		if ((int)a1 == KMA_BPF_PROG_LOAD)
			return module_call(nr, a1, a2, a3, a4, a5, a6);
		break;
	}

	ret = raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
	if (raw_syscall_failed(ret)) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}
