/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A leftover that tries to load a module past kmodaudit trace once CMD is gone.
 *
 *	kma-trace-escape leftover OUT FILE   CMD forks the leftover L and exits. L waits until the
 *	                                     tracer let it go (TracerPid 0, up to 5 s), then
 *	kma-trace-escape follow OUT FILE     (for --follow) waits until CMD is gone and sends
 *SIGTERM to its tracer (it should not end the trace), then
 *
 * forks a helper H that PTRACE_SEIZEs L with PTRACE_O_TRACESECCOMP and continues it past its
 * seccomp stop (the kernel then runs a RET_TRACE call), and calls finit_module(open(FILE)).
 *	kma-trace-escape stubborn OUT FILE   L first loads a filter of its own that fails seccomp()
 *	                                     (EACCES), so no second filter can be put into it; a
 *	                                     second later it calls finit_module(open(FILE)).
 *
 * L writes to OUT, one "key=value" a line: tracer (its TracerPid before the attempt), seize (0
 * or -errno, H's PTRACE_SEIZE), "pid=P syscall=finit_module ret=R", and done=1 last.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw-syscall.h"

static FILE *out;

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int tracer_pid(void)
{
	char line[256];
	int pid = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* H: seize L with TRACESECCOMP, tell L, continue every stop of L's until it exits. */
static void helper(pid_t l, int ready_fd)
{
	long r = ptrace(PTRACE_SEIZE, l, 0L, (long)PTRACE_O_TRACESECCOMP);
	int e = r < 0 ? -errno : 0, status;

	if (write(ready_fd, &e, sizeof(e)) != sizeof(e) || r < 0)
		_exit(0);
	while (waitpid(l, &status, __WALL) == l && WIFSTOPPED(status)) {
		int sig = (unsigned int)status >> 16 ? 0 : WSTOPSIG(status);

		/* at the seccomp stop: continue, the kernel runs the call */
		ptrace(PTRACE_CONT, l, 0L, (long)sig);
		if ((unsigned int)status >> 16 == PTRACE_EVENT_SECCOMP) {
			ptrace(PTRACE_DETACH, l, 0L, 0L);
			break;
		}
	}
	_exit(0);
}

/* A filter that fails seccomp() with EACCES (prctl(PR_SET_SECCOMP) still works). */
static int refuse_seccomp(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};

	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static void stubborn(const char *file, pid_t cmd, int ready_fd)
{
	long ret;
	int fd;

	fprintf(out, "own_filter=%d\n", refuse_seccomp() < 0 ? -errno : 0);
	fflush(out);
	close(ready_fd); /* CMD exits now: the trace ends with L's filter in place */
	for (int i = 0; i < 500 && getppid() == cmd; i++)
		sleep_ms(10);
	sleep_ms(1000);
	fprintf(out, "tracer=%d\n", tracer_pid());
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		exit(2);
	ret = raw_syscall3(NR_FINIT_MODULE, fd, (long)"", 0);
	fprintf(out, "pid=%d syscall=finit_module ret=%ld\n", (int)getpid(), ret);
	fprintf(out, "done=1\n");
	fclose(out);
	exit(0);
}

static void leftover(const char *file, int follow, pid_t cmd)
{
	int p[2], seize = -EIO, fd;
	pid_t h;
	long ret;

	if (follow) {
		for (int i = 0; i < 500 && getppid() == cmd; i++)
			sleep_ms(10);
		int tracer = tracer_pid();

		fprintf(out, "sigterm_to=%d\n", tracer);
		fflush(out);
		if (tracer > 0)
			kill(tracer, SIGTERM);
		sleep_ms(500);
	} else {
		for (int i = 0; i < 500 && tracer_pid() != 0; i++)
			sleep_ms(10);
	}
	fprintf(out, "tracer=%d\n", tracer_pid());
	fflush(out);
	if (pipe(p) < 0)
		exit(2);
	h = fork();
	if (h == 0) {
		close(p[0]);
		helper(getppid(), p[1]);
	}
	close(p[1]);
	if (h < 0 || read(p[0], &seize, sizeof(seize)) != sizeof(seize))
		seize = -EIO;
	close(p[0]);
	fprintf(out, "seize=%d\n", seize);
	fflush(out);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		exit(2);
	ret = raw_syscall3(NR_FINIT_MODULE, fd, (long)"", 0);
	fprintf(out, "pid=%d syscall=finit_module ret=%ld\n", (int)getpid(), ret);
	if (h > 0)
		waitpid(h, NULL, 0);
	fprintf(out, "done=1\n");
	fclose(out);
	exit(0);
}

int main(int argc, char *argv[])
{
	pid_t cmd = getpid(), l;
	int ready[2];
	char c;

	if (argc != 4 || (strcmp(argv[1], "leftover") && strcmp(argv[1], "follow") &&
			  strcmp(argv[1], "stubborn"))) {
		fprintf(stderr, "usage: %s leftover|follow|stubborn OUT FILE\n", argv[0]);
		return 2;
	}
	out = fopen(argv[2], "we");
	if (!out)
		return 2;
	if (pipe(ready) < 0)
		return 2;
	l = fork();
	if (l < 0)
		return 2;
	if (l == 0) {
		setsid(); /* out of the shell's way: it does not wait for L */
		close(ready[0]);
		if (!strcmp(argv[1], "stubborn"))
			stubborn(argv[3], cmd, ready[1]);
		close(ready[1]);
		leftover(argv[3], !strcmp(argv[1], "follow"), cmd);
	}
	close(ready[1]);
	if (!strcmp(argv[1], "stubborn") && read(ready[0], &c, 1) < 0)
		return 2;
	return 0;
}
