/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: a BPF_PROG_LOAD attribute block of any size and content (the caller's,
 * copied as the shim copies it) parsed (shared/bpf-attr.c) and made into the records the BPF
 * emitter writes (core/bpf-emit.c's words, core/record.c). Oracle: never a read past the
 * block (ASan), a prog_name of at most 16 bytes, insns/license pointers as given, the payload
 * within the cap with one op= and every field once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bpf-prog.h"
#include "core/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "oracle failed: %s (line %d)\n", #cond, __LINE__);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct record r;
	struct kma_bpf_attr a;
	char type[16], attach[16], tag[] = "0123456789abcdef";
	unsigned char sha[32];
	uint8_t *block;
	uint64_t v;

	if (size > KMA_BPF_ATTR_MAX)
		return 0;
	/* exactly size bytes on the heap: ASan sees any read past the caller's block */
	block = malloc(size ? size : 1);
	if (!block)
		return 0;
	memcpy(block, data, size);
	CHECK(kma_bpf_attr_parse(block, size, &a) == 0);
	CHECK(strlen(a.prog_name) <= KMA_BPF_OBJ_NAME_LEN);
	CHECK(a.prog_name_unterminated == (strlen(a.prog_name) == KMA_BPF_OBJ_NAME_LEN));
	if (size >= 16) {
		memcpy(&v, block + 8, 8);
		CHECK(a.insns == v);
	} else {
		CHECK(a.license == 0);
	}
	if (kma_bpf_insns_len(a.insn_cnt))
		CHECK(kma_bpf_insns_len(a.insn_cnt) == (size_t)a.insn_cnt * 8);
	kma_bpf_attr_set_insns(block, size, block);
	kma_bpf_attr_set_license(block, size, "GPL");
	free(block);

	snprintf(type, sizeof(type), "%s", kma_bpf_prog_type_name(a.prog_type) ?: "unknown");
	snprintf(attach, sizeof(attach), "%u", a.expected_attach_type);
	CHECK(kma_bpf_sha256(data, size, sha) == 0);
	struct record_bpf b = {
		.has_attr = true,
		.prog_type = type,
		.prog_name = a.prog_name,
		.insn_cnt = a.insn_cnt,
		.insns_sha256 = sha,
		.license = size > 20 ? (const char *)data + 20 : NULL,
		.attach_type = a.expected_attach_type ? attach : NULL,
		.attach_btf_id = a.attach_btf_id,
		.prog_flags = a.prog_flags,
		.has_prog = size & 1,
		.prog_id = a.attach_btf_id,
		.prog_tag = tag,
	};
	char lic[KMA_BPF_LICENSE_MAX + 1] = "";
	if (b.license) {
		snprintf(lic, sizeof(lic), "%.*s", (int)(size - 20), b.license);
		b.license = lic;
	}
	struct record_event ev = {
		.op = RECORD_OP_BPF_LOAD,
		.via = "preload",
		.call = "bpf",
		.is_load = true,
		.has_exit = true,
		.exit_known = true,
		.exit = -22,
		.bpf = &b,
	};
	record_build(&r, &ev);
	record_format(&r);
	CHECK(r.len <= RECORD_MAX_PAYLOAD && strlen(r.payload) == r.len);
	CHECK(count(r.payload, " op=") == 1 && !strncmp(r.payload, "ver=2 op=bpf_prog_load ", 23));
	CHECK(count(r.payload, " prog_name=") == 1 && count(r.payload, " insn_cnt=") == 1);
	CHECK(count(r.payload, " res=") == 1);
	return 0;
}
