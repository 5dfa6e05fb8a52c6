/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record format's names, for its writer and its readers: see record-names.h. */
#include <string.h>

#include "core/record-names.h"

static const struct {
	const char *name;    /* version 2, the one written */
	const char *v1_name; /* version 1, when it differs */
	bool string;
} fields[RF_COUNT] = {
	[RF_VER] = {.name = "ver"},
	[RF_OP] = {.name = "op"},
	[RF_SEQ] = {.name = "seq"},
	[RF_VIA] = {.name = "via"},
	/* version 1 used kernel names, which ausearch -i read with the kernel's meaning */
	[RF_CALL] = {.name = "call", .v1_name = "syscall"},
	[RF_NAME] = {.name = "name", .string = true},
	[RF_MODINFO_NAME] = {.name = "modinfo_name", .string = true},
	[RF_PATH] = {.name = "path", .string = true},
	[RF_DEV] = {.name = "dev"}, /* version 1: 0xfe01, version 2: fe:01 as the kernel's PATH
				       record */
	[RF_INODE] = {.name = "inode", .v1_name = "ino"},
	[RF_SIZE] = {.name = "size"},
	[RF_COMPRESSION] = {.name = "compression"},
	[RF_SHA256] = {.name = "sha256"},
	[RF_SIG_TYPE] = {.name = "sig_type", .v1_name = "sig"},
	[RF_SIGNER] = {.name = "signer", .string = true},
	[RF_SIG_KEY] = {.name = "sig_key", .string = true},
	[RF_SIG_HASHALGO] = {.name = "sig_hashalgo", .string = true},
	[RF_VERMAGIC] = {.name = "vermagic", .string = true},
	[RF_SRCVERSION] = {.name = "srcversion", .string = true},
	[RF_VERSION] = {.name = "version", .string = true},
	[RF_LICENSE] = {.name = "license", .string = true},
	[RF_INTREE] = {.name = "intree", .string = true},
	[RF_ARGS] = {.name = "args", .string = true},
	[RF_PROG_TYPE] = {.name = "prog_type"},
	[RF_PROG_NAME] = {.name = "prog_name", .string = true},
	[RF_INSN_CNT] = {.name = "insn_cnt"},
	[RF_INSNS_SHA256] = {.name = "insns_sha256"},
	[RF_ATTACH_TYPE] = {.name = "attach_type"},
	[RF_ATTACH_BTF_ID] = {.name = "attach_btf_id"},
	[RF_PROG_FLAGS] = {.name = "prog_flags"},
	[RF_CALL_FLAGS] = {.name = "call_flags", .v1_name = "flags"},
	[RF_EXIT] = {.name = "exit"},
	[RF_PROG_ID] = {.name = "prog_id"},
	[RF_PROG_TAG] = {.name = "prog_tag"},
	[RF_PPID] = {.name = "ppid"},
	[RF_COMM] = {.name = "comm", .string = true},
	[RF_HISTORY] = {.name = "history", .string = true},
	[RF_ANOMALY] = {.name = "anomaly"},
	[RF_TRUNCATED] = {.name = "truncated"},
	[RF_EXE] = {.name = "exe", .string = true},
	[RF_HOSTNAME] = {.name = "hostname"},
	[RF_ADDR] = {.name = "addr"},
	[RF_TERMINAL] = {.name = "terminal"},
	[RF_RES] = {.name = "res"},
};

static const char *const ops[RECORD_OP_COUNT] = {
	[RECORD_OP_LOAD_INTENT] = "kmod_load_intent",
	[RECORD_OP_LOAD] = "kmod_load",
	[RECORD_OP_UNLOAD] = "kmod_unload",
	[RECORD_OP_BPF_LOAD_INTENT] = "bpf_prog_load_intent",
	[RECORD_OP_BPF_LOAD] = "bpf_prog_load",
};

const char *record_field_name_v(enum record_field_id id, unsigned version)
{
	if ((unsigned)id >= RF_COUNT)
		return NULL;
	if (version == 1 && fields[id].v1_name)
		return fields[id].v1_name;
	return fields[id].name;
}

int record_field_lookup(const char *name, unsigned version)
{
	if (!name)
		return -1;
	for (unsigned i = 0; i < RF_COUNT; i++)
		if (!strcmp(record_field_name_v(i, version), name))
			return (int)i;
	return -1;
}

bool record_field_is_string(enum record_field_id id)
{
	return (unsigned)id < RF_COUNT && fields[id].string;
}

const char *record_op_name(enum record_op op)
{
	return (unsigned)op < RECORD_OP_COUNT ? ops[op] : NULL;
}

int record_op_lookup(const char *word)
{
	for (unsigned i = 0; word && i < RECORD_OP_COUNT; i++)
		if (!strcmp(ops[i], word))
			return (int)i;
	return -1;
}
