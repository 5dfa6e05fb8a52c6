/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process context of another process: a chain test -> child "kma a) (b" -> grandchild
 * "kma[1]<x" that the test creates, read from /proc like the tracer does.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/procctx.h"

static pid_t child, grandchild;
static int ready[2];

static const char CHILD_COMM[] = "kma a) (b";
static const char GRAND_COMM[] = "kma[1]<x";

static int setup(void **state)
{
	int gpid_pipe[2];

	if (pipe(ready) < 0 || pipe(gpid_pipe) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		prctl(PR_SET_NAME, CHILD_COMM);
		pid_t g = fork();
		if (g == 0) {
			int tty = posix_openpt(O_RDWR | O_NOCTTY);
			/* a terminal on fd 2 (libaudit looks at fds 0-2) */
			if (tty >= 0 && grantpt(tty) == 0 && unlockpt(tty) == 0) {
				int slave = open(ptsname(tty), O_RDWR | O_NOCTTY);
				if (slave >= 0)
					dup2(slave, 2);
			}
			prctl(PR_SET_NAME, GRAND_COMM);
			close(ready[0]);
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		if (write(gpid_pipe[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	if (read(gpid_pipe[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
		return -1;
	char c;
	if (read(ready[0], &c, 1) != 1)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	kill(grandchild, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

static void test_stat(void **state)
{
	char comm[PROCCTX_COMM_MAX];
	pid_t ppid;
	int tty;

	assert_int_equal(procctx_read_stat(child, &ppid, comm, &tty), 0);
	assert_string_equal(comm, CHILD_COMM);
	assert_int_equal(ppid, getpid());
	assert_int_equal(procctx_read_stat(grandchild, &ppid, comm, NULL), 0);
	assert_string_equal(comm, GRAND_COMM);
	assert_int_equal(ppid, child);
	assert_int_equal(procctx_read_stat(0, &ppid, comm, NULL), 0);
	assert_int_equal(ppid, getppid());
	assert_true(procctx_read_stat(0x3fffffff, &ppid, comm, NULL) < 0);
}

static void test_chain(void **state)
{
	struct procctx pc;
	char want[256], self_comm[32];
	FILE *f = fopen("/proc/self/comm", "re");

	assert_non_null(f);
	assert_non_null(fgets(self_comm, sizeof(self_comm), f));
	fclose(f);
	self_comm[strcspn(self_comm, "\n")] = '\0';

	assert_int_equal(procctx_read(grandchild, 16, &pc), 0);
	assert_int_equal(pc.pid, grandchild);
	assert_true(pc.has_ppid);
	assert_int_equal(pc.ppid, child);
	assert_string_equal(pc.comm, GRAND_COMM);
	/* nearest first; < [ ] of a name shown as ? so they cannot fake ancestry */
	snprintf(want, sizeof(want), "kma?1??x[%d]<%s[%d]<%s[%d]<", (int)grandchild, CHILD_COMM,
		 (int)child, self_comm, (int)getpid());
	assert_non_null(pc.history);
	assert_memory_equal(pc.history, want, strlen(want));
	/* up to pid 1 */
	assert_non_null(strstr(pc.history, "[1]"));
	assert_string_equal(strstr(pc.history, "[1]"), "[1]");
	/* the executable of the grandchild: this test's */
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_string_equal(pc.exe, exe);
	/* fd 2 is a pty */
	assert_non_null(pc.terminal);
	assert_memory_equal(pc.terminal, "pts/", 4);
	procctx_release(&pc);

	/* depth */
	assert_int_equal(procctx_read(grandchild, 2, &pc), 0);
	snprintf(want, sizeof(want), "kma?1??x[%d]<%s[%d]", (int)grandchild, CHILD_COMM,
		 (int)child);
	assert_string_equal(pc.history, want);
	procctx_release(&pc);

	assert_int_equal(procctx_read(grandchild, 1, &pc), 0);
	snprintf(want, sizeof(want), "kma?1??x[%d]", (int)grandchild);
	assert_string_equal(pc.history, want);
	procctx_release(&pc);
}

static void test_gone(void **state)
{
	struct procctx pc;

	/* a process that is gone: everything unknown, no failure */
	assert_int_equal(procctx_read(0x3fffffff, 16, &pc), 0);
	assert_false(pc.has_ppid);
	assert_false(pc.has_comm);
	assert_null(pc.history);
	assert_null(pc.exe);
	assert_null(pc.terminal);
	procctx_release(&pc);
}

static void test_fd_path(void **state)
{
	char tmpl[] = "/tmp/kma fd 'x'-XXXXXX";
	int fd = mkstemp(tmpl);
	char *path = NULL;

	assert_true(fd >= 0);
	assert_int_equal(procctx_fd_path(getpid(), fd, &path), 0);
	assert_string_equal(path, tmpl);
	free(path);
	assert_int_equal(procctx_fd_path(0, fd, &path), 0);
	assert_string_equal(path, tmpl);
	free(path);
	unlink(tmpl);
	close(fd);
	assert_true(procctx_fd_path(0, fd, &path) < 0);
	assert_true(procctx_fd_path(0, -1, &path) < 0);
}

static void test_history_items(void **state)
{
	char buf[64];
	size_t len = 0;

	assert_int_equal(procctx_history_append(buf, sizeof(buf), &len, "a", 5), 0);
	assert_int_equal(procctx_history_append(buf, sizeof(buf), &len, "b<c[d]", 1), 0);
	assert_string_equal(buf, "a[5]<b?c?d?[1]");
	len = 0;
	assert_int_equal(procctx_history_append(buf, 4, &len, "abc", 1), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat),	      cmocka_unit_test(test_chain),
		cmocka_unit_test(test_gone),	      cmocka_unit_test(test_fd_path),
		cmocka_unit_test(test_history_items),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
