/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vfork-seq TAG: module calls in one process around a vfork child's and a fork child's own:
 *   parent  delete_module TAG_p1
 *   vfork child  delete_module TAG_v, init_module (16 bytes, args "kmatag=TAG_v")
 *   parent  delete_module TAG_p2, init_module (args "kmatag=TAG_p3")
 *   fork child  delete_module TAG_f
 *   parent  delete_module TAG_p4
 * The vfork child runs in the parent's memory; its records and the parent's must each keep
 * seq unique per process. Plain libc: the shim is what is preloaded into it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char names[8][80];
static char image[16] = "not a module";

static void unload(int i, const char *tag, const char *what)
{
	snprintf(names[i], sizeof(names[i]), "%s_%s", tag, what);
	syscall(SYS_delete_module, names[i], 0);
}

static void load(int i, const char *tag, const char *what)
{
	snprintf(names[i], sizeof(names[i]), "kmatag=%s_%s", tag, what);
	syscall(SYS_init_module, image, sizeof(image), names[i]);
}

int main(int argc, char *argv[])
{
	const char *tag = argc > 1 ? argv[1] : "kmavf";
	int status;
	pid_t pid;

	unload(0, tag, "p1");
	pid = vfork();
	if (pid == 0) {
		unload(1, tag, "v");
		load(2, tag, "v");
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	unload(3, tag, "p2");
	load(4, tag, "p3");
	pid = fork();
	if (pid == 0) {
		unload(5, tag, "f");
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	unload(6, tag, "p4");
	printf("pid=%d\n", (int)getpid());
	return 0;
}
