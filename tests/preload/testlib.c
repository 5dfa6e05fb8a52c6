/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small real libraries for the preload tests, one behaviour each (chosen at build time):
 * TESTLIB_OK loads quietly (and, when PRELOAD_TEST_MARK names a file, appends the pid there,
 * proving ld.so really preloaded it); the others fail the way a broken preload would (MUTEHANG:
 * closes stderr, then hangs).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void testlib_init(void)
{
#if defined(TESTLIB_EXIT)
	_exit(1);
#elif defined(TESTLIB_CRASH)
	raise(SIGSEGV);
#elif defined(TESTLIB_HANG)
	for (;;)
		pause();
#elif defined(TESTLIB_MUTEHANG)
	/* Closes stderr first: whoever waits for EOF on it then waits for an exit that never comes.
	 */
	close(STDERR_FILENO);
	for (;;)
		pause();
#elif defined(TESTLIB_NOISY)
	static const char msg[] = "testlib: something went wrong\n";

	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		return;
#else
	const char *mark = getenv("PRELOAD_TEST_MARK");
	char buf[32];
	int fd, n;

	if (!mark)
		return;
	fd = open(mark, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, n) < 0)
		n = 0;
	close(fd);
#endif
}
