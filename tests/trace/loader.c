/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A static module loader for kmodaudit trace tests: no libc syscall wrapper, no dynamic linker,
 * so no preload shim can see its calls. One call per run, or a fork + exec of another loader:
 *
 *	kma-trace-loader init FILE [PARAMS]           init_module(copy of FILE, PARAMS)
 *	kma-trace-loader finit FILE [PARAMS [FLAGS]]  finit_module(open(FILE), PARAMS, FLAGS)
 *	kma-trace-loader delete NAME [FLAGS]          delete_module(NAME, FLAGS)
 *	kma-trace-loader spawn PROG [ARGS...]         fork, exec PROG ARGS, exit with its status
 *	kma-trace-loader count-signals READY          counts the SIGTERM and SIGHUP it gets: writes
 *	                                              READY, then prints "signals=N" half a second
 *	                                              after the first (or after 20 s)
 *	kma-trace-loader getppid N                    N getppid calls; prints how many times the
 *	                                              parent (the tracer) was switched out meanwhile
 *	kma-trace-loader async-io                     prints "io_uring_setup=R io_setup=R" (0 or
 *	                                              -errno: whether asynchronous I/O can be set
 *up)
 *
 * Prints what the kernel answered as "pid=P syscall=S ret=R" (R is the raw -errno), the
 * tests' independent account of each call; init first prints "image=HEX", its buffer's address.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "raw-syscall.h"

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(path);
		exit(2);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf)
		exit(2);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			perror(path);
			exit(2);
		}
		done += (size_t)n;
	}
	close(fd);
	*len = done;
	return buf;
}

static void report(const char *syscall, long ret)
{
	printf("pid=%d syscall=%s ret=%ld\n", (int)getpid(), syscall, ret);
	fflush(stdout);
}

static volatile sig_atomic_t signals_got;

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

static void count_signal(int sig)
{
	(void)sig;
	signals_got++;
}

/*
 * The parent's context switches (voluntary and not) from /proc/PPID/status: a tracer is
 * switched out and in again at every stop of its tracee it waits for.
 */
static long parent_switches(void)
{
	char path[64], line[256];
	long total = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)getppid());
	f = fopen(path, "re");
	if (!f)
		exit(2);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			total += n;
	fclose(f);
	return total;
}

int main(int argc, char *argv[])
{
	if (argc >= 3 && !strcmp(argv[1], "init")) {
		size_t len;
		void *image = read_file(argv[2], &len);

		printf("image=%lx\n", (unsigned long)image);
		report("init_module", raw_syscall3(NR_INIT_MODULE, (long)image, (long)len,
						   (long)(argc > 3 ? argv[3] : "")));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "finit")) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		report("finit_module",
		       raw_syscall3(NR_FINIT_MODULE, fd, (long)(argc > 3 ? argv[3] : ""),
				    argc > 4 ? strtol(argv[4], NULL, 0) : 0));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "delete")) {
		report("delete_module", raw_syscall3(NR_DELETE_MODULE, (long)argv[2],
						     argc > 3 ? strtol(argv[3], NULL, 0) : 0, 0));
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "spawn")) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 2;
		if (pid == 0) {
			execv(argv[2], argv + 2);
			perror(argv[2]);
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0)
			return 2;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (argc == 3 && !strcmp(argv[1], "count-signals")) {
		struct sigaction sa = {.sa_handler = count_signal};
		const struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};
		struct timespec start;
		int fd;

		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "ready\n", 6) != 6)
			return 2;
		close(fd);
		/* Spinning, it takes a signal the moment it is sent (a sleeper might take two
		 * sent close together as one). */
		clock_gettime(CLOCK_MONOTONIC, &start);
		while (!signals_got && seconds_since(&start) < 20)
			;
		for (int i = 0; i < 50; i++)
			nanosleep(&tick, NULL);
		printf("signals=%d\n", (int)signals_got);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "getppid")) {
		long n = strtol(argv[2], NULL, 0), before = parent_switches();

		for (long i = 0; i < n; i++)
			getppid();
		printf("parent_switches=%ld\n", parent_switches() - before);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "async-io")) {
		char params[120] = {0};
		unsigned long aio = 0;
		long r1 = syscall(SYS_io_uring_setup, 4, params), r2;

		r1 = r1 < 0 ? -errno : 0;
		r2 = syscall(SYS_io_setup, 4, &aio) < 0 ? -errno : 0;
		printf("io_uring_setup=%ld io_setup=%ld\n", r1, r2);
		return 0;
	}
	fprintf(stderr,
		"usage: %s init FILE [PARAMS] | finit FILE [PARAMS [FLAGS]] | "
		"delete NAME [FLAGS] | spawn PROG [ARGS...] | count-signals READY | getppid N | "
		"async-io\n",
		argv[0]);
	return 2;
}
