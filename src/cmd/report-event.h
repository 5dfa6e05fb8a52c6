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
};

struct rep_time {
	long long sec;
	unsigned ms;
	unsigned long serial;
};

/* A module syscall the kernel recorded: SYSCALL (+ KERN_MODULE) records of one serial. */
struct rep_kernel {
	struct rep_time t;
	char *node;
	char *syscall;
	char *name; /* KERN_MODULE name=, NULL if the kernel wrote none */
	long long pid, auid;
	char *exe, *comm;
	bool exit_known;
	long long exit;
	bool used;
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
	long long sender_pid; /* the kernel's pid= of the record: for via=trace, the tracer */
	long long loader_pid; /* the process that made the call */
	long long auid;
	bool exit_known;
	long long exit;
	bool used;
};

struct rep_row {
	struct rep_time t;
	const char *node;
	bool unload;
	const char *syscall;
	const char *name;
	const char *kernel_name; /* when it differs from name */
	const char *signer, *sha256, *sig, *exe, *comm;
	const char *sig_key;
	bool sig_unchecked; /* anomaly=sig_unchecked: the kernel did not check the signature */
	long long pid, auid;
	bool exit_known;
	long long exit;
	unsigned long long seq;
	unsigned sources;
	unsigned flags;
};

struct rep_log {
	struct rep_kernel *kernel;
	size_t nkernel;
	struct rep_user *user;
	size_t nuser;
};

struct rep_filter {
	bool has_since, has_until;
	long long since, until; /* seconds since the epoch */
};

bool rep_in_span(const struct rep_filter *filter, long long sec);

/* Read FILES (NULL: the system's logs, rotated ones included) with auparse: events in FILTER. */
int rep_read(const char *const *files, const struct rep_filter *filter, struct rep_log *log);
void rep_log_free(struct rep_log *log);

struct rep_match_opts {
	double window; /* seconds either side of our records in which the kernel's may fall */
	char **trusted_signers; /* NULL-terminated, NULL: no allow list, no unknown_signer */
};

/*
 * Trusted signers (report-trust.c): entries "NAME/KEYID". A signature is trusted when an entry
 * names its signer and its key id (hex digits compared, case and colons aside); an entry
 * without a key id trusts nothing.
 */
bool rep_trust_entry_has_key(const char *entry);
bool rep_signer_trusted(char **entries, const char *signer, const char *sig_key);

/* Pair, merge and correlate into rows sorted by node, then time. */
int rep_match(struct rep_log *log, const struct rep_match_opts *opts, struct rep_row **rows,
	      size_t *nrows);

int rep_print_table(const struct rep_row *rows, size_t n);
int rep_print_json(const struct rep_row *rows, size_t n);

const char *rep_flag_name(unsigned flag);
const char *rep_source_name(unsigned source);
