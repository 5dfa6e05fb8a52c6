/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-deny SYSCALL CMD [ARGS...]: run CMD where SYSCALL fails with EPERM (a seccomp filter, kept
 * across exec), as some container profiles do with process_vm_readv.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	scmp_filter_ctx f;
	int nr;

	if (argc < 3) {
		fprintf(stderr, "usage: kma-deny SYSCALL CMD [ARGS...]\n");
		return 2;
	}
	nr = seccomp_syscall_resolve_name(argv[1]);
	f = seccomp_init(SCMP_ACT_ALLOW);
	if (nr == __NR_SCMP_ERROR || !f || seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(f) < 0) {
		fprintf(stderr, "kma-deny: cannot install the filter\n");
		return 2;
	}
	seccomp_release(f);
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
