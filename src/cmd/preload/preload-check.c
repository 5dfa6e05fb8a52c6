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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/common/child.h"
#include "cmd/common/fileio.h"
#include "cmd/preload/preload.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"
#include "core/procctx.h"

#define PROBE_PROGRAM "/bin/true"
#define PROBE_TIMEOUT_MS 10000

int preload_host_path(const char *root, const char *path, char **host)
{
	_cleanup_close_ int fd = rules_open_in_root(root, path, O_PATH);

	/* The kernel's name of the inode reached inside ROOT: no symlink left in it to follow. */
	if (fd < 0)
		return fd;
	return procctx_fd_path(0, fd, host);
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
	_cleanup_free_ char *dir = strdup(host_path), *root_path = NULL;
	size_t skip = 0;
	struct stat st;
	int r;

	if (!dir) {
		set_why(c, "out of memory");
		return false;
	}
	r = preload_host_path(root, "/", &root_path);
	if (r < 0) {
		set_why(c, "%s: %s", root ? root : "/", strerror(-r));
		return false;
	}
	if (strcmp(root_path, "/"))
		skip = strlen(root_path);
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

/* Child: PROGRAM with only LD_PRELOAD set, stdout to /dev/null, stderr to the pipe. */
_Noreturn static void probe_child(const char *program, const char *host_path, int err_fd)
{
	_cleanup_free_ char *preload = NULL;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	char *argv[] = {(char *)program, NULL};
	char *envp[] = {NULL, (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};

	if (asprintf(&preload, "LD_PRELOAD=%s", host_path ? host_path : "") < 0)
		_exit(127);
	envp[0] = preload;
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
		dup2(null_fd, STDOUT_FILENO);
	}
	dup2(err_fd, STDERR_FILENO);
	execve(program, argv, envp);
	_exit(127);
}

/*
 * ld.so's complaint that an entry of /etc/ld.so.preload is of the other ELF class: the 64-bit
 * path listed while an i386 program is probed (the entry enable is about to replace by
 * PREFIX/$LIB/...), or the reverse. It concerns that entry, not the library under test (ld.so
 * names that one "from LD_PRELOAD"): such lines are dropped from ERR, any other line stays.
 */
static size_t drop_other_class_lines(char *err, size_t len)
{
	static const char head[] = "ERROR: ld.so: object '";
	static const char from[] =
		"' from /etc/ld.so.preload cannot be preloaded (wrong ELF class: ";
	static const char tail[] = "): ignored.";
	size_t out = 0;

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(err + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (err + at)) + 1 : len - at;
		size_t text = nl ? n - 1 : n;
		const char *f = memmem(err + at, text, from, strlen(from));

		if (!(text > strlen(head) + strlen(tail) && !memcmp(err + at, head, strlen(head)) &&
		      f && !memcmp(err + at + text - strlen(tail), tail, strlen(tail)))) {
			memmove(err + out, err + at, n);
			out += n;
		}
		at += n;
	}
	err[out] = '\0';
	return out;
}

bool preload_check_loads(const char *host_path, struct preload_check *c)
{
	return preload_check_loads_in(PROBE_PROGRAM, host_path, c);
}

bool preload_check_loads_in(const char *program, const char *host_path, struct preload_check *c)
{
	_cleanup_free_ char *err = NULL;
	size_t err_len = 0;
	int pipefd[2], status = 0, r;
	pid_t pid;
	const char *what = host_path ? host_path : "nothing";

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
		probe_child(program, host_path, pipefd[1]);
	}
	close(pipefd[1]);
	r = check_child_collect(pid, pipefd[0], PROBE_TIMEOUT_MS, &err, &err_len, &status);
	if (err) {
		err_len = drop_other_class_lines(err, err_len);
		err[strcspn(err, "\n")] = '\0';
	}
	if (r == -ETIMEDOUT) {
		set_why(c, "%s with %s preloaded did not finish within %d s", program, what,
			PROBE_TIMEOUT_MS / 1000);
		return false;
	}
	if (r < 0) {
		set_why(c, "%s with %s preloaded: %s", program, what, strerror(-r));
		return false;
	}
	if (WIFSIGNALED(status)) {
		set_why(c, "%s with %s preloaded was killed by signal %d", program, what,
			WTERMSIG(status));
		return false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		set_why(c, "%s with %s preloaded exited with status %d%s%s", program, what,
			WEXITSTATUS(status), err_len ? ": " : "", err);
		return false;
	}
	/* Run bare, the program may well hear from ld.so about /etc/ld.so.preload: it ran. */
	if (err_len && host_path) {
		set_why(c, "%s with %s preloaded wrote to stderr: %s", program, what, err);
		return false;
	}
	return true;
}

void preload_check_library(const char *root, const char *path, struct preload_check *c)
{
	preload_check_library_in(root, path, PROBE_PROGRAM, c);
}

void preload_check_library_in(const char *root, const char *path, const char *program,
			      struct preload_check *c)
{
	_cleanup_free_ char *host_path = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	*c = (struct preload_check){};
	r = preload_host_path(root, path, &host_path);
	c->exists = r == 0;
	if (!c->exists) {
		set_why(c, "%s%s: %s", root && strcmp(root, "/") ? root : "", path, strerror(-r));
		return;
	}
	/* Opened as every file we read: ld.so in the probe would wait on a FIFO until killed. */
	fd = rules_open_read_in_root(root, path);
	if (fd < 0) {
		set_why(c, "%s: %s", host_path, fileio_strerror(fd));
		return;
	}
	c->safe = check_safe(root, host_path, c);
	c->loads = preload_check_loads_in(program, host_path, c);
}
