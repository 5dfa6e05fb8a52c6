/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/load-cost's breakdown of the first module call of a new process: the core's own work,
 * part by part, each timed the first time this process does it (CPU time of the thread, as the
 * shim's figures). Linked with the core (its libraries are mapped at start-up: their dlopen is
 * the floor, measured apart).
 *
 *	load-cost-parts FILE
 *
 * Prints one line "part cpu_ns" per part:
 *	conf       kma_ctx_new(): the configuration (once per process)
 *	traced     whether kmodaudit trace traces this thread (/proc/self/status)
 *	proc       the process context: comm, ppid, history, exe, terminal (/proc)
 *	image      finit_module's image: read, SHA-256, signature (libcrypto's first use), ELF
 *	records    the rest of a whole call of FILE (kma_call_begin + kma_call_end: two records,
 *	           each an audit round trip) once the parts above are warm: the call minus the
 *	           same parts timed again
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "core/emit-ctx.h"
#include "core/emit.h"
#include "core/modimage.h"
#include "core/procctx.h"
#include "core/traced.h"

static long long ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* traced, proc and image once; their times added to t[0..2] */
static void parts(int fd, unsigned depth, long long t[3])
{
	struct modimage *img = NULL;
	struct procctx proc;
	long long t0 = ns();

	(void)traced_by_kmodaudit();
	t[0] += ns() - t0;
	t0 = ns();
	procctx_read(0, depth, &proc);
	procctx_release(&proc);
	t[1] += ns() - t0;
	t0 = ns();
	if (modimage_open_fd(fd, &(struct modimage_opts){.max_size = 0}, &img) == 0)
		modimage_free(img);
	t[2] += ns() - t0;
}

int main(int argc, char *argv[])
{
	struct kma_ctx *ctx = NULL;
	struct kma_pending *pending = NULL;
	struct kma_call call;
	long long first[3] = {0}, again[3] = {0}, t0, conf, whole;
	unsigned depth;
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 2;
	t0 = ns();
	if (kma_ctx_new(NULL, &ctx) < 0)
		return 1;
	conf = ns() - t0;
	depth = kma_ctx_conf(ctx)->history_depth;

	parts(fd, depth, first);

	call = kma_call_init(KMA_SYS_FINIT_MODULE, KMA_VIA_PRELOAD, getpid());
	call.fd = fd;
	call.caller_fd = fd;
	call.args = "";
	t0 = ns();
	if (kma_call_begin(ctx, &call, &pending) == 0)
		kma_call_end(ctx, pending, -ENOSYS);
	whole = ns() - t0;
	parts(fd, depth, again);

	printf("conf %lld\ntraced %lld\nproc %lld\nimage %lld\nrecords %lld\n", conf, first[0],
	       first[1], first[2], whole - again[0] - again[1] - again[2]);
	kma_ctx_free(ctx);
	close(fd);
	return 0;
}
