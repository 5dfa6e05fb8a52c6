/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fd-check MODULE: no fd and no memory grows with intercepted calls. After a first call of each
 * kind (the core may keep, say, its audit socket), 100 more of each must leave the fd count
 * and the address space size as they were, and every fd the shim or its core opened must be
 * close-on-exec. Prints the figures; exit 1 on a leak.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

long init_module(void *image, unsigned long len, const char *args);
long delete_module(const char *name, unsigned int flags);

#define MAX_FD 1024

static int open_fds(char *is_open)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0, dfd = dirfd(d);

	memset(is_open, 0, MAX_FD);
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dfd)
			continue;
		if (fd < MAX_FD)
			is_open[fd] = 1;
		n++;
	}
	closedir(d);
	return n;
}

static long vm_size_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void calls(void *image, size_t len, int fd, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		init_module(image, len, "kmatest=fdcheck");
		syscall(SYS_init_module, image, len, "");
		syscall(SYS_finit_module, fd, "", 0);
		delete_module("kmatest_fdcheck", 0);
		syscall(SYS_finit_module, 0x7fffffff, "", 0);
		init_module((void *)0xdead0000UL, 4096, "");
	}
}

int main(int argc, char **argv)
{
	static char before[MAX_FD], after[MAX_FD];
	int fd, n0, n1, n2, bad = 0;
	struct stat st;
	long vm1, vm2;
	void *image;

	if (argc != 2) {
		fprintf(stderr, "usage: fd-check MODULE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !(image = malloc((size_t)st.st_size)) ||
	    pread(fd, image, (size_t)st.st_size, 0) != st.st_size) {
		perror(argv[1]);
		return 2;
	}

	n0 = open_fds(before);
	calls(image, (size_t)st.st_size, fd, 1);
	n1 = open_fds(after);
	vm1 = vm_size_kb();
	calls(image, (size_t)st.st_size, fd, 100);
	n2 = open_fds(after);
	vm2 = vm_size_kb();

	for (int i = 0; i < MAX_FD; i++) {
		if (after[i] && !before[i] && !(fcntl(i, F_GETFD) & FD_CLOEXEC)) {
			printf("fd %d is not close-on-exec\n", i);
			bad = 1;
		}
	}
	printf("fds: %d before, %d after the first calls, %d after 600 more; VmSize %ld -> %ld "
	       "kB\n",
	       n0, n1, n2, vm1, vm2);
	if (n2 != n1) {
		printf("fd leak: %d more\n", n2 - n1);
		bad = 1;
	}
	/* 600 calls: a leaked image copy or string would show as megabytes here. */
	if (vm2 - vm1 > 1024) {
		printf("memory grows: %ld kB\n", vm2 - vm1);
		bad = 1;
	}
	free(image);
	close(fd);
	return bad;
}
