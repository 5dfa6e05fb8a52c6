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
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report-event.h"
#include "core/macro.h"

static double tsec(const struct rep_time *t)
{
	return (double)t->sec + t->ms / 1000.0;
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

/* NULL sorts first and equals only NULL (as str_eq() has it). */
static int strcmp_null(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

static int num_cmp(long long a, long long b)
{
	return (a > b) - (a < b);
}

static int time_cmp(double a, size_t ia, double b, size_t ib)
{
	if (a != b)
		return a < b ? -1 : 1;
	return (ia > ib) - (ia < ib);
}

/* The first of N sorted elements of SIZE bytes at BASE that is not before PROBE under CMP. */
static size_t lower_bound(const void *base, size_t n, size_t size, const void *probe,
			  int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp((const char *)base + mid * size, probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Sort keys. Every search below reproduces the first-found-in-log-order choices of a scan over
 * all records: ties are broken by the index in the log (idx).
 */
struct intent_key {
	const char *node, *via;
	long long sender_pid;
	unsigned long long seq;
	double t;
	size_t idx;
};

static int intent_cmp(const void *a, const void *b)
{
	const struct intent_key *x = a, *y = b;
	int c = strcmp_null(x->node, y->node);

	if (!c)
		c = strcmp_null(x->via, y->via);
	if (!c)
		c = num_cmp(x->sender_pid, y->sender_pid);
	if (!c)
		c = (x->seq > y->seq) - (x->seq < y->seq);
	return c ? c : time_cmp(x->t, x->idx, y->t, y->idx);
}

static struct intent_key intent_key_of(const struct rep_user *u, size_t idx)
{
	return (struct intent_key){.node = u->node,
				   .via = u->via,
				   .sender_pid = u->sender_pid,
				   .seq = u->seq,
				   .t = tsec(&u->t),
				   .idx = idx};
}

static bool is_intent(const struct rep_user *u)
{
	return u->op && !strcmp(u->op, "kmod_load_intent");
}

/* Of the sorted positions <= p, the last whose intent is still free (-1: none); compresses. */
static ptrdiff_t free_at_or_before(ptrdiff_t *left, ptrdiff_t p)
{
	ptrdiff_t root = p, next;

	while (root >= 0 && left[root] != root)
		root = left[root];
	for (; p >= 0 && p != root; p = next) {
		next = left[p];
		left[p] = root;
	}
	return root;
}

static int pair_calls(struct rep_log *log, struct call **calls, size_t *ncalls)
{
	_cleanup_free_ struct intent_key *intents = calloc(log->nuser + 1, sizeof(*intents));
	_cleanup_free_ ptrdiff_t *left = calloc(log->nuser + 1, sizeof(*left));
	struct call *out = calloc(log->nuser + 1, sizeof(*out));
	size_t n = 0, nintents = 0;

	if (!out || !intents || !left) {
		free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < log->nuser; i++)
		if (is_intent(&log->user[i]))
			intents[nintents++] = intent_key_of(&log->user[i], i);
	qsort(intents, nintents, sizeof(*intents), intent_cmp);
	for (size_t p = 0; p < nintents; p++)
		left[p] = (ptrdiff_t)p;

	for (size_t i = 0; i < log->nuser; i++) {
		struct rep_user *res = &log->user[i], *best = NULL;
		struct intent_key probe;
		ptrdiff_t p;

		if (!res->op || is_intent(res))
			continue;
		/*
		 * The latest unused intent at or before it with the same node, via, sender pid and
		 * seq: pids and seq restart with processes.
		 */
		probe = intent_key_of(res, SIZE_MAX);
		p = (ptrdiff_t)lower_bound(intents, nintents, sizeof(*intents), &probe, intent_cmp);
		p = free_at_or_before(left, p - 1);
		if (p >= 0) {
			probe.t = intents[p].t;
			probe.idx = intents[p].idx;
			if (!intent_cmp(&intents[p], &probe)) {
				best = &log->user[intents[p].idx];
				left[p] = p - 1;
			}
		}
		if (best)
			best->used = true;
		res->used = true;
		out[n++] = (struct call){.result = res,
					 .intent = best,
					 .start = tsec(best ? &best->t : &res->t),
					 .end = tsec(&res->t)};
	}
	for (size_t i = 0; i < log->nuser; i++) {
		struct rep_user *in = &log->user[i];

		if (in->used)
			continue;
		in->used = true;
		out[n++] = (struct call){.intent = in, .start = tsec(&in->t), .end = tsec(&in->t)};
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
		.sig_key = u->sig_key,
		.sig_unchecked = has_word(u->anomaly, "sig_unchecked"),
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
	if (!row->unload &&
	    ((u->sig && !strcmp(u->sig, "none")) || has_word(u->anomaly, "unsigned")))
		row->flags |= REP_FLAG_UNSIGNED;
}

/* Only a signature the kernel checked, by a signer and key id of the list. */
static bool signature_trusted(const struct rep_row *row, char **trusted)
{
	return row->sig && !strcmp(row->sig, "pkcs7") && !row->sig_unchecked &&
	       rep_signer_trusted(trusted, row->signer, row->sig_key);
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

/* A call by the row key it merges on (node, caller pid, syscall, name), then start. */
struct call_key {
	const char *node, *syscall, *name;
	long long pid;
	double start;
	size_t idx;
	double longest; /* of the group (same key but start): the longest call's end - start */
};

static int call_cmp(const void *a, const void *b)
{
	const struct call_key *x = a, *y = b;
	int c = strcmp_null(x->node, y->node);

	if (!c)
		c = num_cmp(x->pid, y->pid);
	if (!c)
		c = strcmp_null(x->syscall, y->syscall);
	if (!c)
		c = strcmp_null(x->name, y->name);
	return c ? c : time_cmp(x->start, x->idx, y->start, y->idx);
}

static struct call_key call_key_of(const struct call *c, size_t idx)
{
	const struct rep_user *u = call_info(c);

	return (struct call_key){.node = u->node,
				 .syscall = u->syscall,
				 .name = u->name,
				 .pid = u->loader_pid,
				 .start = c->start,
				 .idx = idx};
}

/* A kernel event by node, pid, syscall, then time. */
struct kernel_key {
	const char *node, *syscall;
	long long pid;
	double t;
	size_t idx;
};

static int kernel_cmp(const void *a, const void *b)
{
	const struct kernel_key *x = a, *y = b;
	int c = strcmp_null(x->node, y->node);

	if (!c)
		c = num_cmp(x->pid, y->pid);
	if (!c)
		c = strcmp_null(x->syscall, y->syscall);
	return c ? c : time_cmp(x->t, x->idx, y->t, y->idx);
}

/*
 * Our calls, one row per call, merged across emitters: a call joins the first row (in the
 * order rows were made) of its key whose span, widened by the window, it overlaps and whose
 * sources it does not share. Only calls of the same key starting within the window and the
 * group's longest call can be such a row: the search looks there alone.
 */
static int merge_calls(const struct call *calls, size_t ncalls, double window, struct rep_row *out,
		       double *spans, size_t *nrows)
{
	_cleanup_free_ struct call_key *keys = calloc(ncalls + 1, sizeof(*keys));
	_cleanup_free_ size_t *row_of = calloc(ncalls + 1, sizeof(*row_of)); /* row + 1, 0: none */
	size_t n = 0;

	if (!keys || !row_of)
		return -ENOMEM;
	for (size_t i = 0; i < ncalls; i++)
		keys[i] = call_key_of(&calls[i], i);
	qsort(keys, ncalls, sizeof(*keys), call_cmp);
	for (size_t g = 0, e; g < ncalls; g = e) {
		double longest = 0;

		for (e = g; e < ncalls; e++) {
			struct call_key probe = keys[g];

			probe.start = keys[e].start;
			probe.idx = keys[e].idx;
			if (call_cmp(&keys[e], &probe))
				break;
			if (calls[keys[e].idx].end - keys[e].start > longest)
				longest = calls[keys[e].idx].end - keys[e].start;
		}
		for (size_t k = g; k < e; k++)
			keys[k].longest = longest;
	}

	for (size_t i = 0; i < ncalls; i++) {
		struct call_key probe = call_key_of(&calls[i], 0);
		struct rep_row row, *o;
		size_t first = SIZE_MAX, p;

		row_from_call(&row, &calls[i]);
		p = lower_bound(keys, ncalls, sizeof(*keys), &probe, call_cmp);
		if (row.pid >= 0 && p < ncalls) {
			/* The search bounds are a second wider than needed: the test below decides.
			 */
			double lo = calls[i].start - window - keys[p].longest - 1,
			       hi = calls[i].end + window + 1;

			probe.start = lo;
			for (p = lower_bound(keys, ncalls, sizeof(*keys), &probe, call_cmp);
			     p < ncalls && keys[p].start <= hi; p++) {
				size_t j = row_of[keys[p].idx];

				probe.start = keys[p].start;
				probe.idx = keys[p].idx;
				if (call_cmp(&keys[p], &probe))
					break; /* another key */
				if (!j-- || j >= first)
					continue;
				o = &out[j];
				if ((o->sources & row.sources) ||
				    calls[i].start > spans[2 * j + 1] + window ||
				    calls[i].end < spans[2 * j] - window)
					continue;
				first = j;
			}
		}
		if (first != SIZE_MAX) {
			o = &out[first];
			o->sources |= row.sources;
			o->flags |= row.flags & ~REP_FLAG_NO_RESULT;
			if (!(row.flags & REP_FLAG_NO_RESULT))
				o->flags &= ~REP_FLAG_NO_RESULT;
			continue;
		}
		spans[2 * n] = calls[i].start;
		spans[2 * n + 1] = calls[i].end;
		row_of[i] = n + 1;
		out[n++] = row;
	}
	*nrows = n;
	return 0;
}

/*
 * The kernel's events, to the row they belong to, rows in the order they were made: of the
 * unused events of the row's node, pid and syscall within its span widened by the window, the
 * one naming the row's module, then the nearest, then the first in the log.
 */
static int join_kernel(struct rep_log *log, double window, struct rep_row *out, const double *spans,
		       size_t n)
{
	_cleanup_free_ struct kernel_key *keys = calloc(log->nkernel + 1, sizeof(*keys));

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < log->nkernel; i++) {
		const struct rep_kernel *k = &log->kernel[i];

		keys[i] = (struct kernel_key){.node = k->node,
					      .syscall = k->syscall,
					      .pid = k->pid,
					      .t = tsec(&k->t),
					      .idx = i};
	}
	qsort(keys, log->nkernel, sizeof(*keys), kernel_cmp);

	for (size_t j = 0; j < n; j++) {
		struct rep_row *row = &out[j];
		struct rep_kernel *best = NULL;
		double best_dist = 0, lo = spans[2 * j] - window, hi = spans[2 * j + 1] + window;
		bool best_named = false;
		struct kernel_key probe = {.node = row->node,
					   .syscall = row->syscall,
					   .pid = row->pid,
					   .t = lo,
					   .idx = 0};

		for (size_t p = lower_bound(keys, log->nkernel, sizeof(*keys), &probe, kernel_cmp);
		     p < log->nkernel; p++) {
			struct rep_kernel *k = &log->kernel[keys[p].idx];
			double t = keys[p].t, dist;
			bool named;

			probe.t = t;
			probe.idx = keys[p].idx;
			if (kernel_cmp(&keys[p], &probe) || t > hi)
				break; /* another key, or past the span */
			if (k->used || t < lo)
				continue;
			named = k->name && row->name && !strcmp(k->name, row->name);
			dist = t > spans[2 * j + 1] ? t - spans[2 * j + 1]
			       : t < spans[2 * j]   ? spans[2 * j] - t
						    : 0;
			if (!best || (named && !best_named) ||
			    (named == best_named &&
			     (dist < best_dist || (dist == best_dist && k < best)))) {
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
	return 0;
}

int rep_match(struct rep_log *log, const struct rep_match_opts *opts, struct rep_row **rows,
	      size_t *nrows)
{
	_cleanup_free_ struct call *calls = NULL;
	_cleanup_free_ double *spans = NULL; /* start, end of each row's first call */
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
	r = merge_calls(calls, ncalls, opts->window, out, spans, &n);
	if (r == 0)
		r = join_kernel(log, opts->window, out, spans, n);
	if (r < 0) {
		free(out);
		return r;
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
		    !signature_trusted(row, opts->trusted_signers))
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
