/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report's columns: one getter per column, shared by the table, --raw and csv, and
 * -o/--output to choose them.
 */
#include <errno.h>
#include <libsmartcols/libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd/report/report-view.h"
#include "macro.h"

#define SHA_SHORT 12

static char *num(long long v)
{
	char *s = NULL;

	if (v < 0)
		return strdup("?");
	return asprintf(&s, "%lld", v) < 0 ? NULL : s;
}

static char *get_time(const struct rep_row *r, bool full)
{
	char t[48];

	(void)full;
	rep_format_time(&r->t, t, sizeof(t));
	return strdup(t);
}

static char *get_op(const struct rep_row *r, bool full)
{
	(void)full;
	return strdup(rep_row_op(r));
}

static char *get_syscall(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->syscall);
}

static char *get_module(const struct rep_row *r, bool full)
{
	const struct rep_mismatch *m = rep_row_mismatch(r, "module");
	_cleanup_free_ char *name = rep_safe_str(r->name), *claim = NULL;
	char *s = NULL;

	(void)full;
	if (!m)
		return TAKE_PTR(name);
	claim = rep_safe_str(m->record_str);
	/* Both names when they differ: the kernel's, then the claim. */
	return asprintf(&s, "%s (claim: %s)", name, claim) < 0 ? NULL : s;
}

static char *get_signer(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->signer);
}

static char *get_sig_key(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->sig_key);
}

static char *get_sig(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->sig);
}

static char *get_sha(const struct rep_row *r, bool full)
{
	if (!r->sha256)
		return strdup("?");
	return full ? rep_safe_str(r->sha256) : strndup(r->sha256, SHA_SHORT);
}

static char *get_exe(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->exe ? r->exe : r->comm);
}

static char *get_comm(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->comm);
}

static char *get_pid(const struct rep_row *r, bool full)
{
	(void)full;
	return num(r->pid);
}

static char *get_ppid(const struct rep_row *r, bool full)
{
	(void)full;
	return num(r->ppid);
}

static char *get_uid(const struct rep_row *r, bool full)
{
	(void)full;
	return num(r->uid);
}

static char *get_auid(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_auid_str(r->auid);
}

static char *get_ses(const struct rep_row *r, bool full)
{
	(void)full;
	return num(r->ses == 4294967295LL ? -1 : r->ses);
}

static char *get_outcome(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_outcome(r);
}

static char *get_sources(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_bits_str(r->sources, rep_source_name);
}

static char *get_witness(const struct rep_row *r, bool full)
{
	(void)full;
	return strdup(rep_witness_name(r->witness));
}

static char *get_flags(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_bits_str(r->flags, rep_flag_name);
}

static char *get_node(const struct rep_row *r, bool full)
{
	(void)full;
	return rep_safe_str(r->node);
}

static char *get_serial(const struct rep_row *r, bool full)
{
	(void)full;
	return num((long long)r->t.serial);
}

/*
 * The wide columns give way to the terminal (report-width.c): a module name, signer or exe as
 * long as an attacker likes must not widen every row; flags are kept whole.
 */
const struct rep_col rep_cols[] = {
	{"TIME", 23, 0, false, "time of the event (local; --utc: UTC)", get_time},
	{"OP", 6, 0, false, "load, unload or bpf", get_op},
	{"SYSCALL", 13, 0, false, "init_module, finit_module, delete_module", get_syscall},
	{"MODULE", 8, 0, true, "module name (the kernel's; a differing claim after it)",
	 get_module},
	{"SIGNER", 8, 0, true, "signer claimed", get_signer},
	{"SHA256", SHA_SHORT, 0, false, "sha256 claimed (short in a table)", get_sha},
	{"EXE", 8, 0, true, "the loader's executable (comm when unknown)", get_exe},
	{"PID", 6, SCOLS_FL_RIGHT, false, "the loader's pid", get_pid},
	{"AUID", 5, SCOLS_FL_RIGHT, false, "login uid", get_auid},
	{"OUTCOME", 14, 0, false, "success, failed ERRNO, no result", get_outcome},
	{"SOURCES", 14, 0, false, "who saw it: kernel, preload, trace, kmod", get_sources},
	{"WITNESS", 11, 0, false, "whose word the claims rest on", get_witness},
	{"FLAGS", 14, 0, false, "what is worth a look", get_flags},
	/* Not shown unless asked for (-o). */
	{"NODE", 8, 0, true, "host (node=)", get_node},
	{"SERIAL", 8, SCOLS_FL_RIGHT, false, "audit event serial", get_serial},
	{"PPID", 6, SCOLS_FL_RIGHT, false, "the loader's parent", get_ppid},
	{"UID", 5, SCOLS_FL_RIGHT, false, "uid", get_uid},
	{"SES", 5, SCOLS_FL_RIGHT, false, "login session", get_ses},
	{"COMM", 8, 0, true, "the loader's comm", get_comm},
	{"SIG", 6, 0, false, "signature type claimed", get_sig},
	{"SIGKEY", 8, 0, true, "signing key id claimed", get_sig_key},
};
const size_t rep_ncols = ARRAY_SIZE(rep_cols);
#define NDEFAULT 13

void rep_cols_default(struct rep_out *o)
{
	for (o->ncols = 0; o->ncols < NDEFAULT; o->ncols++)
		o->cols[o->ncols] = o->ncols;
}

void rep_cols_narrow(struct rep_out *o)
{
	static const char *const names[] = {"TIME", "OP",      "MODULE", "EXE",
					    "PID",  "WITNESS", "FLAGS"};

	o->ncols = 0;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		for (unsigned c = 0; c < rep_ncols; c++)
			if (!strcmp(rep_cols[c].name, names[i]))
				o->cols[o->ncols++] = c;
}

int rep_cols_parse(struct rep_out *o, const char *list)
{
	const char *p = list;

	if (*p == '+') {
		rep_cols_default(o);
		p++;
	} else {
		o->ncols = 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t c;

		for (c = 0; c < rep_ncols; c++)
			if (strlen(rep_cols[c].name) == n && !strncasecmp(rep_cols[c].name, p, n))
				break;
		if (c == rep_ncols) {
			fprintf(stderr,
				"kmodaudit report: --output '%.*s': not a column (see --help)\n",
				(int)n, p);
			return -EINVAL;
		}
		if (o->ncols == REP_MAX_COLS) {
			fprintf(stderr, "kmodaudit report: --output: too many columns\n");
			return -EINVAL;
		}
		o->cols[o->ncols++] = (unsigned)c;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}
