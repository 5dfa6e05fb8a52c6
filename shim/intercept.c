/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conf-mode.h"
#include "call.h"
#include "lost-line.h"
#include "core-load.h"
#include "intercept-bpf.h"
#include "intercept.h"
#include "raw-syscall.h"
#include "safe-read.h"

/*
 * The bounds are the core's (shared/call.h): the image up to KMA_IMAGE_MAX, the parameters up to
 * KMA_ARGS_MAX, the unload name up to KMA_UNLOAD_NAME_MAX. What is the shim's own: the kernel
 * gets the shim's copy of each (no other thread can change what was recorded), or, when a copy
 * cannot be complete, the caller's pointer to answer for itself.
 */

/* The copy of an init_module image: private, read-only once filled. */
struct image_copy {
	void *map;
	size_t map_len;
	void *data; /* the copy, within map */
	size_t len; /* bytes copied so far */
};

static void image_copy_release(struct image_copy *c)
{
	if (c->map)
		munmap(c->map, c->map_len);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#define COPY_CHUNK ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

/*
 * A copy of 2 MiB or more sits on huge-page boundaries and asks for transparent huge pages
 * (where the system's THP setting allows them): amdgpu.ko's copy then takes 10 faults instead
 * of 4,750, and its mapping costs a tenth of the time to fill and to unmap.
 */
static void *image_copy_map(struct image_copy *c, size_t len)
{
	size_t huge_len = (len + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	char *start;

	c->map_len = len >= HUGE_PAGE ? huge_len + HUGE_PAGE : len;
	c->map = mmap(NULL, c->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		return NULL;
	}
	if (len < HUGE_PAGE)
		return c->map;
	start = (char *)(((uintptr_t)c->map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(start, huge_len, MADV_HUGEPAGE); /* only a speed-up */
	return start;
}

/*
 * Returns true when all len bytes were copied: the kernel then gets the copy. Chunk by chunk,
 * each chunk's pages faulted in at once first (amdgpu.ko would take 4,700 single faults), and
 * no more than one chunk beyond what turns out readable (a bogus len costs nothing).
 */
static bool image_copy_take(struct image_copy *c, const void *src, size_t len)
{
	uintptr_t from = (uintptr_t)src;

	if (len == 0 || len > KMA_IMAGE_MAX)
		return false;
	c->data = image_copy_map(c, len);
	if (!c->data)
		return false;
	if (copy_took_source(c->map, c->map_len, from, len)) {
		image_copy_release(c);
		*c = (struct image_copy){};
		return false;
	}
	while (c->len < len) {
		size_t want = len - c->len < COPY_CHUNK ? len - c->len : COPY_CHUNK;
		size_t n;

		madvise((char *)c->data + c->len, want, MADV_POPULATE_WRITE); /* only a speed-up */
		n = safe_read((char *)c->data + c->len, (const void *)(from + c->len), want);
		c->len += n;
		if (n < want) {
			/* a prefix describes nothing the kernel will get: drop it now */
			image_copy_release(c);
			*c = (struct image_copy){};
			return false;
		}
	}
	mprotect(c->data, len, PROT_READ);
	return true;
}

/*
 * The parameter string: the kernel gets our copy when it is complete; otherwise the caller's
 * pointer, so that the kernel answers for it (EFAULT, EINVAL, ENOMEM) itself. It reads that
 * memory later and may find another string there: then the record states none (args=?).
 */
static long args_take(struct kma_call *call, char **copy, long uargs)
{
	size_t len;
	int r = safe_strndup((const char *)uargs, KMA_ARGS_MAX, copy, &len);

	call->args = r == 0 ? *copy : NULL;
	call->args_unreadable = r != 0;
	return r == 0 ? (long)*copy : uargs;
}

/* Begin, call, end: the kernel gets what *call describes (a1..a6 hold the copies). */
static long record_and_call(const struct shim_core *core, const struct kma_call *call, long nr,
			    long a1, long a2, long a3, long a4, long a5, long a6)
{
	struct kma_pending *pending = NULL;
	long ret;
	int r;

	r = core->impl->call_begin(core->ctx, call, &pending);
	if (r == -EPERM)
		return -EPERM; /* fail-closed: no sink took the intent; the core said why */
	if (r < 0)
		lost_log(false, call->syscall, NULL, "the core failed: %s",
			 strerrordesc_np(-r) ?: "?");

	ret = raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
	if (r >= 0)
		core->impl->call_end(core->ctx, pending, ret);
	return ret;
}

static long audited_init_module(const struct shim_core *core, long nr, long a1, long a2, long a3,
				long a4, long a5, long a6)
{
	struct image_copy img = {};
	_cleanup_free_ char *args = NULL;
	struct kma_call call = kma_call_init(KMA_SYS_INIT_MODULE, KMA_VIA_PRELOAD, getpid());
	long ret;

	/*
	 * Only a complete copy is described, and it is what the kernel gets. Of a partly
	 * unreadable image (or one over the cap) the kernel gets the caller's pointer, to answer
	 * for it itself: what it reads there may be other bytes than the prefix we could read (a
	 * thread maps the rest, or rewrites it), so the record states none of their contents,
	 * only the length passed (truncated_read).
	 */
	call.image_size = (size_t)a2;
	if (image_copy_take(&img, (const void *)a1, (size_t)a2)) {
		a1 = (long)img.data;
		call.image = img.data;
		call.image_len = img.len;
	}
	a3 = args_take(&call, &args, a3);

	ret = record_and_call(core, &call, nr, a1, a2, a3, a4, a5, a6);
	image_copy_release(&img);
	return ret;
}

/*
 * The kernel gets our own duplicate of the caller's fd (F_DUPFD: the same open file description,
 * so the same file, offset and access mode, and the same answers from the kernel): another
 * thread of the caller can close() or dup2() another file onto the caller's fd number while we
 * read, never onto ours. Returns that duplicate, or -1 (a bad fd, or no fd left: the kernel gets
 * the caller's number and answers for it).
 */
static int kernel_fd_of(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/*
 * Only a regular file open for reading is read (by the core, with pread). Anything else (O_PATH
 * fd, pipe, socket, directory, write-only) goes to the kernel untouched, which answers it.
 */
static bool readable_file(int fd)
{
	struct stat st;
	int fl;

	if (fd < 0)
		return false;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY)
		return false;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static long audited_finit_module(const struct shim_core *core, long nr, long a1, long a2, long a3,
				 long a4, long a5, long a6)
{
	_cleanup_free_ char *args = NULL;
	_cleanup_close_ int fd = kernel_fd_of((int)a1);
	struct kma_call call = kma_call_init(KMA_SYS_FINIT_MODULE, KMA_VIA_PRELOAD, getpid());

	call.fd = readable_file(fd) ? fd : -1;
	call.caller_fd = fd >= 0 ? fd : (int)a1; /* the file's name: of the fd the kernel gets */
	call.flags = (unsigned int)a3;
	a2 = args_take(&call, &args, a2);
	return record_and_call(core, &call, nr, fd >= 0 ? fd : a1, a2, a3, a4, a5, a6);
}

static long audited_delete_module(const struct shim_core *core, long nr, long a1, long a2, long a3,
				  long a4, long a5, long a6)
{
	_cleanup_free_ char *name = NULL;
	struct kma_call call = kma_call_init(KMA_SYS_DELETE_MODULE, KMA_VIA_PRELOAD, getpid());
	char named[KMA_UNLOAD_NAME_MAX];
	size_t len;
	int r;

	/*
	 * The kernel gets our copy whenever we could read it: it holds every byte either kernel
	 * reads (up to a NUL, at most KMA_UNLOAD_NAME_MAX), so the kernel's answer is the one the
	 * caller's memory would give, and no other thread can change the name once recorded. The
	 * record names what a kernel can look up: at most KMA_UNLOAD_NAME_MAX - 1 bytes. Only an
	 * unreadable name (EFAULT ahead) or no memory for the copy leaves the caller's pointer to
	 * the kernel; the record then names nothing.
	 */
	call.flags = (unsigned int)a2;
	r = safe_strndup((const char *)a1, KMA_UNLOAD_NAME_MAX, &name, &len);
	if (r == 0 || r == -E2BIG) {
		a1 = (long)name;
		snprintf(named, sizeof(named), "%s", name);
		call.name = named;
	}
	return record_and_call(core, &call, nr, a1, a2, a3, a4, a5, a6);
}

/* What the shim alone knows of a load: the file of a finit_module fd, an image's size. */
static void describe_load(enum kma_syscall sys, long a1, long a2, char *buf, size_t size)
{
	char proc[64], target[256];
	ssize_t n;

	if (sys == KMA_SYS_INIT_MODULE) {
		snprintf(buf, size, "image of %lu bytes", (unsigned long)a2);
		return;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", (int)a1);
	n = readlink(proc, target, sizeof(target) - 1);
	if (n < 0) {
		snprintf(buf, size, "fd %d", (int)a1);
		return;
	}
	target[n] = '\0';
	/* the file's name is the caller's: no control bytes into the log line */
	for (char *p = target; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	snprintf(buf, size, "fd %d %s%s", (int)a1, target,
		 (size_t)n == sizeof(target) - 1 ? "..." : "");
}

/*
 * Without the core there is no record. A load in fail-closed mode is refused (the shim reads
 * [policy] mode itself, only now); anything else goes on, and syslog hears of it either way.
 * Unloads go on as in the core, which refuses only loads whose intent no sink took.
 */
static long core_missing(enum kma_syscall sys, long nr, int err, const char *why, long a1, long a2,
			 long a3, long a4, long a5, long a6)
{
	const char *conf = NULL, *ignored = NULL;
	char what[320];

	if (sys != KMA_SYS_DELETE_MODULE && conf_file_fail_closed(&conf, &ignored)) {
		describe_load(sys, a1, a2, what, sizeof(what));
		lost_log(true, sys, what, "%s (%s)", why, strerrordesc_np(-err) ?: "?");
		return -EPERM;
	}
	lost_log(false, sys, NULL, "%s (%s)%s%.200s%s%s", why, strerrordesc_np(-err) ?: "?",
		 ignored ? "; config " : "", ignored ? conf : "", ignored ? " ignored: " : "",
		 ignored ?: "");
	return raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
}

long intercept_module_call(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	struct shim_core core;
	enum kma_syscall sys = KMA_SYS_DELETE_MODULE;
	const char *why = NULL;
	int r;

	if (kernel_syscall_nr(nr) == SYS_bpf)
		return intercept_bpf_prog_load(nr, a1, a2, a3, a4, a5, a6);
	/* exports.c sends only module calls here: anything else would be recorded as an unload */
	(void)kma_syscall_of_nr(nr, false, &sys);
	r = core_get(&core, &why);
	if (r < 0)
		return core_missing(sys, nr, r, why, a1, a2, a3, a4, a5, a6);

	switch (sys) {
	case KMA_SYS_INIT_MODULE:
		return audited_init_module(&core, nr, a1, a2, a3, a4, a5, a6);
	case KMA_SYS_FINIT_MODULE:
		return audited_finit_module(&core, nr, a1, a2, a3, a4, a5, a6);
	default:
		return audited_delete_module(&core, nr, a1, a2, a3, a4, a5, a6);
	}
}
