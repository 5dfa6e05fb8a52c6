/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * finit-race FILE_A FILE_B COUNT: finit_module(fd, "", 0) COUNT times on an fd opened on FILE_A
 * while a second thread keeps dup2()ing FILE_B and FILE_A in turn onto that fd number. Prints
 * the fd number on stdout. The shim must hand the kernel the file it recorded (finit-race.sh).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fd, fd_a, fd_b;
static atomic_bool stop;

static void *flipper(void *unused)
{
	(void)unused;
	while (!atomic_load(&stop)) {
		dup2(fd_b, fd);
		dup2(fd_a, fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	int count;

	if (argc != 4)
		return 2;
	fd_a = open(argv[1], O_RDONLY | O_CLOEXEC);
	fd_b = open(argv[2], O_RDONLY | O_CLOEXEC);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	count = atoi(argv[3]);
	if (fd_a < 0 || fd_b < 0 || fd < 0 || count <= 0)
		return 2;
	printf("%d\n", fd);
	fflush(stdout);
	if (pthread_create(&t, NULL, flipper, NULL))
		return 2;
	for (int i = 0; i < count; i++)
		syscall(SYS_finit_module, fd, "", 0);
	atomic_store(&stop, true);
	pthread_join(t, NULL);
	return 0;
}
