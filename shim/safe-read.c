/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "safe-read.h"

/*
 * process_vm_readv() on ourselves copies what is mapped and readable and stops at the first page
 * that is not (returning the bytes copied so far, or EFAULT). Some container seccomp profiles
 * refuse it (EPERM/ENOSYS): /proc/self/mem gives the same answers then.
 */
static ssize_t read_self(void *dst, const void *src, size_t len)
{
	struct iovec local = { .iov_base = dst, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)src, .iov_len = len };
	ssize_t n;
	int fd;

	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	if (n >= 0 || (errno != EPERM && errno != ENOSYS))
		return n;
	fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = pread(fd, dst, len, (off_t)(uintptr_t)src);
	close(fd);
	return n;
}

size_t safe_read(void *dst, const void *src, size_t len)
{
	uintptr_t from = (uintptr_t)src; /* wild pointers may wrap: no pointer arithmetic on them */
	size_t done = 0;

	while (done < len) {
		ssize_t n = read_self((char *)dst + done, (const void *)(from + done), len - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

/* First read up to the end of the string's page (one syscall for every usual string). */
#define STR_PAGE 4096UL
#define STR_CHUNK (64UL * 1024)

int safe_strndup(const char *src, size_t max, char **out, size_t *len)
{
	uintptr_t from = (uintptr_t)src;
	size_t done = 0, cap = 0;
	char *buf = NULL;
	int r = -E2BIG;

	*out = NULL;
	*len = 0;
	while (done < max) {
		size_t want = done ? STR_CHUNK : STR_PAGE - (from & (STR_PAGE - 1));
		size_t n;
		char *nul;

		if (want > max - done)
			want = max - done;
		if (done + want + 1 > cap) {
			size_t ncap = done + want + 1 > 2 * cap ? done + want + 1 : 2 * cap;
			char *nbuf;

			if (ncap > max + 1)
				ncap = max + 1;
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				free(buf);
				return -ENOMEM;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = safe_read(buf + done, (const void *)(from + done), want);
		nul = memchr(buf + done, '\0', n);
		if (nul) {
			done = (size_t)(nul - buf);
			r = 0;
			break;
		}
		done += n;
		if (n < want) {
			r = -EFAULT;
			break;
		}
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[done] = '\0';
	*out = buf;
	*len = done;
	return r;
}
