/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: what the analyst asks for (row filters, columns, formats, time) and the
 * inputs it is read from. Everything here works on a row through its column getters and
 * rep_row_op(), so rows of another kind are selected and printed the same way.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd/report/report-event.h"

/* Exit status of report when it printed (or, with --quiet, counted) a flagged row. */
#define REP_EXIT_FLAGGED 3

/* The row's operation as --op and the OP column name it. */
const char *rep_row_op(const struct rep_row *r);

/* Row filters (report-select.c): each option narrows, a repeated one widens (any of). */
enum {
	REP_SEL_MODULE, /* exact module name, the kernel's or the claim */
	REP_SEL_SIGNER, /* substring of the signer */
	REP_SEL_SHA256, /* prefix, case-insensitive */
	REP_SEL_VIA,	/* a source that saw the row: kernel, preload, trace, kmod */
	REP_SEL_EXE,	/* exact exe path */
	REP_SEL_NODE,	/* exact node= */
	REP_SEL_OP,	/* rep_row_op() */
	REP_SEL_COUNT,
};

#define REP_SEL_MAX 32

struct rep_select {
	const char *values[REP_SEL_COUNT][REP_SEL_MAX];
	unsigned nvalues[REP_SEL_COUNT];
	unsigned flags;	    /* any of these REP_FLAG_* (0: any row) */
	unsigned witnesses; /* any of these 1 << REP_WITNESS_* (0: any row) */
};

/* Add a value for KIND; -EINVAL (with a message naming OPTION) when it cannot match. */
int rep_select_add(struct rep_select *s, unsigned kind, const char *option, const char *value);
/* A comma list of flag names; -EINVAL naming the bad one. */
int rep_select_flags(struct rep_select *s, const char *list);
bool rep_select_row(const struct rep_select *s, const struct rep_row *r);

/* Time (report-time.c): local time by default, UTC with --utc. */
void rep_time_utc(bool utc);
/* "YYYY-MM-DDTHH:MM:SS.mmm+HH:MM" (or Z under --utc): always an offset. */
void rep_format_time_iso(const struct rep_time *t, char *buf, size_t size);

/* Columns (report-cols.c). */
struct rep_col {
	const char *name;
	double whint;	 /* wide columns: the width they may shrink to */
	int scols_flags; /* SCOLS_FL_RIGHT */
	bool wide;	 /* shrinks first to fit the terminal; the others only if still needed */
	const char *help;
	/* The cell, malloc'd; FULL: not shortened for a table (csv, raw). */
	char *(*get)(const struct rep_row *r, bool full);
};

extern const struct rep_col rep_cols[];
extern const size_t rep_ncols;
#define REP_MAX_COLS 32

struct rep_out {
	enum { REP_FMT_TABLE, REP_FMT_JSON, REP_FMT_CSV, REP_FMT_EXPLAIN } format;
	unsigned cols[REP_MAX_COLS]; /* indexes into rep_cols */
	unsigned ncols;
	bool raw, quiet, noheadings;
};

/* -o LIST (or +LIST: added to the defaults); -EINVAL naming the bad column. */
int rep_cols_parse(struct rep_out *o, const char *list);
void rep_cols_default(struct rep_out *o);
/* The default for a terminal narrower than the full table: what identifies the event. */
void rep_cols_narrow(struct rep_out *o);
/* The terminal's width (COLUMNS first), 0: not a terminal, no limit. */
size_t rep_term_width(void);
#define REP_NARROW_WIDTH 160

/* Widths (report-width.c): printable UTF-8 text, one column a code point. */
size_t rep_text_width(const char *s);
void rep_text_truncate(char *s, size_t width);
/* Shrink the SHRINK columns, the widest first, down to MIN, until the table fits TERM. */
void rep_fit_widths(size_t *width, const size_t *min, const bool *shrink, size_t ncols,
		    size_t term);

int rep_print_rows(const struct rep_row *rows, size_t n, const struct rep_out *o);
int rep_print_csv(const struct rep_row *rows, size_t n, const struct rep_out *o);
int rep_print_table_cols(const struct rep_row *rows, size_t n, const struct rep_out *o);
/* "N events (L loads, U unloads), H hosts; flagged F: kernel-only 2, ..." */
void rep_print_summary(FILE *out, const struct rep_row *rows, size_t n);
bool rep_any_flagged(const struct rep_row *rows, size_t n);

/* --explain: the records that made R, decoded, in order (report-records.c). */
void rep_print_records(const struct rep_row *r);

/* Inputs (report-input.c): each file checked before auparse reads it. */
struct rep_inputs {
	const char **paths; /* NULL-terminated, for rep_read() */
	size_t n;
	int stdin_fd; /* a copy of stdin for "-", or -1 */
};

/* Check FILES (as given); on error a message naming the file has been printed. */
int rep_inputs_open(const char *const *files, size_t nfiles, struct rep_inputs *in);
/* The system's logs: readable, or a message naming the one that is not. */
int rep_inputs_system(void);
void rep_inputs_free(struct rep_inputs *in);
