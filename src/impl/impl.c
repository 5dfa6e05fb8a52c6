/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Entry point of libkmodaudit-impl.so, the core as the shim loads it (see shared/impl-abi.h). */
#include "core/bpf-emit.h"
#include "core/emit.h"
#include "macro.h"
#include "impl-abi.h"

static const struct kmodaudit_impl impl = {
	KMODAUDIT_IMPL_SIZES,	  .ctx_new = kma_ctx_new,   .call_begin = kma_call_begin,
	.call_end = kma_call_end, .ctx_free = kma_ctx_free, .bpf_begin = kma_bpf_begin,
	.bpf_end = kma_bpf_end,
};

_public_ const struct kmodaudit_impl *kmodaudit_impl_get(void);
_public_ const struct kmodaudit_impl *kmodaudit_impl_get(void)
{
	return &impl;
}
