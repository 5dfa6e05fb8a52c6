/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * syscall-nr FILE: the module calls through syscall() with junk in the upper 32 bits of the
 * number, which the kernel ignores (it reads an int): syscall-nr.sh checks the shim records
 * them. One line per call: "NAME ret=R errno=E".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *name, long ret)
{
	printf("%s ret=%ld errno=%s\n", name, ret, ret < 0 ? strerrorname_np(errno) : "0");
}

int main(int argc, char **argv)
{
	static char image[1 << 16];
	const long high = 0x100000000L;
	ssize_t len;
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	len = fd < 0 ? -1 : read(fd, image, sizeof(image));
	if (len <= 0)
		return 2;
	report("init_module", syscall(high | SYS_init_module, image, (unsigned long)len, "a=1"));
	report("finit_module", syscall(~0xffffffffL | SYS_finit_module, fd, "b=2", 0));
	report("delete_module", syscall(high | SYS_delete_module, "kmatest_nr", 0));
	return 0;
}
