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
 */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

int main(int argc, char *argv[])
{
	char spawned[128], in_vfork[128];
	char *args[] = {argv[1], "delete", spawned, NULL};
	pthread_t thread;
	int status;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s LOADER NAME\n", argv[0]);
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
