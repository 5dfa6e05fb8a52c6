/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: holding our records against the kernel's.
 *
 * 1. Our intent and result records of one call share (node, sender pid, via, seq): they make
 *    one call; an intent left alone is a call that never came back (flag no_result).
 * 2. The same call seen by two of our emitters (a traced process with the shim preloaded) is
 *    one row: same node, caller pid, syscall and name, within the window.
 * 3. A kernel SYSCALL event belongs to the row with the same node, pid (the caller's: for
 *    via=trace taken from history=, since the record's own pid is the tracer) and syscall,
 *    whose time span (intent - window .. result + window) holds it; one with the same module
 *    name is preferred, then the nearest in time. A kernel event no row takes is kernel-only;
 *    a row no kernel event joins is userspace-only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report-event.h"
#include "core/macro.h"

static double tsec(const struct rep_time *t)
{
	return (double)t->sec + t->ms / 1000.0;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static unsigned via_source(const char *via)
{
	if (!via)
		return 0;
	if (!strcmp(via, "preload"))
		return REP_SRC_PRELOAD;
	if (!strcmp(via, "trace"))
		return REP_SRC_TRACE;
	if (!strcmp(via, "kmod"))
		return REP_SRC_KMOD;
	return 0;
}

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

/* One call of ours: the result, and the intent before it (either may be missing). */
struct call {
	const struct rep_user *result, *intent;
	double start, end;
};

static const struct rep_user *call_info(const struct call *c)
{
	return c->result ? c->result : c->intent;
}

static int pair_calls(struct rep_log *log, struct call **calls, size_t *ncalls)
{
	struct call *out = calloc(log->nuser + 1, sizeof(*out));
	size_t n = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < log->nuser; i++) {
		struct rep_user *res = &log->user[i], *best = NULL;

		if (!res->op || !strcmp(res->op, "kmod_load_intent"))
			continue;
		/* The latest unused intent before it: pids and seq restart with processes. */
		for (size_t j = 0; j < log->nuser; j++) {
			struct rep_user *in = &log->user[j];

			if (in->used || !in->op || strcmp(in->op, "kmod_load_intent") ||
			    in->seq != res->seq || in->sender_pid != res->sender_pid ||
			    !str_eq(in->via, res->via) || !str_eq(in->node, res->node) ||
			    tsec(&in->t) > tsec(&res->t))
				continue;
			if (!best || tsec(&in->t) >= tsec(&best->t))
				best = in;
		}
		if (best)
			best->used = true;
		res->used = true;
		out[n++] = (struct call){ .result = res,
					  .intent = best,
					  .start = tsec(best ? &best->t : &res->t),
					  .end = tsec(&res->t) };
	}
	for (size_t i = 0; i < log->nuser; i++) {
		struct rep_user *in = &log->user[i];
		struct call *grown;

		if (in->used)
			continue;
		in->used = true;
		grown = realloc(out, (n + 1) * sizeof(*out));
		if (!grown) {
			free(out);
			return -ENOMEM;
		}
		out = grown;
		out[n++] = (struct call){ .intent = in, .start = tsec(&in->t), .end = tsec(&in->t) };
	}
	*calls = out;
	*ncalls = n;
	return 0;
}

static void row_from_call(struct rep_row *row, const struct call *c)
{
	const struct rep_user *u = call_info(c);

	*row = (struct rep_row){
		.t = c->intent ? c->intent->t : u->t,
		.node = u->node,
		.unload = u->op && !strcmp(u->op, "kmod_unload"),
		.syscall = u->syscall,
		.name = u->name,
		.signer = u->signer,
		.sha256 = u->sha256,
		.sig = u->sig,
		.exe = u->exe,
		.comm = u->comm,
		.pid = u->loader_pid,
		.auid = u->auid,
		.exit_known = c->result && c->result->exit_known,
		.exit = c->result ? c->result->exit : 0,
		.seq = u->seq,
		.sources = via_source(u->via),
	};
	if (!c->result)
		row->flags |= REP_FLAG_NO_RESULT;
	if (has_word(u->anomaly, "name_mismatch"))
		row->flags |= REP_FLAG_NAME_MISMATCH;
	if (!row->unload && ((u->sig && !strcmp(u->sig, "none")) || has_word(u->anomaly, "unsigned")))
		row->flags |= REP_FLAG_UNSIGNED;
}

static bool signer_trusted(const char *signer, char **trusted)
{
	for (char **p = trusted; p && *p; p++)
		if (!strcmp(*p, signer))
			return true;
	return false;
}

static int row_cmp(const void *a, const void *b)
{
	const struct rep_row *x = a, *y = b;
	int c = strcmp(x->node ? x->node : "", y->node ? y->node : "");
	double d;

	if (c)
		return c;
	d = tsec(&x->t) - tsec(&y->t);
	if (d)
		return d < 0 ? -1 : 1;
	return x->t.serial < y->t.serial ? -1 : x->t.serial > y->t.serial;
}

int rep_match(struct rep_log *log, const struct rep_match_opts *opts, struct rep_row **rows,
	      size_t *nrows)
{
	_cleanup_free_ struct call *calls = NULL;
	_cleanup_free_ double *spans = NULL; /* start, end of each row's calls */
	struct rep_row *out;
	size_t ncalls = 0, n = 0;
	int r;

	r = pair_calls(log, &calls, &ncalls);
	if (r < 0)
		return r;
	out = calloc(ncalls + log->nkernel + 1, sizeof(*out));
	spans = calloc(2 * (ncalls + 1), sizeof(*spans));
	if (!out || !spans) {
		free(out);
		return -ENOMEM;
	}

	/* Our calls, one row per call, merged across emitters. */
	for (size_t i = 0; i < ncalls; i++) {
		struct rep_row row;
		bool merged = false;

		row_from_call(&row, &calls[i]);
		for (size_t j = 0; j < n && !merged; j++) {
			struct rep_row *o = &out[j];

			if (!str_eq(o->node, row.node) || o->pid != row.pid || o->pid < 0 ||
			    !str_eq(o->syscall, row.syscall) || !str_eq(o->name, row.name) ||
			    (o->sources & row.sources) || calls[i].start > spans[2 * j + 1] + opts->window ||
			    calls[i].end < spans[2 * j] - opts->window)
				continue;
			o->sources |= row.sources;
			o->flags |= row.flags & ~REP_FLAG_NO_RESULT;
			if (!(row.flags & REP_FLAG_NO_RESULT))
				o->flags &= ~REP_FLAG_NO_RESULT;
			merged = true;
		}
		if (merged)
			continue;
		spans[2 * n] = calls[i].start;
		spans[2 * n + 1] = calls[i].end;
		out[n++] = row;
	}

	/* The kernel's events, to the row they belong to. */
	for (size_t j = 0; j < n; j++) {
		struct rep_row *row = &out[j];
		struct rep_kernel *best = NULL;
		double best_dist = 0;
		bool best_named = false;

		for (size_t i = 0; i < log->nkernel; i++) {
			struct rep_kernel *k = &log->kernel[i];
			double t = tsec(&k->t), dist;
			bool named;

			if (k->used || !str_eq(k->node, row->node) || k->pid != row->pid ||
			    !str_eq(k->syscall, row->syscall) || t < spans[2 * j] - opts->window ||
			    t > spans[2 * j + 1] + opts->window)
				continue;
			named = k->name && row->name && !strcmp(k->name, row->name);
			dist = t > spans[2 * j + 1] ? t - spans[2 * j + 1] :
			       t < spans[2 * j]     ? spans[2 * j] - t :
						      0;
			if (!best || (named && !best_named) ||
			    (named == best_named && dist < best_dist)) {
				best = k;
				best_dist = dist;
				best_named = named;
			}
		}
		if (!best) {
			row->flags |= REP_FLAG_USERSPACE_ONLY;
			continue;
		}
		best->used = true;
		row->sources |= REP_SRC_KERNEL;
		if (best->exe)
			row->exe = best->exe; /* the kernel's word for what ran */
		if (best->name && row->name && strcmp(best->name, row->name)) {
			row->flags |= REP_FLAG_NAME_MISMATCH;
			row->kernel_name = best->name;
		}
		if (!row->exit_known && best->exit_known) {
			row->exit_known = true;
			row->exit = best->exit;
		}
	}
	for (size_t i = 0; i < log->nkernel; i++) {
		struct rep_kernel *k = &log->kernel[i];

		if (k->used)
			continue;
		out[n++] = (struct rep_row){
			.t = k->t,
			.node = k->node,
			.unload = !strcmp(k->syscall, "delete_module"),
			.syscall = k->syscall,
			.name = k->name,
			.exe = k->exe,
			.comm = k->comm,
			.pid = k->pid,
			.auid = k->auid,
			.exit_known = k->exit_known,
			.exit = k->exit,
			.sources = REP_SRC_KERNEL,
			.flags = REP_FLAG_KERNEL_ONLY,
		};
	}
	for (size_t j = 0; j < n; j++) {
		struct rep_row *row = &out[j];

		if (row->exit_known && row->exit != 0)
			row->flags |= REP_FLAG_FAILED;
		if (opts->trusted_signers && row->signer &&
		    !signer_trusted(row->signer, opts->trusted_signers))
			row->flags |= REP_FLAG_UNKNOWN_SIGNER;
	}
	qsort(out, n, sizeof(*out), row_cmp);
	*rows = out;
	*nrows = n;
	return 0;
}

const char *rep_flag_name(unsigned flag)
{
	switch (flag) {
	case REP_FLAG_KERNEL_ONLY:
		return "kernel-only";
	case REP_FLAG_USERSPACE_ONLY:
		return "userspace-only";
	case REP_FLAG_NAME_MISMATCH:
		return "name_mismatch";
	case REP_FLAG_UNSIGNED:
		return "unsigned";
	case REP_FLAG_UNKNOWN_SIGNER:
		return "unknown_signer";
	case REP_FLAG_FAILED:
		return "failed";
	case REP_FLAG_NO_RESULT:
		return "no_result";
	}
	return NULL;
}

const char *rep_source_name(unsigned source)
{
	switch (source) {
	case REP_SRC_KERNEL:
		return "kernel";
	case REP_SRC_PRELOAD:
		return "preload";
	case REP_SRC_TRACE:
		return "trace";
	case REP_SRC_KMOD:
		return "kmod";
	}
	return NULL;
}
