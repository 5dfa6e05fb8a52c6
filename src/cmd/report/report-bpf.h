/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report's BPF program rows: the kernel's AUDIT_BPF records (prog-id=N op=LOAD|UNLOAD,
 * with the SYSCALL record of the same event when a `bpf a0=5` rule is loaded) held against our
 * op=bpf_prog_load records by prog id, exactly: ids are unique while the system runs, so no time
 * window is needed; across reboots the nearest LOAD of the id is taken.
 */
#pragma once

#include <auparse.h>
#include <json-c/json.h>
#include <stdbool.h>

#include "cmd/report/report-event.h"

/* One AUDIT_BPF record, or one record of ours about a BPF program load. */
struct rep_bpf_event {
	struct rep_time t;
	char *node;
	bool kernel; /* the kernel's AUDIT_BPF */
	bool unload; /* kernel: op=UNLOAD */
	bool intent; /* ours: op=bpf_prog_load_intent */
	long long prog_id;
	/* the loader: the kernel's SYSCALL record of the event, or our record's prefix */
	long long pid, uid, auid;
	char *exe, *comm;
	/* ours */
	char *via, *prog_type, *prog_name, *insns_sha256, *anomaly;
	long long insn_cnt;
	unsigned long long seq;
	bool exit_known;
	long long exit;
	bool used;
	char *text; /* the event's records as written (rep_read_keep_text()), or NULL */
};

/* What a BPF row shows beyond struct rep_row (rep_row.bpf). */
struct rep_bpf_prog {
	long long prog_id; /* -1: the load failed, or no id */
	const char *prog_type, *prog_name, *anomaly;
	long long insn_cnt; /* -1: unknown */
	bool unloaded;	    /* the kernel's UNLOAD of the id: the program's end */
	struct rep_time unload_t;
	char *label; /* the MODULE column: "prog_name (prog_type, id N)" */
	/* for --explain: our intent and result, the kernel's LOAD and UNLOAD (NULL: none) */
	const struct rep_bpf_event *events[4];
};

struct rep_bpf_log {
	struct rep_bpf_event *ev;
	size_t n, cap;
	struct rep_bpf_prog *progs;
	size_t nprogs;
	/* matching: the kernel's events by (node, id, op, time), our results by (node, pid, seq) */
	struct rep_bpf_event **kidx, **ridx;
	size_t nk, nr;
	/* the kernel's SYSCALL record of bpf(), when it comes before the event's AUDIT_BPF */
	unsigned long pending_serial;
	long long pending_sec;
	long long pending_pid, pending_uid, pending_auid;
	char *pending_exe, *pending_comm;
};

/* Whether the current record of an event is one for rep_bpf_read(). */
bool rep_bpf_wants(int type, const char *op);

/* Read the current record (AUDIT_BPF, a SYSCALL of bpf(), or ours with a BPF op). 0 or -errno. */
int rep_bpf_read(auparse_state_t *au, int type, const struct rep_time *t, const char *node,
		 struct rep_log *log);

/* Give the records of the event just read at T (its text, one a line) to the BPF events it made. */
void rep_bpf_keep_text(struct rep_log *log, const struct rep_time *t, const char *text);

/* Append one row per BPF program load to *rows, and sort all rows again. 0 or -errno. */
int rep_bpf_rows(struct rep_log *log, struct rep_row **rows, size_t *nrows);

/* The JSON row's "bpf" object. */
json_object *rep_bpf_json(const struct rep_bpf_prog *p);

void rep_bpf_log_free(struct rep_bpf_log *bl);
