/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Process context of the caller of a module syscall, read from /proc/<pid> so that it works for
 * this process (preload shim, kmod front end) and for another one (tracer): parent, command
 * name, ancestry, executable, terminal, and the file behind one of its fds.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#define PROCCTX_HISTORY_MAX 16
#define PROCCTX_COMM_MAX 16 /* TASK_COMM_LEN, with the NUL */

struct procctx {
	pid_t pid;
	bool has_ppid;
	pid_t ppid;
	char comm[PROCCTX_COMM_MAX]; /* raw bytes; "" if unreadable */
	bool has_comm;
	char *history;	/* "comm[pid]<comm[pid]<..." nearest first, or NULL */
	char *exe;	/* readlink /proc/<pid>/exe, or NULL */
	char *terminal; /* "pts/0", "tty1"... as libaudit names it, or NULL */
};

/* One line of /proc/<pid>/stat: ppid, comm (raw bytes, NUL-terminated), tty_nr. */
int procctx_read_stat(pid_t pid, pid_t *ppid, char comm[PROCCTX_COMM_MAX], int *tty_nr);

/*
 * Fill ctx for pid (0: this process). depth caps the history items (1..PROCCTX_HISTORY_MAX).
 * Never fails as a whole: what cannot be read is left unknown. Returns 0 or -ENOMEM.
 */
int procctx_read(pid_t pid, unsigned depth, struct procctx *ctx);
void procctx_release(struct procctx *ctx);

/*
 * History text for a chain of (comm, pid) items; '<', '[' and ']' inside a command name are
 * written as '?', so that a name cannot fake ancestry. Exposed for the tests.
 */
int procctx_history_append(char *buf, size_t size, size_t *len, const char *comm, pid_t pid);

/*
 * A number field of /proc/<pid>/status ("Tgid", "TracerPid"...; pid 0: this process; a thread's
 * tid gives that thread's view). Returns 0, -ENOENT if the field is absent, or -errno.
 */
int procctx_status_number(pid_t pid, const char *field, long *out);

/* The scheduler state letter of /proc/<pid>/stat ('R', 'S', 'D', 't'...). 0 or -errno. */
int procctx_state(pid_t pid, char *state);

/* The thread group (process) a thread belongs to, or -errno. */
pid_t procctx_tgid(pid_t tid);

/* readlink /proc/<pid>/fd/<fd> (pid 0: this process) into a malloc'ed string. */
int procctx_fd_path(pid_t pid, int fd, char **out);
