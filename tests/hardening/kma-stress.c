/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-stress: many module calls at once through whatever shim is preloaded: THREADS threads in
 * each of PROCS processes. Process 0's thread 0 forks the other processes one by one between
 * its own calls, so that every fork lands while the parent's other threads are inside the
 * shim; each child then runs THREADS threads of its own. Calls alternate between
 * delete_module(name) and syscall(SYS_finit_module, fd of FILE, name): the name / parameter
 * string "stress_P_T_I" is unique to the call, so a reader can count records per call.
 *
 *	kma-stress PROCS THREADS CALLS_PER_THREAD FILE
 *
 * The parent prints "calls=N fds_before=A fds_after=B" once every child is done; exit status
 * 1 when a child failed or a call came back with an errno the kernel cannot have set.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/fd-count.h"

long delete_module(const char *name, unsigned int flags);

static int file_fd;
static unsigned procs, threads, calls_per_thread;
static pid_t *kids;
static _Atomic int bad;

struct worker {
	pthread_t tid;
	unsigned proc, thread;
};

static int run_threads(unsigned proc);

static void fork_child(unsigned p)
{
	kids[p] = fork();
	if (kids[p] == 0)
		_exit(run_threads(p) < 0 || bad ? 1 : 0);
	if (kids[p] < 0)
		bad = 1;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned next_fork = 1;
	char name[64];

	for (unsigned i = 0; i < calls_per_thread; i++) {
		long r;

		if (w->proc == 0 && w->thread == 0 && next_fork < procs &&
		    i >= next_fork * calls_per_thread / procs)
			fork_child(next_fork++);
		snprintf(name, sizeof(name), "stress_%u_%u_%u", w->proc, w->thread, i);
		errno = 12345;
		if (i % 2)
			r = syscall(SYS_finit_module, file_fd, name, 0);
		else
			r = delete_module(name, 0);
		/* -1 with the kernel's errno (ENOSYS here), never with our marker */
		if (r == -1 && errno == 12345)
			bad = 1;
	}
	while (w->proc == 0 && w->thread == 0 && next_fork < procs)
		fork_child(next_fork++);
	return NULL;
}

static int run_threads(unsigned proc)
{
	struct worker *w = calloc(threads, sizeof(*w));

	if (!w)
		return -1;
	for (unsigned t = 0; t < threads; t++) {
		w[t].proc = proc;
		w[t].thread = t;
		if (pthread_create(&w[t].tid, NULL, work, &w[t]))
			return -1;
	}
	for (unsigned t = 0; t < threads; t++)
		pthread_join(w[t].tid, NULL);
	free(w);
	return 0;
}

int main(int argc, char *argv[])
{
	int fds_before, fds_after, status = 0;

	if (argc != 5) {
		fprintf(stderr, "usage: kma-stress PROCS THREADS CALLS_PER_THREAD FILE\n");
		return 2;
	}
	procs = strtoul(argv[1], NULL, 0);
	threads = strtoul(argv[2], NULL, 0);
	calls_per_thread = strtoul(argv[3], NULL, 0);
	file_fd = open(argv[4], O_RDONLY | O_CLOEXEC);
	if (file_fd < 0) {
		perror(argv[4]);
		return 2;
	}
	if (procs < 1 || threads < 1)
		return 2;
	kids = calloc(procs, sizeof(*kids));
	if (!kids)
		return 2;
	fds_before = count_open_fds();
	if (run_threads(0) < 0)
		status = 1;
	for (unsigned p = 1; p < procs; p++) {
		int ws;
		if (waitpid(kids[p], &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws))
			status = 1;
	}
	fds_after = count_open_fds();
	printf("calls=%u fds_before=%d fds_after=%d\n", procs * threads * calls_per_thread,
	       fds_before, fds_after);
	free(kids);
	return status || bad;
}
