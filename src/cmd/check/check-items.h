/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The checks of `kmodaudit check`: each one looks at one thing (a benchmark item or one of
 * kmodaudit's own requirements) and gives one result with its reason and, when it does not
 * pass, the remediation.
 */
#pragma once

#include <stdbool.h>

#include "cmd/check/check-rules.h"

enum check_status {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_SKIP,
};

struct check_result {
	enum check_status status;
	char *detail;
	char *remediation;
	char *notes; /* more lines to show under the result (one a line), or NULL */
};

/* What the checks share: read once, used by several. */
struct check_ctx {
	const char *root; /* files are read under it; NULL: this system, running checks too */
	unsigned arches;  /* RULES_ARCH_* this machine runs */
	bool uid_min_known;
	unsigned long uid_min;
	int uid_min_err;   /* reading UID_MIN: 0 or -errno (-ENODATA: not set, -ENOENT: no file) */
	char *tool_dir;	   /* where modprobe lives, NULL if none */
	char **exec_paths; /* what the kmod tools run */
	char *kmod;	   /* /bin/kmod resolved, NULL if there is none */
	int disk_err;	   /* loading rules.d: 0 or -errno */
	char *disk_why;	   /* when it failed: "cannot read FILE: reason" */
	struct check_rules disk;
	bool running_loaded;
	int running_err;
	struct check_rules running;
	char *shim_entry;     /* the ld.so.preload entry naming the shim, NULL if none */
	int preload_err;      /* reading /etc/ld.so.preload: 0 (a missing file too) or -errno */
	char *front_end;      /* the kmodaudit front end the tools run, NULL if not */
	char *front_end_file; /* where the front end is installed, NULL if not */
};

struct check_item {
	const char *title; /* names the benchmark item */
	void (*run)(struct check_ctx *ctx, struct check_result *res);
};

extern const struct check_item check_items_cis[];
extern const unsigned check_items_cis_count;
extern const struct check_item check_items_own[];
extern const unsigned check_items_own_count;

/* The bpf(BPF_PROG_LOAD) rule of kmodaudit rules --bpf (check-bpf.c): WARN when missing. */
void check_bpf_rule_disk(struct check_ctx *ctx, struct check_result *res);
void check_bpf_rule_running(struct check_ctx *ctx, struct check_result *res);

/* journald's Audit= (check-journald.c): WARN unless it switches audit on at its start. */
void check_journald_audit(struct check_ctx *ctx, struct check_result *res);

/* Set RES (printf-style detail) and return; remediation may be NULL. */
void check_set(struct check_result *res, enum check_status status, const char *remediation,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Fill the ctx->running rule set from `auditctl -l` once; false (and RES set) if impossible. */
bool check_load_running(struct check_ctx *ctx, struct check_result *res);

/* Why ctx->disk_err: "cannot read FILE: reason". */
const char *check_disk_why(const struct check_ctx *ctx);

/*
 * RES for a check that needs the on-disk rules but could not read them: SKIP when the cause is
 * that this user may not read them (run as root), else FAIL with FIX.
 */
void check_disk_unread(const struct check_ctx *ctx, struct check_result *res, const char *fix);

/* The configuration file (KMODAUDIT_CONFIG_PATH under ctx->root): used, ignored, bad lines. */
void check_conf_file(struct check_ctx *ctx, struct check_result *res);

/* Does PATH (as a rule names it) reach the same file as TARGET, both seen inside ctx->root? */
bool check_same_file(const struct check_ctx *ctx, const char *path, const char *target);
