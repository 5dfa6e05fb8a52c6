/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A loader whose init_module image is served by a userfaultfd, so that the first reader of the
 * image (a tracer copying it) gets one module and the next (the kernel) another:
 *
 *	kma-trace-uffd-loader FILE_A FILE_B
 *
 * Both files are zero-padded to the same length, whole pages plus one page of zeros (so the last
 * page is the same in both). The image is a MAP_SHARED memfd mapping registered for missing-page
 * faults; a forked handler process serves each page's first fault from A, and once the last page
 * has been served, punches the other pages out of the memfd: their next faults get B. A
 * process_vm_readv of the whole image pins its pages before it copies, so it reads A throughout;
 * the kernel's copy after it reads B. Without a reader before the kernel, the kernel gets A.
 *
 * Prints "len=L" (the length passed), "pid=P syscall=init_module ret=R" and
 * "served_a=N served_b=M" (the handler's page counts).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "raw-syscall.h"

static char *read_padded(const char *path, size_t size, size_t *len)
{
	struct stat st;
	char *buf = calloc(1, size);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size > size ||
	    pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static size_t file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		perror(path);
		exit(2);
	}
	return (size_t)st.st_size;
}

/* The handler: until the caller writes to done_fd (or 20 s pass without a fault). */
static void handle(int uffd, int memfd, int done_fd, char *img, size_t size, size_t page,
		   const char *a, const char *b)
{
	size_t pages = size / page, served_a = 0, served_b = 0;
	char *seen = calloc(pages, 1);
	int punched = 0;

	if (!seen)
		_exit(2);
	for (;;) {
		struct pollfd fds[2] = {{.fd = uffd, .events = POLLIN},
					{.fd = done_fd, .events = POLLIN}};
		struct uffd_msg msg;
		struct uffdio_copy copy;
		size_t i;

		if (poll(fds, 2, 20000) <= 0 || (fds[1].revents && !(fds[0].revents & POLLIN)))
			break;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		i = (size_t)((char *)(uintptr_t)msg.arg.pagefault.address - img) / page;
		if (i >= pages)
			continue;
		copy = (struct uffdio_copy){.dst = (uintptr_t)(img + i * page),
					    .src = (uintptr_t)((seen[i] ? b : a) + i * page),
					    .len = page};
		if (ioctl(uffd, UFFDIO_COPY, &copy) < 0 && errno != EEXIST)
			break;
		if (seen[i])
			served_b++;
		else
			served_a++;
		seen[i] = 1;
		if (i == pages - 1 && !punched) {
			/* every page but the last (zeros in both) faults again, and gets B */
			fallocate(memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
				  (off_t)(size - page));
			punched = 1;
		}
	}
	printf("served_a=%zu served_b=%zu\n", served_a, served_b);
	fflush(stdout);
	_exit(0);
}

int main(int argc, char *argv[])
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), size, la, lb;
	struct uffdio_api api = {.api = UFFD_API};
	struct uffdio_register reg;
	char *a, *b, *img;
	int uffd, memfd, done[2], status;
	pid_t handler;
	long ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE_A FILE_B\n", argv[0]);
		return 2;
	}
	la = file_size(argv[1]);
	lb = file_size(argv[2]);
	size = ((la > lb ? la : lb) + page - 1) / page * page + page;
	a = read_padded(argv[1], size, &la);
	b = read_padded(argv[2], size, &lb);

	memfd = memfd_create("kma-trace-uffd-image", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)size) < 0)
		return 2;
	img = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (img == MAP_FAILED || uffd < 0 || ioctl(uffd, UFFDIO_API, &api) < 0) {
		perror("userfaultfd");
		return 2;
	}
	reg = (struct uffdio_register){.range = {.start = (uintptr_t)img, .len = size},
				       .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) < 0 || pipe(done) < 0) {
		perror("UFFDIO_REGISTER");
		return 2;
	}
	fflush(stdout);
	handler = fork();
	if (handler < 0)
		return 2;
	if (handler == 0) {
		close(done[1]);
		handle(uffd, memfd, done[0], img, size, page, a, b);
	}
	close(done[0]);
	printf("len=%zu\n", size);
	fflush(stdout);
	ret = raw_syscall3(NR_INIT_MODULE, (long)img, (long)size, (long)"");
	printf("pid=%d syscall=init_module ret=%ld\n", (int)getpid(), ret);
	fflush(stdout);
	close(done[1]);
	waitpid(handler, &status, 0);
	return 0;
}
