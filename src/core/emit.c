/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder until the record builder and sinks land. */
#include <errno.h>

#include "core/emit.h"

int kma_ctx_new(const struct kma_ctx_opts *opts, struct kma_ctx **out)
{
	return -ENOSYS;
}

void kma_ctx_free(struct kma_ctx *ctx)
{
}

int kma_call_begin(struct kma_ctx *ctx, const struct kma_call *call, struct kma_pending **out)
{
	return -ENOSYS;
}

void kma_call_end(struct kma_ctx *ctx, struct kma_pending *p, long ret)
{
}
