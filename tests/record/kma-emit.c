/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Test driver of the emit lifecycle, as an emitter uses it: kma_ctx_new, kma_call_begin, the
 * real syscall (raw), kma_call_end. Prints one line: "begin=RC seq-call-ms=MS ret=RET".
 *
 *	kma-emit [options] delete NAME
 *	kma-emit [options] init FILE      (the file's bytes as the init_module image)
 *	kma-emit [options] finit FILE
 * options: --config PATH  --json PATH  --args STR  --args-hex HEX  --name-hex HEX (delete)
 *	    --hint STR  --comm-hex HEX  --flags N  --count N  --secure
 *	    --change-file  (finit: append a byte to the file between begin and the syscall)
 *	    --rewrite-file (finit: the same, but overwrite the first byte in place and put the
 *	                    file's mtime back: only its ctime tells)
 *	    --no-ack   (seccomp: every recvfrom/recvmsg fails with EAGAIN, as if the kernel never
 *	                acknowledged: the audit sink's bounded wait is what is left)
 *	    --late-status (the kernel's AUDIT_GET reply is discarded, as when the kernel thread
 *	                that sends it comes after the wait: the record itself is acknowledged)
 */
#include <seccomp.h>
#include <dirent.h>
#include <dlfcn.h>
#include <libaudit.h>
#include <linux/netlink.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/emit.h"
#include "macro.h"
#include "../lib/fd-count.h"

static bool late_status;

/*
 * Interposes libaudit's recvfrom (audit_get_reply): with --late-status, a status reply
 * (AUDIT_GET) is read and thrown away, and the caller sees "nothing yet" (EAGAIN).
 */
__attribute__((visibility("default"))) ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
							struct sockaddr *addr, socklen_t *addrlen)
{
	static ssize_t (*next)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t n;

	if (!next)
		next = (ssize_t(*)(int, void *, size_t, int, struct sockaddr *, socklen_t *))dlsym(
			RTLD_NEXT, "recvfrom");
	n = next(fd, buf, len, flags, addr, addrlen);
	if (late_status && n >= (ssize_t)sizeof(struct nlmsghdr) &&
	    ((struct nlmsghdr *)buf)->nlmsg_type == AUDIT_GET) {
		if (flags & MSG_PEEK)
			next(fd, buf, len, flags & ~MSG_PEEK, addr, addrlen);
		errno = EAGAIN;
		return -1;
	}
	return n;
}

static char *unhex(const char *h)
{
	size_t n = strlen(h) / 2;
	char *s = calloc(1, n + 1);

	for (size_t i = 0; s && i < n; i++)
		sscanf(h + 2 * i, "%2hhx", (unsigned char *)&s[i]);
	return s;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *read_file(const char *path, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	buf = malloc(st.st_size + 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		return NULL;
	}
	*len = st.st_size;
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"json", required_argument, NULL, 'j'},
		{"args", required_argument, NULL, 'a'},
		{"args-hex", required_argument, NULL, 'A'},
		{"name-hex", required_argument, NULL, 'N'},
		{"hint", required_argument, NULL, 'h'},
		{"comm-hex", required_argument, NULL, 'C'},
		{"flags", required_argument, NULL, 'f'},
		{"count", required_argument, NULL, 'n'},
		{"secure", no_argument, NULL, 's'},
		{"no-ack", no_argument, NULL, 'K'},
		{"late-status", no_argument, NULL, 'L'},
		{"change-file", no_argument, NULL, 'X'},
		{"rewrite-file", no_argument, NULL, 'W'},
		{},
	};
	struct kma_ctx_opts opts = {0};
	struct kma_call call = kma_call_init(KMA_SYS_INIT_MODULE, KMA_VIA_PRELOAD, 0);
	_cleanup_free_ char *args = NULL, *name = NULL, *comm = NULL;
	_cleanup_free_ void *image = NULL;
	_cleanup_close_ int fd = -1;
	struct kma_ctx *ctx;
	int count = 1, c, r;
	bool no_ack = false, change_file = false, rewrite_file = false;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			opts.config_path = optarg;
			break;
		case 'j':
			opts.json_path = optarg;
			break;
		case 'a':
			free(args);
			args = strdup(optarg);
			break;
		case 'A':
			free(args);
			args = unhex(optarg);
			break;
		case 'N':
			free(name);
			name = unhex(optarg);
			break;
		case 'h':
			call.name_hint = optarg;
			break;
		case 'C':
			free(comm);
			comm = unhex(optarg);
			break;
		case 'f':
			call.flags = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 's':
			opts.secure = true;
			break;
		case 'K':
			no_ack = true;
			break;
		case 'L':
			late_status = true;
			break;
		case 'X':
			change_file = true;
			break;
		case 'W':
			rewrite_file = true;
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: kma-emit [options] delete|init|finit NAME|FILE\n");
		return 2;
	}
	if (comm)
		prctl(PR_SET_NAME, comm);
	call.args = args ? args : "";

	if (!strcmp(argv[optind], "delete")) {
		call.syscall = KMA_SYS_DELETE_MODULE;
		call.name = name ? name : argv[optind + 1];
	} else if (!strcmp(argv[optind], "init")) {
		call.syscall = KMA_SYS_INIT_MODULE;
		image = read_file(argv[optind + 1], &call.image_len);
		if (!image) {
			perror("read image");
			return 2;
		}
		call.image = image;
	} else if (!strcmp(argv[optind], "finit")) {
		call.syscall = KMA_SYS_FINIT_MODULE;
		fd = open(argv[optind + 1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror("open");
			return 2;
		}
		call.fd = fd;
		call.caller_fd = fd;
	} else {
		return 2;
	}

	if (no_ack) {
		scmp_filter_ctx sc = seccomp_init(SCMP_ACT_ALLOW);
		if (!sc || seccomp_rule_add(sc, SCMP_ACT_ERRNO(EAGAIN), SCMP_SYS(recvfrom), 0) ||
		    seccomp_rule_add(sc, SCMP_ACT_ERRNO(EAGAIN), SCMP_SYS(recvmsg), 0) ||
		    seccomp_load(sc)) {
			fprintf(stderr, "seccomp failed\n");
			return 2;
		}
		seccomp_release(sc);
	}
	int fds_before = count_open_fds();
	r = kma_ctx_new(&opts, &ctx);
	if (r < 0) {
		fprintf(stderr, "kma_ctx_new: %s\n", strerror(-r));
		return 1;
	}
	for (int i = 0; i < count; i++) {
		struct kma_pending *p = NULL;
		long long t0 = now_us();
		long ret;

		r = kma_call_begin(ctx, &call, &p);
		long long t1 = now_us();
		if (r < 0) {
			printf("begin=%d begin-ms=%.1f ret=none\n", r, (t1 - t0) / 1000.0);
			continue;
		}
		if (change_file && call.syscall == KMA_SYS_FINIT_MODULE) {
			int w = open(argv[optind + 1], O_WRONLY | O_APPEND | O_CLOEXEC);
			if (w < 0 || write(w, "", 1) != 1)
				perror("change file");
			if (w >= 0)
				close(w);
		}
		if (rewrite_file && call.syscall == KMA_SYS_FINIT_MODULE) {
			int w = open(argv[optind + 1], O_RDWR | O_CLOEXEC);
			struct stat st;
			unsigned char b = 0;

			if (w < 0 || fstat(w, &st) < 0 || pread(w, &b, 1, 0) < 0)
				perror("rewrite file");
			b ^= 0xff;
			if (w >= 0 && (pwrite(w, &b, 1, 0) != 1 ||
				       futimens(w, (struct timespec[]){st.st_atim, st.st_mtim})))
				perror("rewrite file");
			if (w >= 0)
				close(w);
		}
		switch (call.syscall) {
		case KMA_SYS_DELETE_MODULE:
			ret = syscall(SYS_delete_module, call.name, call.flags);
			break;
		case KMA_SYS_INIT_MODULE:
			ret = syscall(SYS_init_module, call.image, call.image_len, call.args);
			break;
		default:
			ret = syscall(SYS_finit_module, call.fd, call.args, call.flags);
			break;
		}
		if (ret < 0)
			ret = -errno;
		kma_call_end(ctx, p, ret);
		printf("begin=%d begin-ms=%.1f ret=%ld\n", r, (t1 - t0) / 1000.0, ret);
	}
	kma_ctx_free(ctx);
	/* every socket and file of the sinks is closed again */
	if (count_open_fds() != fds_before) {
		printf("fd-leak: %d fds before, %d after\n", fds_before, count_open_fds());
		return 1;
	}
	return 0;
}
