/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Is this thread traced by kmodaudit trace? Recognised by the tracer's executable: the installed
 * command, or in a test build (KMODAUDIT_TEST_TRACER) also the build tree's, which the tests
 * trace with; a package carries no build path. A process that fakes such a
 * tracer only loses its own in-process record, which it could as well have bypassed with a raw
 * syscall instruction; the tracer's record is what cannot be bypassed, so trusting a path too
 * much costs nothing and trusting too little costs a duplicate record.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "core/procctx.h"
#include "core/traced.h"

static bool same_file_path(const char *exe, const char *candidate)
{
	char real[PATH_MAX];

	return realpath(candidate, real) && !strcmp(exe, real);
}

static bool is_kmodaudit_exe(pid_t tracer)
{
	static const char deleted[] = " (deleted)";
	char path[64], exe[PATH_MAX], comm[PROCCTX_COMM_MAX];
	pid_t ppid;
	ssize_t n;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)tracer);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0) {
		/*
		 * A tracer we may not inspect is more privileged than us (root tracing a process
		 * that dropped to another user): not one this process could have picked. Its
		 * command name is all /proc shows us of it.
		 */
		if (errno != EACCES && errno != EPERM)
			return false;
		return procctx_read_stat(tracer, &ppid, comm, NULL) == 0 &&
		       !strcmp(comm, "kmodaudit");
	}
	exe[n] = '\0';
	/* The package was upgraded under a running tracer: still the command. */
	len = (size_t)n;
	if (len > sizeof(deleted) - 1 && !strcmp(exe + len - (sizeof(deleted) - 1), deleted))
		exe[len - (sizeof(deleted) - 1)] = '\0';
#ifdef KMODAUDIT_TEST_TRACER
	if (same_file_path(exe, KMODAUDIT_BUILD_DIR "/src/kmodaudit"))
		return true;
#endif
	return same_file_path(exe, KMODAUDIT_CMD_PATH);
}

bool traced_by_kmodaudit(void)
{
	long tracer = 0;

	/* Per thread: a thread cloned with CLONE_UNTRACED has no tracer of its own. */
	if (procctx_status_number(gettid(), "TracerPid", &tracer) < 0 || tracer <= 0)
		return false;
	return is_kmodaudit_exe((pid_t)tracer);
}
