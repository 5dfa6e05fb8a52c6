/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BPF_PROG_LOAD attribute block as the kernel reads it (shared/bpf-attr.c), the type names,
 * and the BPF program records (core/record.c) in the contract's order and words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "core/bpf-prog.h"
#include "core/record.h"

/* A block as union bpf_attr lays it out (UAPI offsets). */
static void make_attr(unsigned char *b, size_t size)
{
	uint32_t v32;
	uint64_t v64;

	memset(b, 0, size);
	v32 = 2; /* kprobe */
	memcpy(b + 0, &v32, 4);
	v32 = 7;
	memcpy(b + 4, &v32, 4);
	v64 = 0x1000;
	memcpy(b + 8, &v64, 8);
	v64 = 0x2000;
	memcpy(b + 16, &v64, 8);
	v32 = 0x21;
	memcpy(b + 44, &v32, 4);
	memcpy(b + 48, "kma_probe", 9);
	v32 = 24; /* trace_fentry */
	memcpy(b + 68, &v32, 4);
	v32 = 4242;
	memcpy(b + 108, &v32, 4);
}

static void test_parse_full(void **state)
{
	unsigned char b[152];
	struct kma_bpf_attr a;

	(void)state;
	make_attr(b, sizeof(b));
	assert_int_equal(kma_bpf_attr_parse(b, sizeof(b), &a), 0);
	assert_int_equal(a.prog_type, 2);
	assert_int_equal(a.insn_cnt, 7);
	assert_int_equal(a.insns, 0x1000);
	assert_int_equal(a.license, 0x2000);
	assert_int_equal(a.prog_flags, 0x21);
	assert_string_equal(a.prog_name, "kma_probe");
	assert_false(a.prog_name_unterminated);
	assert_int_equal(a.expected_attach_type, 24);
	assert_int_equal(a.attach_btf_id, 4242);
}

/* A smaller block: the kernel zeroes what it leaves out; never read past size. */
static void test_parse_small(void **state)
{
	unsigned char b[152];
	struct kma_bpf_attr a;

	(void)state;
	make_attr(b, sizeof(b));
	assert_int_equal(kma_bpf_attr_parse(b, 52, &a), 0);
	assert_int_equal(a.insn_cnt, 7);
	assert_int_equal(a.prog_flags, 0x21);
	assert_string_equal(a.prog_name, "kma_");
	assert_int_equal(a.expected_attach_type, 0);
	assert_int_equal(a.attach_btf_id, 0);
	assert_int_equal(kma_bpf_attr_parse(b, 0, &a), 0);
	assert_int_equal(a.insn_cnt, 0);
	assert_int_equal(kma_bpf_attr_parse(NULL, 8, &a), -EINVAL);
}

static void test_name_without_nul(void **state)
{
	unsigned char b[200];
	struct kma_bpf_attr a;

	(void)state;
	make_attr(b, sizeof(b));
	memset(b + 48, 'A', 16);
	assert_int_equal(kma_bpf_attr_parse(b, sizeof(b), &a), 0);
	assert_true(a.prog_name_unterminated);
	assert_int_equal(strlen(a.prog_name), 16);
}

static void test_set_pointers(void **state)
{
	unsigned char b[152];
	struct kma_bpf_attr a;
	char lic[] = "GPL";

	(void)state;
	make_attr(b, sizeof(b));
	kma_bpf_attr_set_insns(b, sizeof(b), b);
	kma_bpf_attr_set_license(b, sizeof(b), lic);
	kma_bpf_attr_parse(b, sizeof(b), &a);
	assert_int_equal(a.insns, (uintptr_t)b);
	assert_int_equal(a.license, (uintptr_t)lic);
	/* a block too short for the field: nothing written past it */
	make_attr(b, sizeof(b));
	kma_bpf_attr_set_license(b, 20, lic);
	kma_bpf_attr_parse(b, sizeof(b), &a);
	assert_int_equal(a.license, 0x2000);
}

static void test_insns_len(void **state)
{
	(void)state;
	assert_int_equal(kma_bpf_insns_len(0), 0);
	assert_int_equal(kma_bpf_insns_len(2), 16);
	assert_int_equal(kma_bpf_insns_len(KMA_BPF_INSN_CNT_MAX), 8000000);
	assert_int_equal(kma_bpf_insns_len(KMA_BPF_INSN_CNT_MAX + 1), 0);
	assert_int_equal(kma_bpf_insns_len(0xffffffffu), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(kma_bpf_prog_type_name(1), "socket_filter");
	assert_string_equal(kma_bpf_prog_type_name(2), "kprobe");
	assert_string_equal(kma_bpf_prog_type_name(6), "xdp");
	assert_string_equal(kma_bpf_prog_type_name(31), "syscall");
	assert_string_equal(kma_bpf_prog_type_name(32), "netfilter");
	assert_null(kma_bpf_prog_type_name(33));
	assert_string_equal(kma_bpf_attach_type_name(24), "trace_fentry");
	assert_string_equal(kma_bpf_attach_type_name(37), "xdp");
	assert_string_equal(kma_bpf_attach_type_name(45), "netfilter");
	assert_null(kma_bpf_attach_type_name(1000));
}

static void test_sha256(void **state)
{
	/* sha256("abc") */
	static const unsigned char want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
					       0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
					       0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
					       0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	unsigned char out[32];

	(void)state;
	assert_int_equal(kma_bpf_sha256("abc", 3, out), 0);
	assert_memory_equal(out, want, 32);
}

/* The result record: the contract's fields in its order, nothing of a module's. */
static void test_record(void **state)
{
	static const unsigned char sha[32] = {0xab, 0xcd};
	struct record_bpf b = {
		.has_attr = true,
		.prog_type = "kprobe",
		.prog_name = "kma probe",
		.insn_cnt = 7,
		.insns_sha256 = sha,
		.license = "GPL",
		.attach_type = "trace_fentry",
		.attach_btf_id = 4242,
		.prog_flags = 0x21,
		.has_prog = true,
		.prog_id = 55,
		.prog_tag = "0011223344556677",
	};
	struct record_event ev = {
		.op = RECORD_OP_BPF_LOAD,
		.seq = 3,
		.via = "preload",
		.call = "bpf",
		.is_load = true,
		.has_exit = true,
		.exit_known = true,
		.exit = 4,
		.has_ppid = true,
		.ppid = 1,
		.comm = "loader",
		.history = "loader[9]",
		.anomalies = RECORD_ANOMALY_TRUNCATED_READ,
		.bpf = &b,
		.success = true,
	};
	static struct record r;

	(void)state;
	record_build(&r, &ev);
	record_format(&r);
	assert_string_equal(
		r.payload,
		"ver=2 op=bpf_prog_load seq=3 via=preload call=bpf prog_type=kprobe "
		"prog_name=6B6D612070726F6265 insn_cnt=7 "
		"insns_sha256=ABCD000000000000000000000000000000000000000000000000000000000000 "
		"license=\"GPL\" attach_type=trace_fentry attach_btf_id=4242 prog_flags=0x21 "
		"exit=4 "
		"prog_id=55 prog_tag=0011223344556677 ppid=1 comm=\"loader\" history=\"loader[9]\" "
		"anomaly=truncated_read exe=\"?\" hostname=? addr=? terminal=? res=success");

	/* the intent: no exit, no id; an unreadable block states nothing of it */
	b = (struct record_bpf){.has_attr = false};
	ev.op = RECORD_OP_BPF_LOAD_INTENT;
	ev.has_exit = false;
	ev.anomalies = 0;
	record_build(&r, &ev);
	record_format(&r);
	assert_string_equal(r.payload,
			    "ver=2 op=bpf_prog_load_intent seq=3 via=preload call=bpf prog_type=? "
			    "prog_name=? insn_cnt=? insns_sha256=? license=? prog_flags=? ppid=1 "
			    "comm=\"loader\" history=\"loader[9]\" exe=\"?\" hostname=? addr=? "
			    "terminal=? res=success");
	assert_int_equal(record_op_lookup("bpf_prog_load"), RECORD_OP_BPF_LOAD);
	assert_int_equal(record_op_lookup("bpf_prog_load_intent"), RECORD_OP_BPF_LOAD_INTENT);
	assert_int_equal(record_field_lookup("prog_id", 2), RF_PROG_ID);
	assert_true(record_field_is_string(RF_PROG_NAME));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),	 cmocka_unit_test(test_parse_small),
		cmocka_unit_test(test_name_without_nul), cmocka_unit_test(test_set_pointers),
		cmocka_unit_test(test_insns_len),	 cmocka_unit_test(test_names),
		cmocka_unit_test(test_sha256),		 cmocka_unit_test(test_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
