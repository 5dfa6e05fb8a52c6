/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module syscalls of this process, recorded through the core (core/emit.h, via=kmod).
 *
 * This executable defines and exports init_module, finit_module, delete_module and syscall
 * (exports.list). The main executable comes first in the dynamic linker's lookup order, before
 * any LD_PRELOAD or /etc/ld.so.preload library, so libkmod's calls bind here and a preloaded
 * shim never sees them: each call is recorded exactly once. Install and remove commands that
 * modprobe runs are other processes; the shim (or this binary, when they call modprobe) sees
 * theirs.
 *
 * The real syscalls go through libc's syscall(), looked up in libc itself: calling "syscall"
 * by name would land in our own definition, and RTLD_NEXT could land in the shim.
 *
 * Each call is the core's contract (shared/call.h): read the arguments within its bounds, begin,
 * call, end. What differs from the shim on purpose: the caller is libkmod in this very process,
 * so its memory is read with process_vm_readv (a bad pointer gives EFAULT to the kernel, not a
 * crash) rather than page by page; a parameter string that cannot be copied for lack of memory
 * fails the call with ENOMEM (modprobe reports it) instead of going to the kernel unrecorded.
 */
#include <dlfcn.h>
#include <errno.h>
#include <gnu/lib-names.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conf-mode.h"
#include "core/emit.h"
#include "lost-line.h"
#include "tool.h"

typedef long (*syscall_fn)(long number, ...);

static syscall_fn libc_syscall;
static struct kma_ctx *audit_ctx;
static bool audit_ctx_tried;
static bool refuse_loads; /* no ctx, and the configuration says fail-closed */
static int ctx_err;	  /* why there is no ctx */
static const char *name_hint;

/* Before main(): no thread, no module call can race with it. */
__attribute__((constructor)) static void resolve_libc_syscall(void)
{
	void *libc = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);

	if (libc)
		libc_syscall = (syscall_fn)dlsym(libc, "syscall");
}

static long raw_syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6)
{
	if (_unlikely_(!libc_syscall)) {
		errno = ENOSYS;
		return -1;
	}
	return libc_syscall(number, a1, a2, a3, a4, a5, a6);
}

void audit_set_name_hint(const char *name)
{
	name_hint = name;
}

/* At exit, however the tool ends (a fatal message exits from deep inside). */
static void audit_finish(void)
{
	if (audit_ctx)
		kma_ctx_free(audit_ctx);
	audit_ctx = NULL;
}

static struct kma_ctx *audit_get_ctx(void)
{
	struct kma_ctx_opts opts = {.secure = getauxval(AT_SECURE) != 0};
	int r;

	if (audit_ctx_tried)
		return audit_ctx;
	audit_ctx_tried = true;

	r = kma_ctx_new(&opts, &audit_ctx);
	if (r < 0) {
		ctx_err = r;
		const char *path, *ignored;

		/*
		 * No ctx, so no record: [policy] mode decides, read as the shim reads it when it
		 * cannot load the core (without malloc: this is mostly for lack of memory).
		 */
		audit_ctx = NULL;
		refuse_loads = conf_file_fail_closed(&path, &ignored);
		WRN("kmodaudit: module calls are not recorded: %s%s%s%s\n", strerror(-r),
		    refuse_loads ? "; fail-closed (" : "", refuse_loads ? path : "",
		    refuse_loads ? "): loads are refused" : "");
	} else {
		atexit(audit_finish);
	}
	return audit_ctx;
}

/*
 * Copies len bytes of this process's memory; a bad pointer gives -EFAULT instead of a crash
 * (the kernel then answers the call itself).
 */
static int copy_memory(void *dst, const void *src, size_t len)
{
	struct iovec local = {.iov_base = dst, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)src, .iov_len = len};
	ssize_t n;

	if (len == 0)
		return 0;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* Filtered by a sandbox: our own callers (libkmod) pass valid memory. */
		memcpy(dst, src, len);
		return 0;
	}
	return -EFAULT;
}

/* A call of this process, described for the core. */
static struct kma_call kmod_call(enum kma_syscall syscall)
{
	struct kma_call call = kma_call_init(syscall, KMA_VIA_KMOD, getpid());

	call.name_hint = name_hint;
	return call;
}

/*
 * Makes the call described by *call (whose pointers the kernel receives) between the records.
 * Without a record, the shim's rule and line (shared/lost-line.h): a load in fail-closed mode is
 * refused, anything else goes on.
 */
static long audited(const struct kma_call *call, long number, long a1, long a2, long a3)
{
	struct kma_ctx *ctx = audit_get_ctx();
	struct kma_pending *pending = NULL;
	long ret;
	int err;

	if (!ctx) {
		bool refuse = refuse_loads && call->syscall != KMA_SYS_DELETE_MODULE;

		lost_log(refuse, call->syscall, NULL, "the core cannot start (%s)",
			 strerrordesc_np(-ctx_err) ?: "?");
		if (refuse) {
			errno = EPERM;
			return -1;
		}
	} else {
		int r = kma_call_begin(ctx, call, &pending);

		if (r == -EPERM) {
			errno = EPERM;
			return -1;
		}
		if (r < 0) {
			lost_log(false, call->syscall, NULL, "the core failed: %s",
				 strerrordesc_np(-r) ?: "?");
			pending = NULL;
		}
	}

	ret = raw_syscall(number, a1, a2, a3, 0, 0, 0);
	err = errno;
	if (pending)
		kma_call_end(ctx, pending, ret < 0 ? -err : ret);
	errno = err;
	return ret;
}

/*
 * The parameter string the record shows and the kernel receives: our copy, so that both are the
 * same; over KMA_ARGS_MAX the kernel gets the original (and fails it) and the record states
 * none. Returns the pointer the kernel gets, or NULL with errno ENOMEM when it cannot be copied.
 */
static const char *take_args(struct kma_call *call, const char *args, char **copy, bool *nomem)
{
	*nomem = false;
	call->args_unreadable = !args || strnlen(args, KMA_ARGS_MAX) == KMA_ARGS_MAX;
	if (call->args_unreadable)
		return args;
	*copy = strdup(args);
	if (!*copy) {
		*nomem = true;
		errno = ENOMEM;
		return NULL;
	}
	call->args = *copy;
	return *copy;
}

static long do_init_module(void *image, unsigned long len, const char *args)
{
	_cleanup_free_ void *copy = NULL;
	_cleanup_free_ char *args_copy = NULL;
	struct kma_call call = kmod_call(KMA_SYS_INIT_MODULE);
	void *kernel_image = image;
	const char *kernel_args;
	bool nomem;

	/* The kernel gets the bytes that were hashed: a private copy nobody else can write. */
	call.image_size = len;
	copy = len <= KMA_IMAGE_MAX ? malloc(len ?: 1) : NULL;
	if (copy && copy_memory(copy, image, len) == 0) {
		kernel_image = copy;
		call.image = copy;
		call.image_len = len;
	}
	/* Otherwise the record says truncated_read, and the kernel answers the original call. */
	kernel_args = take_args(&call, args, &args_copy, &nomem);
	if (nomem)
		return -1;

	return audited(&call, SYS_init_module, (long)kernel_image, (long)len, (long)kernel_args);
}

static long do_finit_module(int fd, const char *args, int flags)
{
	_cleanup_free_ char *args_copy = NULL;
	struct kma_call call = kmod_call(KMA_SYS_FINIT_MODULE);
	const char *kernel_args;
	bool nomem;

	/* libkmod's fd in a single-threaded tool: nothing dup2()s onto it meanwhile, as the
	 * shim must guard against (it reads a dup of the caller's) */
	call.fd = fd;
	call.caller_fd = fd;
	call.flags = (unsigned int)flags;
	kernel_args = take_args(&call, args, &args_copy, &nomem);
	if (nomem)
		return -1;

	return audited(&call, SYS_finit_module, fd, (long)kernel_args, flags);
}

static long do_delete_module(const char *name, unsigned int flags)
{
	_cleanup_free_ char *name_copy = NULL;
	struct kma_call call = kmod_call(KMA_SYS_DELETE_MODULE);
	char named[KMA_UNLOAD_NAME_MAX];

	/* every byte either kernel reads (shared/call.h); the record names what it can look up */
	call.flags = flags;
	if (name) {
		name_copy = strndup(name, KMA_UNLOAD_NAME_MAX);
		if (!name_copy) {
			errno = ENOMEM;
			return -1;
		}
		snprintf(named, sizeof(named), "%s", name_copy);
		call.name = named;
	}

	return audited(&call, SYS_delete_module, (long)name_copy, flags, 0);
}

/* The exported definitions: the prototypes libkmod and glibc use. */
_public_ long init_module(void *image, unsigned long len, const char *args);
_public_ int finit_module(int fd, const char *args, int flags);
_public_ long delete_module(const char *name, unsigned int flags);

_public_ long init_module(void *image, unsigned long len, const char *args)
{
	return do_init_module(image, len, args);
}

_public_ int finit_module(int fd, const char *args, int flags)
{
	return (int)do_finit_module(fd, args, flags);
}

_public_ long delete_module(const char *name, unsigned int flags)
{
	return do_delete_module(name, flags);
}

_public_ long syscall(long number, ...)
{
	enum kma_syscall sys;
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (size_t i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	/* the number as the kernel reads it, as the shim reads it */
	if (kma_syscall_of_nr(number, false, &sys) == 0) {
		switch (sys) {
		case KMA_SYS_INIT_MODULE:
			return do_init_module((void *)a[0], (unsigned long)a[1],
					      (const char *)a[2]);
		case KMA_SYS_FINIT_MODULE:
			return do_finit_module((int)a[0], (const char *)a[1], (int)a[2]);
		case KMA_SYS_DELETE_MODULE:
			return do_delete_module((const char *)a[0], (unsigned int)a[1]);
		}
	}
	return raw_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
