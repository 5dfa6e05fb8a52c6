/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpf(BPF_PROG_LOAD): the names of a block's program and attach types, and the hash of the
 * instructions; the block itself is read by shared/bpf-attr.h.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "bpf-attr.h"

/* The contract's name of a program type (kprobe, xdp...) or attach type; NULL when unknown. */
const char *kma_bpf_prog_type_name(uint32_t type);
const char *kma_bpf_attach_type_name(uint32_t type);

/* SHA-256 of len bytes. Returns 0 or -ENOMEM. */
int kma_bpf_sha256(const void *data, size_t len, unsigned char out[32]);
