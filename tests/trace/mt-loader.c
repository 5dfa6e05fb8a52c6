/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A two-thread loader for kmodaudit trace tests: while the main thread calls init_module on a
 * buffer, another thread keeps rewriting that buffer between two states, FILE's bytes (A) and
 * their complement (B).
 *
 *	kma-trace-mt-loader FILE ROUNDS
 *
 * The writer rewrites the whole buffer with one pwrite() to the memfd behind it, so a thread
 * stopped by the tracer is never half way: as long as the tracer holds the writer still from
 * before it copies the image until the syscall returns, the image it hashes is exactly A or
 * exactly B, the bytes the kernel copies. A tracer that copies while the writer runs gets a mix.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "raw-syscall.h"

static int memfd;
static char *state_a, *state_b;
static size_t len;
static atomic_bool done;
static atomic_ulong rewrites;

static void *rewrite(void *arg)
{
	(void)arg;
	while (!atomic_load(&done)) {
		if (pwrite(memfd, state_b, len, 0) != (ssize_t)len ||
		    pwrite(memfd, state_a, len, 0) != (ssize_t)len)
			abort();
		atomic_fetch_add(&rewrites, 2);
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct stat st;
	pthread_t writer;
	char *image;
	int fd, rounds;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE ROUNDS\n", argv[0]);
		return 2;
	}
	rounds = atoi(argv[2]);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size == 0) {
		perror(argv[1]);
		return 2;
	}
	len = (size_t)st.st_size;
	state_a = malloc(len);
	state_b = malloc(len);
	if (!state_a || !state_b || pread(fd, state_a, len, 0) != (ssize_t)len)
		return 2;
	for (size_t i = 0; i < len; i++)
		state_b[i] = (char)~state_a[i];

	memfd = memfd_create("kma-trace-mt-image", MFD_CLOEXEC);
	if (memfd < 0 || pwrite(memfd, state_a, len, 0) != (ssize_t)len)
		return 2;
	image = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (image == MAP_FAILED)
		return 2;
	if (pthread_create(&writer, NULL, rewrite, NULL))
		return 2;
	/* Let the writer get going before the first call. */
	while (atomic_load(&rewrites) < 4)
		;
	for (int i = 0; i < rounds; i++) {
		long ret = raw_syscall3(NR_INIT_MODULE, (long)image, (long)len, (long)"");

		printf("pid=%d syscall=init_module ret=%ld\n", (int)getpid(), ret);
	}
	atomic_store(&done, true);
	pthread_join(writer, NULL);
	printf("rewrites=%lu\n", atomic_load(&rewrites));
	return 0;
}
