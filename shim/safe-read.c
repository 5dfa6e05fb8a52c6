/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "raw-syscall.h"
#include "safe-read.h"

/*
 * Some container seccomp profiles refuse process_vm_readv() (EPERM/ENOSYS). Then the bytes go
 * through a pipe: write() reads them with the same checks as the kernel's own copy from user
 * memory (a PROT_NONE or unmapped page stops it, where /proc/self/mem would read through page
 * protections), and gives the count copied before the first fault. Returns the bytes copied.
 * The raw system calls: a sanitizer's write() interceptor would report the read past the end
 * of the caller's object that is the point here.
 */
static size_t read_via_pipe(void *dst, uintptr_t from, size_t len)
{
	size_t done = 0, chunk;
	int p[2], cap;

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return 0;
	/* one page at least (what a user over pipe-user-pages-soft gets) */
	cap = fcntl(p[1], F_GETPIPE_SZ);
	chunk = cap > 4096 ? (size_t)cap : 4096;
	while (done < len) {
		size_t want = len - done < chunk ? len - done : chunk;
		long n = raw_syscall6(SYS_write, p[1], (long)(from + done), (long)want, 0, 0, 0);
		long got = 0;

		if (n == -EINTR)
			continue;
		if (n <= 0)
			break; /* EFAULT: the first unreadable byte */
		while (got < n) {
			long m = raw_syscall6(SYS_read, p[0], (long)((char *)dst + done + got),
					      n - got, 0, 0, 0);

			if (m == -EINTR)
				continue;
			if (m <= 0)
				goto out; /* cannot happen: the bytes are in the pipe */
			got += m;
		}
		done += (size_t)n;
	}
out:
	close(p[0]);
	close(p[1]);
	return done;
}

/*
 * process_vm_readv() on ourselves copies what is mapped and readable and stops at the first page
 * that is not (returning the bytes copied so far, or EFAULT).
 */
size_t safe_read(void *dst, const void *src, size_t len)
{
	uintptr_t from = (uintptr_t)src; /* wild pointers may wrap: no pointer arithmetic on them */
	size_t done = 0;

	while (done < len) {
		struct iovec local = {.iov_base = (char *)dst + done, .iov_len = len - done};
		struct iovec remote = {.iov_base = (void *)(from + done), .iov_len = len - done};
		ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

		if (n < 0 && (errno == EPERM || errno == ENOSYS))
			return done + read_via_pipe((char *)dst + done, from + done, len - done);
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
