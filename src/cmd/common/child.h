/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A child process read and reaped within a deadline: shared by `kmodaudit check` and `preload`. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads FD (the child's end of a pipe closed here) to EOF into *out (NUL-terminated, *len bytes)
 * and reaps PID into *status, all within TIMEOUT_MS: a library that hangs in every process it is
 * loaded into must not hang us. Past the deadline the child is killed (SIGKILL) and reaped, and
 * -ETIMEDOUT returned; EOF alone is no exit (a child may close its output and then hang).
 * Closes FD. Returns 0 or -errno; *out is freed by the caller in every case.
 */
int check_child_collect(pid_t pid, int fd, long timeout_ms, char **out, size_t *len, int *status);
