/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report: reading the audit logs with auparse; see report-event.h. */
#include <auparse.h>
#include <ctype.h>
#include <errno.h>
#include <libaudit.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-bpf.h"
#include "cmd/report/report-event.h"
#include "macro.h"
#include "core/record.h"

#ifndef AUDIT_KERN_MODULE
#define AUDIT_KERN_MODULE 1330
#endif

/* The fields of the record auparse stands on, raw as written (first of each name). */
struct fields {
	char *name[96];
	char *value[96];
	char *interp[96]; /* auparse's interpretation, for the few fields that need the record */
	unsigned n;
};

static void fields_free(struct fields *f)
{
	for (unsigned i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
		free(f->interp[i]);
	}
	f->n = 0;
}

static void fields_read(auparse_state_t *au, struct fields *f, const char *interpret)
{
	f->n = 0;
	if (auparse_first_field(au) <= 0)
		return;
	do {
		const char *name = auparse_get_field_name(au);
		const char *value = auparse_get_field_str(au);
		bool dup = false;

		if (!name || !value || f->n == ARRAY_SIZE(f->name))
			continue;
		for (unsigned i = 0; i < f->n && !dup; i++)
			dup = !strcmp(f->name[i], name);
		if (dup)
			continue;
		f->name[f->n] = strdup(name);
		f->value[f->n] = strdup(value);
		if (!f->name[f->n] || !f->value[f->n]) {
			free(f->name[f->n]);
			free(f->value[f->n]);
			continue;
		}
		f->interp[f->n] = NULL;
		if (interpret && !strcmp(name, interpret)) {
			const char *s = auparse_interpret_field(au);

			f->interp[f->n] = s ? strdup(s) : NULL;
		}
		f->n++;
	} while (auparse_next_field(au) > 0);
}

static const char *field(const struct fields *f, const char *name)
{
	for (unsigned i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], name))
			return f->value[i];
	return NULL;
}

static const char *field_interp(const struct fields *f, const char *name)
{
	for (unsigned i = 0; i < f->n; i++)
		if (!strcmp(f->name[i], name))
			return f->interp[i];
	return NULL;
}

/* A string value decoded (record_decode_str()); NULL when unknown or out of memory. */
static char *decode_str(const char *v)
{
	char *out;

	return record_decode_str(v, &out, NULL) == 0 ? out : NULL;
}

static bool parse_ll(const char *v, long long *out)
{
	char *end;

	if (!v || !*v)
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return !errno && !*end;
}

static long long field_ll(const struct fields *f, const char *name, long long dflt)
{
	long long v;

	return parse_ll(field(f, name), &v) ? v : dflt;
}

/*
 * For via=trace the record is sent by the tracer: the caller is the first item of history=,
 * "comm[pid]". The comm= field says how long the comm part is, so a comm holding "[" or "<"
 * cannot pass for another pid.
 */
static long long history_first_pid(const char *history, const char *comm)
{
	size_t n = comm ? strlen(comm) : 0;
	long long pid;
	char *end;

	if (!history || !comm || strncmp(history, comm, n) || history[n] != '[')
		return -1;
	errno = 0;
	pid = strtoll(history + n + 1, &end, 10);
	if (errno || end == history + n + 1 || *end != ']' || (end[1] && end[1] != '<'))
		return -1;
	return pid;
}

/*
 * Whether PID is among the ancestors HISTORY claims (items after the first): a tracer only sees
 * its own descendants, so its record names it there.
 */
static bool history_has_pid(const char *history, const char *comm, long long pid)
{
	size_t n = comm ? strlen(comm) : 0;
	char needle[32];
	size_t len;

	if (!history || !comm || pid < 0 || strncmp(history, comm, n) || history[n] != '[')
		return false;
	history = strstr(history + n, "]<");
	len = (size_t)snprintf(needle, sizeof(needle), "[%lld]", pid);
	for (const char *p = history; p && (p = strstr(p, needle)); p += len)
		if (p[len] == '\0' || p[len] == '<')
			return true;
	return false;
}

static bool module_syscall(const char *name)
{
	return name && (!strcmp(name, "init_module") || !strcmp(name, "finit_module") ||
			!strcmp(name, "delete_module"));
}

bool rep_in_span(const struct rep_filter *flt, long long sec)
{
	return (!flt->has_since || sec >= flt->since) && (!flt->has_until || sec <= flt->until);
}

/*
 * Append ITEM, the array growing by half its size: growing by one item copied the whole array
 * each time where realloc() cannot grow in place (always under ASan: 38 s instead of 1.3 s for
 * report-large's 60 copies of the qemu bed's log).
 */
static int push(void **arr, size_t *n, size_t *cap, size_t size, const void *item)
{
	if (*n == *cap) {
		size_t grown_cap = *cap < 64 ? 64 : *cap + *cap / 2;
		char *grown = reallocarray(*arr, grown_cap, size);

		if (!grown)
			return -ENOMEM;
		*arr = grown;
		*cap = grown_cap;
	}
	memcpy((char *)*arr + *n * size, item, size);
	(*n)++;
	return 0;
}

/* The version of one of our records: ver=, or 0 when it is none we know. */
static unsigned record_version(const struct fields *f)
{
	long long v;

	if (!parse_ll(field(f, record_field_name(RF_VER)), &v) || v < RECORD_VERSION_MIN)
		return 0;
	return v > RECORD_VERSION ? RECORD_VERSION : (unsigned)v;
}

/* Field ID of one of our records of version VER, by that version's name, as written. */
static const char *ufield(const struct fields *f, unsigned ver, enum record_field_id id)
{
	return field(f, record_field_name_v(id, ver));
}

/* Field ID decoded (record_decode_field()); NULL when absent, unknown or out of memory. */
static char *udecode(const struct fields *f, unsigned ver, enum record_field_id id)
{
	char *out;

	return record_decode_field(id, ufield(f, ver, id), &out, NULL) == 0 ? out : NULL;
}

static bool keep_text;

void rep_read_keep_text(bool keep)
{
	keep_text = keep;
}

/* TEXT appended to *BUF as a line of its own. */
static void append_line(char **buf, const char *text)
{
	char *joined = NULL;

	if (!text || asprintf(&joined, "%s%s%s", *buf ? *buf : "", *buf ? "\n" : "", text) < 0)
		return;
	free(*buf);
	*buf = joined;
}

static void user_free(struct rep_user *u)
{
	free(u->text);
	free(u->node);
	free(u->op);
	free(u->via);
	free(u->syscall);
	free(u->name);
	free(u->signer);
	free(u->sig_key);
	free(u->sha256);
	free(u->sig);
	free(u->anomaly);
	free(u->comm);
	free(u->exe);
	free(u->subj);
}

/*
 * A value of the kernel's prefix of a user record (pid= uid= auid= ses= subj=, before
 * msg='): read from the record's text, since auparse lists the payload's fields after the
 * prefix's with nothing between, and a payload could hold a subj= of its own.
 */
static char *prefix_value(const char *text, const char *name)
{
	const char *p = text ? strstr(text, "): ") : NULL;
	size_t n = strlen(name);

	for (p = p ? p + 3 : NULL; p && *p && strncmp(p, "msg='", 5);) {
		size_t len = strcspn(p, " ");

		if (len > n && !strncmp(p, name, n) && p[n] == '=')
			return strndup(p + n + 1, len - n - 1);
		p += len;
		p += strspn(p, " ");
	}
	return NULL;
}

static long long prefix_ll(const char *text, const char *name)
{
	_cleanup_free_ char *v = prefix_value(text, name);
	long long out;

	return parse_ll(v, &out) ? out : -1;
}

static int read_user(const struct fields *f, unsigned ver, const char *text,
		     const struct rep_time *t, const char *node, struct rep_log *log)
{
	struct rep_user u = {
		.t = *t,
		.sender_pid = prefix_ll(text, "pid"),
		.sender_uid = prefix_ll(text, "uid"),
		.auid = prefix_ll(text, "auid"),
		.sender_ses = prefix_ll(text, "ses"),
		.ppid = field_ll(f, record_field_name_v(RF_PPID, ver), -1),
	};
	long long v;
	int r;

	u.node = node ? strdup(node) : NULL;
	u.op = udecode(f, ver, RF_OP);
	u.via = udecode(f, ver, RF_VIA);
	u.syscall = udecode(f, ver, RF_CALL);
	u.name = udecode(f, ver, RF_NAME);
	u.signer = udecode(f, ver, RF_SIGNER);
	u.sig_key = udecode(f, ver, RF_SIG_KEY);
	u.sha256 = udecode(f, ver, RF_SHA256);
	u.sig = udecode(f, ver, RF_SIG_TYPE);
	u.anomaly = udecode(f, ver, RF_ANOMALY);
	u.comm = udecode(f, ver, RF_COMM);
	u.exe = udecode(f, ver, RF_EXE);
	u.subj = prefix_value(text, "subj");
	u.seq = parse_ll(ufield(f, ver, RF_SEQ), &v) && v >= 0 ? (unsigned long long)v : 0;
	u.exit_known = parse_ll(ufield(f, ver, RF_EXIT), &u.exit);
	u.loader_pid = u.sender_pid;
	u.text = keep_text && text ? strdup(text) : NULL;
	if (u.via && !strcmp(u.via, "trace")) {
		_cleanup_free_ char *history = udecode(f, ver, RF_HISTORY);

		u.loader_pid = history_first_pid(history, u.comm);
		u.history_has_sender = history_has_pid(history, u.comm, u.sender_pid);
	}
	r = push((void **)&log->user, &log->nuser, &log->user_cap, sizeof(u), &u);
	if (r < 0)
		user_free(&u);
	return r;
}

static int read_event(auparse_state_t *au, const struct rep_filter *flt, struct rep_log *log)
{
	const au_event_t *e = auparse_get_timestamp(au);
	_cleanup_free_ char *node = NULL;
	struct rep_kernel k = {.pid = -1, .ppid = -1, .uid = -1, .auid = -1, .ses = -1};
	struct rep_time t;
	bool kernel = false;
	int r = 0;

	if (!e || !rep_in_span(flt, e->sec))
		return 0;
	t = (struct rep_time){.sec = e->sec, .ms = e->milli, .serial = e->serial};
	node = (char *)auparse_get_node(au);
	if (auparse_first_record(au) <= 0)
		return 0;
	do {
		struct fields f = {.n = 0};
		int type = auparse_get_type(au);
		const char *op;

		fields_read(au, &f, type == AUDIT_SYSCALL ? "syscall" : NULL);
		if (keep_text)
			append_line(&k.text, auparse_get_record_text(au));
		op = field(&f, record_field_name(RF_OP));
		if (type == AUDIT_SYSCALL && module_syscall(field_interp(&f, "syscall"))) {
			kernel = true;
			free(k.syscall);
			k.syscall = strdup(field_interp(&f, "syscall"));
			k.pid = field_ll(&f, "pid", -1);
			k.ppid = field_ll(&f, "ppid", -1);
			k.uid = field_ll(&f, "uid", -1);
			k.auid = field_ll(&f, "auid", -1);
			k.ses = field_ll(&f, "ses", -1);
			free(k.exe);
			free(k.comm);
			free(k.subj);
			k.exe = decode_str(field(&f, "exe"));
			k.comm = decode_str(field(&f, "comm"));
			k.subj = decode_str(field(&f, "subj"));
			k.exit_known = parse_ll(field(&f, "exit"), &k.exit);
		} else if (type == AUDIT_KERN_MODULE) {
			free(k.name);
			k.name = decode_str(field(&f, "name"));
		} else if (rep_bpf_wants(type, op)) {
			r = rep_bpf_read(au, type, &t, node, log); /* BPF programs: report-bpf.c */
		} else if (record_op_lookup(op) >= 0 && record_version(&f)) {
			r = read_user(&f, record_version(&f), auparse_get_record_text(au), &t, node,
				      log);
		}
		fields_free(&f);
	} while (r == 0 && auparse_next_record(au) > 0);
	if (r == 0 && keep_text && k.text)
		rep_bpf_keep_text(log, &t, k.text);
	if (r == 0 && kernel) {
		k.t = t;
		k.node = node ? strdup(node) : NULL;
		r = push((void **)&log->kernel, &log->nkernel, &log->kernel_cap, sizeof(k), &k);
		if (r == 0)
			return 0;
	}
	free(k.syscall);
	free(k.exe);
	free(k.comm);
	free(k.subj);
	free(k.name);
	free(k.text);
	return r;
}

int rep_read(const char *const *files, const struct rep_filter *filter, struct rep_log *log)
{
	auparse_state_t *au;
	int r = 0;

	au = files ? auparse_init(AUSOURCE_FILE_ARRAY, files) : auparse_init(AUSOURCE_LOGS, NULL);
	if (!au)
		return errno ? -errno : -EIO;
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	while (r == 0 && auparse_next_event(au) > 0)
		r = read_event(au, filter, log);
	auparse_destroy(au);
	return r;
}

void rep_log_free(struct rep_log *log)
{
	for (size_t i = 0; i < log->nkernel; i++) {
		struct rep_kernel *k = &log->kernel[i];

		free(k->node);
		free(k->syscall);
		free(k->name);
		free(k->exe);
		free(k->comm);
		free(k->subj);
		free(k->text);
	}
	for (size_t i = 0; i < log->nuser; i++)
		user_free(&log->user[i]);
	free(log->kernel);
	free(log->user);
	rep_bpf_log_free(log->bpf);
	*log = (struct rep_log){0};
}
