/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A loader that tries to hide its module call from kmodaudit trace behind a seccomp user
 * notification: it stacks a filter that answers delete_module with SECCOMP_RET_USER_NOTIF (an
 * action that outranks the tracer's RET_TRACE) and lets the call go on from a thread of its
 * own (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
 *
 *	kma-trace-notif-loader NAME
 *
 * Prints "listener=ok" or "listener=-ERRNO" (the filter with a listener was refused), then
 * "notified=1" when its own thread saw the call, then "pid=P syscall=delete_module ret=R".
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "raw-syscall.h"

static int listener = -1;
static volatile int notified;

/* Answer one notification: let the call run in the kernel as if no filter were there. */
static void *supervise(void *unused)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	(void)unused;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return NULL;
	notified = 1;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_DELETE_MODULE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(insns) / sizeof(insns[0]), .filter = insns};
	pthread_t thread;
	long ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s NAME\n", argv[0]);
		return 2;
	}
	/* Without CAP_SYS_ADMIN the kernel takes a filter only under no_new_privs. */
	prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		printf("listener=-%d\n", errno);
	} else {
		printf("listener=ok\n");
		if (pthread_create(&thread, NULL, supervise, NULL) != 0)
			return 2;
	}
	fflush(stdout);
	ret = raw_syscall3(NR_DELETE_MODULE, (long)argv[1], 0, 0);
	if (listener >= 0)
		pthread_join(thread, NULL);
	if (notified)
		printf("notified=1\n");
	printf("pid=%d syscall=delete_module ret=%ld\n", (int)getpid(), ret);
	return 0;
}
