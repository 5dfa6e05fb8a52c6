/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-secure: installed setuid root by tests/hardening/secure-exec.sh and run by an
 * unprivileged user, so that it runs in secure-execution mode (AT_SECURE). The dynamic loader
 * ignores LD_PRELOAD paths then, so it loads the shim itself (dlopen of argv[1]) and makes one
 * delete_module() call through it: the shim's own rules decide which core and which
 * configuration the call uses, with the caller's environment (KMODAUDIT_IMPL,
 * KMODAUDIT_CONFIG) in place.
 *
 *	kma-secure SHIM NAME     prints "at_secure=N ret=R errno=E"
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

int main(int argc, char *argv[])
{
	long (*delete_module_fn)(const char *, unsigned int);
	void *shim;
	long ret;

	if (argc != 3) {
		fprintf(stderr, "usage: kma-secure SHIM NAME\n");
		return 2;
	}
	shim = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!shim) {
		fprintf(stderr, "kma-secure: %s\n", dlerror());
		return 2;
	}
	delete_module_fn = (long (*)(const char *, unsigned int))dlsym(shim, "delete_module");
	if (!delete_module_fn) {
		fprintf(stderr, "kma-secure: no delete_module in %s\n", argv[1]);
		return 2;
	}
	errno = 0;
	ret = delete_module_fn(argv[2], 0);
	printf("at_secure=%lu ret=%ld errno=%d\n", getauxval(AT_SECURE), ret, ret < 0 ? errno : 0);
	return 0;
}
