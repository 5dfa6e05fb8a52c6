/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One module call as an emitter describes it to the core: the one description the preload shim
 * (shim/intercept.c), the kmod front end (wrappers/audit-syscalls.c) and the tracer
 * (src/cmd/trace-call.c) fill, with the bounds all three read the caller's arguments to. libc
 * only: the shim includes it. Its types cross the shim/core boundary (shared/impl-abi.h pins their
 * layout): a change here is an ABI change.
 *
 * An emitter is: read the arguments (kma_call_init(), then the fields below), kma_call_begin(),
 * the real call, kma_call_end() (core/emit.h).
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>

/*
 * The most of an init_module image any emitter copies, and the core's default cap on what it
 * reads and decompresses ([limits] max_image_size may lower it). The kernel's own limit is
 * INT_MAX for a file; no module is near 1 GiB (amdgpu.ko: 30 MiB), and a copy of more would
 * double a huge allocation in the caller only to be recorded as truncated_read anyway.
 */
#define KMA_IMAGE_MAX ((size_t)1 << 30)

/*
 * The parameter string: at most this many bytes are read, NUL included. The kernel's
 * strndup_user() of it cannot allocate more (KMALLOC_MAX_SIZE, 4 MiB with 4 KiB pages): a
 * longer string fails in the kernel, and the record states none (args=?).
 */
#define KMA_ARGS_MAX ((size_t)4 << 20)

/*
 * delete_module's name: at most this many bytes are read (MODULE_NAME_LEN on 64-bit). Older
 * kernels read MODULE_NAME_LEN - 1 bytes and look the module up by them; newer ones (and stable
 * updates: Debian's 6.1 among them) read MODULE_NAME_LEN and answer ENOENT when those hold no
 * NUL. Neither reads further, so a copy of this many bytes gets the kernel's own answer. The
 * record names what a kernel can look up: at most KMA_UNLOAD_NAME_MAX - 1 bytes.
 */
#define KMA_UNLOAD_NAME_MAX ((size_t)64 - sizeof(unsigned long))

enum kma_syscall {
	KMA_SYS_INIT_MODULE = 0,
	KMA_SYS_FINIT_MODULE,
	KMA_SYS_DELETE_MODULE,
};

enum kma_via {
	KMA_VIA_PRELOAD = 0,
	KMA_VIA_TRACE,
	KMA_VIA_KMOD,
};

/*
 * What the emitter saw. Every pointer is to memory the caller of the syscall cannot change.
 * Start from kma_call_init(): size says the struct was made by this header (a zeroed one is
 * refused, never read as fd 0).
 */
struct kma_call {
	unsigned int size; /* sizeof(struct kma_call): set by kma_call_init() */
	enum kma_syscall syscall;
	enum kma_via via;
	pid_t pid; /* the process that made the call: context comes from /proc/<pid> */

	const void *image; /* init_module: the private copy that is given to the kernel */
	size_t image_len;
	int fd;	       /* finit_module: an fd of *this* process on the caller's file, -1 if none */
	int caller_fd; /* finit_module: the fd number in the caller (for /proc/<pid>/fd/N) */

	const char *args;      /* parameter string (loads), NULL if unreadable */
	const char *name;      /* delete_module: the name passed, NULL if unreadable */
	const char *name_hint; /* optional name the user asked for (file/alias): name_mismatch */
	unsigned long flags;
	bool args_unreadable; /* the caller's pointer could not be read (EFAULT ahead), or its
			       * string is longer than KMA_ARGS_MAX */
	size_t image_size;    /* init_module: the len the caller passed; image_len < image_size when
			       * only a prefix could be read or len is over the cap: the kernel then
			       * reads the caller's memory, so nothing of the prefix is recorded (no
			       * name, hash, signer: truncated_read and the size); 0 means image_len */
};

/* What an emitter asks of the core's context, once per process (kma_ctx_new()). */
struct kma_ctx_opts {
	const char *config_path; /* NULL: KMODAUDIT_CONFIG (not under AT_SECURE) or built-in path */
	bool secure;		 /* AT_SECURE: ignore every environment override */
	const char *json_path;	 /* extra JSON-lines file sink besides the configured ones, or NULL
				  * (kmodaudit trace -o FILE) */
};

static inline struct kma_call kma_call_init(enum kma_syscall syscall, enum kma_via via, pid_t pid)
{
	return (struct kma_call){
		.size = sizeof(struct kma_call),
		.syscall = syscall,
		.via = via,
		.pid = pid,
		.fd = -1,
		.caller_fd = -1,
	};
}

/*
 * The system call number the kernel runs for nr: it reads only the low 32 bits of the number
 * register (an int: x86-64 takes eax, arm64 w8), so syscall(0x1000000af) is init_module. On
 * x86-64 the x32 bit selects the x32 table, where the module calls have their 64-bit numbers.
 */
static inline int kma_kernel_nr(long nr)
{
#if defined(__x86_64__)
	return (int)nr & ~0x40000000; /* __X32_SYSCALL_BIT */
#else
	return (int)nr;
#endif
}

/* i386's numbers (arch/x86/entry/syscalls/syscall_32.tbl): a 32-bit tracee of the tracer. */
#define KMA_I386_INIT_MODULE 128
#define KMA_I386_DELETE_MODULE 129
#define KMA_I386_FINIT_MODULE 350

/*
 * Which module call nr is, as the kernel reads it (kma_kernel_nr); i386: nr is an i386 number
 * (only the tracer sees those). 0, or -ENOENT for any other call.
 */
static inline int kma_syscall_of_nr(long nr, bool is_i386, enum kma_syscall *out)
{
	int k = is_i386 ? (int)nr : kma_kernel_nr(nr);

	if (k == (is_i386 ? KMA_I386_INIT_MODULE : SYS_init_module))
		*out = KMA_SYS_INIT_MODULE;
	else if (k == (is_i386 ? KMA_I386_FINIT_MODULE : SYS_finit_module))
		*out = KMA_SYS_FINIT_MODULE;
	else if (k == (is_i386 ? KMA_I386_DELETE_MODULE : SYS_delete_module))
		*out = KMA_SYS_DELETE_MODULE;
	else
		return -ENOENT;
	return 0;
}

/* The call's name as records and log lines write it; NULL for a value that is no call (the
 * core refuses such a description: a call added to the enum is known by its case here). */
static inline const char *kma_syscall_name(enum kma_syscall syscall)
{
	switch (syscall) {
	case KMA_SYS_INIT_MODULE:
		return "init_module";
	case KMA_SYS_FINIT_MODULE:
		return "finit_module";
	case KMA_SYS_DELETE_MODULE:
		return "delete_module";
	}
	return NULL;
}
