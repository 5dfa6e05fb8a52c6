/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What another emitter inside the core (bpf-emit.c) shares of a struct kma_ctx: one config, one
 * seq counter per process for module and BPF records alike, the same sinks.
 */
#pragma once

#include <stdint.h>

#include "core/conf.h"
#include "core/emit.h"

const struct kma_conf *kma_ctx_conf(const struct kma_ctx *ctx);
const char *kma_ctx_json_path(const struct kma_ctx *ctx);
uint64_t kma_ctx_next_seq(struct kma_ctx *ctx);
