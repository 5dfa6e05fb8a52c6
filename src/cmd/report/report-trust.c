/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: what each value of a row rests on.
 *
 * Facts are what the kernel wrote: its SYSCALL and KERN_MODULE records of the call, and the
 * prefix (pid= uid= auid= ses= subj=) of every user record, which says who sent it. Everything
 * inside msg='...' is its sender's claim. Where the kernel has a value, the row shows the
 * kernel's; a claim that disagrees is kept beside it and flagged.
 *
 * The witness says whose word the claims (signer, sha256, ...) are: the loader's own (the shim,
 * the front end: "self"), a separate tracer's ("trace"), or nobody's ("kernel-only"). A via=trace
 * record is a tracer's only when the log cannot show otherwise: its sender is not the loader,
 * the ancestry it claims holds its sender, and where the kernel saw the call, the loader's
 * parent is the one it claims and the sender shares the loader's login (auid, ses: a tracer
 * starts what it traces). Any other trace record is no better than the loader's own word.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-event.h"
#include "core/record-names.h"

static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

static bool is_trace(const struct rep_user *u)
{
	return u->via && !strcmp(u->via, "trace");
}

static bool is_result(const struct rep_user *u)
{
	return u->op && strcmp(u->op, record_op_name(RECORD_OP_LOAD_INTENT));
}

static struct rep_mismatch *mismatch(struct rep_row *row, unsigned flag, const char *field,
				     const struct rep_user *u)
{
	struct rep_mismatch *m;

	row->flags |= flag;
	for (unsigned i = 0; i < row->nmismatch; i++)
		if (!strcmp(row->mismatch[i].field, field))
			return NULL; /* the first record's disagreement is the one shown */
	if (row->nmismatch == REP_MAX_MISMATCHES)
		return NULL;
	m = &row->mismatch[row->nmismatch++];
	*m = (struct rep_mismatch){.flag = flag, .field = field, .record = u};
	return m;
}

/* Numbers: both known (>= 0 for ids, any for exit) and different. */
static bool num_check(struct rep_row *row, unsigned flag, const char *field, bool known,
		      long long kernel, long long record, const struct rep_user *u)
{
	struct rep_mismatch *m;

	if (!known || kernel == record)
		return true;
	m = mismatch(row, flag, field, u);
	if (m) {
		m->numeric = true;
		m->kernel_num = kernel;
		m->record_num = record;
	}
	return false;
}

static bool str_check(struct rep_row *row, unsigned flag, const char *field, const char *kernel,
		      const char *record, const struct rep_user *u)
{
	struct rep_mismatch *m;

	if (!kernel || !record || !strcmp(kernel, record))
		return true;
	m = mismatch(row, flag, field, u);
	if (m) {
		m->kernel_str = kernel;
		m->record_str = record;
	}
	return false;
}

/* Hold the claims of U against the kernel's event K; returns whether all agree. */
static bool claims_agree(struct rep_row *row, const struct rep_user *u, const struct rep_kernel *k)
{
	bool ok = true;

	ok &= str_check(row, REP_FLAG_NAME_MISMATCH, "module", k->name, u->name, u);
	ok &= num_check(row, REP_FLAG_EXIT_MISMATCH, "exit",
			is_result(u) && u->exit_known && k->exit_known, k->exit, u->exit, u);
	ok &= str_check(row, REP_FLAG_COMM_MISMATCH, "comm", k->comm, u->comm, u);
	ok &= str_check(row, REP_FLAG_EXE_MISMATCH, "exe", k->exe, u->exe, u);
	ok &= num_check(row, REP_FLAG_PPID_MISMATCH, "ppid", k->ppid >= 0 && u->ppid >= 0, k->ppid,
			u->ppid, u);
	return ok;
}

/* What U vouches for, with its flags and disagreements added to ROW (K: the kernel's, or NULL). */
static unsigned record_witness(struct rep_row *row, const struct rep_user *u,
			       const struct rep_kernel *k)
{
	bool ok = true;

	if (k)
		ok = claims_agree(row, u, k);
	if (!is_trace(u)) {
		/* The prefix is the loader's own: its auid can differ only if it was set since. */
		if (k)
			num_check(row, REP_FLAG_AUID_MISMATCH, "auid", k->auid >= 0 && u->auid >= 0,
				  k->auid, u->auid, u);
		return REP_WITNESS_SELF;
	}
	if (u->sender_pid >= 0 && u->sender_pid == u->loader_pid) {
		row->flags |= REP_FLAG_TRACE_BY_LOADER;
		return REP_WITNESS_SELF;
	}
	if (!u->history_has_sender)
		ok = false;
	if (k) {
		ok &= num_check(row, REP_FLAG_AUID_MISMATCH, "auid", k->auid >= 0 && u->auid >= 0,
				k->auid, u->auid, u);
		ok &= num_check(row, REP_FLAG_TRACE_UNVERIFIED, "ses",
				k->ses >= 0 && u->sender_ses >= 0, k->ses, u->sender_ses, u);
	}
	if (!ok) {
		row->flags |= REP_FLAG_TRACE_UNVERIFIED;
		return REP_WITNESS_SELF;
	}
	return REP_WITNESS_TRACE;
}

/* The preference among a row's records for whose claims it shows. */
static unsigned rank(const struct rep_user *u, unsigned witness)
{
	if (witness == REP_WITNESS_TRACE)
		return 3;
	return is_trace(u) ? 1 : 2;
}

void rep_trust_row(struct rep_row *row)
{
	const struct rep_kernel *k = row->kernel;
	const struct rep_user *claim = NULL, *result = NULL;
	unsigned best = 0, claimed;
	bool any_result = false;

	for (unsigned i = 0; i < row->nrecords; i++) {
		const struct rep_user *u = row->records[i];
		unsigned w = record_witness(row, u, k);

		if (w > row->witness)
			row->witness = w;
		if (rank(u, w) > best) {
			best = rank(u, w);
			claim = u;
		}
		if (is_result(u))
			any_result = true;
		if (has_word(u->anomaly, "name_mismatch"))
			row->flags |= REP_FLAG_NAME_MISMATCH;
		if (!row->unload &&
		    ((u->sig && !strcmp(u->sig, "none")) || has_word(u->anomaly, "unsigned")))
			row->flags |= REP_FLAG_UNSIGNED;
	}
	if (!any_result)
		row->flags |= REP_FLAG_NO_RESULT;
	/* The exit claimed: the shown record's result, else another's. */
	result = claim && is_result(claim) && claim->exit_known ? claim : NULL;
	for (unsigned i = 0; i < row->nrecords && !result; i++)
		if (is_result(row->records[i]) && row->records[i]->exit_known)
			result = row->records[i];

	claimed = is_trace(claim) ? REP_ORIGIN_TRACE : REP_ORIGIN_SELF;
	row->claim = claim;
	row->name = claim->name;
	row->origin[REP_F_MODULE] = claim->name ? claimed : REP_ORIGIN_NONE;
	row->origin[REP_F_SYSCALL] = claimed;
	row->sig = claim->sig;
	row->signer = claim->signer;
	row->sig_key = claim->sig_key;
	row->sig_unchecked = has_word(claim->anomaly, "sig_unchecked");
	row->sha256 = claim->sha256;
	row->origin[REP_F_SIG] = claim->sig ? claimed : REP_ORIGIN_NONE;
	row->origin[REP_F_SIGNER] = claim->signer ? claimed : REP_ORIGIN_NONE;
	row->origin[REP_F_SHA256] = claim->sha256 ? claimed : REP_ORIGIN_NONE;
	row->exe = claim->exe;
	row->comm = claim->comm;
	row->ppid = claim->ppid;
	row->origin[REP_F_EXE] = claim->exe ? claimed : REP_ORIGIN_NONE;
	row->origin[REP_F_COMM] = claim->comm ? claimed : REP_ORIGIN_NONE;
	row->origin[REP_F_PPID] = claim->ppid >= 0 ? claimed : REP_ORIGIN_NONE;
	row->exit_known = result != NULL;
	row->exit = result ? result->exit : 0;
	row->origin[REP_F_EXIT] = !result	     ? REP_ORIGIN_NONE
				  : is_trace(result) ? REP_ORIGIN_TRACE
						     : REP_ORIGIN_SELF;
	row->uid = row->auid = row->ses = -1;
	if (is_trace(claim)) {
		/* The loader as the tracer names it; the prefix is the tracer's, not its. */
		row->pid = claim->loader_pid;
		row->origin[REP_F_PID] = row->pid >= 0 ? REP_ORIGIN_TRACE : REP_ORIGIN_NONE;
	} else {
		row->pid = claim->sender_pid;
		row->uid = claim->sender_uid;
		row->auid = claim->auid;
		row->ses = claim->sender_ses;
		row->subj = claim->subj;
		row->origin[REP_F_PID] = row->pid >= 0 ? REP_ORIGIN_PREFIX : REP_ORIGIN_NONE;
		row->origin[REP_F_UID] = row->uid >= 0 ? REP_ORIGIN_PREFIX : REP_ORIGIN_NONE;
		row->origin[REP_F_AUID] = row->auid >= 0 ? REP_ORIGIN_PREFIX : REP_ORIGIN_NONE;
		row->origin[REP_F_SES] = row->ses >= 0 ? REP_ORIGIN_PREFIX : REP_ORIGIN_NONE;
		row->origin[REP_F_SUBJ] = row->subj ? REP_ORIGIN_PREFIX : REP_ORIGIN_NONE;
	}
	if (!k) {
		row->flags |= REP_FLAG_USERSPACE_ONLY;
		return;
	}
	/* The kernel's facts win. */
	if (k->name) {
		row->name = k->name;
		row->origin[REP_F_MODULE] = REP_ORIGIN_KERNEL;
	}
	row->syscall = k->syscall;
	row->origin[REP_F_SYSCALL] = REP_ORIGIN_KERNEL;
	row->unload = !strcmp(k->syscall, "delete_module");
	row->pid = k->pid;
	row->origin[REP_F_PID] = REP_ORIGIN_KERNEL;
	if (k->ppid >= 0) {
		row->ppid = k->ppid;
		row->origin[REP_F_PPID] = REP_ORIGIN_KERNEL;
	}
	if (k->uid >= 0) {
		row->uid = k->uid;
		row->origin[REP_F_UID] = REP_ORIGIN_KERNEL;
	}
	if (k->auid >= 0) {
		row->auid = k->auid;
		row->origin[REP_F_AUID] = REP_ORIGIN_KERNEL;
	}
	if (k->ses >= 0) {
		row->ses = k->ses;
		row->origin[REP_F_SES] = REP_ORIGIN_KERNEL;
	}
	if (k->subj) {
		row->subj = k->subj;
		row->origin[REP_F_SUBJ] = REP_ORIGIN_KERNEL;
	}
	if (k->exe) {
		row->exe = k->exe;
		row->origin[REP_F_EXE] = REP_ORIGIN_KERNEL;
	}
	if (k->comm) {
		row->comm = k->comm;
		row->origin[REP_F_COMM] = REP_ORIGIN_KERNEL;
	}
	if (k->exit_known) {
		row->exit_known = true;
		row->exit = k->exit;
		row->origin[REP_F_EXIT] = REP_ORIGIN_KERNEL;
	}
}

void rep_trust_kernel_only(struct rep_row *row, const struct rep_kernel *k)
{
	*row = (struct rep_row){
		.t = k->t,
		.node = k->node,
		.unload = !strcmp(k->syscall, "delete_module"),
		.syscall = k->syscall,
		.name = k->name,
		.exe = k->exe,
		.comm = k->comm,
		.subj = k->subj,
		.pid = k->pid,
		.ppid = k->ppid,
		.uid = k->uid,
		.auid = k->auid,
		.ses = k->ses,
		.exit_known = k->exit_known,
		.exit = k->exit,
		.sources = REP_SRC_KERNEL,
		.flags = REP_FLAG_KERNEL_ONLY,
		.witness = REP_WITNESS_NONE,
		.kernel = k,
	};
	for (unsigned f = 0; f < REP_F_COUNT; f++)
		row->origin[f] = REP_ORIGIN_KERNEL;
	if (!k->name)
		row->origin[REP_F_MODULE] = REP_ORIGIN_NONE;
	if (!k->exit_known)
		row->origin[REP_F_EXIT] = REP_ORIGIN_NONE;
	row->origin[REP_F_SIG] = row->origin[REP_F_SIGNER] = row->origin[REP_F_SHA256] =
		REP_ORIGIN_NONE;
}

const char *rep_origin_name(unsigned origin)
{
	switch (origin) {
	case REP_ORIGIN_KERNEL:
		return "kernel";
	case REP_ORIGIN_PREFIX:
		return "prefix";
	case REP_ORIGIN_SELF:
		return "self";
	case REP_ORIGIN_TRACE:
		return "trace";
	}
	return NULL;
}

const char *rep_field_name(unsigned field)
{
	static const char *const names[REP_F_COUNT] = {
		[REP_F_MODULE] = "module", [REP_F_SYSCALL] = "syscall", [REP_F_PID] = "pid",
		[REP_F_PPID] = "ppid",	   [REP_F_UID] = "uid",		[REP_F_AUID] = "auid",
		[REP_F_SES] = "ses",	   [REP_F_SUBJ] = "subj",	[REP_F_EXE] = "exe",
		[REP_F_COMM] = "comm",	   [REP_F_EXIT] = "exit",	[REP_F_SIG] = "sig",
		[REP_F_SIGNER] = "signer", [REP_F_SHA256] = "sha256",
	};

	return field < REP_F_COUNT ? names[field] : NULL;
}
