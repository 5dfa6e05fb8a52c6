/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/load-cost's worker: one process, the module system calls made the way loaders make
 * them (libc's syscall(), which the preload shim intercepts when it is preloaded), each timed
 * in CPU time of the calling thread (the shim works in it) and in wall time.
 *
 *	load-cost sha FILE COUNT         COUNT SHA-256 passes over FILE (64 KiB reads, as openssl)
 *	load-cost finit FILE COUNT       one warm-up call, then COUNT finit_module calls
 *	load-cost init FILE COUNT        the same with init_module of the file's bytes
 *	load-cost rss WARM FILE          finit WARM (loads the core), then FILE: peak RSS added
 *	load-cost storm LIST             finit_module of each file named in LIST, once each
 *	load-cost exec [VAR=VALUE...] CMD ARGS...
 *	                                 run CMD once (with VARs set): its CPU time (user + system)
 *	                                 and wall time
 *	load-cost first FILE [COUNT]     finit_module of FILE COUNT times (2): the first call (in a
 *	                                 new process: loads the core) and the next ones
 *	load-cost dlopen LIB...          dlopen each LIB (RTLD_NOW): the time of all of them
 *
 * Built twice: with -DWITH_SHA (links libcrypto: sha, storm) and without (every other mode), so
 * that a process measured as new has not mapped libcrypto before the shim does.
 *
 * Prints one line per timed call: "cpu_ns wall_ns" (rss: "kib"; storm: "cpu_ns wall_ns sha_ns
 * size" with sha_ns one SHA-256 pass of that file, measured in the same process).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#ifdef WITH_SHA
#include <openssl/evp.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

#ifdef WITH_SHA
static void sha_pass(const char *path)
{
	static unsigned char buf[65536];
	unsigned char md[32];
	unsigned int n;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)got);
	EVP_DigestFinal_ex(ctx, md, &n);
	EVP_MD_CTX_free(ctx);
	close(fd);
}
#else
static void sha_pass(const char *path)
{
	(void)path;
	exit(2);
}
#endif

static void *slurp(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t done = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		exit(2);
	buf = malloc(st.st_size + 1);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);
		if (n <= 0)
			exit(2);
		done += n;
	}
	close(fd);
	*len = done;
	return buf;
}

static void finit(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	syscall(SYS_finit_module, fd, "", 0);
	close(fd);
}

static long maxrss(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char *argv[])
{
	const char *op = argc > 1 ? argv[1] : "";
	long long c0, w0;

	if (!strcmp(op, "first") && (argc == 3 || argc == 4)) {
		int count = argc == 4 ? atoi(argv[3]) : 2;

		for (int i = 0; i < count; i++) {
			c0 = ns(CLOCK_THREAD_CPUTIME_ID), w0 = ns(CLOCK_MONOTONIC);
			finit(argv[2]);
			printf("%lld %lld\n", ns(CLOCK_THREAD_CPUTIME_ID) - c0,
			       ns(CLOCK_MONOTONIC) - w0);
		}
		return 0;
	}
	if (!strcmp(op, "dlopen") && argc > 2) {
		c0 = ns(CLOCK_THREAD_CPUTIME_ID), w0 = ns(CLOCK_MONOTONIC);
		for (int i = 2; i < argc; i++)
			if (!dlopen(argv[i], RTLD_NOW | RTLD_LOCAL))
				return 2;
		printf("%lld %lld\n", ns(CLOCK_THREAD_CPUTIME_ID) - c0, ns(CLOCK_MONOTONIC) - w0);
		return 0;
	}
	if (!strcmp(op, "exec") && argc > 2) {
		struct rusage ru;
		int status;
		pid_t pid;

		w0 = ns(CLOCK_MONOTONIC);
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY), i = 2;

			dup2(null, 1);
			for (; i < argc && strchr(argv[i], '=') && argv[i][0] != '/'; i++)
				putenv(argv[i]);
			execvp(argv[i], argv + i);
			_exit(127);
		}
		wait4(pid, &status, 0, &ru);
		printf("%lld %lld\n",
		       (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
			       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL,
		       ns(CLOCK_MONOTONIC) - w0);
		return 0;
	}
	if (!strcmp(op, "rss") && argc == 4) {
		long before;

		finit(argv[2]);
		before = maxrss();
		finit(argv[3]);
		printf("%ld\n", maxrss() - before);
		return 0;
	}
	if (!strcmp(op, "storm") && argc == 3) {
		FILE *f = fopen(argv[2], "r");
		char line[4096];

		/* the first load of the process loads the core: not part of the storm's figures */
		if (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			finit(line);
			rewind(f);
		}

		while (f && fgets(line, sizeof(line), f)) {
			struct stat st;
			long long cpu, wall;

			line[strcspn(line, "\n")] = '\0';
			c0 = ns(CLOCK_THREAD_CPUTIME_ID), w0 = ns(CLOCK_MONOTONIC);
			finit(line);
			cpu = ns(CLOCK_THREAD_CPUTIME_ID) - c0, wall = ns(CLOCK_MONOTONIC) - w0;
			c0 = ns(CLOCK_THREAD_CPUTIME_ID);
			sha_pass(line);
			stat(line, &st);
			printf("%lld %lld %lld %lld\n", cpu, wall, ns(CLOCK_THREAD_CPUTIME_ID) - c0,
			       (long long)st.st_size);
		}
		return 0;
	}
	if (argc != 4)
		return 2;
	int count = atoi(argv[3]);
	size_t len = 0;
	void *image = !strcmp(op, "init") ? slurp(argv[2], &len) : NULL;

	for (int i = -1; i < count; i++) {
		c0 = ns(CLOCK_THREAD_CPUTIME_ID), w0 = ns(CLOCK_MONOTONIC);
		if (!strcmp(op, "sha"))
			sha_pass(argv[2]);
		else if (!strcmp(op, "finit"))
			finit(argv[2]);
		else if (!strcmp(op, "init"))
			syscall(SYS_init_module, image, len, "");
		else
			return 2;
		if (i >= 0) /* the first call is the warm-up (loads the core) */
			printf("%lld %lld\n", ns(CLOCK_THREAD_CPUTIME_ID) - c0,
			       ns(CLOCK_MONOTONIC) - w0);
	}
	return 0;
}
