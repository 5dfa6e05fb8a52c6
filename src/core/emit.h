/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One intercepted module call, one event: the lifecycle every emitter (preload shim, tracer,
 * kmod front end) drives, so that no field is computed in two places.
 *
 *	kma_ctx_new()          once per process (config, sinks, seq counter)
 *	kma_call_begin()       before the syscall: analyse the image, send the intent record
 *	<the emitter makes the real syscall with the copy / fd it described>
 *	kma_call_end()         after: send the result record with the kernel's answer
 *
 * The record format is ../shared/record-format.md; record.c is its only implementation.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

/* What the emitter saw. Every pointer is to memory the caller of the syscall cannot change. */
struct kma_call {
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
	bool args_unreadable; /* the caller's pointer could not be read (EFAULT ahead) */
	size_t image_size;    /* init_module: the len the caller passed; image_len < image_size when
			       * only a prefix could be read or len is over the cap: the kernel then
			       * reads the caller's memory, so nothing of the prefix is recorded (no
			       * name, hash, signer: truncated_read and the size); 0 means image_len */
};

struct kma_ctx;
struct kma_pending;

struct kma_ctx_opts {
	const char *config_path; /* NULL: KMODAUDIT_CONFIG (not under AT_SECURE) or built-in path */
	bool secure;		 /* AT_SECURE: ignore every environment override */
	const char *json_path;	 /* extra JSON-lines file sink besides the configured ones, or NULL
				  * (kmodaudit trace -o FILE) */
};

int kma_ctx_new(const struct kma_ctx_opts *opts, struct kma_ctx **out);
void kma_ctx_free(struct kma_ctx *ctx);

/*
 * Before the syscall. Returns 0 when the call may go on, -EPERM when fail-closed refuses it
 * (no sink took the intent record). *out is set on 0 and must be passed to kma_call_end().
 */
int kma_call_begin(struct kma_ctx *ctx, const struct kma_call *call, struct kma_pending **out);

/*
 * The emitter could not see the kernel's answer (the tracee was killed inside the call): the
 * result record says exit=? res=failed.
 */
#define KMA_RET_UNKNOWN (-0x7fffffffL - 1)

/* After the syscall: ret is the kernel's answer as the raw syscall gives it (>= 0 or -errno). */
void kma_call_end(struct kma_ctx *ctx, struct kma_pending *p, long ret);
