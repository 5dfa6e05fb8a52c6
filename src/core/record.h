/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record format (../shared/record-format.md, version RECORD_VERSION): the one place that
 * knows the fields' order, how values are encoded, the size cap and the JSON-lines form. The
 * names, for the writer and the readers alike, are record-names.h's.
 *
 * A record is built in two steps: record_build() lays out the fields of one event in contract
 * order (nothing is encoded yet), record_format() writes the payload: each value encoded, at
 * most RECORD_MAX_PAYLOAD bytes, ending with libaudit's trailer
 * `exe= hostname=? addr=? terminal= res=`. A field that does not fit is left out whole (the
 * record is cut at field boundaries, never inside a value) and `truncated=yes` is added before
 * the trailer. record_to_json() writes the same fields, decoded, as one JSON object.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/record-names.h"

#define RECORD_MAX_PAYLOAD 8000
/* Longer exe= values would leave no room for the record itself: written as libaudit does. */
#define RECORD_MAX_EXE_ENCODED 2048
#define RECORD_MAX_FIELDS 40

enum record_anomaly {
	RECORD_ANOMALY_NAME_MISMATCH = 1 << 0,
	RECORD_ANOMALY_UNSIGNED = 1 << 1,
	RECORD_ANOMALY_SIG_MALFORMED = 1 << 2,
	RECORD_ANOMALY_FILE_CHANGED = 1 << 3,
	RECORD_ANOMALY_TRUNCATED_READ = 1 << 4,
	/* a signature the kernel does not check: not PKCS#7, or a load forced past modversions or
	 * vermagic (finit_module's MODULE_INIT_IGNORE_*): signer fields are only what it claims */
	RECORD_ANOMALY_SIG_UNCHECKED = 1 << 5,
};

/*
 * What a BPF program record says beyond the common fields (record-format.md, "BPF program
 * records"); the emitter makes the words (names, hex) so that record.c only lays them out.
 */
struct record_bpf {
	bool has_attr;	       /* the attribute block was read whole: the fields below */
	const char *prog_type; /* name or number */
	const char *prog_name; /* NUL-free bytes */
	uint32_t insn_cnt;
	const unsigned char *insns_sha256; /* 32 bytes, NULL: ? */
	const char *license;		   /* NULL: ? */
	const char *attach_type;	   /* NULL: not set */
	uint32_t attach_btf_id;		   /* 0: not set */
	uint32_t prog_flags;
	bool has_prog; /* result of a load: the kernel's id and tag */
	uint32_t prog_id;
	const char *prog_tag; /* hex; NULL: ? */
};

/*
 * Everything one record says. Strings are raw bytes (any byte but NUL), NULL = unknown (`?`).
 * Fields marked "loads" are written only when is_load, "finit" only when has_file.
 */
struct record_event {
	enum record_op op;
	uint64_t seq;
	const char *via;  /* "preload", "trace", "kmod" */
	const char *call; /* "init_module", "finit_module", "delete_module" */
	const char *name;
	const char *modinfo_name; /* written only when non-NULL and != name */

	bool is_load;
	bool has_file; /* finit_module: path, dev, inode */
	const char *path;
	bool has_dev_inode;
	uint64_t dev, inode; /* dev as stat()'s st_dev */

	bool has_image; /* loads: size..intree known (the bytes could be read) */
	bool has_size;	/* loads: size known without the image (over the size cap, unreadable) */
	uint64_t size;
	const char *compression;
	const unsigned char *sha256; /* 32 bytes, NULL if not computed */
	const char *sig_type;
	const char *signer, *sig_key, *sig_hashalgo;			/* written when non-NULL */
	const char *vermagic, *srcversion, *version, *license, *intree; /* when non-NULL */
	const char *args;

	unsigned long call_flags;
	bool has_exit; /* result records */
	bool exit_known;
	long exit;

	bool has_ppid;
	pid_t ppid;
	const char *comm;
	const char *history;
	unsigned anomalies; /* enum record_anomaly bits */

	const struct record_bpf *bpf; /* a BPF program record: call= and the fields above */

	/* libaudit trailer */
	const char *exe;      /* NULL: "?" as libaudit writes it */
	const char *terminal; /* NULL: ? */
	bool success;
};

enum record_kind {
	RECORD_STR,  /* quoted, or hex when it holds unsafe bytes */
	RECORD_WORD, /* bare: a fixed word of the contract, or ? */
	RECORD_NUM,  /* bare decimal number */
};

struct record_field {
	const char *name;
	enum record_kind kind;
	const char *value; /* STR (NULL: ?) and WORD */
	size_t len;	   /* STR: bytes of value */
	long long num;	   /* NUM */
	bool included;	   /* set by record_format(): in the payload */
};

struct record {
	struct record_field fields[RECORD_MAX_FIELDS];
	unsigned nfields;
	bool truncated;
	char payload[RECORD_MAX_PAYLOAD + 1];
	size_t len;
	/* storage for values computed while building (numbers in hex, digest, anomaly list) */
	char flags_buf[24], dev_buf[24], sha_buf[65], anomaly_buf[128];
	const char *exe, *terminal;
	bool success;
};

/*
 * True when a string value must be hex-encoded: the kernel's audit_log_untrustedstring rule,
 * and any of the texts ausearch searches a whole user record for (res=, exe=, comm=, ...).
 */
bool record_needs_hex(const char *value, size_t len);

/*
 * Append name=value for one string to buf (at most size bytes including the NUL). Returns the
 * length written, or the length that would be needed (> size - 1) when it does not fit.
 */
size_t record_encode_str(char *buf, size_t size, const char *name, const char *value, size_t len);

/*
 * The inverse, for readers of records (record-decode.c): one string value as record_encode_str()
 * and the kernel write it, "quoted" or upper-case hex, to its bytes; ?, (null) and (none) are
 * unknown; any other text (a bare word, a number) is kept as it is. *out is a malloc'ed,
 * NUL-terminated copy (NULL when unknown), *len its length without the NUL (len may be NULL).
 * Returns 0 or -ENOMEM.
 */
int record_decode_str(const char *value, char **out, size_t *len);

/*
 * One value of field ID as a reader finds it: a string field's decoded as record_decode_str()
 * does; any other (a number, a fixed word, the hex of sha256=) copied as written, ? unknown.
 */
int record_decode_field(enum record_field_id id, const char *value, char **out, size_t *len);

/* Lay out the fields of ev in contract order (pointers into ev's strings: keep them alive). */
void record_build(struct record *r, const struct record_event *ev);

/* Write r->payload (NUL-terminated, r->len bytes). Always succeeds. */
void record_format(struct record *r);

/* Name of a record type for the syslog prefix: "USER", "TRUSTED_APP", "UNKNOWN[2100]". */
void record_type_name(int type, char *buf, size_t size);

/*
 * One JSON object (no newline) with "type", "time" and every field of the payload decoded; the
 * strings that are not valid UTF-8 are given in hex and listed in "hex". Call after
 * record_format(). Returns a malloc'ed string or NULL.
 */
char *record_to_json(const struct record *r, const char *type_name, const struct timespec *ts);
