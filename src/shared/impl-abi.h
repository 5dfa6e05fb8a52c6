/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ABI between the preload shim (libc only) and the core it dlopens late
 * (libkmodaudit-impl.so: libelf, libcrypto, libaudit...). The impl exports exactly one symbol,
 * kmodaudit_impl_get; everything else of the core is hidden inside it.
 *
 * What crosses the boundary is this table and the types of shared/call.h (struct kma_call,
 * struct kma_ctx_opts, enum kma_syscall, enum kma_via) and shared/bpf-call.h (struct
 * kma_bpf_call), nothing else: the ctx and the pending call are opaque to the shim. The table
 * carries the sizes the core was built with and the shim refuses a core whose sizes or version
 * differ from its own (shim/core-load.c), as a core it cannot load: fail-open or fail-closed as
 * configured, with the lost-record line. The assertions below fail the build when a layout
 * changes without KMODAUDIT_IMPL_ABI.
 */
#pragma once

#include <stddef.h>

#include "bpf-call.h"
#include "call.h"

/*
 * 1: the first table. 2: struct kma_call gained size (first) and image_size, the table its
 * sizes and ctx_free. 3: bpf(BPF_PROG_LOAD): bpf_begin, bpf_end and struct kma_bpf_call's size
 * (shared/bpf-call.h).
 */
#define KMODAUDIT_IMPL_ABI 3
#define KMODAUDIT_IMPL_SYMBOL "kmodaudit_impl_get"

struct kma_ctx;
struct kma_pending;
struct kma_bpf_pending;

struct kmodaudit_impl {
	unsigned int abi; /* KMODAUDIT_IMPL_ABI: checked first, before anything else is read */
	unsigned int impl_size; /* sizeof(struct kmodaudit_impl) */
	unsigned int call_size; /* sizeof(struct kma_call) */
	unsigned int opts_size; /* sizeof(struct kma_ctx_opts) */
	int (*ctx_new)(const struct kma_ctx_opts *opts, struct kma_ctx **out);
	int (*call_begin)(struct kma_ctx *ctx, const struct kma_call *call,
			  struct kma_pending **out);
	void (*call_end)(struct kma_ctx *ctx, struct kma_pending *p, long ret);
	/* Kept in the ABI; the shim keeps its ctx for the life of the address space. */
	void (*ctx_free)(struct kma_ctx *ctx);
	int (*bpf_begin)(struct kma_ctx *ctx, const struct kma_bpf_call *call,
			 struct kma_bpf_pending **out);
	void (*bpf_end)(struct kma_ctx *ctx, struct kma_bpf_pending *p, long ret, int prog_fd);
	unsigned int bpf_call_size; /* sizeof(struct kma_bpf_call) */
};

typedef const struct kmodaudit_impl *(*kmodaudit_impl_get_fn)(void);

/* The table the core is built with (src/impl/impl.c), as the shim compares it. */
#define KMODAUDIT_IMPL_SIZES                                                                       \
	.abi = KMODAUDIT_IMPL_ABI, .impl_size = sizeof(struct kmodaudit_impl),                     \
	.call_size = sizeof(struct kma_call), .opts_size = sizeof(struct kma_ctx_opts),            \
	.bpf_call_size = sizeof(struct kma_bpf_call)

/*
 * The layout of ABI 3 on LP64 (x86-64, arm64). A change here that makes the build fail: bump
 * KMODAUDIT_IMPL_ABI (a shim and core of different versions then refuse each other rather than
 * read each other's fields at the wrong offsets), then write down the new layout.
 */
#if __SIZEOF_POINTER__ == 8 && __SIZEOF_LONG__ == 8
#define KMA_ABI_AT(type, field, off) (offsetof(type, field) == (off))
_Static_assert(
	KMODAUDIT_IMPL_ABI == 3 && sizeof(struct kma_call) == 88 &&
		KMA_ABI_AT(struct kma_call, size, 0) && KMA_ABI_AT(struct kma_call, syscall, 4) &&
		KMA_ABI_AT(struct kma_call, via, 8) && KMA_ABI_AT(struct kma_call, pid, 12) &&
		KMA_ABI_AT(struct kma_call, image, 16) &&
		KMA_ABI_AT(struct kma_call, image_len, 24) && KMA_ABI_AT(struct kma_call, fd, 32) &&
		KMA_ABI_AT(struct kma_call, caller_fd, 36) &&
		KMA_ABI_AT(struct kma_call, args, 40) && KMA_ABI_AT(struct kma_call, name, 48) &&
		KMA_ABI_AT(struct kma_call, name_hint, 56) &&
		KMA_ABI_AT(struct kma_call, flags, 64) &&
		KMA_ABI_AT(struct kma_call, args_unreadable, 72) &&
		KMA_ABI_AT(struct kma_call, image_size, 80),
	"struct kma_call changed: bump KMODAUDIT_IMPL_ABI, then update this layout");
_Static_assert(KMODAUDIT_IMPL_ABI == 3 && sizeof(struct kma_ctx_opts) == 24 &&
		       KMA_ABI_AT(struct kma_ctx_opts, config_path, 0) &&
		       KMA_ABI_AT(struct kma_ctx_opts, secure, 8) &&
		       KMA_ABI_AT(struct kma_ctx_opts, json_path, 16),
	       "struct kma_ctx_opts changed: bump KMODAUDIT_IMPL_ABI, then update this layout");
_Static_assert(KMODAUDIT_IMPL_ABI == 3 && sizeof(struct kmodaudit_impl) == 72 &&
		       KMA_ABI_AT(struct kmodaudit_impl, abi, 0) &&
		       KMA_ABI_AT(struct kmodaudit_impl, ctx_new, 16) &&
		       KMA_ABI_AT(struct kmodaudit_impl, ctx_free, 40) &&
		       KMA_ABI_AT(struct kmodaudit_impl, bpf_begin, 48) &&
		       KMA_ABI_AT(struct kmodaudit_impl, bpf_end, 56) &&
		       KMA_ABI_AT(struct kmodaudit_impl, bpf_call_size, 64),
	       "struct kmodaudit_impl changed: bump KMODAUDIT_IMPL_ABI, then update this layout");
_Static_assert(KMODAUDIT_IMPL_ABI == 3 && sizeof(struct kma_bpf_call) == 56 &&
		       KMA_ABI_AT(struct kma_bpf_call, via, 0) &&
		       KMA_ABI_AT(struct kma_bpf_call, pid, 4) &&
		       KMA_ABI_AT(struct kma_bpf_call, attr, 8) &&
		       KMA_ABI_AT(struct kma_bpf_call, attr_len, 16) &&
		       KMA_ABI_AT(struct kma_bpf_call, insns, 24) &&
		       KMA_ABI_AT(struct kma_bpf_call, insns_len, 32) &&
		       KMA_ABI_AT(struct kma_bpf_call, license, 40) &&
		       KMA_ABI_AT(struct kma_bpf_call, truncated_read, 48),
	       "struct kma_bpf_call changed: bump KMODAUDIT_IMPL_ABI, then update this layout");
#undef KMA_ABI_AT
#endif
/* The values that cross in those fields, on every architecture. */
_Static_assert(KMODAUDIT_IMPL_ABI == 3 && KMA_SYS_INIT_MODULE == 0 && KMA_SYS_FINIT_MODULE == 1 &&
		       KMA_SYS_DELETE_MODULE == 2 && KMA_VIA_PRELOAD == 0 && KMA_VIA_TRACE == 1 &&
		       KMA_VIA_KMOD == 2,
	       "enum kma_syscall or kma_via changed: bump KMODAUDIT_IMPL_ABI, then update this");
