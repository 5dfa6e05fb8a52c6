/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Before a library goes into ld.so.preload, where every program on the host loads it: it must
 * be a root-owned file nobody else can write (nor the directories leading to it), and a real
 * process must start with it preloaded, run, and exit 0 without the loader complaining (ld.so
 * only prints a warning and goes on when a preload cannot be loaded, so the exit status alone
 * proves nothing: stderr must stay empty).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd/preload.h"
#include "core/macro.h"

#define PROBE_PROGRAM "/bin/true"
#define PROBE_TIMEOUT_MS 10000

char *preload_host_path(const char *root, const char *path)
{
	char *p;

	if (!root || !strcmp(root, "/"))
		return strdup(path);
	if (asprintf(&p, "%s%s", root, path) < 0)
		return NULL;
	return p;
}

_printf_(2, 3) static void set_why(struct preload_check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->why[0])
		return; /* keep the first problem */
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

static bool safe_inode(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The file and every directory from <root> down to it: root-owned, not group/other-writable. */
static bool check_safe(const char *root, const char *host_path, struct preload_check *c)
{
	size_t skip = (root && strcmp(root, "/")) ? strlen(root) : 0;
	_cleanup_free_ char *dir = strdup(host_path);
	struct stat st;

	if (!dir) {
		set_why(c, "out of memory");
		return false;
	}
	if (stat(host_path, &st) < 0) {
		set_why(c, "%s: %m", host_path);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		set_why(c, "%s: not a regular file", host_path);
		return false;
	}
	if (!safe_inode(&st)) {
		set_why(c, "%s: must be owned by root and not writable by group or others",
			host_path);
		return false;
	}
	for (char *slash = strrchr(dir, '/'); slash && (size_t)(slash - dir) >= skip;
	     slash = strrchr(dir, '/')) {
		*slash = '\0';
		if (!dir[0])
			strcpy(dir, "/");
		if (stat(dir, &st) < 0) {
			set_why(c, "%s: %m", dir);
			return false;
		}
		if (!safe_inode(&st)) {
			set_why(c,
				"%s: directory must be owned by root and not writable by group or "
				"others",
				dir);
			return false;
		}
		if (!strcmp(dir, "/"))
			break;
	}
	return true;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Reap PID by DEADLINE (ms): 1 when reaped, 0 when still running at the deadline, -errno. */
static int wait_until(pid_t pid, int *status, long deadline)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		long left = deadline - now_ms();
		struct timespec nap = {.tv_nsec = 10 * 1000000L};

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (left <= 0)
			return 0;
		if (left < 10)
			nap.tv_nsec = left * 1000000L;
		nanosleep(&nap, NULL);
	}
}

/* Child: /bin/true with only LD_PRELOAD set, stdout to /dev/null, stderr to the pipe. */
_Noreturn static void probe_child(const char *host_path, int err_fd)
{
	_cleanup_free_ char *preload = NULL;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	char *argv[] = {(char *)PROBE_PROGRAM, NULL};
	char *envp[] = {NULL, (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};

	if (asprintf(&preload, "LD_PRELOAD=%s", host_path) < 0)
		_exit(127);
	envp[0] = preload;
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
	}
	dup2(err_fd, STDERR_FILENO);
	execve(PROBE_PROGRAM, argv, envp);
	_exit(127);
}

static bool check_loads(const char *host_path, struct preload_check *c)
{
	char err[sizeof(c->why)] = "";
	size_t err_len = 0;
	long deadline = now_ms() + PROBE_TIMEOUT_MS;
	bool timed_out = false;
	int pipefd[2], status = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		set_why(c, "pipe: %m");
		return false;
	}
	pid = fork();
	if (pid < 0) {
		set_why(c, "fork: %m");
		close(pipefd[0]);
		close(pipefd[1]);
		return false;
	}
	if (pid == 0) {
		close(pipefd[0]);
		probe_child(host_path, pipefd[1]);
	}
	close(pipefd[1]);

	for (;;) {
		struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};
		long left = deadline - now_ms();
		char buf[256];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!pfd.revents)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (err_len < sizeof(err) - 1) {
			size_t take = MIN((size_t)n, sizeof(err) - 1 - err_len);

			memcpy(err + err_len, buf, take);
			err_len += take;
		} else {
			err_len++; /* keep counting: any output is a failure */
		}
	}
	close(pipefd[0]);
	/* EOF on stderr is no exit: a constructor may close fd 2 and then hang. */
	if (!timed_out) {
		int r = wait_until(pid, &status, deadline);

		if (r < 0) {
			set_why(c, "waitpid: %s", strerror(-r));
			kill(pid, SIGKILL);
			timed_out = true;
		} else {
			timed_out = r == 0;
		}
	}
	if (timed_out) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				break;
	}

	err[MIN(err_len, sizeof(err) - 1)] = '\0';
	err[strcspn(err, "\n")] = '\0';
	if (timed_out) {
		set_why(c, "%s with %s preloaded did not finish within %d s", PROBE_PROGRAM,
			host_path, PROBE_TIMEOUT_MS / 1000);
		return false;
	}
	if (WIFSIGNALED(status)) {
		set_why(c, "%s with %s preloaded was killed by signal %d", PROBE_PROGRAM, host_path,
			WTERMSIG(status));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		set_why(c, "%s with %s preloaded exited with status %d%s%s", PROBE_PROGRAM,
			host_path, WEXITSTATUS(status), err_len ? ": " : "", err);
		return false;
	}
	if (err_len) {
		set_why(c, "%s with %s preloaded wrote to stderr: %s", PROBE_PROGRAM, host_path,
			err);
		return false;
	}
	return true;
}

void preload_check_library(const char *root, const char *host_path, struct preload_check *c)
{
	struct stat st;

	*c = (struct preload_check){};
	c->exists = stat(host_path, &st) == 0;
	if (!c->exists) {
		set_why(c, "%s: %m", host_path);
		return;
	}
	c->safe = check_safe(root, host_path, c);
	c->loads = check_loads(host_path, c);
}
