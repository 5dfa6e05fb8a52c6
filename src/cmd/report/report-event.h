/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: what is read from the audit logs (the kernel's module syscalls and the
 * records of our emitters), how they are held against each other, and the rows that come out.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where a row was seen. */
enum {
	REP_SRC_KERNEL = 1 << 0,
	REP_SRC_PRELOAD = 1 << 1,
	REP_SRC_TRACE = 1 << 2,
	REP_SRC_KMOD = 1 << 3,
};

/* What is worth a look. */
enum {
	REP_FLAG_KERNEL_ONLY = 1 << 0,
	REP_FLAG_USERSPACE_ONLY = 1 << 1,
	REP_FLAG_NAME_MISMATCH = 1 << 2,
	REP_FLAG_UNSIGNED = 1 << 3,
	REP_FLAG_UNKNOWN_SIGNER = 1 << 4,
	REP_FLAG_FAILED = 1 << 5,
	REP_FLAG_NO_RESULT = 1 << 6, /* an intent and no result: the call never came back */
	/* A record's claim disagrees with the kernel's fact (both are kept in the row). */
	REP_FLAG_EXIT_MISMATCH = 1 << 7,
	REP_FLAG_AUID_MISMATCH = 1 << 8,
	REP_FLAG_COMM_MISMATCH = 1 << 9,
	REP_FLAG_EXE_MISMATCH = 1 << 10,
	REP_FLAG_PPID_MISMATCH = 1 << 11,
	/* A via=trace record no tracer can have sent: from the loader itself, or ... */
	REP_FLAG_TRACE_BY_LOADER = 1 << 12,
	/* ... naming an ancestry without its sender, or disagreeing with the kernel about the
	 * loader's parent or the sender's login (auid, ses). */
	REP_FLAG_TRACE_UNVERIFIED = 1 << 13,
};

/*
 * Who in userspace vouches for a row: nobody (the kernel's records alone), the loading process
 * itself (or a record that cannot be told from its own word), a separate tracer.
 */
enum {
	REP_WITNESS_NONE,
	REP_WITNESS_SELF,
	REP_WITNESS_TRACE,
};

/* Where a value of a row comes from. */
enum {
	REP_ORIGIN_NONE,   /* unknown */
	REP_ORIGIN_KERNEL, /* the kernel's SYSCALL / KERN_MODULE records of the call */
	REP_ORIGIN_PREFIX, /* the kernel's prefix (pid= uid= ...) of the loader's own record */
	REP_ORIGIN_SELF,   /* the claim inside msg='...' of the loader's own record */
	REP_ORIGIN_TRACE,  /* the claim inside msg='...' of a tracer's record */
};

/* The values of a row that have an origin. */
enum {
	REP_F_MODULE,
	REP_F_SYSCALL,
	REP_F_PID,
	REP_F_PPID,
	REP_F_UID,
	REP_F_AUID,
	REP_F_SES,
	REP_F_SUBJ,
	REP_F_EXE,
	REP_F_COMM,
	REP_F_EXIT,
	REP_F_SIG,
	REP_F_SIGNER,
	REP_F_SHA256,
	REP_F_COUNT,
};

struct rep_time {
	long long sec;
	unsigned ms;
	unsigned long serial;
};

/*
 * A record's place in its node's audit stream: the kernel stamps each record with a time and a
 * serial taken in the order the records are made, so (t, serial) orders them exactly.
 */
struct rep_stamp {
	double t;
	unsigned long serial;
};

/* A module syscall the kernel recorded: SYSCALL (+ KERN_MODULE) records of one serial. */
struct rep_kernel {
	struct rep_time t;
	char *node;
	char *syscall;
	char *name; /* KERN_MODULE name=, NULL if the kernel wrote none */
	long long pid, ppid, uid, auid, ses;
	char *exe, *comm, *subj;
	bool exit_known;
	long long exit;
	bool used;
	char *text; /* its records as written, one a line (rep_read_keep_text()), or NULL */
};

/* One record of ours (op=kmod_*). */
struct rep_user {
	struct rep_time t;
	char *node;
	char *op;
	char *via;
	char *syscall;
	char *name;
	char *signer, *sha256, *sig, *anomaly, *comm, *exe;
	char *sig_key;
	unsigned long long seq;
	/* The kernel's prefix of the record: its sender (for via=trace, the tracer). */
	long long sender_pid, sender_uid, auid, sender_ses;
	char *subj;
	long long loader_pid;	 /* the process that made the call: for via=trace, from history= */
	long long ppid;		 /* claimed: the loader's parent */
	bool history_has_sender; /* via=trace: the sender is among the loader's claimed ancestors */
	bool exit_known;
	long long exit;
	bool used;
	char *text; /* the record as written (rep_read_keep_text()), or NULL */
};

/* A claim of a record that disagrees with the kernel's fact. */
struct rep_mismatch {
	unsigned flag;	   /* REP_FLAG_*_MISMATCH, or REP_FLAG_TRACE_UNVERIFIED (ses) */
	const char *field; /* as the JSON row names it */
	bool numeric;
	long long kernel_num, record_num;
	const char *kernel_str, *record_str;
	const struct rep_user *record; /* whose claim (or whose sender's login) */
};

#define REP_MAX_RECORDS 3 /* one call per emitter (preload, trace, kmod) in a row */
#define REP_MAX_MISMATCHES 8

struct rep_row {
	struct rep_time t;
	const char *node;
	bool unload;
	const char *syscall;
	const char *name;
	const char *signer, *sha256, *sig, *exe, *comm, *subj;
	const char *sig_key;
	bool sig_unchecked; /* anomaly=sig_unchecked: the kernel did not check the signature */
	long long pid, ppid, uid, auid, ses; /* -1: unknown */
	bool exit_known;
	long long exit;
	unsigned long long seq;
	unsigned sources;
	unsigned flags;
	unsigned witness;		   /* REP_WITNESS_* */
	unsigned char origin[REP_F_COUNT]; /* REP_ORIGIN_* of each value */
	const struct rep_kernel *kernel;   /* the kernel's event, NULL: none */
	const struct rep_user *claim;	   /* the record whose claims the row shows, NULL: none */
	const struct rep_user *records[REP_MAX_RECORDS]; /* each call's result, else its intent */
	const struct rep_user *intents[REP_MAX_RECORDS]; /* the intent of records[i], if any */
	unsigned nrecords;
	struct rep_mismatch mismatch[REP_MAX_MISMATCHES];
	unsigned nmismatch;
	const struct rep_bpf_prog *bpf; /* a BPF program's row (report-bpf.c), NULL: a module's */
	/* Matching: the span of the row's first call, and that call's place in the log; the stamps
	 * between which the call's kernel event lies (the latest there is taken when the lower one
	 * is a guess, the earliest otherwise). */
	double span_start, span_end;
	size_t first_call;
	struct rep_stamp kernel_lo, kernel_hi;
	bool kernel_last;
};

struct rep_log {
	struct rep_kernel *kernel;
	size_t nkernel, kernel_cap;
	struct rep_user *user;
	size_t nuser, user_cap;
	struct rep_bpf_log *bpf; /* BPF program events (report-bpf.c), NULL: none */
};

struct rep_filter {
	bool has_since, has_until;
	long long since, until; /* seconds since the epoch */
};

bool rep_in_span(const struct rep_filter *filter, long long sec);

/* Read FILES (NULL: the system's logs, rotated ones included) with auparse: events in FILTER. */
int rep_read(const char *const *files, const struct rep_filter *filter, struct rep_log *log);
void rep_log_free(struct rep_log *log);
/* Keep each record's text for --explain (costs memory: off by default). */
void rep_read_keep_text(bool keep);

struct rep_match_opts {
	double window; /* seconds either side of our records in which the kernel's may fall */
	char **trusted_signers; /* NULL-terminated, NULL: no allow list, no unknown_signer */
};

/*
 * Trusted signers (report-signers.c): entries "NAME/KEYID". A signature is trusted when an entry
 * names its signer and its key id (hex digits compared, case and colons aside); an entry
 * without a key id trusts nothing.
 */
bool rep_trust_entry_has_key(const char *entry);
bool rep_signer_trusted(char **entries, const char *signer, const char *sig_key);

/* Pair, merge and correlate into rows sorted by node, then time (rep_row_cmp). */
int rep_match(struct rep_log *log, const struct rep_match_opts *opts, struct rep_row **rows,
	      size_t *nrows);

/* The order of rows, for qsort(): by node, then time, then serial. */
int rep_row_cmp(const void *a, const void *b);

/* Facts, claims and witness of a row from its records and the kernel's event (report-trust.c). */
void rep_trust_row(struct rep_row *row);
void rep_trust_kernel_only(struct rep_row *row, const struct rep_kernel *k);

/* Helpers of the printers (report-out.c). */
char *rep_safe_str(const char *s);
char *rep_outcome(const struct rep_row *r);
char *rep_auid_str(long long auid);
char *rep_bits_str(unsigned bits, const char *(*name)(unsigned));
void rep_format_time(const struct rep_time *t, char *buf, size_t size);
const struct rep_mismatch *rep_row_mismatch(const struct rep_row *r, const char *field);

int rep_print_table(const struct rep_row *rows, size_t n);
int rep_print_json(const struct rep_row *rows, size_t n);
int rep_print_explain(const struct rep_row *rows, size_t n);

const char *rep_flag_name(unsigned flag);
const char *rep_source_name(unsigned source);
const char *rep_witness_name(unsigned witness);
const char *rep_field_name(unsigned field);
/* ORIGIN as text: the claims' origin is the witness of the row's claim record. */
const char *rep_origin_name(unsigned origin);
