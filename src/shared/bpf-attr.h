/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpf(BPF_PROG_LOAD, attr, size): the attribute block as the kernel reads it (union bpf_attr's
 * load part, at the offsets of the kernel's UAPI, which never move). No system header: the block
 * is parsed the same whatever linux-libc-dev the build had, and a caller's larger or smaller
 * block the same way the kernel does (missing fields are zero; bytes past ours are the kernel's
 * business). libc only: the preload shim reads the block with it (bpf-attr.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KMA_BPF_PROG_LOAD 5
#define KMA_BPF_OBJ_GET_INFO_BY_FD 15
/* bpf_check_uattr_size(): a block over a page is E2BIG before any byte of it is read */
#define KMA_BPF_ATTR_MAX 4096
#define KMA_BPF_INSN_SIZE 8
/* BPF_COMPLEXITY_LIMIT_INSNS: more instructions are E2BIG before they are read */
#define KMA_BPF_INSN_CNT_MAX 1000000u
/* bpf_prog_load(): strncpy_from_user(license, ..., sizeof(char[128]) - 1) */
#define KMA_BPF_LICENSE_MAX 127
#define KMA_BPF_OBJ_NAME_LEN 16
#define KMA_BPF_TAG_SIZE 8

/* offsets in union bpf_attr (BPF_PROG_LOAD) */
#define KMA_BPF_ATTR_INSNS_OFF 8
#define KMA_BPF_ATTR_LICENSE_OFF 16
/* the kernel writes log_true_size back into the caller's block (6.4+) */
#define KMA_BPF_ATTR_LOG_TRUE_SIZE_OFF 140

struct kma_bpf_attr {
	uint32_t prog_type;
	uint32_t insn_cnt;
	uint64_t insns;	  /* user pointer */
	uint64_t license; /* user pointer */
	uint32_t prog_flags;
	char prog_name[KMA_BPF_OBJ_NAME_LEN + 1]; /* up to its NUL, or all 16 bytes (no NUL) */
	bool prog_name_unterminated;		  /* 16 bytes without NUL: the kernel says EINVAL */
	uint32_t expected_attach_type;
	uint32_t attach_btf_id;
};

/*
 * Parse size bytes of a caller's block (already copied). Fields past size are zero, as the
 * kernel makes them. Returns 0, or -EINVAL for a NULL block.
 */
int kma_bpf_attr_parse(const void *attr, size_t size, struct kma_bpf_attr *out);

/* Point the block's insns / license at other memory (the private copies), when size covers them. */
void kma_bpf_attr_set_insns(void *attr, size_t size, const void *insns);
void kma_bpf_attr_set_license(void *attr, size_t size, const char *license);

/*
 * Where a block's insns point when the caller's instructions could not be read: past TASK_SIZE
 * (a 32-bit task's too), where no process can map anything. The kernel answers EFAULT for it as
 * for the caller's pointer, whatever the emitter or another thread maps at the caller's address
 * before the kernel reads (a copy buffer may land in the very hole the pointer names).
 */
#define KMA_BPF_INSNS_UNREADABLE ((const void *)(uintptr_t)-4096)

/* Bytes of insn_cnt instructions, or 0 when the kernel refuses the count before reading. */
size_t kma_bpf_insns_len(uint32_t insn_cnt);
