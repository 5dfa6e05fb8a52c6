/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ABI between the preload shim (libc only) and the core it dlopens late
 * (libkmodaudit-impl.so: libelf, libcrypto, libaudit...). The impl exports exactly one symbol,
 * kmodaudit_impl_get; everything else of the core is hidden inside it.
 */
#pragma once

#include "core/bpf-emit.h"
#include "core/emit.h"

#define KMODAUDIT_IMPL_ABI 2
#define KMODAUDIT_IMPL_SYMBOL "kmodaudit_impl_get"

struct kmodaudit_impl {
	unsigned int abi; /* KMODAUDIT_IMPL_ABI */
	int (*ctx_new)(const struct kma_ctx_opts *opts, struct kma_ctx **out);
	int (*call_begin)(struct kma_ctx *ctx, const struct kma_call *call,
			  struct kma_pending **out);
	void (*call_end)(struct kma_ctx *ctx, struct kma_pending *p, long ret);
	/* Kept in the ABI; the shim keeps its ctx for the life of the address space. */
	void (*ctx_free)(struct kma_ctx *ctx);
	/* ABI 2: bpf(BPF_PROG_LOAD) (core/bpf-emit.h) */
	int (*bpf_begin)(struct kma_ctx *ctx, const struct kma_bpf_call *call,
			 struct kma_bpf_pending **out);
	void (*bpf_end)(struct kma_ctx *ctx, struct kma_bpf_pending *p, long ret, int prog_fd);
};

typedef const struct kmodaudit_impl *(*kmodaudit_impl_get_fn)(void);
