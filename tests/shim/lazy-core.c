/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lazy-core [module]: ordinary syscall() calls, many of them, among them numbers whose upper 32
 * bits hold junk (the kernel reads the low 32: these are getpid and getppid, not module calls);
 * with "module", one delete_module through syscall() last. Then prints the lines of
 * /proc/self/maps that name the shim's core or libcrypto (lazy-core.sh checks that only the
 * module call maps them) and "calls ok" when every call answered as it should.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
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

	maps = fopen("/proc/self/maps", "re");
	if (!maps)
		return 2;
	while (fgets(line, sizeof(line), maps))
		if (strstr(line, "libkmodaudit-impl") || strstr(line, "libcrypto"))
			fputs(line, stdout);
	fclose(maps);
	if (ok)
		puts("calls ok");
	return ok ? 0 : 1;
}
