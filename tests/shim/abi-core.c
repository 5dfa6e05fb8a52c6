/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A core of another ABI, for shim-abi: its table is ABI_CASE's mismatch (old: the previous
 * version; call-size, opts-size, table-size: this version, built from other types). Every entry
 * aborts: a shim that refused the core never calls one.
 */
#include <stdlib.h>

#include "macro.h"
#include "impl-abi.h"

static int ctx_new(const struct kma_ctx_opts *opts, struct kma_ctx **out)
{
	abort();
}

static int call_begin(struct kma_ctx *ctx, const struct kma_call *call, struct kma_pending **out)
{
	abort();
}

static void call_end(struct kma_ctx *ctx, struct kma_pending *p, long ret)
{
	abort();
}

static void ctx_free(struct kma_ctx *ctx)
{
	abort();
}

static const struct kmodaudit_impl impl = {
	KMODAUDIT_IMPL_SIZES,
#if ABI_CASE == 1
	.abi = KMODAUDIT_IMPL_ABI - 1,
#elif ABI_CASE == 2
	.call_size = sizeof(struct kma_call) - 8, /* a field less, as ABI 1's struct was */
#elif ABI_CASE == 3
	.opts_size = sizeof(struct kma_ctx_opts) + 8,
#elif ABI_CASE == 4
	.impl_size = sizeof(struct kmodaudit_impl) + 8,
#endif
	.ctx_new = ctx_new,
	.call_begin = call_begin,
	.call_end = call_end,
	.ctx_free = ctx_free,
};

_public_ const struct kmodaudit_impl *kmodaudit_impl_get(void);
_public_ const struct kmodaudit_impl *kmodaudit_impl_get(void)
{
	return &impl;
}
