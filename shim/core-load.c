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

/* One ctx per process: ctx_pid says whose it is, so a forked child notices it has none yet. */
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kma_ctx *ctx;
static _Atomic pid_t ctx_pid;

/* A fork while another thread made a ctx must not leave the child's lock taken. */
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
	if (!i || i->abi != KMODAUDIT_IMPL_ABI || !i->ctx_new || !i->call_begin || !i->call_end ||
	    !i->ctx_free) {
		snprintf(load_error, sizeof(load_error),
			 "the core %s is not ABI %d (%s %s, abi %u)", path, KMODAUDIT_IMPL_ABI,
			 KMODAUDIT_IMPL_SYMBOL, get ? "found" : "missing", i ? i->abi : 0);
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
	pid_t pid;
	int r = 0;

	pthread_once(&load_once, load_impl);
	if (!impl) {
		*why = load_error;
		return -ELIBACC;
	}

	pid = getpid();
	if (atomic_load_explicit(&ctx_pid, memory_order_acquire) != pid) {
		pthread_mutex_lock(&ctx_lock);
		if (atomic_load_explicit(&ctx_pid, memory_order_relaxed) != pid) {
			struct kma_ctx_opts opts = {.secure = getauxval(AT_SECURE) != 0};
			struct kma_ctx *c = NULL;

			/* Inherited across fork: the parent's sockets are not ours to share. */
			if (ctx)
				impl->ctx_free(ctx);
			ctx = NULL;
			r = impl->ctx_new(&opts, &c);
			if (r >= 0) {
				ctx = c;
				atomic_store_explicit(&ctx_pid, pid, memory_order_release);
			}
		}
		pthread_mutex_unlock(&ctx_lock);
		if (r < 0) {
			*why = "the core cannot start";
			return r;
		}
	}
	core->impl = impl;
	core->ctx = ctx;
	return 0;
}
