/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The attacker who changes a module call's memory between the emitter's read and the kernel's,
 * made deterministic: a seccomp filter stops the calling thread at the system call itself (after
 * any preload shim has read and recorded the arguments, before the kernel reads them), a second
 * thread rewrites the caller's memory, then lets the kernel go on with the call
 * (SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel reads the arguments only now).
 *
 *   kma-race unload NAME [LEN] delete_module on LEN 'X' and a NUL (55 by default: the longest
 *                              name a kernel looks up; over 55, a name no kernel can look up),
 *                              rewritten to "NAME" at the stop
 *   kma-race init BAIT REAL    init_module(buf, size of REAL): buf holds BAIT's bytes and its
 *                              last page is PROT_NONE (only a prefix is readable); at the stop
 *                              the page is made readable and REAL's bytes are put in place
 *
 * Prints what the kernel reads at the pointer it was given, as the stopped thread saw it
 * ("kernel_read=" for an unload: up to a NUL, at most the 56 bytes a kernel reads,
 * "kernel_ptr=caller|other" for a load), then the loader's account "pid=P syscall=S ret=R". Exit 77
 * when this kernel has no seccomp user notification. Plain libc, no project code: the shim is what
 * may be preloaded into it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "kma-race: add this architecture's AUDIT_ARCH"
#endif
#define NAME_READ_MAX 56 /* MODULE_NAME_LEN: the most a kernel reads of the name */
#define PAGE 4096UL

static int listener = -1;
static long stopped_nr;
static char *buf;     /* the caller's memory */
static size_t buflen; /* its mapping's length */
static const char *new_name;
static unsigned char *real;
static size_t real_len;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0)
		die(path);
	p = malloc((size_t)st.st_size);
	if (!p || read(fd, p, (size_t)st.st_size) != st.st_size)
		die(path);
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* Stop every call of system call nr in this process at a user notification. */
static int stop_at(long nr)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		printf("SKIP: no seccomp user notification here: %s\n", strerror(errno));
		exit(77);
	}
	stopped_nr = nr;
	return listener;
}

/* The second thread: one stop, the rewrite, then the kernel goes on with the call. */
static void *attacker(void *unused)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	(void)unused;
	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		die("SECCOMP_IOCTL_NOTIF_RECV");
	if (req.data.nr != stopped_nr)
		die("stopped at another system call");
	if (stopped_nr == SYS_delete_module) {
		const char *kernel = (const char *)(uintptr_t)req.data.args[0];

		memset(buf, 0, PAGE);
		memcpy(buf, new_name, strlen(new_name));
		/* what strncpy_from_user() will read there now */
		printf("kernel_read=%.*s\n", NAME_READ_MAX, kernel);
	} else {
		if (mprotect(buf, buflen, PROT_READ | PROT_WRITE) < 0)
			die("mprotect");
		memcpy(buf, real, real_len);
		printf("kernel_ptr=%s kernel_len=%llu\n",
		       req.data.args[0] == (uintptr_t)buf ? "caller" : "other",
		       (unsigned long long)req.data.args[1]);
	}
	fflush(stdout);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0)
		die("SECCOMP_IOCTL_NOTIF_SEND");
	return NULL;
}

int main(int argc, char *argv[])
{
	pthread_t t;
	long ret;
	const char *what;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "unload")) {
		size_t len = argc == 4 ? strtoul(argv[3], NULL, 10) : 55;

		new_name = argv[2];
		if (strlen(new_name) >= NAME_READ_MAX || len >= 256)
			die("NAME or LEN too long");
		buflen = PAGE;
		buf = mmap(NULL, buflen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			   0);
		if (buf == MAP_FAILED)
			die("mmap");
		memset(buf, 'X', len);
		buf[len] = '\0';
		stop_at(SYS_delete_module);
	} else if (argc == 4 && !strcmp(argv[1], "init")) {
		size_t bait_len;
		void *bait = read_file(argv[2], &bait_len);

		real = read_file(argv[3], &real_len);
		buflen = (real_len + PAGE - 1) & ~(PAGE - 1);
		if (bait_len > buflen - PAGE)
			die("BAIT must be a page shorter than REAL");
		buf = mmap(NULL, buflen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			   0);
		if (buf == MAP_FAILED)
			die("mmap");
		memcpy(buf, bait, bait_len);
		free(bait);
		if (mprotect(buf + buflen - PAGE, PAGE, PROT_NONE) < 0)
			die("mprotect");
		stop_at(SYS_init_module);
	} else {
		fprintf(stderr,
			"usage: kma-race unload NAME [LEN] | kma-race init BAIT.ko REAL.ko\n");
		return 2;
	}
	if (pthread_create(&t, NULL, attacker, NULL) != 0)
		die("pthread_create");
	if (stopped_nr == SYS_delete_module) {
		what = "delete_module";
		ret = syscall(SYS_delete_module, buf, 0);
	} else {
		what = "init_module";
		ret = syscall(SYS_init_module, buf, real_len, "");
	}
	printf("pid=%d syscall=%s ret=%ld\n", (int)getpid(), what, ret < 0 ? -(long)errno : ret);
	pthread_join(t, NULL);
	free(real);
	return 0;
}
