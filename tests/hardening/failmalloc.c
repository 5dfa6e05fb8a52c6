/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkma-failmalloc.so: allocation failure injection for the shim, preloaded in front of it:
 *
 *	LD_PRELOAD="libkma-failmalloc.so libkmodaudit.so" KMA_FAIL_NTH=N [KMA_FAIL_ALL=1] \
 *	KMA_FAIL_LOG=FILE program...
 *
 * It passes the module calls (init_module, finit_module, delete_module, syscall) on to the
 * shim, and from the first one on it counts allocations (malloc, calloc, realloc,
 * posix_memalign, aligned_alloc, memalign; glibc routes its own internal allocations through
 * these too): the Nth fails with ENOMEM (KMA_FAIL_ALL=1: the Nth and every later one). At exit
 * it appends "allocs=COUNT failed=F" to KMA_FAIL_LOG, so that a test can loop N from 1 until
 * no allocation failed. KMA_FAIL_SIZE=S counts only the allocations of exactly S bytes (one
 * buffer of the core's, e.g. the configuration file's). KMA_FAIL_ARMED=1 counts from the start:
 * for programs whose module calls are their own (the kmod front end), never passed on to here.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PUBLIC __attribute__((visibility("default")))

void *__libc_malloc(size_t size);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void *memalign(size_t align, size_t size);
long init_module(void *image, unsigned long len, const char *args);
long finit_module(int fd, const char *args, int flags);
long delete_module(const char *name, unsigned int flags);

static atomic_bool armed;
static atomic_ulong count, failed;
static unsigned long nth;
static size_t fail_size; /* 0: any size */
static bool fail_all;

static long (*next_syscall)(long, ...);
static long (*next_init_module)(void *, unsigned long, const char *);
static long (*next_delete_module)(const char *, unsigned int);
static long (*next_finit_module)(int, const char *, int);

static bool should_fail(size_t size)
{
	unsigned long n;

	if (!atomic_load(&armed) || !nth || (fail_size && size != fail_size))
		return false;
	n = atomic_fetch_add(&count, 1) + 1;
	if (n == nth || (fail_all && n > nth)) {
		atomic_fetch_add(&failed, 1);
		errno = ENOMEM;
		return true;
	}
	return false;
}

PUBLIC void *malloc(size_t size)
{
	return should_fail(size) ? NULL : __libc_malloc(size);
}

PUBLIC void *calloc(size_t n, size_t size)
{
	return should_fail(n * size) ? NULL : __libc_calloc(n, size);
}

PUBLIC void *realloc(void *p, size_t size)
{
	return should_fail(size) ? NULL : __libc_realloc(p, size);
}

PUBLIC void *memalign(size_t align, size_t size)
{
	return should_fail(size) ? NULL : __libc_memalign(align, size);
}

PUBLIC void *aligned_alloc(size_t align, size_t size)
{
	return should_fail(size) ? NULL : __libc_memalign(align, size);
}

PUBLIC int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (should_fail(size))
		return ENOMEM;
	p = __libc_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

__attribute__((constructor)) static void failmalloc_init(void)
{
	const char *n = getenv("KMA_FAIL_NTH");

	nth = n ? strtoul(n, NULL, 10) : 0;
	fail_all = getenv("KMA_FAIL_ALL") != NULL;
	n = getenv("KMA_FAIL_SIZE");
	fail_size = n ? strtoul(n, NULL, 10) : 0;
	if (getenv("KMA_FAIL_ARMED"))
		atomic_store(&armed, true);
	next_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	next_init_module =
		(long (*)(void *, unsigned long, const char *))dlsym(RTLD_NEXT, "init_module");
	next_delete_module =
		(long (*)(const char *, unsigned int))dlsym(RTLD_NEXT, "delete_module");
	next_finit_module = (long (*)(int, const char *, int))dlsym(RTLD_NEXT, "finit_module");
}

__attribute__((destructor)) static void failmalloc_report(void)
{
	const char *path = getenv("KMA_FAIL_LOG");
	char line[96];
	int fd, len;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "allocs=%lu failed=%lu\n", atomic_load(&count),
		       atomic_load(&failed));
	if (write(fd, line, (size_t)len) < 0)
		len = 0;
	close(fd);
}

PUBLIC long init_module(void *image, unsigned long len, const char *args)
{
	atomic_store(&armed, true);
	return next_init_module(image, len, args);
}

PUBLIC long finit_module(int fd, const char *args, int flags)
{
	atomic_store(&armed, true);
	return next_finit_module(fd, args, flags);
}

PUBLIC long delete_module(const char *name, unsigned int flags)
{
	atomic_store(&armed, true);
	return next_delete_module(name, flags);
}

PUBLIC long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_init_module || nr == SYS_finit_module || nr == SYS_delete_module)
		atomic_store(&armed, true);
	return next_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
