/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "config.h"
#include "core-load.h"

/* Loaded once per process image (pthread_once copes with a fork during the load). */
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const struct kmodaudit_impl *impl;
static char load_error[512];

/*
 * One ctx per address space, made at the first module call and kept for good. It holds no fd
 * (every sink opens and closes its own per record), only the configuration and the seq counter,
 * so a forked child goes on with its copy: its seq carries on from its parent's, unique in its
 * own pid. A vfork child shares the parent's memory: it must neither free nor replace the ctx
 * (the parent would then find another one, its seq restarting at 1 in the same pid); it takes
 * its seq from the shared atomic counter, so both stay unique.
 */
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kma_ctx *_Atomic ctx;

/* A fork while another thread made the ctx must not leave the child's lock taken. */
static void ctx_lock_reset(void)
{
	pthread_mutex_init(&ctx_lock, NULL);
}

static void load_impl(void)
{
	/* Tests point at the build tree's core; never a setuid program's caller. */
	const char *path = secure_getenv("KMODAUDIT_IMPL");
	const struct kmodaudit_impl *i;
	kmodaudit_impl_get_fn get;
	void *handle;

	if (!path || !*path)
		path = KMODAUDIT_IMPL_PATH;
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		const char *e = dlerror();

		snprintf(load_error, sizeof(load_error), "cannot load the core: %s", e ? e : path);
		return;
	}
	get = (kmodaudit_impl_get_fn)dlsym(handle, KMODAUDIT_IMPL_SYMBOL);
	i = get ? get() : NULL;
	if (!i || i->abi != KMODAUDIT_IMPL_ABI) {
		snprintf(load_error, sizeof(load_error),
			 "the core %s is not ABI %d (%s %s, abi %u)", path, KMODAUDIT_IMPL_ABI,
			 KMODAUDIT_IMPL_SYMBOL, get ? "found" : "missing", i ? i->abi : 0);
		dlclose(handle);
		return;
	}
	/* the same version, built from other types: its fields are not where ours are */
	if (i->impl_size != sizeof(*i) || i->call_size != sizeof(struct kma_call) ||
	    i->opts_size != sizeof(struct kma_ctx_opts) ||
	    i->bpf_call_size != sizeof(struct kma_bpf_call) || !i->ctx_new || !i->call_begin ||
	    !i->call_end || !i->ctx_free || !i->bpf_begin || !i->bpf_end) {
		snprintf(load_error, sizeof(load_error),
			 "the core %s is ABI %d with other sizes (table/call/opts %u/%u/%u, the "
			 "shim's %zu/%zu/%zu)",
			 path, KMODAUDIT_IMPL_ABI, i->impl_size, i->call_size, i->opts_size,
			 sizeof(*i), sizeof(struct kma_call), sizeof(struct kma_ctx_opts));
		dlclose(handle);
		return;
	}
	if (pthread_atfork(NULL, NULL, ctx_lock_reset) != 0) {
		snprintf(load_error, sizeof(load_error), "pthread_atfork failed");
		return;
	}
	impl = i;
}

int core_get(struct shim_core *core, const char **why)
{
	struct kma_ctx *c;
	int r = 0;

	pthread_once(&load_once, load_impl);
	if (!impl) {
		*why = load_error;
		return -ELIBACC;
	}

	c = atomic_load_explicit(&ctx, memory_order_acquire);
	if (!c) {
		pthread_mutex_lock(&ctx_lock);
		c = atomic_load_explicit(&ctx, memory_order_relaxed);
		if (!c) {
			struct kma_ctx_opts opts = {.secure = getauxval(AT_SECURE) != 0};

			r = impl->ctx_new(&opts, &c);
			if (r >= 0)
				atomic_store_explicit(&ctx, c, memory_order_release);
		}
		pthread_mutex_unlock(&ctx_lock);
		if (r < 0) {
			*why = "the core cannot start";
			return r;
		}
	}
	core->impl = impl;
	core->ctx = c;
	return 0;
}
