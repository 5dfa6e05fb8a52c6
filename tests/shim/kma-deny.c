/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-deny SYSCALL[,SYSCALL...][:ERRNO] CMD [ARGS...]: run CMD where each SYSCALL fails with
 * ERRNO (a name such as EAGAIN, or a number; EPERM when left out), through a seccomp filter
 * kept across exec. As some container profiles deny process_vm_readv; or, denying recvfrom,
 * recvmsg and recvmmsg with EAGAIN, as if the kernel never acknowledged an audit message.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int errno_of(const char *s)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {{"EPERM", EPERM}, {"EAGAIN", EAGAIN}, {"ENOSYS", ENOSYS}, {"EACCES", EACCES}};
	char *end;
	long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].value;
	n = strtol(s, &end, 10);
	return *s && !*end && n > 0 && n < 4096 ? (int)n : -1;
}

int main(int argc, char *argv[])
{
	scmp_filter_ctx f;
	char *spec, *colon, *name, *save = NULL;
	int err = EPERM;

	if (argc < 3) {
		fprintf(stderr, "usage: kma-deny SYSCALL[,SYSCALL...][:ERRNO] CMD [ARGS...]\n");
		return 2;
	}
	spec = argv[1];
	colon = strchr(spec, ':');
	if (colon) {
		*colon = '\0';
		err = errno_of(colon + 1);
		if (err < 0) {
			fprintf(stderr, "kma-deny: unknown errno %s\n", colon + 1);
			return 2;
		}
	}
	f = seccomp_init(SCMP_ACT_ALLOW);
	if (!f)
		return 2;
	for (name = strtok_r(spec, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR || seccomp_rule_add(f, SCMP_ACT_ERRNO(err), nr, 0) < 0) {
			fprintf(stderr, "kma-deny: cannot deny %s\n", name);
			return 2;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load(f) < 0) {
		fprintf(stderr, "kma-deny: cannot install the filter\n");
		return 2;
	}
	seccomp_release(f);
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
