/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-dlsym SCOPE finit FILE [ARGS] | kma-dlsym SCOPE delete NAME: a module call made through
 * the syscall() that dlsym() finds in SCOPE:
 *   default  dlsym(RTLD_DEFAULT, "syscall"): the global scope, where a preloaded shim comes first
 *   libc     dlsym(dlopen("libc.so.6"), "syscall"): the lookup scope of libc's own handle (libc
 *            and its dependencies), which a preloaded library is not part of: libc's syscall()
 * as python's ctypes.CDLL(None) and ctypes.CDLL("libc.so.6") do. Prints "pid=P syscall=S ret=R".
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef long (*syscall_fn)(long nr, ...);

int main(int argc, char *argv[])
{
	syscall_fn fn;
	void *handle = RTLD_DEFAULT;
	long ret;

	if (argc < 4 || (strcmp(argv[1], "default") && strcmp(argv[1], "libc"))) {
		fprintf(stderr, "usage: kma-dlsym default|libc finit FILE [ARGS] | delete NAME\n");
		return 2;
	}
	if (!strcmp(argv[1], "libc")) {
		handle = dlopen("libc.so.6", RTLD_NOW);
		if (!handle) {
			fprintf(stderr, "kma-dlsym: %s\n", dlerror());
			return 2;
		}
	}
	fn = (syscall_fn)dlsym(handle, "syscall");
	if (!fn) {
		fprintf(stderr, "kma-dlsym: %s\n", dlerror());
		return 2;
	}
	if (!strcmp(argv[2], "finit")) {
		int fd = open(argv[3], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[3]);
			return 2;
		}
		ret = fn(SYS_finit_module, fd, argc > 4 ? argv[4] : "", 0);
	} else if (!strcmp(argv[2], "delete")) {
		ret = fn(SYS_delete_module, argv[3], 0);
	} else {
		fprintf(stderr, "kma-dlsym: unknown call %s\n", argv[2]);
		return 2;
	}
	printf("pid=%d syscall=%s ret=%ld\n", (int)getpid(),
	       !strcmp(argv[2], "finit") ? "finit_module" : "delete_module",
	       ret < 0 ? -(long)errno : ret);
	return 0;
}
