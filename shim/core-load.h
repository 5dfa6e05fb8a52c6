/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core (libkmodaudit-impl.so: libelf, libcrypto, libaudit...) is dlopen'ed the first time a
 * module call is intercepted, never before: a process that loads no module pays for none of it.
 */
#pragma once

#include "impl-abi.h"

struct shim_core {
	const struct kmodaudit_impl *impl;
	struct kma_ctx *ctx; /* this address space's (core-load.c says why not per pid) */
};

/*
 * Fill *core. Returns 0, or -errno when the core cannot be had; then *why (static text) says
 * why.
 */
int core_get(struct shim_core *core, const char **why);
