/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Process context from /proc/<pid>: stat, exe, fds. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"
#include "core/procctx.h"

static void proc_path(char *buf, size_t size, pid_t pid, const char *what)
{
	if (pid > 0)
		snprintf(buf, size, "/proc/%d/%s", (int)pid, what);
	else
		snprintf(buf, size, "/proc/self/%s", what);
}

/* /proc/<pid>/stat: each out pointer may be NULL. */
static int read_stat(pid_t pid, char *state_out, pid_t *ppid, char comm[PROCCTX_COMM_MAX],
		     int *tty_nr)
{
	_cleanup_close_ int fd = -1;
	char path[64], buf[512];
	const char *open_paren, *close_paren;
	char state;
	int p, pgrp, session, tty;
	ssize_t n;
	size_t clen;

	proc_path(path, sizeof(path), pid, "stat");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';

	/* "pid (comm) state ppid pgrp session tty_nr ...": comm may hold ')' and spaces */
	open_paren = memchr(buf, '(', n);
	close_paren = memrchr(buf, ')', n);
	if (!open_paren || !close_paren || close_paren < open_paren)
		return -EIO;
	if (sscanf(close_paren + 1, " %c %d %d %d %d", &state, &p, &pgrp, &session, &tty) != 5)
		return -EIO;
	clen = close_paren - open_paren - 1;
	if (clen >= PROCCTX_COMM_MAX)
		clen = PROCCTX_COMM_MAX - 1;
	if (comm) {
		memcpy(comm, open_paren + 1, clen);
		comm[clen] = '\0';
	}
	if (state_out)
		*state_out = state;
	if (ppid)
		*ppid = p;
	if (tty_nr)
		*tty_nr = tty;
	return 0;
}

int procctx_read_stat(pid_t pid, pid_t *ppid, char comm[PROCCTX_COMM_MAX], int *tty_nr)
{
	return read_stat(pid, NULL, ppid, comm, tty_nr);
}

int procctx_state(pid_t pid, char *state)
{
	return read_stat(pid, state, NULL, NULL, NULL);
}

pid_t procctx_tgid(pid_t tid)
{
	long tgid;
	int r = procctx_status_number(tid, "Tgid", &tgid);

	return r < 0 ? r : (pid_t)tgid;
}

int procctx_status_number(pid_t pid, const char *field, long *out)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t flen = strlen(field), size = 0;
	char path[64];

	proc_path(path, sizeof(path), pid, "status");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* getline: a long line (Groups:) must not be split into pieces that look like fields */
	while (getline(&line, &size, f) > 0)
		if (!strncmp(line, field, flen) && line[flen] == ':')
			return sscanf(line + flen + 1, "%ld", out) == 1 ? 0 : -EIO;
	return -ENOENT;
}

int procctx_history_append(char *buf, size_t size, size_t *len, const char *comm, pid_t pid)
{
	char item[PROCCTX_COMM_MAX + 16];
	size_t ilen = 0;

	if (*len)
		item[ilen++] = '<';
	for (const char *c = comm; *c && ilen < PROCCTX_COMM_MAX; c++)
		item[ilen++] = (*c == '<' || *c == '[' || *c == ']') ? '?' : *c;
	ilen += snprintf(item + ilen, sizeof(item) - ilen, "[%d]", (int)pid);
	if (*len + ilen + 1 > size)
		return -ENOSPC;
	memcpy(buf + *len, item, ilen);
	*len += ilen;
	buf[*len] = '\0';
	return 0;
}

static char *read_history(pid_t pid, const char *comm, pid_t ppid, unsigned depth)
{
	size_t size = PROCCTX_HISTORY_MAX * (PROCCTX_COMM_MAX + 16) + 1, len = 0;
	char *buf = malloc(size);
	pid_t seen[PROCCTX_HISTORY_MAX];
	unsigned items = 0;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	if (depth < 1 || depth > PROCCTX_HISTORY_MAX)
		depth = PROCCTX_HISTORY_MAX;

	procctx_history_append(buf, size, &len, comm, pid);
	seen[items++] = pid;
	while (items < depth && ppid > 0) {
		char pcomm[PROCCTX_COMM_MAX];
		pid_t next;
		bool loop = false;

		for (unsigned i = 0; i < items; i++)
			loop |= seen[i] == ppid;
		/* pid reuse while we walk could make a cycle: stop there */
		if (loop || procctx_read_stat(ppid, &next, pcomm, NULL) < 0)
			break;
		procctx_history_append(buf, size, &len, pcomm, ppid);
		seen[items++] = ppid;
		if (ppid == 1)
			break;
		ppid = next;
	}
	return buf;
}

static char *read_link(const char *path)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

int procctx_fd_path(pid_t pid, int fd, char **out)
{
	char path[64], what[32];

	if (fd < 0)
		return -EBADF;
	snprintf(what, sizeof(what), "fd/%d", fd);
	proc_path(path, sizeof(path), pid, what);
	*out = read_link(path);
	return *out ? 0 : (errno == ENOMEM ? -ENOMEM : -errno);
}

/* As libaudit's _get_tty(): the first of fds 0-2 that is a terminal, without "/dev/". */
static char *read_terminal(pid_t pid)
{
	for (int fd = 0; fd <= 2; fd++) {
		_cleanup_free_ char *target = NULL;
		struct stat st;

		if (procctx_fd_path(pid, fd, &target) < 0)
			continue;
		if (strncmp(target, "/dev/pts/", 9) && strncmp(target, "/dev/tty", 8) &&
		    strcmp(target, "/dev/console"))
			continue;
		/* the name alone could be a stale link or a look-alike: it must be a char device */
		if (stat(target, &st) < 0 || !S_ISCHR(st.st_mode))
			continue;
		return strdup(target + 5);
	}
	return NULL;
}

int procctx_read(pid_t pid, unsigned depth, struct procctx *ctx)
{
	char path[64];
	pid_t ppid;

	*ctx = (struct procctx){.pid = pid > 0 ? pid : getpid()};
	if (procctx_read_stat(pid, &ppid, ctx->comm, NULL) == 0) {
		ctx->has_comm = true;
		ctx->has_ppid = true;
		ctx->ppid = ppid;
		ctx->history = read_history(ctx->pid, ctx->comm, ppid, depth);
	}
	proc_path(path, sizeof(path), pid, "exe");
	ctx->exe = read_link(path);
	ctx->terminal = read_terminal(pid);
	return 0;
}

void procctx_release(struct procctx *ctx)
{
	free(ctx->history);
	free(ctx->exe);
	free(ctx->terminal);
	ctx->history = ctx->exe = ctx->terminal = NULL;
}
