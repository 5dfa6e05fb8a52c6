/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpf(BPF_PROG_LOAD)'s attribute block, read as the kernel reads it (shared/bpf-attr.h). libc only:
 * the preload shim builds this file in too, to find the instructions and license it copies.
 */
#include <errno.h>
#include <string.h>

#include "bpf-attr.h"

/* union bpf_attr, BPF_PROG_LOAD: offsets of the fields the record states */
#define OFF_PROG_TYPE 0
#define OFF_INSN_CNT 4
#define OFF_PROG_FLAGS 44
#define OFF_PROG_NAME 48
#define OFF_EXPECTED_ATTACH_TYPE 68
#define OFF_ATTACH_BTF_ID 108
#define PARSED_SIZE 112 /* offsetofend(attach_btf_id) */

static uint32_t get32(const unsigned char *b, size_t off)
{
	uint32_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

static uint64_t get64(const unsigned char *b, size_t off)
{
	uint64_t v;

	memcpy(&v, b + off, sizeof(v));
	return v;
}

int kma_bpf_attr_parse(const void *attr, size_t size, struct kma_bpf_attr *out)
{
	unsigned char b[PARSED_SIZE] = {0};
	const char *nul;

	if (!attr || !out)
		return -EINVAL;
	/* the kernel zeroes what the caller's smaller block leaves out */
	memcpy(b, attr, size < sizeof(b) ? size : sizeof(b));
	*out = (struct kma_bpf_attr){
		.prog_type = get32(b, OFF_PROG_TYPE),
		.insn_cnt = get32(b, OFF_INSN_CNT),
		.insns = get64(b, KMA_BPF_ATTR_INSNS_OFF),
		.license = get64(b, KMA_BPF_ATTR_LICENSE_OFF),
		.prog_flags = get32(b, OFF_PROG_FLAGS),
		.expected_attach_type = get32(b, OFF_EXPECTED_ATTACH_TYPE),
		.attach_btf_id = get32(b, OFF_ATTACH_BTF_ID),
	};
	nul = memchr(b + OFF_PROG_NAME, '\0', KMA_BPF_OBJ_NAME_LEN);
	out->prog_name_unterminated = !nul;
	memcpy(out->prog_name, b + OFF_PROG_NAME,
	       nul ? (size_t)(nul - (const char *)(b + OFF_PROG_NAME)) : KMA_BPF_OBJ_NAME_LEN);
	return 0;
}

static void set64(void *attr, size_t size, size_t off, uint64_t v)
{
	if (attr && size >= off + sizeof(v))
		memcpy((char *)attr + off, &v, sizeof(v));
}

void kma_bpf_attr_set_insns(void *attr, size_t size, const void *insns)
{
	set64(attr, size, KMA_BPF_ATTR_INSNS_OFF, (uint64_t)(uintptr_t)insns);
}

void kma_bpf_attr_set_license(void *attr, size_t size, const char *license)
{
	set64(attr, size, KMA_BPF_ATTR_LICENSE_OFF, (uint64_t)(uintptr_t)license);
}

size_t kma_bpf_insns_len(uint32_t insn_cnt)
{
	if (insn_cnt == 0 || insn_cnt > KMA_BPF_INSN_CNT_MAX)
		return 0;
	return (size_t)insn_cnt * KMA_BPF_INSN_SIZE;
}
