/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record format's names (../shared/record-format.md): every field in contract order, its
 * name in each version, whether its value is a string (written "quoted" or in hex), and the
 * words of op=. The writer (record.c) and every reader (kmodaudit report, inspect, the tests'
 * drivers) take names from here: a name written as a literal elsewhere can drift from the
 * format, as version 1's names did from what ausearch reads.
 */
#pragma once

#include <stdbool.h>

/* Fields in the order they are written; the last five are libaudit's trailer. */
enum record_field_id {
	RF_VER,
	RF_OP,
	RF_SEQ,
	RF_VIA,
	RF_CALL,
	RF_NAME,
	RF_MODINFO_NAME,
	RF_PATH,
	RF_DEV,
	RF_INODE,
	RF_SIZE,
	RF_COMPRESSION,
	RF_SHA256,
	RF_SIG_TYPE,
	RF_SIGNER,
	RF_SIG_KEY,
	RF_SIG_HASHALGO,
	RF_VERMAGIC,
	RF_SRCVERSION,
	RF_VERSION,
	RF_LICENSE,
	RF_INTREE,
	RF_ARGS,
	/* BPF program records: prog_type..prog_flags (license is RF_LICENSE) before exit */
	RF_PROG_TYPE,
	RF_PROG_NAME,
	RF_INSN_CNT,
	RF_INSNS_SHA256,
	RF_ATTACH_TYPE,
	RF_ATTACH_BTF_ID,
	RF_PROG_FLAGS,
	RF_CALL_FLAGS,
	RF_EXIT,
	RF_PROG_ID, /* BPF, after exit */
	RF_PROG_TAG,
	RF_PPID,
	RF_COMM,
	RF_HISTORY,
	RF_ANOMALY,
	RF_TRUNCATED,
	RF_EXE,
	RF_HOSTNAME,
	RF_ADDR,
	RF_TERMINAL,
	RF_RES,
	RF_COUNT
};

/* The versions a reader knows; records are written in the newest. */
#define RECORD_VERSION_MIN 1
#define RECORD_VERSION 2

/* The name of field ID in records of VERSION (RECORD_VERSION when 0; an unknown newer version
 * is read with the newest names). NULL for an ID out of range. */
const char *record_field_name_v(enum record_field_id id, unsigned version);

static inline const char *record_field_name(enum record_field_id id)
{
	return record_field_name_v(id, RECORD_VERSION);
}

/* The field NAME stands for in records of VERSION (as above), or -1. */
int record_field_lookup(const char *name, unsigned version);

/* True for fields whose value is a string: "quoted", or upper-case hex. */
bool record_field_is_string(enum record_field_id id);

/* The words of op=. */
enum record_op {
	RECORD_OP_LOAD_INTENT,
	RECORD_OP_LOAD,
	RECORD_OP_UNLOAD,
	RECORD_OP_BPF_LOAD_INTENT,
	RECORD_OP_BPF_LOAD,
	RECORD_OP_COUNT
};

const char *record_op_name(enum record_op op);

/* The op WORD names (any version), or -1: a record that is not one of ours. */
int record_op_lookup(const char *word);
