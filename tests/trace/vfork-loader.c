/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module calls from processes that share memory without being threads of one process:
 *
 *	kma-trace-vfork-loader LOADER NAME
 *
 * With a second thread spinning (it shares the memory and must be held still), it runs LOADER
 * delete NAME-spawned through posix_spawn (a CLONE_VFORK child that execs), then calls
 * delete_module(NAME-vfork) itself in a vfork() child, before any exec: that child shares the
 * parent's memory while the parent waits for it and cannot run. Prints the vfork child's answer
 * as "pid=P syscall=delete_module ret=R".
 *
 *	kma-trace-vfork-loader --untraced NAME
 *
 * A vfork parent the tracer sees no vfork event of: the main thread starts a CLONE_VFORK |
 * CLONE_UNTRACED child that waits on a pipe, while a second thread calls delete_module(NAME-held)
 * and only then writes the pipe. The main thread sleeps uninterruptibly until the child exits,
 * i.e. until the call the tracer holds it for is over: a tracer waiting for its stop hangs.
 * Prints "untraced_clone=ok" or "untraced_clone=-ERRNO" (the clone was refused), then the second
 * thread's answer as "pid=P syscall=delete_module ret=R".
 */
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw-syscall.h"

extern char **environ;

static void *spin(void *arg)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
	return arg;
}

static int release[2];
static char held[128];
static long held_ret;

static void *call_then_release(void *arg)
{
	struct timespec settle = {.tv_nsec = 200 * 1000 * 1000};

	/* Let the main thread get into its vfork wait first (if not, the test is merely weaker). */
	nanosleep(&settle, NULL);
	held_ret = raw_syscall3(NR_DELETE_MODULE, (long)held, 0, 0);
	if (write(release[1], "x", 1) != 1)
		_exit(2);
	return arg;
}

static int untraced_vfork(const char *name)
{
	pthread_t thread;
	long child;
	char c;

	snprintf(held, sizeof(held), "%s-held", name);
	if (pipe(release) || pthread_create(&thread, NULL, call_then_release, NULL))
		return 2;
	/* Raw clone without a new stack: vfork semantics, the parent waits. */
	child = raw_syscall3(SYS_clone, CLONE_VM | CLONE_VFORK | CLONE_UNTRACED | SIGCHLD, 0, 0);
	if (child == 0)
		raw_syscall3(SYS_exit, raw_syscall3(SYS_read, release[0], (long)&c, 1) == 1 ? 0 : 1,
			     0, 0);
	/* kmodaudit trace refuses CLONE_UNTRACED (EPERM): the call is then made without it. */
	printf(child < 0 ? "untraced_clone=%ld\n" : "untraced_clone=ok\n", child);
	if (pthread_join(thread, NULL) || (child > 0 && waitpid(child, NULL, 0) < 0))
		return 2;
	printf("pid=%d syscall=delete_module ret=%ld\n", (int)getpid(), held_ret);
	return 0;
}

int main(int argc, char *argv[])
{
	char spawned[128], in_vfork[128];
	char *args[] = {argv[1], "delete", spawned, NULL};
	pthread_t thread;
	int status;
	pid_t pid;

	if (argc == 3 && !strcmp(argv[1], "--untraced"))
		return untraced_vfork(argv[2]);
	if (argc != 3) {
		fprintf(stderr, "usage: %s LOADER NAME | --untraced NAME\n", argv[0]);
		return 2;
	}
	snprintf(spawned, sizeof(spawned), "%s-spawned", argv[2]);
	snprintf(in_vfork, sizeof(in_vfork), "%s-vfork", argv[2]);
	if (pthread_create(&thread, NULL, spin, NULL))
		return 2;
	if (posix_spawn(&pid, argv[1], NULL, NULL, args, environ) || waitpid(pid, &status, 0) < 0)
		return 2;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		/* Only the system call and _exit: this child runs on its parent's stack. */
		_exit(-raw_syscall3(NR_DELETE_MODULE, (long)in_vfork, 0, 0) & 0xff);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 2;
	printf("pid=%d syscall=delete_module ret=%d\n", (int)pid, -WEXITSTATUS(status));
	return 0;
}
