/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report: the rows as a table (libsmartcols, one per host) or JSON lines (json-c). */
#include <errno.h>
#include <json-c/json.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cmd/report/report-bpf.h"
#include "cmd/report/report-event.h"
#include "cmd/report/report-view.h"
#include "macro.h"
#include "core/text-encode.h"

#define AUID_UNSET 4294967295LL

/* For the table: printable UTF-8 as is, anything else byte by byte as \xNN. */
char *rep_safe_str(const char *s)
{
	if (!s)
		return strdup("?");
	/* Other than ASCII only where the locale has it: libsmartcols loops forever on a byte
	 * above 0x7F in the C locale (a hostile module name hung the report). */
	return text_terminal_safe(s, MB_CUR_MAX > 1);
}

char *rep_outcome(const struct rep_row *r)
{
	char *s = NULL;

	if (!r->exit_known)
		return strdup(r->flags & REP_FLAG_NO_RESULT ? "no result" : "?");
	if (r->exit == 0 || (r->bpf && r->exit > 0)) /* a BPF load returns the new fd */
		return strdup("success");
	if (r->exit < 0 && r->exit > -4096) {
		const char *name = strerrorname_np((int)-r->exit);

		if (asprintf(&s, "failed %s", name ? name : "?") < 0)
			return NULL;
		return s;
	}
	if (asprintf(&s, "failed %lld", r->exit) < 0)
		return NULL;
	return s;
}

char *rep_auid_str(long long auid)
{
	char *s = NULL;

	if (auid < 0 || auid == AUID_UNSET)
		return strdup("unset");
	return asprintf(&s, "%lld", auid) < 0 ? NULL : s;
}

char *rep_bits_str(unsigned bits, const char *(*name)(unsigned))
{
	char *s = NULL;

	for (unsigned b = 1; b && b <= bits; b <<= 1) {
		char *joined;

		if (!(bits & b) || !name(b))
			continue;
		if (asprintf(&joined, "%s%s%s", s ? s : "", s ? "," : "", name(b)) < 0)
			break;
		free(s);
		s = joined;
	}
	return s ? s : strdup("-");
}

const struct rep_mismatch *rep_row_mismatch(const struct rep_row *r, const char *field)
{
	for (unsigned i = 0; i < r->nmismatch; i++)
		if (!strcmp(r->mismatch[i].field, field))
			return &r->mismatch[i];
	return NULL;
}

size_t rep_term_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;
	char *end;
	long w;

	if (env && *env) {
		errno = 0;
		w = strtol(env, &end, 10);
		if (!errno && !*end && w > 0 && w <= 100000)
			return (size_t)w;
	}
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col)
		return ws.ws_col;
	return 0;
}

/*
 * Cut CELLS[c] to WIDTH[c], a truncated cell ending in "..." (one column, U+2026), so that
 * nobody takes a cut name for a whole one.
 */
static void cut_cells(char **cells, size_t ncells, const size_t *width, unsigned ncols)
{
	for (size_t i = 0; i < ncells; i++) {
		size_t w = width[i % ncols];
		char *cut;

		if (!cells[i] || rep_text_width(cells[i]) <= w)
			continue;
		rep_text_truncate(cells[i], w ? w - 1 : 0);
		if (w && asprintf(&cut, "%s%s", cells[i], MB_CUR_MAX > 1 ? "\u2026" : "~") > 0) {
			free(cells[i]);
			cells[i] = cut;
		}
	}
}

/*
 * Column widths for the terminal (0: unlimited): the wide columns (names a sender chooses)
 * shrink first, the widest first, then any column but the time, down to its header.
 */
static void fit(char **cells, size_t n, const struct rep_out *o, size_t term, size_t *width)
{
	size_t min[REP_MAX_COLS];
	bool shrink[REP_MAX_COLS];

	for (unsigned c = 0; c < o->ncols; c++) {
		const struct rep_col *col = &rep_cols[o->cols[c]];

		width[c] = strlen(col->name);
		for (size_t i = 0; i < n; i++) {
			size_t w = rep_text_width(cells[i * o->ncols + c]);

			width[c] = w > width[c] ? w : width[c];
		}
		min[c] = col->wide && col->whint > strlen(col->name) ? (size_t)col->whint
								     : strlen(col->name);
		shrink[c] = col->wide;
	}
	rep_fit_widths(width, min, shrink, o->ncols, term);
	for (unsigned c = 0; c < o->ncols; c++) {
		min[c] = strlen(rep_cols[o->cols[c]].name);
		shrink[c] = strcmp(rep_cols[o->cols[c]].name, "TIME") != 0;
	}
	rep_fit_widths(width, min, shrink, o->ncols, term);
	cut_cells(cells, n * o->ncols, width, o->ncols);
}

static int print_one_table(const struct rep_row *rows, size_t n, const char *node,
			   const struct rep_out *o)
{
	struct libscols_table *tb = scols_new_table();
	_cleanup_free_ char **cells = calloc(n * o->ncols + 1, sizeof(*cells));
	size_t width[REP_MAX_COLS], term = o->raw ? 0 : rep_term_width();
	int r = 0;

	if (!tb || !cells) {
		scols_unref_table(tb);
		return -ENOMEM;
	}
	scols_table_enable_noencoding(tb, 1); /* rep_safe_str() has escaped already */
	if (o->raw)
		scols_table_enable_raw(tb, 1);
	scols_table_enable_noheadings(tb, o->noheadings);
	for (size_t i = 0; i < n; i++)
		for (unsigned c = 0; c < o->ncols; c++)
			if (!(cells[i * o->ncols + c] = rep_cols[o->cols[c]].get(&rows[i], o->raw)))
				r = -ENOMEM;
	if (r == 0 && !o->raw)
		fit(cells, n, o, term, width);
	if (node && !o->raw && r == 0) {
		_cleanup_free_ char *title = NULL, *safe = rep_safe_str(node);

		if (safe && asprintf(&title, "node=%s", safe) > 0) {
			if (term && rep_text_width(title) > term)
				cut_cells(&title, 1, &term, 1);
			scols_cell_set_data(scols_table_get_title(tb), title);
		}
	}
	for (unsigned c = 0; c < o->ncols && r == 0; c++) {
		const struct rep_col *col = &rep_cols[o->cols[c]];

		if (!scols_table_new_column(tb, col->name, o->raw ? 1 : (double)width[c],
					    col->scols_flags))
			r = -ENOMEM;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			r = -ENOMEM;
			break;
		}
		for (unsigned c = 0; c < o->ncols; c++)
			scols_line_refer_data(ln, c, TAKE_PTR(cells[i * o->ncols + c]));
	}
	if (r == 0)
		r = scols_print_table(tb);
	for (size_t i = 0; i < n * o->ncols; i++)
		free(cells[i]);
	scols_unref_table(tb);
	return r;
}

static bool same_node(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (!a || !strcmp(a, b));
}

/* --raw: one table, each line whole; the host is a column (first), not a title. */
static int print_raw(const struct rep_row *rows, size_t n, const struct rep_out *o)
{
	struct rep_out raw = *o;
	bool nodes = false;

	for (size_t i = 0; i < n; i++)
		nodes |= rows[i].node != NULL;
	for (unsigned c = 0; c < o->ncols; c++)
		nodes &= strcmp(rep_cols[o->cols[c]].name, "NODE") != 0;
	if (nodes && raw.ncols < REP_MAX_COLS) {
		memmove(raw.cols + 1, raw.cols, raw.ncols * sizeof(raw.cols[0]));
		for (unsigned c = 0; c < rep_ncols; c++)
			if (!strcmp(rep_cols[c].name, "NODE"))
				raw.cols[0] = c;
		raw.ncols++;
	}
	return print_one_table(rows, n, NULL, &raw);
}

int rep_print_table_cols(const struct rep_row *rows, size_t n, const struct rep_out *o)
{
	int r = 0;

	if (n == 0) {
		if (!o->raw)
			printf("no module events\n");
		return 0;
	}
	if (o->raw)
		return print_raw(rows, n, o);
	/* One table per host: rows come sorted by node. */
	for (size_t start = 0, end; start < n && r == 0; start = end) {
		const char *node = rows[start].node;

		for (end = start; end < n && same_node(node, rows[end].node); end++)
			;
		if (start)
			putchar('\n');
		r = print_one_table(rows + start, end - start, node, o);
	}
	return r;
}

int rep_print_table(const struct rep_row *rows, size_t n)
{
	struct rep_out o = {.format = REP_FMT_TABLE};

	rep_cols_default(&o);
	return rep_print_table_cols(rows, n, &o);
}

bool rep_any_flagged(const struct rep_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].flags)
			return true;
	return false;
}

void rep_print_summary(FILE *out, const struct rep_row *rows, size_t n)
{
	size_t loads = 0, hosts = 0, flagged = 0, per_flag[32] = {0};
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		/* Rows come sorted by node: a new host starts where the node changes. */
		hosts += i == 0 || !same_node(rows[i].node, rows[i - 1].node);
		loads += !strcmp(rep_row_op(&rows[i]), "load");
		flagged += rows[i].flags != 0;
		for (unsigned b = 0; b < 32; b++)
			per_flag[b] += (rows[i].flags >> b) & 1;
	}
	fprintf(out, "%zu event%s (%zu load%s, %zu other), %zu host%s; ", n, n == 1 ? "" : "s",
		loads, loads == 1 ? "" : "s", n - loads, hosts, hosts == 1 ? "" : "s");
	if (!flagged) {
		fprintf(out, "none flagged\n");
		return;
	}
	fprintf(out, "%zu flagged:", flagged);
	for (unsigned b = 0; b < 32; b++) {
		if (!per_flag[b] || !rep_flag_name(1u << b))
			continue;
		fprintf(out, "%s %s %zu", first ? "" : ",", rep_flag_name(1u << b), per_flag[b]);
		first = false;
	}
	fputc('\n', out);
}

/* JSON strings must be UTF-8 (else hex, the key listed in "hex"), as in the records' JSON. */
static void add_str(json_object *o, const char *key, const char *value)
{
	text_json_add_str(o, key, value, value ? strlen(value) : 0, NULL);
}

static json_object *bits_array(unsigned bits, const char *(*name)(unsigned))
{
	json_object *a = json_object_new_array();

	for (unsigned b = 1; b && b <= bits; b <<= 1)
		if ((bits & b) && name(b))
			json_object_array_add(a, json_object_new_string(name(b)));
	return a;
}

static json_object *id_or_null(long long v)
{
	return v >= 0 ? json_object_new_int64(v) : NULL;
}

/* Who sent the record whose claims the row shows: the kernel's prefix of it, and its via. */
static json_object *sender_object(const struct rep_user *u)
{
	json_object *o;

	if (!u)
		return NULL;
	o = json_object_new_object();
	add_str(o, "via", u->via);
	json_object_object_add(o, "pid", id_or_null(u->sender_pid));
	json_object_object_add(o, "uid", id_or_null(u->sender_uid));
	json_object_object_add(
		o, "auid",
		u->auid >= 0 && u->auid != AUID_UNSET ? json_object_new_int64(u->auid) : NULL);
	json_object_object_add(o, "ses",
			       id_or_null(u->sender_ses == AUID_UNSET ? -1 : u->sender_ses));
	return o;
}

static json_object *origin_object(const struct rep_row *r)
{
	json_object *o = json_object_new_object();

	for (unsigned f = 0; f < REP_F_COUNT; f++)
		if (rep_origin_name(r->origin[f]))
			json_object_object_add(
				o, rep_field_name(f),
				json_object_new_string(rep_origin_name(r->origin[f])));
	return o;
}

/* For each value a record's claim disagrees with the kernel on: both, and whose claim. */
static json_object *mismatch_object(const struct rep_row *r)
{
	json_object *o = json_object_new_object();

	for (unsigned i = 0; i < r->nmismatch; i++) {
		const struct rep_mismatch *m = &r->mismatch[i];
		json_object *v = json_object_new_object();

		if (m->numeric) {
			json_object_object_add(v, "kernel", json_object_new_int64(m->kernel_num));
			json_object_object_add(v, "record", json_object_new_int64(m->record_num));
		} else {
			add_str(v, "kernel", m->kernel_str);
			add_str(v, "record", m->record_str);
		}
		add_str(v, "via", m->record->via);
		json_object_object_add(v, "sender_pid", id_or_null(m->record->sender_pid));
		json_object_object_add(o, m->field, v);
	}
	return o;
}

int rep_print_json(const struct rep_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *r = &rows[i];
		json_object *o = json_object_new_object();
		_cleanup_free_ char *out = rep_outcome(r);
		char t[48], epoch[32];

		if (!o)
			return -ENOMEM;
		rep_format_time_iso(&r->t, t, sizeof(t));
		snprintf(epoch, sizeof(epoch), "%lld.%03u", r->t.sec, r->t.ms);
		json_object_object_add(o, "time", json_object_new_string(t));
		json_object_object_add(
			o, "epoch", json_object_new_double_s(r->t.sec + r->t.ms / 1000.0, epoch));
		json_object_object_add(o, "serial", json_object_new_int64((int64_t)r->t.serial));
		add_str(o, "node", r->node);
		json_object_object_add(o, "op", json_object_new_string(rep_row_op(r)));
		add_str(o, "syscall", r->syscall);
		add_str(o, "module", r->name);
		add_str(o, "sig", r->sig);
		add_str(o, "signer", r->signer);
		add_str(o, "sha256", r->sha256);
		add_str(o, "exe", r->exe);
		add_str(o, "comm", r->comm);
		json_object_object_add(o, "pid", id_or_null(r->pid));
		json_object_object_add(o, "ppid", id_or_null(r->ppid));
		json_object_object_add(o, "uid", id_or_null(r->uid));
		json_object_object_add(o, "auid",
				       r->auid >= 0 && r->auid != AUID_UNSET
					       ? json_object_new_int64(r->auid)
					       : NULL);
		json_object_object_add(o, "ses", id_or_null(r->ses == AUID_UNSET ? -1 : r->ses));
		add_str(o, "subj", r->subj);
		json_object_object_add(o, "exit",
				       r->exit_known ? json_object_new_int64(r->exit) : NULL);
		add_str(o, "outcome", out);
		json_object_object_add(o, "sources", bits_array(r->sources, rep_source_name));
		json_object_object_add(o, "flags", bits_array(r->flags, rep_flag_name));
		json_object_object_add(o, "witness",
				       json_object_new_string(rep_witness_name(r->witness)));
		json_object_object_add(o, "sender", sender_object(r->claim));
		json_object_object_add(o, "origin", origin_object(r));
		json_object_object_add(o, "mismatch", mismatch_object(r));
		if (r->bpf)
			json_object_object_add(o, "bpf", rep_bpf_json(r->bpf));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	return 0;
}
