/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-noack CMD [ARGS...]: run CMD where no reply ever arrives on a socket: every recvfrom,
 * recvmsg and recvmmsg fails with EAGAIN (a seccomp filter, kept across exec), as if the
 * kernel never acknowledged an audit message. What is left to the audit sink is its bounded
 * wait.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	scmp_filter_ctx f;

	if (argc < 2) {
		fprintf(stderr, "usage: kma-noack CMD [ARGS...]\n");
		return 2;
	}
	f = seccomp_init(SCMP_ACT_ALLOW);
	if (!f || seccomp_rule_add(f, SCMP_ACT_ERRNO(EAGAIN), SCMP_SYS(recvfrom), 0) < 0 ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(EAGAIN), SCMP_SYS(recvmsg), 0) < 0 ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(EAGAIN), SCMP_SYS(recvmmsg), 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(f) < 0) {
		fprintf(stderr, "kma-noack: cannot install the filter\n");
		return 2;
	}
	seccomp_release(f);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
