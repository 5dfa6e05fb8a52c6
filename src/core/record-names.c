/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record format's names, for its writer and its readers: see record-names.h. */
#include <string.h>

#include "core/record-names.h"

static const struct {
	const char *name;    /* version 2, the one written */
	const char *v1_name; /* version 1, when it differs */
	bool string;
} fields[RF_COUNT] = {
	[RF_VER] = {"ver"},
	[RF_OP] = {"op"},
	[RF_SEQ] = {"seq"},
	[RF_VIA] = {"via"},
	/* version 1 used kernel names, which ausearch -i read with the kernel's meaning */
	[RF_CALL] = {"call", "syscall"},
	[RF_NAME] = {"name", NULL, true},
	[RF_MODINFO_NAME] = {"modinfo_name", NULL, true},
	[RF_PATH] = {"path", NULL, true},
	[RF_DEV] = {"dev"}, /* version 1: 0xfe01, version 2: fe:01 as the kernel's PATH record */
	[RF_INODE] = {"inode", "ino"},
	[RF_SIZE] = {"size"},
	[RF_COMPRESSION] = {"compression"},
	[RF_SHA256] = {"sha256"},
	[RF_SIG_TYPE] = {"sig_type", "sig"},
	[RF_SIGNER] = {"signer", NULL, true},
	[RF_SIG_KEY] = {"sig_key", NULL, true},
	[RF_SIG_HASHALGO] = {"sig_hashalgo", NULL, true},
	[RF_VERMAGIC] = {"vermagic", NULL, true},
	[RF_SRCVERSION] = {"srcversion", NULL, true},
	[RF_VERSION] = {"version", NULL, true},
	[RF_LICENSE] = {"license", NULL, true},
	[RF_INTREE] = {"intree", NULL, true},
	[RF_ARGS] = {"args", NULL, true},
	[RF_PROG_TYPE] = {"prog_type"},
	[RF_PROG_NAME] = {"prog_name", NULL, true},
	[RF_INSN_CNT] = {"insn_cnt"},
	[RF_INSNS_SHA256] = {"insns_sha256"},
	[RF_ATTACH_TYPE] = {"attach_type"},
	[RF_ATTACH_BTF_ID] = {"attach_btf_id"},
	[RF_PROG_FLAGS] = {"prog_flags"},
	[RF_CALL_FLAGS] = {"call_flags", "flags"},
	[RF_EXIT] = {"exit"},
	[RF_PROG_ID] = {"prog_id"},
	[RF_PROG_TAG] = {"prog_tag"},
	[RF_PPID] = {"ppid"},
	[RF_COMM] = {"comm", NULL, true},
	[RF_HISTORY] = {"history", NULL, true},
	[RF_ANOMALY] = {"anomaly"},
	[RF_TRUNCATED] = {"truncated"},
	[RF_EXE] = {"exe", NULL, true},
	[RF_HOSTNAME] = {"hostname"},
	[RF_ADDR] = {"addr"},
	[RF_TERMINAL] = {"terminal"},
	[RF_RES] = {"res"},
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
