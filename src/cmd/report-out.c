/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report: the rows as a table (libsmartcols, one per host) or JSON lines (json-c). */
#include <errno.h>
#include <json-c/json.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/report-bpf.h"
#include "cmd/report-event.h"
#include "core/macro.h"
#include "core/utf8.h"

#define SHA_SHORT 12
#define AUID_UNSET 4294967295LL

/* For the table: printable UTF-8 as is, anything else byte by byte as \xNN. */
char *rep_safe_str(const char *s)
{
	char *out, *p;

	if (!s)
		return strdup("?");
	if (utf8_is_valid(s, strlen(s), true))
		return strdup(s);
	out = malloc(strlen(s) * 4 + 1);
	if (!out)
		return NULL;
	p = out;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		p += *c >= 0x20 && *c < 0x7f && *c != '\\' ? sprintf(p, "%c", *c)
							   : sprintf(p, "\\x%02X", *c);
	*p = '\0';
	return out;
}

void rep_format_time(const struct rep_time *t, char *buf, size_t size)
{
	time_t sec = (time_t)t->sec;
	struct tm tm;
	char base[32];

	if (!localtime_r(&sec, &tm) || !strftime(base, sizeof(base), "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(buf, size, "@%lld", t->sec);
		return;
	}
	snprintf(buf, size, "%s.%03u", base, t->ms);
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

static char *module_str(const struct rep_row *r)
{
	const struct rep_mismatch *m = rep_row_mismatch(r, "module");
	_cleanup_free_ char *name = rep_safe_str(r->name), *claim = NULL;
	char *s = NULL;

	if (!m)
		return TAKE_PTR(name);
	claim = rep_safe_str(m->record_str);
	/* Both names when they differ: the kernel's, then the claim. */
	return asprintf(&s, "%s (claim: %s)", name, claim) < 0 ? NULL : s;
}

static char *loader_str(const struct rep_row *r)
{
	_cleanup_free_ char *exe = rep_safe_str(r->exe ? r->exe : r->comm);
	char *s = NULL;

	return asprintf(&s, "%s", exe) < 0 ? NULL : s;
}

enum {
	COL_TIME,
	COL_OP,
	COL_SYSCALL,
	COL_MODULE,
	COL_SIGNER,
	COL_SHA,
	COL_EXE,
	COL_PID,
	COL_AUID,
	COL_OUTCOME,
	COL_SOURCES,
	COL_WITNESS,
	COL_FLAGS
};

static int print_one_table(const struct rep_row *rows, size_t n, const char *node)
{
	static const struct {
		const char *name;
		double whint;
		int flags;
	} cols[] = {
		[COL_TIME] = {"TIME", 23, 0},
		[COL_OP] = {"OP", 6, 0},
		[COL_SYSCALL] = {"SYSCALL", 13, 0},
		[COL_MODULE] = {"MODULE", 16, 0},
		[COL_SIGNER] = {"SIGNER", 20, SCOLS_FL_TRUNC},
		[COL_SHA] = {"SHA256", SHA_SHORT, 0},
		[COL_EXE] = {"EXE", 20, SCOLS_FL_TRUNC},
		[COL_PID] = {"PID", 6, SCOLS_FL_RIGHT},
		[COL_AUID] = {"AUID", 5, SCOLS_FL_RIGHT},
		[COL_OUTCOME] = {"OUTCOME", 14, 0},
		[COL_SOURCES] = {"SOURCES", 14, 0},
		[COL_WITNESS] = {"WITNESS", 11, 0},
		[COL_FLAGS] = {"FLAGS", 14, 0},
	};
	struct libscols_table *tb = scols_new_table();
	int r = 0;

	if (!tb)
		return -ENOMEM;
	scols_table_enable_noencoding(tb, 1); /* rep_safe_str() has escaped already */
	if (node) {
		_cleanup_free_ char *title = NULL, *safe = rep_safe_str(node);

		if (asprintf(&title, "node=%s", safe) > 0)
			scols_cell_set_data(scols_table_get_title(tb), title);
	}
	for (unsigned c = 0; c < ARRAY_SIZE(cols); c++)
		if (!scols_table_new_column(tb, cols[c].name, cols[c].whint, cols[c].flags))
			r = -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct rep_row *row = &rows[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char t[48], pid[24];

		if (!ln) {
			r = -ENOMEM;
			break;
		}
		rep_format_time(&row->t, t, sizeof(t));
		snprintf(pid, sizeof(pid), "%lld", row->pid);
		scols_line_set_data(ln, COL_TIME, t);
		scols_line_set_data(ln, COL_OP, row->unload ? "unload" : "load");
		scols_line_refer_data(ln, COL_SYSCALL, rep_safe_str(row->syscall));
		scols_line_refer_data(ln, COL_MODULE, module_str(row));
		scols_line_refer_data(ln, COL_SIGNER, rep_safe_str(row->signer));
		scols_line_refer_data(ln, COL_SHA,
				      row->sha256 ? strndup(row->sha256, SHA_SHORT) : strdup("?"));
		scols_line_refer_data(ln, COL_EXE, loader_str(row));
		scols_line_set_data(ln, COL_PID, row->pid >= 0 ? pid : "?");
		scols_line_refer_data(ln, COL_AUID, rep_auid_str(row->auid));
		scols_line_refer_data(ln, COL_OUTCOME, rep_outcome(row));
		scols_line_refer_data(ln, COL_SOURCES, rep_bits_str(row->sources, rep_source_name));
		scols_line_set_data(ln, COL_WITNESS, rep_witness_name(row->witness));
		scols_line_refer_data(ln, COL_FLAGS, rep_bits_str(row->flags, rep_flag_name));
	}
	if (r == 0)
		r = scols_print_table(tb);
	scols_unref_table(tb);
	return r;
}

int rep_print_table(const struct rep_row *rows, size_t n)
{
	int r = 0;

	if (n == 0) {
		printf("no module events\n");
		return 0;
	}
	/* One table per host: rows come sorted by node. */
	for (size_t start = 0, end; start < n && r == 0; start = end) {
		const char *node = rows[start].node;

		for (end = start; end < n; end++)
			if ((node == NULL) != (rows[end].node == NULL) ||
			    (node && strcmp(node, rows[end].node)))
				break;
		if (start)
			putchar('\n');
		r = print_one_table(rows + start, end - start, node);
	}
	return r;
}

/*
 * JSON strings must be UTF-8: a value that is not is given in upper-case hex and its key listed
 * in "hex" (as the record format's JSON-lines sink does).
 */
static void add_str(json_object *o, const char *key, const char *value)
{
	_cleanup_free_ char *hex = NULL;
	json_object *list;

	if (!value) {
		json_object_object_add(o, key, NULL);
		return;
	}
	if (utf8_is_valid(value, strlen(value), false)) {
		json_object_object_add(o, key, json_object_new_string(value));
		return;
	}
	hex = malloc(strlen(value) * 2 + 1);
	if (!hex)
		return;
	for (size_t i = 0; value[i]; i++)
		sprintf(hex + 2 * i, "%02X", (unsigned char)value[i]);
	json_object_object_add(o, key, json_object_new_string(hex));
	if (!json_object_object_get_ex(o, "hex", &list)) {
		list = json_object_new_array();
		json_object_object_add(o, "hex", list);
	}
	json_object_array_add(list, json_object_new_string(key));
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
		rep_format_time(&r->t, t, sizeof(t));
		snprintf(epoch, sizeof(epoch), "%lld.%03u", r->t.sec, r->t.ms);
		json_object_object_add(o, "time", json_object_new_string(t));
		json_object_object_add(
			o, "epoch", json_object_new_double_s(r->t.sec + r->t.ms / 1000.0, epoch));
		json_object_object_add(o, "serial", json_object_new_int64((int64_t)r->t.serial));
		add_str(o, "node", r->node);
		json_object_object_add(o, "op",
				       json_object_new_string(r->unload ? "unload" : "load"));
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
