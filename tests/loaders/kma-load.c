/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-load: the project's own module loader, for tests and benchmarks. It makes the module
 * system calls the ways real loaders do: libc's wrappers, syscall(), an fd or memory.
 *
 *	kma-load [-c COUNT] [-t] [-f] OP ARGS...
 *
 *	init FILE [PARAMS]            read FILE into memory, libc's init_module()
 *	init-syscall FILE [PARAMS]    the same through syscall(SYS_init_module, ...)
 *	finit FILE [PARAMS [FLAGS]]   open FILE read-only, syscall(SYS_finit_module, fd, ...)
 *	finit-fd FD [PARAMS [FLAGS]]  syscall(SYS_finit_module) on an fd it inherited
 *	delete NAME [FLAGS]           libc's delete_module()
 *	delete-syscall NAME [FLAGS]   syscall(SYS_delete_module, ...)
 *
 *	-c COUNT   make the call COUNT times (default 1), same arguments
 *	-t         also print each call's duration in nanoseconds
 *	-f         also print each call's page faults (minor, of the calling thread)
 *
 * FLAGS are numbers (0x.. accepted). One line per call on stdout:
 *	"OP ret=R errno=NAME" (errno=0 on success) [ns=N] [minflt=N]
 * Exit status: 0 when every call succeeded, 1 when one failed, 2 on usage or file errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* glibc exports init_module and delete_module but declares neither. */
long init_module(void *image, unsigned long len, const char *args);
long delete_module(const char *name, unsigned int flags);

static void usage(void)
{
	fprintf(stderr,
		"usage: kma-load [-c COUNT] [-t] [-f] init|init-syscall|finit|finit-fd|delete|"
		"delete-syscall ARGS...\n");
	exit(2);
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "kma-load: %s: %m\n", path);
		exit(2);
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		fprintf(stderr, "kma-load: %s: out of memory\n", path);
		exit(2);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			fprintf(stderr, "kma-load: %s: short read\n", path);
			exit(2);
		}
		done += (size_t)n;
	}
	close(fd);
	*len = done;
	return buf;
}

static unsigned long number(const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end)
		usage();
	return v;
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long count = 1, flags = 0;
	const char *op, *params = "";
	void *image = NULL;
	size_t len = 0;
	int fd = -1, opt, failed = 0, timed = 0, faults = 0;

	while ((opt = getopt(argc, argv, "+c:tf")) != -1) {
		if (opt == 'c')
			count = number(optarg);
		else if (opt == 't')
			timed = 1;
		else if (opt == 'f')
			faults = 1;
		else
			usage();
	}
	if (argc - optind < 2)
		usage();
	op = argv[optind];
	argv += optind + 1;
	argc -= optind + 1;

	if (!strcmp(op, "init") || !strcmp(op, "init-syscall")) {
		if (argc > 2)
			usage();
		image = read_file(argv[0], &len);
		if (argc > 1)
			params = argv[1];
	} else if (!strcmp(op, "finit") || !strcmp(op, "finit-fd")) {
		if (argc > 3)
			usage();
		if (!strcmp(op, "finit")) {
			fd = open(argv[0], O_RDONLY | O_CLOEXEC);
			if (fd < 0) {
				fprintf(stderr, "kma-load: %s: %m\n", argv[0]);
				return 2;
			}
		} else {
			fd = (int)number(argv[0]);
		}
		if (argc > 1)
			params = argv[1];
		if (argc > 2)
			flags = number(argv[2]);
	} else if (!strcmp(op, "delete") || !strcmp(op, "delete-syscall")) {
		if (argc > 2)
			usage();
		if (argc > 1)
			flags = number(argv[1]);
	} else {
		usage();
	}

	for (unsigned long i = 0; i < count; i++) {
		long long t0 = now_ns(), t1;
		long f0 = minor_faults(), f1;
		long ret;
		int err;

		errno = 0;
		if (!strcmp(op, "init"))
			ret = init_module(image, len, params);
		else if (!strcmp(op, "init-syscall"))
			ret = syscall(SYS_init_module, image, len, params);
		else if (op[0] == 'f')
			ret = syscall(SYS_finit_module, fd, params, (int)flags);
		else if (!strcmp(op, "delete"))
			ret = delete_module(argv[0], (unsigned int)flags);
		else
			ret = syscall(SYS_delete_module, argv[0], (unsigned int)flags);
		err = ret < 0 ? errno : 0;
		t1 = now_ns();
		f1 = minor_faults();
		printf("%s ret=%ld errno=%s", op, ret, err ? strerrorname_np(err) : "0");
		if (timed)
			printf(" ns=%lld", t1 - t0);
		if (faults)
			printf(" minflt=%ld", f1 - f0);
		putchar('\n');
		if (ret < 0)
			failed = 1;
	}
	free(image);
	return failed;
}
