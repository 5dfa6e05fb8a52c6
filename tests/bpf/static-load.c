/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A static loader: bpf(BPF_PROG_LOAD) with the raw system call instruction, as a static or Go
 * loader makes it (no libc syscall() the shim could see). Loads a fixed 3-instruction socket
 * filter named argv[1] and prints the kernel's prog id; the test hashes the same 24 bytes.
 * Built with KMA_LIBC_SYSCALL (bpf-dyn-load): the same through libc's syscall().
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* mov r0, 1; mov r0, 0; exit */
static const uint64_t insns[] = {0x00000001000000b7ULL, 0x00000000000000b7ULL, 0x95ULL};

static long raw_bpf(long cmd, void *attr, long size)
{
#ifdef KMA_LIBC_SYSCALL
	/* the dynamic variant: libc's syscall(), as libbpf makes the call (the shim sees it) */
	long ret = syscall(SYS_bpf, cmd, attr, size);

	return ret < 0 ? -errno : ret;
#else
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_bpf), "D"(cmd), "S"(attr), "d"(size)
			 : "rcx", "r11", "memory");
	return ret;
#endif
}

int main(int argc, char **argv)
{
	unsigned char attr[144] = {0}, info[16] = {0};
	uint32_t v32 = 1, id;
	uint64_t p;
	long fd;
	struct {
		uint32_t fd, len;
		uint64_t info;
	} ia;

	memcpy(attr, &v32, 4); /* socket_filter */
	v32 = 3;
	memcpy(attr + 4, &v32, 4);
	p = (uintptr_t)insns;
	memcpy(attr + 8, &p, 8);
	p = (uintptr_t) "GPL";
	memcpy(attr + 16, &p, 8);
	strncpy((char *)attr + 48, argc > 1 ? argv[1] : "kma_static", 15);
	fd = raw_bpf(5, attr, sizeof(attr));
	if (fd < 0) {
		fprintf(stderr, "BPF_PROG_LOAD: %ld\n", fd);
		return 1;
	}
	ia.fd = (uint32_t)fd;
	ia.len = sizeof(info);
	ia.info = (uintptr_t)info;
	if (raw_bpf(15, &ia, sizeof(ia)) < 0)
		return 1;
	memcpy(&id, info + 4, 4);
	printf("%u\n", id);
	return 0;
}
