/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpf(BPF_PROG_LOAD): what the kernel verifies is what is recorded. The kernel reads the
 * caller's block (all of the size passed, for its zero-tail check), then the instructions and
 * the license it points to; it gets private copies of all three, so that no other thread can
 * change a byte between the record and the load. Whatever could not be read whole goes to the
 * kernel as the caller's pointer, for the kernel to answer (EFAULT) itself, and the record
 * states none of it (truncated_read). Every other pointer of the block (log buffer, BTF
 * metadata, fd array) is the caller's, untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "conf-mode.h"
#include "core-load.h"
#include "bpf-attr.h"
#include "intercept-bpf.h"
#include "lost-line.h"
#include "raw-syscall.h"
#include "safe-read.h"

/*
 * Write len bytes into this process's memory at dst without ever faulting: through a pipe, so
 * that an unwritable page gives EFAULT as the kernel's own copy to the caller would. Returns
 * true when all were written. A NULL src only tests that dst is writable (nothing is changed:
 * the pipe holds the bytes that are there).
 */
static bool safe_write(uintptr_t dst, const void *src, size_t len)
{
	unsigned char cur[8];
	long n = -1;
	int p[2];

	if (len > sizeof(cur) || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return false;
	if (!src) {
		if (safe_read(cur, (const void *)dst, len) != len)
			goto out;
		src = cur;
	}
	if (raw_syscall6(SYS_write, p[1], (long)src, (long)len, 0, 0, 0) == (long)len)
		n = raw_syscall6(SYS_read, p[0], (long)dst, (long)len, 0, 0, 0);
out:
	close(p[0]);
	close(p[1]);
	return n == (long)len;
}

/* No module call: lost_line() writes "?" for it, WHAT names the call. */
#define BPF_CALL ((enum kma_syscall) - 1)

struct bpf_copies {
	void *attr;
	size_t attr_len;
	void *insns;
	size_t insns_len;
	char *license;
	bool truncated_read;
};

static void bpf_copies_release(struct bpf_copies *c)
{
	free(c->attr);
	if (c->insns)
		munmap(c->insns, c->insns_len);
	free(c->license);
}

/*
 * The instructions, read whole into read-only private memory, or NULL; *unreadable when that was
 * for the caller's memory (not for want of ours).
 */
static void *insns_take(uint64_t from, size_t len, bool *unreadable)
{
	void *map;

	*unreadable = false;
	if (len == 0)
		return NULL;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	/* our buffer in the caller's hole: that part was unmapped */
	if (copy_took_source(map, len, from, len) ||
	    safe_read(map, (const void *)(uintptr_t)from, len) != len) {
		munmap(map, len);
		*unreadable = true;
		return NULL;
	}
	mprotect(map, len, PROT_READ);
	return map;
}

/*
 * Copy what the kernel will read. Returns the block the kernel gets: the copy, or the caller's
 * pointer when the block itself could not be copied whole (c->attr NULL then).
 */
static long bpf_copies_take(struct bpf_copies *c, long uattr, unsigned int size)
{
	struct kma_bpf_attr a;
	bool unreadable;
	size_t len;
	int r;

	/* over a page the kernel answers E2BIG without reading a byte */
	if (size > KMA_BPF_ATTR_MAX)
		return uattr;
	c->attr = malloc(size ? size : 1);
	if (!c->attr || safe_read(c->attr, (const void *)uattr, size) != size) {
		free(c->attr);
		c->attr = NULL;
		c->truncated_read = true;
		return uattr;
	}
	/*
	 * 6.4+ writes log_true_size back into the block: into the caller's, after the call. Where
	 * the caller's is not writable the kernel would answer EFAULT: it gets that block itself.
	 */
	if (size >= KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF + 4 &&
	    !safe_write((uintptr_t)uattr + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF, NULL, 4)) {
		free(c->attr);
		c->attr = NULL;
		return uattr;
	}
	c->attr_len = size;
	kma_bpf_attr_parse(c->attr, size, &a);

	len = kma_bpf_insns_len(a.insn_cnt);
	c->insns = insns_take(a.insns, len, &unreadable);
	if (c->insns) {
		c->insns_len = len;
		kma_bpf_attr_set_insns(c->attr, size, c->insns);
	} else if (a.insn_cnt) {
		/* unreadable, or a count the kernel refuses (E2BIG): no hash to state */
		c->truncated_read = true;
		if (unreadable)
			kma_bpf_attr_set_insns(c->attr, size, KMA_BPF_INSNS_UNREADABLE);
	}

	/* the kernel reads at most 127 bytes and ends them itself: our copy holds the same */
	r = safe_strndup((const char *)(uintptr_t)a.license, KMA_BPF_LICENSE_MAX, &c->license,
			 &len);
	if (r == 0 || r == -E2BIG) {
		kma_bpf_attr_set_license(c->attr, size, c->license);
	} else {
		free(c->license);
		c->license = NULL;
		c->truncated_read = true;
	}
	return (long)c->attr;
}

/* After the call: what the kernel wrote into our block goes into the caller's (log_true_size). */
static void bpf_copies_write_back(const struct bpf_copies *c, long uattr)
{
	unsigned char before[4];

	if (!c->attr || c->attr_len < KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF + 4)
		return;
	if (safe_read(before, (const void *)(uattr + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF), 4) == 4 &&
	    !memcmp(before, (char *)c->attr + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF, 4))
		return;
	safe_write((uintptr_t)uattr + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF,
		   (char *)c->attr + KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF, 4);
}

long intercept_bpf_prog_load(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	struct bpf_copies c = {0};
	struct kma_bpf_pending *pending = NULL;
	struct shim_core core;
	const char *why = NULL;
	long kattr, ret;
	int r;

	r = core_get(&core, &why);
	if (r < 0) {
		const char *conf = NULL, *ignored = NULL;
		bool refuse = conf_file_fail_closed(&conf, &ignored);

		/* the call's name in WHAT: the lost line's CALL names module calls only (?) */
		lost_log(refuse, BPF_CALL, "bpf BPF_PROG_LOAD", "%s (%s)", why,
			 strerrordesc_np(-r) ?: "?");
		if (refuse)
			return -EPERM;
		return raw_syscall6(nr, a1, a2, a3, a4, a5, a6);
	}

	kattr = bpf_copies_take(&c, a2, (unsigned int)a3);
	const struct kma_bpf_call call = {
		.via = KMA_VIA_PRELOAD,
		.pid = getpid(),
		.attr = c.attr,
		.attr_len = c.attr_len,
		.insns = c.insns,
		.insns_len = c.insns_len,
		.license = c.license,
		.truncated_read = c.truncated_read,
	};
	r = core.impl->bpf_begin(core.ctx, &call, &pending);
	if (r == -EPERM) {
		bpf_copies_release(&c);
		return -EPERM; /* fail-closed: no sink took the intent; the core said why */
	}
	if (r < 0)
		lost_log(false, BPF_CALL, "bpf BPF_PROG_LOAD", "the core failed: %s",
			 strerrordesc_np(-r) ?: "?");

	ret = raw_syscall6(nr, a1, kattr, a3, a4, a5, a6);
	bpf_copies_write_back(&c, a2);
	if (r >= 0)
		core.impl->bpf_end(core.ctx, pending, ret, raw_syscall_failed(ret) ? -1 : (int)ret);
	bpf_copies_release(&c);
	return ret;
}
