/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: holding our records against the kernel's.
 *
 * 1. Our intent and result records of one call share (node, sender pid, via, seq): they make
 *    one call; an intent left alone is a call that never came back (flag no_result).
 * 2. The same call seen by two of our emitters (a traced process with the shim preloaded) is
 *    one row: same node, caller pid, syscall and name, overlapping spans (widened by the
 *    window). Calls of one key are swept in order of their start, so that a call of any length
 *    costs the same.
 * 3. A kernel SYSCALL event belongs to the row with the same node, pid (the caller's: for
 *    via=trace taken from history=, since the record's own pid is the tracer) and syscall
 *    whose call it is: an intent is sent before the syscall and its result after it, so the
 *    event lies between the two in the audit stream's (time, serial) order. A side missing (an
 *    unload, intents switched off, a call that never came back) is guessed as the window from
 *    the other, but never past the neighbouring call of the same emitter and caller. Of the
 *    events there, one with the row's module name is preferred, then the nearest to the known
 *    side. Rows take their events in the order of their first records in the log. An event no
 *    row takes is kernel-only; a row no kernel event joins (its event lost) is userspace-only:
 *    an event is never handed to a neighbouring call.
 * 4. What each value of a row rests on, and who vouches for it: report-trust.c.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-event.h"
#include "core/record-names.h"
#include "macro.h"

static double tsec(const struct rep_time *t)
{
	return (double)t->sec + t->ms / 1000.0;
}

static struct rep_stamp stamp_of(const struct rep_time *t)
{
	return (struct rep_stamp){.t = tsec(t), .serial = t->serial};
}

static int stamp_cmp(struct rep_stamp a, struct rep_stamp b)
{
	if (a.t != b.t)
		return a.t < b.t ? -1 : 1;
	return (a.serial > b.serial) - (a.serial < b.serial);
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

/*
 * One call of ours: the result, and the intent before it (either may be missing); its kernel
 * event lies between LO and HI (LO a guess when there is no intent).
 */
struct call {
	const struct rep_user *result, *intent;
	double start, end;
	struct rep_stamp lo, hi;
};

static const struct rep_user *call_info(const struct call *c)
{
	return c->result ? c->result : c->intent;
}

static struct rep_stamp call_first(const struct call *c)
{
	return stamp_of(c->intent ? &c->intent->t : &c->result->t);
}

static struct rep_stamp call_last(const struct call *c)
{
	return stamp_of(c->result ? &c->result->t : &c->intent->t);
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
	return u->op && !strcmp(u->op, record_op_name(RECORD_OP_LOAD_INTENT));
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

/* A call by emitter and caller (node, via, caller pid), then its first record. */
struct emitter_key {
	const char *node, *via;
	long long pid;
	struct rep_stamp first;
	size_t idx;
};

static int emitter_cmp(const void *a, const void *b)
{
	const struct emitter_key *x = a, *y = b;
	int c = strcmp_null(x->node, y->node);

	if (!c)
		c = strcmp_null(x->via, y->via);
	if (!c)
		c = num_cmp(x->pid, y->pid);
	if (!c)
		c = stamp_cmp(x->first, y->first);
	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static bool same_emitter(const struct emitter_key *a, const struct emitter_key *b)
{
	return a->pid >= 0 && !strcmp_null(a->node, b->node) && !strcmp_null(a->via, b->via) &&
	       a->pid == b->pid;
}

/*
 * Where each call's kernel event may lie. The intent leaves before the syscall and the result
 * after it (the tracer's at the syscall's entry and exit stops, outside the kernel's audit of
 * it): the event lies between them. A side missing is the window from the other, cut at the
 * previous (or next) call of the same emitter and caller, whose own event lies on its side.
 */
static int bound_calls(struct call *calls, size_t n, double window)
{
	_cleanup_free_ struct emitter_key *keys = calloc(n + 1, sizeof(*keys));

	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct rep_user *u = call_info(&calls[i]);

		keys[i] = (struct emitter_key){.node = u->node,
					       .via = u->via,
					       .pid = u->loader_pid,
					       .first = call_first(&calls[i]),
					       .idx = i};
	}
	qsort(keys, n, sizeof(*keys), emitter_cmp);
	for (size_t p = 0; p < n; p++) {
		struct call *c = &calls[keys[p].idx];

		if (c->intent) {
			c->lo = stamp_of(&c->intent->t);
		} else {
			c->lo = (struct rep_stamp){.t = tsec(&c->result->t) - window};
			if (p > 0 && same_emitter(&keys[p - 1], &keys[p])) {
				struct rep_stamp prev = call_last(&calls[keys[p - 1].idx]);

				if (stamp_cmp(prev, c->lo) > 0)
					c->lo = prev;
			}
		}
		if (c->result) {
			c->hi = stamp_of(&c->result->t);
		} else {
			c->hi = (struct rep_stamp){.t = tsec(&c->intent->t) + window,
						   .serial = ULONG_MAX};
			if (p + 1 < n && same_emitter(&keys[p], &keys[p + 1])) {
				struct rep_stamp next = call_first(&calls[keys[p + 1].idx]);

				if (stamp_cmp(next, c->hi) < 0)
					c->hi = next;
			}
		}
	}
	return 0;
}

static void row_from_call(struct rep_row *row, const struct call *c, size_t idx)
{
	const struct rep_user *u = call_info(c);

	*row = (struct rep_row){
		.t = c->intent ? c->intent->t : u->t,
		.node = u->node,
		.unload = u->op && !strcmp(u->op, record_op_name(RECORD_OP_UNLOAD)),
		.syscall = u->syscall,
		.name = u->name,
		.pid = u->loader_pid,
		.seq = u->seq,
		.sources = via_source(u->via),
		.records = {u},
		.intents = {c->result ? c->intent : NULL},
		.nrecords = 1,
		.span_start = c->start,
		.span_end = c->end,
		.first_call = idx,
		.kernel_lo = c->lo,
		.kernel_hi = c->hi,
		.kernel_last = !c->intent,
	};
}

/* Only a signature the kernel checked, by a signer and key id of the list. */
static bool signature_trusted(const struct rep_row *row, char **trusted)
{
	return row->sig && !strcmp(row->sig, "pkcs7") && !row->sig_unchecked &&
	       rep_signer_trusted(trusted, row->signer, row->sig_key);
}

int rep_row_cmp(const void *a, const void *b)
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

/* What calls merge on and a kernel event joins by: node, caller pid, syscall, module name. */
struct match_id {
	const char *node, *syscall, *name;
	long long pid;
};

/* By node, pid, syscall and, when NAMED, module name. */
static int match_id_cmp(const struct match_id *x, const struct match_id *y, bool named)
{
	int c = strcmp_null(x->node, y->node);

	if (!c)
		c = num_cmp(x->pid, y->pid);
	if (!c)
		c = strcmp_null(x->syscall, y->syscall);
	if (!c && named)
		c = strcmp_null(x->name, y->name);
	return c;
}

/* A call by the row key it merges on (all of match_id), then start. */
struct call_key {
	struct match_id id;
	double start;
	size_t idx;
};

static int call_cmp(const void *a, const void *b)
{
	const struct call_key *x = a, *y = b;
	int c = match_id_cmp(&x->id, &y->id, true);

	return c ? c : time_cmp(x->start, x->idx, y->start, y->idx);
}

static struct call_key call_key_of(const struct call *c, size_t idx)
{
	const struct rep_user *u = call_info(c);

	return (struct call_key){.id = {.node = u->node,
					.syscall = u->syscall,
					.name = u->name,
					.pid = u->loader_pid},
				 .start = c->start,
				 .idx = idx};
}

static bool same_key(const struct call_key *a, const struct call_key *b)
{
	return !match_id_cmp(&a->id, &b->id, true);
}

#define NSOURCES 3 /* preload, trace, kmod: a row takes one call of each */

static unsigned source_slot(unsigned source)
{
	return source == REP_SRC_PRELOAD ? 0 : source == REP_SRC_TRACE ? 1 : 2;
}

/*
 * Our calls, one row per call, merged across emitters. The calls of one key are taken in order
 * of their start: a call joins the oldest row of its key that lacks its source and whose first
 * call's span, widened by the window, reaches its start. For each source the rows still lacking
 * it wait in a queue in the order they were made; a row whose span ends before the current
 * call's start ends before every later one's too, so it leaves the queue for good. Every row
 * enters and leaves each queue once: the sweep costs the same whatever the calls' lengths.
 */
static int merge_calls(const struct call *calls, size_t ncalls, double window, struct rep_row *out,
		       size_t *nrows)
{
	_cleanup_free_ struct call_key *keys = calloc(ncalls + 1, sizeof(*keys));
	_cleanup_free_ size_t *queue = calloc(NSOURCES * (ncalls + 1), sizeof(*queue));
	size_t n = 0;

	if (!keys || !queue)
		return -ENOMEM;
	for (size_t i = 0; i < ncalls; i++)
		keys[i] = call_key_of(&calls[i], i);
	qsort(keys, ncalls, sizeof(*keys), call_cmp);
	for (size_t g = 0, e; g < ncalls; g = e) {
		size_t head[NSOURCES], tail[NSOURCES];

		for (e = g; e < ncalls && same_key(&keys[g], &keys[e]); e++)
			;
		for (unsigned s = 0; s < NSOURCES; s++)
			head[s] = tail[s] = s * (ncalls + 1);
		for (size_t p = g; p < e; p++) {
			const struct call *c = &calls[keys[p].idx];
			struct rep_row row;
			unsigned src, slot;

			row_from_call(&row, c, keys[p].idx);
			src = row.sources;
			slot = source_slot(src);
			/* A caller unknown (pid) or an unknown emitter: a row of its own. */
			if (row.pid >= 0 && src) {
				while (head[slot] < tail[slot] &&
				       out[queue[head[slot]]].span_end + window < c->start)
					head[slot]++;
				if (head[slot] < tail[slot]) {
					struct rep_row *o = &out[queue[head[slot]++]];

					o->sources |= src;
					o->intents[o->nrecords] = row.intents[0];
					o->records[o->nrecords++] = row.records[0];
					continue;
				}
			}
			out[n] = row;
			for (unsigned s = 0; s < NSOURCES && row.pid >= 0 && src; s++)
				if (s != slot)
					queue[tail[s]++] = n;
			n++;
		}
	}
	*nrows = n;
	return 0;
}

/* A kernel event by node, pid, syscall (and, in the second order, module name), then stamp. */
struct kernel_key {
	struct match_id id;
	struct rep_stamp at;
	size_t idx;
};

static int kernel_at_cmp(const struct kernel_key *x, const struct kernel_key *y)
{
	int c = stamp_cmp(x->at, y->at);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static int kernel_cmp(const void *a, const void *b)
{
	const struct kernel_key *x = a, *y = b;
	int c = match_id_cmp(&x->id, &y->id, false);

	return c ? c : kernel_at_cmp(x, y);
}

static int kernel_named_cmp(const void *a, const void *b)
{
	const struct kernel_key *x = a, *y = b;
	int c = match_id_cmp(&x->id, &y->id, true);

	return c ? c : kernel_at_cmp(x, y);
}

/*
 * The kernel's events in one order, with the unused ones found in near constant time: next[p]
 * leads to the first unused position at or after p (n: none), prev[p] to the last at or
 * before it (-1: none); both are compressed as they are followed.
 */
struct kernel_index {
	struct kernel_key *keys;
	size_t *pos; /* of each event (by its index in the log) */
	ptrdiff_t *next, *prev;
	size_t n;
	int (*cmp)(const void *, const void *);
};

static void kernel_index_free(struct kernel_index *x)
{
	free(x->keys);
	free(x->pos);
	free(x->next);
	free(x->prev);
}

static int kernel_index_make(struct kernel_index *x, const struct rep_log *log,
			     int (*cmp)(const void *, const void *))
{
	size_t n = log->nkernel;

	*x = (struct kernel_index){.n = n, .cmp = cmp};
	x->keys = calloc(n + 1, sizeof(*x->keys));
	x->pos = calloc(n + 1, sizeof(*x->pos));
	x->next = calloc(n + 1, sizeof(*x->next));
	x->prev = calloc(n + 1, sizeof(*x->prev));
	if (!x->keys || !x->pos || !x->next || !x->prev)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct rep_kernel *k = &log->kernel[i];

		x->keys[i] = (struct kernel_key){.id = {.node = k->node,
							.syscall = k->syscall,
							.name = k->name,
							.pid = k->pid},
						 .at = stamp_of(&k->t),
						 .idx = i};
	}
	qsort(x->keys, n, sizeof(*x->keys), cmp);
	for (size_t p = 0; p <= n; p++) {
		x->next[p] = (ptrdiff_t)p;
		x->prev[p] = (ptrdiff_t)p;
		if (p < n)
			x->pos[x->keys[p].idx] = p;
	}
	return 0;
}

static ptrdiff_t next_unused(ptrdiff_t *next, ptrdiff_t p)
{
	ptrdiff_t root = p, tmp;

	while (next[root] != root)
		root = next[root];
	for (; p != root; p = tmp) {
		tmp = next[p];
		next[p] = root;
	}
	return root;
}

static void kernel_index_use(struct kernel_index *x, size_t idx)
{
	size_t p = x->pos[idx];

	x->next[p] = (ptrdiff_t)p + 1;
	x->prev[p] = (ptrdiff_t)p - 1;
}

/*
 * The unused event of KEY (its node, pid, syscall, and name for the named order) between LO and
 * HI: the earliest, or the latest when LAST. -1: none.
 */
static ptrdiff_t kernel_find(struct kernel_index *x, struct kernel_key key, struct rep_stamp lo,
			     struct rep_stamp hi, bool last)
{
	ptrdiff_t p;

	key.at = last ? hi : lo;
	key.idx = last ? SIZE_MAX : 0;
	p = (ptrdiff_t)lower_bound(x->keys, x->n, sizeof(*x->keys), &key, x->cmp);
	p = last ? free_at_or_before(x->prev, p - 1) : next_unused(x->next, p);
	if (p < 0 || (size_t)p >= x->n)
		return -1;
	/* Of KEY's events (the same but for the stamp), and inside [LO, HI]. */
	key.at = x->keys[p].at;
	key.idx = x->keys[p].idx;
	if (x->cmp(&x->keys[p], &key) || stamp_cmp(key.at, lo) < 0 || stamp_cmp(key.at, hi) > 0)
		return -1;
	return p;
}

/*
 * The kernel's events, to the row they belong to, rows in the order of their first call in the
 * log: of the unused events of the row's node, pid and syscall between its bounds, one naming
 * the row's module, then the nearest to the side known.
 */
static int join_kernel(struct rep_log *log, struct rep_row *out, size_t n, size_t ncalls)
{
	_cleanup_free_ size_t *order = calloc(ncalls + 1, sizeof(*order)); /* row + 1, 0: none */
	struct kernel_index all, named;
	int r;

	r = kernel_index_make(&all, log, kernel_cmp);
	if (r == 0)
		r = kernel_index_make(&named, log, kernel_named_cmp);
	if (r == 0 && !order)
		r = -ENOMEM;
	if (r < 0)
		goto out;
	/* out[] is made key by key: the order of the log is first_call's. */
	for (size_t j = 0; j < n; j++)
		order[out[j].first_call] = j + 1;
	for (size_t i = 0, m = 0; m < n; i++) {
		struct rep_row *row;
		struct kernel_key key;
		ptrdiff_t p = -1;
		size_t idx;

		if (!order[i])
			continue;
		m++;
		row = &out[order[i] - 1];
		key = (struct kernel_key){.id = {.node = row->node,
						 .syscall = row->syscall,
						 .name = row->name,
						 .pid = row->pid}};
		if (row->name)
			p = kernel_find(&named, key, row->kernel_lo, row->kernel_hi,
					row->kernel_last);
		if (p >= 0) {
			idx = named.keys[p].idx;
		} else {
			p = kernel_find(&all, key, row->kernel_lo, row->kernel_hi,
					row->kernel_last);
			if (p < 0)
				continue;
			idx = all.keys[p].idx;
		}
		kernel_index_use(&all, idx);
		kernel_index_use(&named, idx);
		log->kernel[idx].used = true;
		row->kernel = &log->kernel[idx];
		row->sources |= REP_SRC_KERNEL;
	}
out:
	kernel_index_free(&all);
	kernel_index_free(&named);
	return r;
}

int rep_match(struct rep_log *log, const struct rep_match_opts *opts, struct rep_row **rows,
	      size_t *nrows)
{
	_cleanup_free_ struct call *calls = NULL;
	struct rep_row *out;
	size_t ncalls = 0, n = 0;
	int r;

	r = pair_calls(log, &calls, &ncalls);
	if (r == 0)
		r = bound_calls(calls, ncalls, opts->window);
	if (r < 0)
		return r;
	out = calloc(ncalls + log->nkernel + 1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	r = merge_calls(calls, ncalls, opts->window, out, &n);
	if (r == 0)
		r = join_kernel(log, out, n, ncalls);
	if (r < 0) {
		free(out);
		return r;
	}
	for (size_t j = 0; j < n; j++)
		rep_trust_row(&out[j]);
	for (size_t i = 0; i < log->nkernel; i++)
		if (!log->kernel[i].used)
			rep_trust_kernel_only(&out[n++], &log->kernel[i]);
	for (size_t j = 0; j < n; j++) {
		struct rep_row *row = &out[j];

		if (row->exit_known && row->exit != 0)
			row->flags |= REP_FLAG_FAILED;
		if (opts->trusted_signers && row->signer &&
		    !signature_trusted(row, opts->trusted_signers))
			row->flags |= REP_FLAG_UNKNOWN_SIGNER;
	}
	qsort(out, n, sizeof(*out), rep_row_cmp);
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
	case REP_FLAG_EXIT_MISMATCH:
		return "exit_mismatch";
	case REP_FLAG_AUID_MISMATCH:
		return "auid_mismatch";
	case REP_FLAG_COMM_MISMATCH:
		return "comm_mismatch";
	case REP_FLAG_EXE_MISMATCH:
		return "exe_mismatch";
	case REP_FLAG_PPID_MISMATCH:
		return "ppid_mismatch";
	case REP_FLAG_TRACE_BY_LOADER:
		return "trace_by_loader";
	case REP_FLAG_TRACE_UNVERIFIED:
		return "trace_unverified";
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

const char *rep_witness_name(unsigned witness)
{
	switch (witness) {
	case REP_WITNESS_SELF:
		return "self";
	case REP_WITNESS_TRACE:
		return "trace";
	}
	return "kernel-only";
}
