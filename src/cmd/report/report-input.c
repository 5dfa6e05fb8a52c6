/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report's inputs, checked before auparse reads them: auparse takes a directory,
 * random bytes or plain text as an empty log and a missing or unreadable file as a message of
 * its own without the path, so each is an error here naming the file. "-" is standard input,
 * and one file named twice is read once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/report/report-view.h"
#include "macro.h"

#define SYSTEM_LOG "/var/log/audit/audit.log"
#define AUDITD_CONF "/etc/audit/auditd.conf"

/* Copy standard input to a memory file, so that auparse can open it by name. */
static int copy_stdin(void)
{
	char buf[65536];
	int fd = memfd_create("kmodaudit-report-stdin", MFD_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(fd, buf, (size_t)n) != n) {
			int r = n < 0 ? -errno : -EIO;

			close(fd);
			return r;
		}
	}
	return fd;
}

/*
 * An audit log's lines start "type=" or "node=": the first line (up to 4 KiB) tells a log from
 * anything else. An empty file is an empty log (a fresh rotation).
 */
static bool looks_like_log(int fd)
{
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return n == 0;
	buf[n] = '\0';
	return !strncmp(buf, "type=", 5) || !strncmp(buf, "node=", 5);
}

static int check_fd(const char *name, int fd, struct stat *st)
{
	if (fstat(fd, st) < 0) {
		fprintf(stderr, "kmodaudit report: %s: %m\n", name);
		return -errno;
	}
	if (S_ISDIR(st->st_mode)) {
		fprintf(stderr, "kmodaudit report: %s: is a directory, not an audit log\n", name);
		return -EISDIR;
	}
	if (!S_ISREG(st->st_mode)) {
		fprintf(stderr, "kmodaudit report: %s: not a regular file\n", name);
		return -EINVAL;
	}
	if (!looks_like_log(fd)) {
		fprintf(stderr,
			"kmodaudit report: %s: not an audit log (its first line is no audit "
			"record)\n",
			name);
		return -EINVAL;
	}
	return 0;
}

int rep_inputs_open(const char *const *files, size_t nfiles, struct rep_inputs *in)
{
	_cleanup_free_ struct stat *seen = calloc(nfiles + 1, sizeof(*seen));
	_cleanup_free_ char *stdin_path = NULL;

	*in = (struct rep_inputs){.stdin_fd = -1, .paths = calloc(nfiles + 1, sizeof(char *))};
	if (!seen || !in->paths)
		return -ENOMEM;
	for (size_t i = 0; i < nfiles; i++) {
		bool is_stdin = !strcmp(files[i], "-");
		const char *name = is_stdin ? "standard input" : files[i];
		struct stat st;
		bool dup = false;
		int fd, r;

		if (is_stdin && in->stdin_fd >= 0) {
			fprintf(stderr,
				"kmodaudit report: - named twice: standard input read once\n");
			continue;
		}
		fd = is_stdin ? copy_stdin() : open(files[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			r = is_stdin ? fd : -errno;
			fprintf(stderr, "kmodaudit report: %s: %s\n", name, strerror(-r));
			return r;
		}
		r = check_fd(name, fd, &st);
		if (r < 0) {
			close(fd);
			return r;
		}
		for (size_t j = 0; j < in->n && !dup; j++)
			dup = seen[j].st_dev == st.st_dev && seen[j].st_ino == st.st_ino;
		if (dup) {
			fprintf(stderr, "kmodaudit report: %s: named more than once, read once\n",
				name);
			close(fd);
			continue;
		}
		seen[in->n] = st;
		if (is_stdin) {
			in->stdin_fd = fd;
			if (asprintf(&stdin_path, "/proc/self/fd/%d", fd) < 0)
				return -ENOMEM;
			in->paths[in->n++] = TAKE_PTR(stdin_path);
		} else {
			close(fd);
			in->paths[in->n++] = strdup(files[i]);
			if (!in->paths[in->n - 1])
				return -ENOMEM;
		}
	}
	return 0;
}

/* auditd.conf's log_file (as auparse reads the system's logs), else the default. */
static char *system_log(void)
{
	_cleanup_fclose_ FILE *f = fopen(AUDITD_CONF, "re");
	char line[4096];

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t"), *v, *e;

		if (strncmp(p, "log_file", 8))
			continue;
		p += 8 + strspn(p + 8, " \t");
		if (*p != '=')
			continue;
		v = p + 1 + strspn(p + 1, " \t");
		e = v + strcspn(v, " \t\r\n");
		*e = '\0';
		if (*v == '/')
			return strdup(v);
	}
	return strdup(SYSTEM_LOG);
}

int rep_inputs_system(void)
{
	_cleanup_free_ char *path = system_log();
	int fd;

	if (!path)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;

		fprintf(stderr, "kmodaudit report: %s: %s%s\n", path, strerror(-r),
			r == -EACCES ? " (the audit logs are readable by root and auditd's "
				       "log_group)"
				     : "");
		return r;
	}
	close(fd);
	return 0;
}

void rep_inputs_free(struct rep_inputs *in)
{
	for (size_t i = 0; in->paths && i < in->n; i++)
		free((char *)in->paths[i]);
	free(in->paths);
	if (in->stdin_fd >= 0)
		close(in->stdin_fd);
	*in = (struct rep_inputs){.stdin_fd = -1};
}
