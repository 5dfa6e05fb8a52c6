/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/common/fileio.h"
#include "cmd/rules/rules-initramfs.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

#define MARKER "# kmodaudit: early kernel module audit rules"

/*
 * Only the syscall rules go in: watches need their parent directories, which the initramfs
 * lacks, and -e/-b/-f belong to augenrules later. The rules are read when the initramfs is
 * built, so update-initramfs after a rules change carries the change.
 */
static const char hook[] =
	"#!/bin/sh\n" MARKER " (kmodaudit rules --install --initramfs)\n"
	"# Copies auditctl and the syscall rules of " RULES_FILE "\n"
	"# into the initramfs; init-top/" RULES_INITRAMFS_NAME " loads them.\n"
	"PREREQ=\"\"\n"
	"case \"$1\" in prereqs) echo \"$PREREQ\"; exit 0 ;; esac\n"
	". /usr/share/initramfs-tools/hook-functions\n"
	"[ -r " RULES_FILE " ] && [ -x /sbin/auditctl ] || exit 0\n"
	"copy_exec /sbin/auditctl /sbin\n"
	"mkdir -p \"$DESTDIR/etc/kmodaudit\"\n"
	"grep -E '^-a [^#]* -S ' " RULES_FILE " >\"$DESTDIR/etc/kmodaudit/early.rules\" || true\n";

/* init-top runs before udev (scripts/init-top/udev) loads any module in the initramfs. */
static const char script[] =
	"#!/bin/sh\n" MARKER " (kmodaudit rules --install --initramfs)\n"
	"# Loads the kernel's module audit rules before udev runs: with audit=1 and\n"
	"# audit_backlog_limit=8192 on the kernel command line the records wait for auditd.\n"
	"PREREQ=\"\"\n"
	"case \"$1\" in prereqs) echo \"$PREREQ\"; exit 0 ;; esac\n"
	"[ -x /sbin/auditctl ] && [ -s /etc/kmodaudit/early.rules ] || exit 0\n"
	"/sbin/auditctl -R /etc/kmodaudit/early.rules >/dev/null 2>&1 ||\n"
	"\techo \"kmodaudit: the early module audit rules did not load\" >/dev/kmsg\n"
	"exit 0\n";

static int write_at(const char *dir, const char *name, const char *text)
{
	_cleanup_close_ int dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir_fd < 0)
		return -errno;
	/* The temporary name starts with a dot: initramfs-tools skips such files. */
	return fileio_replace_at(dir_fd, name, "." RULES_INITRAMFS_NAME ".", text, strlen(text),
				 0755, (uid_t)-1, (gid_t)-1);
}

int rules_initramfs_install(bool update)
{
	static const struct {
		const char *dir, *path, *text;
	} files[] = {
		{RULES_INITRAMFS_DIR "/hooks", RULES_INITRAMFS_HOOK, hook},
		{RULES_INITRAMFS_DIR "/scripts/init-top", RULES_INITRAMFS_SCRIPT, script},
	};
	pid_t pid;
	int status;

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int r = write_at(files[i].dir, RULES_INITRAMFS_NAME, files[i].text);

		if (r < 0) {
			fprintf(stderr, "kmodaudit rules: cannot write %s: %s%s\n", files[i].path,
				strerror(-r),
				r == -ENOENT ? " (is initramfs-tools installed?)" : "");
			return 1;
		}
		printf("wrote %s\n", files[i].path);
	}
	printf("boot with audit=1 audit_backlog_limit=8192 so that the kernel keeps the "
	       "records until auditd runs\n");
	if (!update) {
		printf("run update-initramfs -u to put the rules into the initramfs\n");
		return 0;
	}
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		execlp("update-initramfs", "update-initramfs", "-u", (char *)NULL);
		fprintf(stderr, "kmodaudit rules: cannot run update-initramfs: %m\n");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "kmodaudit rules: update-initramfs -u failed\n");
		return 1;
	}
	printf("updated the initramfs (update-initramfs -u)\n");
	return 0;
}

static bool ours(const char *root, const char *path)
{
	char line[sizeof("#!/bin/sh\n" MARKER)];
	_cleanup_close_ int fd = rules_open_in_root(root, path, O_RDONLY);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR))
		return false;
	return read(fd, line, sizeof(line) - 1) == (ssize_t)sizeof(line) - 1 &&
	       memcmp(line, "#!/bin/sh\n" MARKER, sizeof(line) - 1) == 0;
}

int rules_initramfs_state(const char *root)
{
	_cleanup_close_ int fd =
		rules_open_in_root(root, RULES_INITRAMFS_DIR, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return -ENOENT;
	return ours(root, RULES_INITRAMFS_HOOK) && ours(root, RULES_INITRAMFS_SCRIPT);
}
