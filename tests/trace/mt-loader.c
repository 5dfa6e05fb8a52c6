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
 *
 *	kma-trace-mt-loader FILE ROUNDS untraced
 *
 * The writer is started with clone(CLONE_UNTRACED) instead, a thread no tracer is attached to
 * and so none could hold still; prints "untraced_clone=ok" or "untraced_clone=-ERRNO" (refused:
 * the writer is then an ordinary thread). It first probes clone3 with CLONE_UNTRACED (a child
 * that exits at once): "clone3=ok" or "clone3=-ERRNO".
 *
 *	kma-trace-mt-loader FILE ROUNDS fork
 *
 * The writer is a forked child process instead, sharing only the memfd (not the address space):
 * a tracer that holds still only the caller's memory sharers lets it run during the call.
 *
 *	kma-trace-mt-loader FILE ROUNDS writer PATH   (run outside the trace, in the background)
 *	kma-trace-mt-loader FILE ROUNDS reader PATH   (run under the trace)
 *
 * The image is the file PATH (on tmpfs), mapped MAP_SHARED: the writer, a process the tracer
 * cannot hold still, creates it and rewrites it until the reader has made its ROUNDS calls
 * (the counters live in the page after the image). The reader prints the calls and rewrites=N.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "raw-syscall.h"

static int memfd;
static char *state_a, *state_b;
static size_t len;
/* In MAP_SHARED memory: the forked writer's counters are seen by the caller. */
static struct shared {
	atomic_bool done;
	atomic_ulong rewrites;
} * sh;

static void *rewrite(void *arg)
{
	(void)arg;
	while (!atomic_load(&sh->done)) {
		if (pwrite(memfd, state_b, len, 0) != (ssize_t)len ||
		    pwrite(memfd, state_a, len, 0) != (ssize_t)len)
			abort();
		atomic_fetch_add(&sh->rewrites, 2);
	}
	return NULL;
}

static int rewrite_clone(void *arg)
{
	rewrite(arg);
	/* A bare clone thread: exit the thread only, not the process. */
	syscall(SYS_exit, 0);
	return 0;
}

static void probe_clone3(void)
{
	struct clone_args args = {.flags = CLONE_UNTRACED, .exit_signal = SIGCHLD};
	long pid = syscall(SYS_clone3, &args, sizeof(args));

	if (pid == 0)
		syscall(SYS_exit, 0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	printf(pid > 0 ? "clone3=ok\n" : "clone3=-%d\n", errno);
}

/* The writer as a thread no tracer follows; an ordinary one if that is refused. */
static int start_untraced_writer(pthread_t *writer)
{
	size_t stack_size = 1 << 20;
	char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_UNTRACED;

	if (stack == MAP_FAILED)
		return -1;
	if (clone(rewrite_clone, stack + stack_size, flags, NULL) >= 0) {
		printf("untraced_clone=ok\n");
		return 0;
	}
	printf("untraced_clone=-%d\n", errno);
	return pthread_create(writer, NULL, rewrite, NULL) ? -1 : 1;
}

int main(int argc, char *argv[])
{
	bool untraced = argc == 4 && !strcmp(argv[3], "untraced");
	bool forked = argc == 4 && !strcmp(argv[3], "fork");
	pid_t writer_pid = -1;
	int joinable = 1;
	struct stat st;
	pthread_t writer;
	char *image;
	int fd, rounds;

	bool outside = argc == 5 && (!strcmp(argv[3], "writer") || !strcmp(argv[3], "reader"));

	if (argc != 3 && !untraced && !forked && !outside) {
		fprintf(stderr, "usage: %s FILE ROUNDS [untraced|fork|writer PATH|reader PATH]\n",
			argv[0]);
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

	if (outside) {
		size_t tail = (len + 4095) & ~(size_t)4095;
		bool writer_side = !strcmp(argv[3], "writer");

		memfd = open(argv[4],
			     (writer_side ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR) | O_CLOEXEC, 0600);
		if (memfd < 0 || (writer_side && (ftruncate(memfd, (off_t)(tail + 4096)) < 0 ||
						  pwrite(memfd, state_a, len, 0) != (ssize_t)len)))
			return 2;
		image = mmap(NULL, tail + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		if (image == MAP_FAILED)
			return 2;
		sh = (struct shared *)(image + tail);
		if (writer_side) {
			rewrite(NULL);
			return 0;
		}
		joinable = 0;
	} else {
		memfd = memfd_create("kma-trace-mt-image", MFD_CLOEXEC);
		if (memfd < 0 || pwrite(memfd, state_a, len, 0) != (ssize_t)len)
			return 2;
		image = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			  0);
		if (image == MAP_FAILED || sh == MAP_FAILED)
			return 2;
	}
	if (outside) {
		/* the writer runs already */
	} else if (forked) {
		writer_pid = fork();
		if (writer_pid < 0)
			return 2;
		if (writer_pid == 0) {
			rewrite(NULL);
			_exit(0);
		}
		joinable = 0;
	} else if (untraced) {
		probe_clone3();
		joinable = start_untraced_writer(&writer);
		fflush(stdout);
	} else if (pthread_create(&writer, NULL, rewrite, NULL)) {
		return 2;
	}
	if (joinable < 0)
		return 2;
	/* Let the writer get going before the first call. */
	while (atomic_load(&sh->rewrites) < 4)
		;
	for (int i = 0; i < rounds; i++) {
		long ret = raw_syscall3(NR_INIT_MODULE, (long)image, (long)len, (long)"");

		printf("pid=%d syscall=init_module ret=%ld\n", (int)getpid(), ret);
	}
	atomic_store(&sh->done, true);
	if (joinable)
		pthread_join(writer, NULL);
	if (writer_pid > 0)
		waitpid(writer_pid, NULL, 0);
	printf("rewrites=%lu\n", atomic_load(&sh->rewrites));
	return 0;
}
