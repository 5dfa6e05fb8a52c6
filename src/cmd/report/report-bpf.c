/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report's BPF program rows (cmd/report-bpf.h). */
#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-bpf.h"
#include "macro.h"
#include "core/record.h"

#ifndef AUDIT_BPF
#define AUDIT_BPF 1334
#endif

static bool bpf_op(const char *op)
{
	int o = record_op_lookup(op);

	return o == RECORD_OP_BPF_LOAD || o == RECORD_OP_BPF_LOAD_INTENT;
}

bool rep_bpf_wants(int type, const char *op)
{
	return type == AUDIT_BPF || type == AUDIT_SYSCALL || bpf_op(op);
}

static struct rep_bpf_log *bpf_log(struct rep_log *log)
{
	if (!log->bpf)
		log->bpf = calloc(1, sizeof(*log->bpf));
	return log->bpf;
}

static bool parse_ll(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return !errno && !*end;
}

static char *decoded(enum record_field_id id, const char *v)
{
	char *out = NULL;

	return v && record_decode_field(id, v, &out, NULL) == 0 ? out : NULL;
}

static void event_free(struct rep_bpf_event *e)
{
	char *strs[] = {e->node,      e->exe,	       e->comm,	   e->via, e->prog_type,
			e->prog_name, e->insns_sha256, e->anomaly, e->text};

	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		free(strs[i]);
}

static int push(struct rep_bpf_log *bl, struct rep_bpf_event *e)
{
	if (bl->n == bl->cap) {
		size_t cap = bl->cap ? bl->cap + bl->cap / 2 : 16;
		struct rep_bpf_event *n = realloc(bl->ev, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		bl->ev = n;
		bl->cap = cap;
	}
	bl->ev[bl->n++] = *e;
	return 0;
}

/* The kernel's SYSCALL record of bpf(BPF_PROG_LOAD): the loader, for the event's AUDIT_BPF. */
static void read_syscall(auparse_state_t *au, const struct rep_time *t, struct rep_bpf_log *bl)
{
	long long pid = -1, uid = -1, auid = -1;
	char *exe = NULL, *comm = NULL;
	bool is_bpf = false, load = false;

	if (auparse_first_field(au) <= 0)
		return;
	do {
		const char *name = auparse_get_field_name(au), *v = auparse_get_field_str(au);

		if (!name || !v)
			continue;
		if (!strcmp(name, "syscall")) {
			const char *i = auparse_interpret_field(au);
			is_bpf = i && !strcmp(i, "bpf");
		} else if (!strcmp(name, "a0")) {
			load = !strcmp(v, "5");
		} else if (!strcmp(name, "pid")) {
			parse_ll(v, &pid);
		} else if (!strcmp(name, "uid")) {
			parse_ll(v, &uid);
		} else if (!strcmp(name, "auid")) {
			parse_ll(v, &auid);
		} else if (!strcmp(name, "exe") && !exe) {
			exe = decoded(RF_EXE, v);
		} else if (!strcmp(name, "comm") && !comm) {
			comm = decoded(RF_COMM, v);
		}
	} while (auparse_next_field(au) > 0);
	if (!is_bpf || !load) {
		free(exe);
		free(comm);
		return;
	}
	/* the event's AUDIT_BPF came first (it is written inside the call): give it the loader */
	for (size_t i = bl->n; i-- > 0;) {
		struct rep_bpf_event *e = &bl->ev[i];

		if (!e->kernel || e->t.serial != t->serial || e->t.sec != t->sec)
			break;
		if (e->pid < 0) {
			e->pid = pid;
			e->uid = uid;
			e->auid = auid;
			e->exe = exe;
			e->comm = comm;
			return;
		}
	}
	free(bl->pending_exe);
	free(bl->pending_comm);
	bl->pending_serial = t->serial;
	bl->pending_sec = t->sec;
	bl->pending_pid = pid;
	bl->pending_uid = uid;
	bl->pending_auid = auid;
	bl->pending_exe = exe;
	bl->pending_comm = comm;
}

int rep_bpf_read(auparse_state_t *au, int type, const struct rep_time *t, const char *node,
		 struct rep_log *log)
{
	struct rep_bpf_log *bl = bpf_log(log);
	struct rep_bpf_event e = {
		.t = *t, .prog_id = -1, .pid = -1, .uid = -1, .auid = -1, .insn_cnt = -1};
	bool ours = type != AUDIT_BPF;
	char *history = NULL;
	int r;

	if (!bl)
		return -ENOMEM;
	if (type == AUDIT_SYSCALL) {
		read_syscall(au, t, bl);
		return 0;
	}
	e.kernel = !ours;
	if (auparse_first_field(au) <= 0)
		return 0;
	do {
		const char *name = auparse_get_field_name(au), *v = auparse_get_field_str(au);
		int id;

		if (!name || !v)
			continue;
		if (e.kernel) {
			if (!strcmp(name, "prog-id"))
				parse_ll(v, &e.prog_id);
			else if (!strcmp(name, "op"))
				e.unload = !strcmp(v, "UNLOAD");
			continue;
		}
		/* the kernel's prefix of our record: its sender */
		if (!strcmp(name, "pid") && e.pid < 0) {
			parse_ll(v, &e.pid);
			continue;
		}
		if (!strcmp(name, "uid") && e.uid < 0) {
			parse_ll(v, &e.uid);
			continue;
		}
		if (!strcmp(name, "auid") && e.auid < 0) {
			parse_ll(v, &e.auid);
			continue;
		}
		id = record_field_lookup(name, RECORD_VERSION);
		switch (id) {
		case RF_OP:
			e.intent = record_op_lookup(v) == RECORD_OP_BPF_LOAD_INTENT;
			break;
		case RF_SEQ:
			e.seq = strtoull(v, NULL, 10);
			break;
		case RF_VIA:
			free(e.via);
			e.via = decoded(id, v);
			break;
		case RF_PROG_TYPE:
			free(e.prog_type);
			e.prog_type = decoded(id, v);
			break;
		case RF_PROG_NAME:
			free(e.prog_name);
			e.prog_name = decoded(id, v);
			break;
		case RF_INSN_CNT:
			parse_ll(v, &e.insn_cnt);
			break;
		case RF_INSNS_SHA256:
			free(e.insns_sha256);
			e.insns_sha256 = decoded(id, v);
			break;
		case RF_EXIT:
			e.exit_known = parse_ll(v, &e.exit);
			break;
		case RF_PROG_ID:
			parse_ll(v, &e.prog_id);
			break;
		case RF_ANOMALY:
			free(e.anomaly);
			e.anomaly = decoded(id, v);
			break;
		case RF_HISTORY:
			free(history);
			history = decoded(id, v);
			break;
		case RF_COMM:
			free(e.comm);
			e.comm = decoded(id, v);
			break;
		case RF_EXE:
			free(e.exe);
			e.exe = decoded(id, v);
			break;
		default:
			break;
		}
	} while (auparse_next_field(au) > 0);
	if (!e.kernel && e.via && !strcmp(e.via, "trace")) {
		/* the prefix is the tracer's: the loader is history's first item, comm[pid] */
		const char *b = history ? strchr(history, '[') : NULL;
		long long pid = -1;

		if (!(b && sscanf(b + 1, "%lld]", &pid) == 1))
			pid = -1;
		e.pid = pid;
		e.uid = e.auid = -1;
	}
	free(history);
	if (e.kernel && bl->pending_serial == t->serial && bl->pending_sec == t->sec) {
		/* the event's SYSCALL record came first */
		e.pid = bl->pending_pid;
		e.uid = bl->pending_uid;
		e.auid = bl->pending_auid;
		e.exe = TAKE_PTR(bl->pending_exe);
		e.comm = TAKE_PTR(bl->pending_comm);
		bl->pending_serial = 0;
	}
	e.node = node ? strdup(node) : NULL;
	r = push(bl, &e);
	if (r < 0)
		event_free(&e);
	return r;
}

void rep_bpf_keep_text(struct rep_log *log, const struct rep_time *t, const char *text)
{
	struct rep_bpf_log *bl = log->bpf;

	/* the event's own are the last read, all of its serial */
	for (size_t i = bl ? bl->n : 0; i-- > 0;) {
		struct rep_bpf_event *e = &bl->ev[i];

		if (e->t.serial != t->serial || e->t.sec != t->sec)
			break;
		if (!e->text)
			e->text = strdup(text);
	}
}

static double tsec(const struct rep_time *t)
{
	return (double)t->sec + t->ms / 1000.0;
}

static int node_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int num_cmp(long long a, long long b)
{
	return (a > b) - (a < b);
}

/* The kernel's events by node, prog id, op, time. */
static int kernel_key_cmp(const void *pa, const void *pb)
{
	const struct rep_bpf_event *x = *(struct rep_bpf_event *const *)pa,
				   *y = *(struct rep_bpf_event *const *)pb;
	int c = node_cmp(x->node, y->node);

	if (!c)
		c = num_cmp(x->prog_id, y->prog_id);
	if (!c)
		c = num_cmp(x->unload, y->unload);
	if (!c)
		c = tsec(&x->t) < tsec(&y->t) ? -1 : tsec(&x->t) > tsec(&y->t);
	return c;
}

/* Our results by node, sender, seq, time. */
static int result_key_cmp(const void *pa, const void *pb)
{
	const struct rep_bpf_event *x = *(struct rep_bpf_event *const *)pa,
				   *y = *(struct rep_bpf_event *const *)pb;
	int c = node_cmp(x->node, y->node);

	if (!c)
		c = num_cmp(x->pid, y->pid);
	if (!c)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	if (!c)
		c = tsec(&x->t) < tsec(&y->t) ? -1 : tsec(&x->t) > tsec(&y->t);
	return c;
}

/* The first of idx[0..n) not before the key of probe (time aside: probe's is -inf). */
static size_t first_of(struct rep_bpf_event **idx, size_t n, const struct rep_bpf_event *probe,
		       int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(&idx[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The kernel's event of OP for ID on NODE nearest to T (LOAD) or first after T (UNLOAD). */
static struct rep_bpf_event *kernel_of(struct rep_bpf_log *bl, const char *node, long long id,
				       bool unload, const struct rep_time *t)
{
	struct rep_bpf_event probe = {
		.node = (char *)node, .prog_id = id, .unload = unload, .t = {.sec = -(1LL << 62)}};
	struct rep_bpf_event *best = NULL;
	double bd = 0;

	for (size_t i = first_of(bl->kidx, bl->nk, &probe, kernel_key_cmp); i < bl->nk; i++) {
		struct rep_bpf_event *k = bl->kidx[i];
		double d = tsec(&k->t) - tsec(t);

		if (k->prog_id != id || k->unload != unload || node_cmp(k->node, node))
			break;
		if (k->used || (unload && d < 0))
			continue;
		if (d < 0)
			d = -d;
		if (!best || d < bd) {
			best = k;
			bd = d;
		}
	}
	return best;
}

/* The result of the same call as INTENT: same node, sender, via and seq. */
static struct rep_bpf_event *result_of(struct rep_bpf_log *bl, const struct rep_bpf_event *in)
{
	struct rep_bpf_event probe = {
		.node = in->node, .pid = in->pid, .seq = in->seq, .t = {.sec = -(1LL << 62)}};

	for (size_t i = first_of(bl->ridx, bl->nr, &probe, result_key_cmp); i < bl->nr; i++) {
		struct rep_bpf_event *e = bl->ridx[i];

		if (e->pid != in->pid || e->seq != in->seq || node_cmp(e->node, in->node))
			break;
		if (!e->used && !strcmp(e->via ? e->via : "", in->via ? in->via : "") &&
		    tsec(&e->t) >= tsec(&in->t))
			return e;
	}
	return NULL;
}

/* The indexes kernel_of() and result_of() search. */
static int index_events(struct rep_bpf_log *bl)
{
	bl->kidx = calloc(bl->n, sizeof(*bl->kidx));
	bl->ridx = calloc(bl->n, sizeof(*bl->ridx));
	if (!bl->kidx || !bl->ridx)
		return -ENOMEM;
	for (size_t i = 0; i < bl->n; i++) {
		struct rep_bpf_event *e = &bl->ev[i];

		if (e->kernel)
			bl->kidx[bl->nk++] = e;
		else if (!e->intent)
			bl->ridx[bl->nr++] = e;
	}
	qsort(bl->kidx, bl->nk, sizeof(*bl->kidx), kernel_key_cmp);
	qsort(bl->ridx, bl->nr, sizeof(*bl->ridx), result_key_cmp);
	return 0;
}

static unsigned source_of(const char *via)
{
	if (via && !strcmp(via, "trace"))
		return REP_SRC_TRACE;
	if (via && !strcmp(via, "kmod"))
		return REP_SRC_KMOD;
	return REP_SRC_PRELOAD;
}

static int make_row(struct rep_row *row, struct rep_bpf_prog *p, const struct rep_bpf_event *intent,
		    const struct rep_bpf_event *rec, const struct rep_bpf_event *load,
		    const struct rep_bpf_event *unload)
{
	/* the loader: the kernel's SYSCALL record of the load when there is one (its facts win) */
	const struct rep_bpf_event *who = load && load->pid >= 0 ? load : rec ? rec : load;
	const char *name;
	int n;

	*row = (struct rep_row){
		.t = load ? load->t : rec->t,
		.node = load ? load->node : rec->node,
		.syscall = "bpf",
		.pid = who->pid,
		.ppid = -1,
		.uid = who->uid,
		.auid = who->auid,
		.ses = -1,
		.exe = who->exe,
		.comm = who->comm,
		.bpf = p,
	};
	*p = (struct rep_bpf_prog){
		.prog_id = load ? load->prog_id : rec->prog_id,
		.insn_cnt = rec ? rec->insn_cnt : -1,
		.events = {intent, rec, load, unload},
	};
	if (load)
		row->sources |= REP_SRC_KERNEL;
	if (rec) {
		row->sources |= source_of(rec->via);
		row->witness =
			source_of(rec->via) == REP_SRC_TRACE ? REP_WITNESS_TRACE : REP_WITNESS_SELF;
		row->sha256 = rec->insns_sha256;
		row->seq = rec->seq;
		row->exit_known = rec->exit_known;
		row->exit = rec->exit;
		p->prog_type = rec->prog_type;
		p->prog_name = rec->prog_name;
		p->anomaly = rec->anomaly;
		if (rec->intent)
			row->flags |= REP_FLAG_NO_RESULT;
		else if (!rec->exit_known || rec->exit < 0)
			row->flags |= REP_FLAG_FAILED;
		else if (!load)
			row->flags |= REP_FLAG_USERSPACE_ONLY; /* a load the kernel never wrote */
	} else {
		row->flags |= REP_FLAG_KERNEL_ONLY;
		row->witness = REP_WITNESS_NONE;
		row->exit_known = true;
		row->exit = 0;
	}
	/* where each value comes from, for --explain and --json's origin */
	{
		unsigned claim = rec && row->witness == REP_WITNESS_TRACE ? REP_ORIGIN_TRACE
				 : rec					  ? REP_ORIGIN_SELF
									  : REP_ORIGIN_KERNEL;
		unsigned ident = who->kernel ? REP_ORIGIN_KERNEL : REP_ORIGIN_PREFIX;

		row->origin[REP_F_MODULE] = rec ? claim : REP_ORIGIN_NONE;
		/* the kernel's LOAD of the id says the call was bpf() */
		row->origin[REP_F_SYSCALL] = load ? REP_ORIGIN_KERNEL : claim;
		row->origin[REP_F_PID] = row->pid >= 0 ? ident : REP_ORIGIN_NONE;
		row->origin[REP_F_UID] = row->uid >= 0 ? ident : REP_ORIGIN_NONE;
		row->origin[REP_F_AUID] = row->auid >= 0 ? ident : REP_ORIGIN_NONE;
		row->origin[REP_F_EXE] = !row->exe ? REP_ORIGIN_NONE : who->kernel ? ident : claim;
		row->origin[REP_F_COMM] = !row->comm	? REP_ORIGIN_NONE
					  : who->kernel ? ident
							: claim;
		if (!who->kernel && row->witness == REP_WITNESS_TRACE)
			row->origin[REP_F_PID] = row->pid >= 0 ? claim : REP_ORIGIN_NONE;
		row->origin[REP_F_EXIT] = rec ? claim : REP_ORIGIN_KERNEL;
		row->origin[REP_F_SHA256] = row->sha256 ? claim : REP_ORIGIN_NONE;
	}
	if (unload) {
		p->unloaded = true;
		p->unload_t = unload->t;
	}
	name = !rec ? "?" : !p->prog_name ? "?" : *p->prog_name ? p->prog_name : "\"\"";
	if (p->prog_id >= 0)
		n = asprintf(&p->label, "%s (%s, id %lld)", name,
			     p->prog_type ? p->prog_type : "bpf", p->prog_id);
	else
		n = asprintf(&p->label, "%s (%s)", name, p->prog_type ? p->prog_type : "bpf");
	if (n < 0)
		return -ENOMEM;
	row->name = p->label;
	return 0;
}

int rep_bpf_rows(struct rep_log *log, struct rep_row **rows, size_t *nrows)
{
	struct rep_bpf_log *bl = log->bpf;
	struct rep_row *all;
	size_t n = 0;
	int r = 0;

	if (!bl || !bl->n)
		return 0;
	if (index_events(bl) < 0)
		return -ENOMEM;
	/* at most one row per event */
	bl->progs = calloc(bl->n, sizeof(*bl->progs));
	all = realloc(*rows, (*nrows + bl->n) * sizeof(*all));
	if (!bl->progs || !all) {
		if (all)
			*rows = all;
		return -ENOMEM;
	}
	*rows = all;
	/* our results first, each with the kernel's LOAD of its id and its UNLOAD */
	for (size_t i = 0; i < bl->n && r == 0; i++) {
		struct rep_bpf_event *e = &bl->ev[i], *rec, *intent = NULL, *load = NULL,
				     *unload = NULL;

		if (e->kernel || e->used)
			continue;
		rec = e;
		if (e->intent) {
			struct rep_bpf_event *res = result_of(bl, e);

			e->used = true;
			if (res) {
				rec = res;
				intent = e;
			}
		}
		rec->used = true;
		if (!rec->intent && rec->prog_id >= 0) {
			load = kernel_of(bl, rec->node, rec->prog_id, false, &rec->t);
			if (load) {
				load->used = true;
				unload = kernel_of(bl, rec->node, rec->prog_id, true, &load->t);
				if (unload)
					unload->used = true;
			}
		}
		r = make_row(&all[*nrows + n], &bl->progs[n], intent, rec, load, unload);
		n++;
	}
	/* kernel-only: LOADs no emitter recorded */
	for (size_t i = 0; i < bl->n && r == 0; i++) {
		struct rep_bpf_event *k = &bl->ev[i], *unload;

		if (!k->kernel || k->unload || k->used)
			continue;
		k->used = true;
		unload = kernel_of(bl, k->node, k->prog_id, true, &k->t);
		if (unload)
			unload->used = true;
		r = make_row(&all[*nrows + n], &bl->progs[n], NULL, NULL, k, unload);
		n++;
	}
	bl->nprogs = n;
	*nrows += n;
	qsort(all, *nrows, sizeof(*all), rep_row_cmp);
	return r;
}

void rep_bpf_log_free(struct rep_bpf_log *bl)
{
	if (!bl)
		return;
	for (size_t i = 0; i < bl->n; i++)
		event_free(&bl->ev[i]);
	for (size_t i = 0; i < bl->nprogs; i++)
		free(bl->progs[i].label);
	free(bl->ev);
	free(bl->progs);
	free(bl->kidx);
	free(bl->ridx);
	free(bl->pending_exe);
	free(bl->pending_comm);
	free(bl);
}

json_object *rep_bpf_json(const struct rep_bpf_prog *p)
{
	json_object *o = json_object_new_object();
	char t[48];

	if (!o)
		return NULL;
	json_object_object_add(o, "prog_id",
			       p->prog_id >= 0 ? json_object_new_int64(p->prog_id) : NULL);
	json_object_object_add(o, "prog_type",
			       p->prog_type ? json_object_new_string(p->prog_type) : NULL);
	json_object_object_add(o, "prog_name",
			       p->prog_name ? json_object_new_string(p->prog_name) : NULL);
	json_object_object_add(o, "insn_cnt",
			       p->insn_cnt >= 0 ? json_object_new_int64(p->insn_cnt) : NULL);
	json_object_object_add(o, "anomaly",
			       p->anomaly ? json_object_new_string(p->anomaly) : NULL);
	rep_format_time(&p->unload_t, t, sizeof(t));
	json_object_object_add(o, "unloaded", p->unloaded ? json_object_new_string(t) : NULL);
	return o;
}
