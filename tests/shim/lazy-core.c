/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lazy-core [module | finit FILE]: ordinary syscall() calls, many of them, among them numbers
 * whose upper 32 bits hold junk (the kernel reads the low 32: these are getpid and getppid, not
 * module calls); with "module", one delete_module through syscall() last, with "finit FILE" one
 * finit_module of FILE. Then prints the lines of /proc/self/maps that name the shim's core or
 * a library it may load (lazy-core.sh and lazy-libs.sh check which calls map which) and "calls
 * ok" when every call answered as it should.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static const char *const libs[] = {"libkmodaudit-impl", "libcrypto", "liblzma",
					   "libzstd",		"/libz.so",  "libjson-c"};
	const long high = 0x100000000L;
	bool ok = true;
	char line[4096];
	FILE *maps;

	for (int i = 0; i < 10000; i++) {
		ok &= syscall(SYS_getpid) == getpid();
		ok &= syscall(high | SYS_getpid) == getpid();
		ok &= syscall(~0xffffffffL | SYS_getppid) == getppid();
	}
	if (argc > 1 && !strcmp(argv[1], "module"))
		syscall(SYS_delete_module, "kmatest_lazy", 0);
	if (argc > 2 && !strcmp(argv[1], "finit")) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 2;
		syscall(SYS_finit_module, fd, "", 0);
		close(fd);
	}

	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return 2;
	while (fgets(line, sizeof(line), maps))
		for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
			if (strstr(line, libs[i])) {
				fputs(line, stdout);
				break;
			}
	fclose(maps);
	if (ok)
		puts("calls ok");
	return ok ? 0 : 1;
}
