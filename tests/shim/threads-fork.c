/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * threads-fork TAG MODULE [THREADS CALLS]: THREADS threads (default 8) each make CALLS (500)
 * module calls, in turn delete_module("kmt_TAG_T_J"), init_module(image, "kmatag=TAG_T_J") and
 * finit_module(fd, "kmatag=TAG_T_J"); every 100 calls a thread forks a child that makes one
 * delete_module("kmtc_TAG_T_J") call and exits. Prints what the records must hold:
 *	loads=N unloads=M
 * (each load has an intent and a result record, each unload a result record).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

long init_module(void *image, unsigned long len, const char *args);
long delete_module(const char *name, unsigned int flags);

static const char *tag;
static void *image;
static size_t image_len;
static int module_fd;
static int calls = 500;

struct counts {
	int loads, unloads;
};

static void *thread_main(void *arg)
{
	long t = (long)arg;
	struct counts *c = calloc(1, sizeof(*c));
	char s[128];

	for (int j = 0; j < calls; j++) {
		switch (j % 3) {
		case 0:
			snprintf(s, sizeof(s), "kmt_%s_%ld_%d", tag, t, j);
			syscall(SYS_delete_module, s, 0);
			c->unloads++;
			break;
		case 1:
			snprintf(s, sizeof(s), "kmatag=%s_%ld_%d", tag, t, j);
			init_module(image, image_len, s);
			c->loads++;
			break;
		default:
			snprintf(s, sizeof(s), "kmatag=%s_%ld_%d", tag, t, j);
			syscall(SYS_finit_module, module_fd, s, 0);
			c->loads++;
			break;
		}
		if (j % 100 == 50) {
			pid_t pid = fork();
			int status;

			if (pid == 0) {
				snprintf(s, sizeof(s), "kmtc_%s_%ld_%d", tag, t, j);
				delete_module(s, 0);
				_exit(0);
			}
			if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
			    WEXITSTATUS(status) == 0)
				c->unloads++;
			else
				fprintf(stderr, "child %ld/%d failed\n", t, j);
		}
	}
	return c;
}

int main(int argc, char **argv)
{
	int nthreads = 8, loads = 0, unloads = 0;
	pthread_t th[64];
	struct stat st;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: threads-fork TAG MODULE [THREADS CALLS]\n");
		return 2;
	}
	tag = argv[1];
	if (argc == 5) {
		nthreads = atoi(argv[3]);
		calls = atoi(argv[4]);
		if (nthreads < 1 || nthreads > 64 || calls < 1)
			return 2;
	}
	module_fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (module_fd < 0 || fstat(module_fd, &st) < 0 || !(image = malloc((size_t)st.st_size)) ||
	    pread(module_fd, image, (size_t)st.st_size, 0) != st.st_size) {
		perror(argv[2]);
		return 2;
	}
	image_len = (size_t)st.st_size;

	for (long t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, thread_main, (void *)t) != 0)
			return 2;
	for (int t = 0; t < nthreads; t++) {
		struct counts *c;

		pthread_join(th[t], (void **)&c);
		loads += c->loads;
		unloads += c->unloads;
		free(c);
	}
	printf("loads=%d unloads=%d\n", loads, unloads);
	return 0;
}
