/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report --explain: every record that made a row, the kernel's and ours, in the
 * order they were written, each field decoded (quoted and hex strings as their text), so that
 * nobody has to grep the raw logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-bpf.h"
#include "cmd/report/report-event.h"
#include "cmd/report/report-view.h"
#include "macro.h"
#include "core/record-names.h"
#include "core/record.h"

/* The kernel's fields that carry a string, quoted or in hex (as ausearch -i decodes them). */
static bool kernel_string(const char *name)
{
	static const char *const names[] = {"comm", "exe", "name", "proctitle", "cwd", "key"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* One value decoded: a field of ours by the record format, a kernel string, or as written. */
static char *decode(const char *name, const char *value, bool ours, unsigned ver)
{
	int id = ours ? record_field_lookup(name, ver) : -1;
	char *out = NULL;

	if (id >= 0 && record_field_is_string((enum record_field_id)id))
		record_decode_field((enum record_field_id)id, value, &out, NULL);
	else if (!ours && kernel_string(name))
		record_decode_str(value, &out, NULL);
	else
		out = strdup(value);
	return out;
}

/* A BPF program record of ours: op=bpf_prog_load or op=bpf_prog_load_intent. */
static bool is_bpf_op(const char *line)
{
	const char *op = strstr(line, " op=");
	char word[32];
	size_t n;
	int o;

	if (!op)
		return false;
	op += 4;
	n = strcspn(op, " '");
	if (n >= sizeof(word))
		return false;
	memcpy(word, op, n);
	word[n] = '\0';
	o = record_op_lookup(word);
	return o == RECORD_OP_BPF_LOAD || o == RECORD_OP_BPF_LOAD_INTENT;
}

/* Print LINE (one record as written) with each name=value decoded. */
static void print_decoded(const char *line, const char *syscall)
{
	_cleanup_free_ char *copy = strdup(line);
	const char *ver_at = strstr(line, " ver=");
	unsigned ver = ver_at ? (unsigned)atoi(ver_at + 5) : 1;
	bool ours = strstr(line, " op=kmod_") || is_bpf_op(line);
	char *p = copy, *msg;

	if (!copy)
		return;
	/* A user record's payload msg='...' is fields like the others. */
	if ((msg = strstr(p, " msg='")) != NULL) {
		size_t n = strlen(msg);

		memmove(msg + 1, msg + 6, n - 5);
		if ((n = strlen(p)) && p[n - 1] == '\'')
			p[n - 1] = '\0';
	}
	printf("   ");
	while (*p) {
		char *eq, *end, *value;
		_cleanup_free_ char *name = NULL, *dec = NULL, *safe = NULL;

		p += strspn(p, " ");
		if (!*p)
			break;
		eq = p + strcspn(p, "= ");
		if (*eq != '=') { /* a bare word */
			end = eq;
			printf(" %.*s", (int)(end - p), p);
			p = end;
			continue;
		}
		end = eq[1] == '"' ? strchr(eq + 2, '"') : NULL;
		end = end ? end + 1 : eq + 1 + strcspn(eq + 1, " ");
		name = strndup(p, (size_t)(eq - p));
		value = strndup(eq + 1, (size_t)(end - eq - 1));
		/* The number as auparse interpreted it for the row (the record's arch). */
		if (name && value && !ours && syscall && !strcmp(name, "syscall"))
			dec = strdup(syscall);
		else
			dec = name && value ? decode(name, value, ours, ver) : NULL;
		safe = dec ? rep_safe_str(dec) : NULL;
		if (safe && (strchr(safe, ' ') || !*safe))
			printf(" %s=\"%s\"", name, safe);
		else
			printf(" %s=%s", name ? name : "?", safe ? safe : value ? value : "?");
		free(value);
		p = end;
	}
	putchar('\n');
}

static void print_lines(const char *text, const char *syscall)
{
	_cleanup_free_ char *copy = text ? strdup(text) : NULL;
	char *save = NULL;

	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save))
		print_decoded(l, syscall);
}

struct entry {
	const struct rep_time *t;
	const char *text;
	const char *syscall; /* the kernel's event: its syscall's name */
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->t->sec != y->t->sec)
		return x->t->sec < y->t->sec ? -1 : 1;
	if (x->t->ms != y->t->ms)
		return x->t->ms < y->t->ms ? -1 : 1;
	return x->t->serial < y->t->serial ? -1 : x->t->serial > y->t->serial;
}

void rep_print_records(const struct rep_row *r)
{
	struct entry e[1 + 2 * REP_MAX_RECORDS];
	size_t n = 0;

	if (r->kernel && r->kernel->text)
		e[n++] = (struct entry){&r->kernel->t, r->kernel->text, r->kernel->syscall};
	for (unsigned i = 0; i < r->nrecords; i++) {
		if (r->intents[i] && r->intents[i]->text)
			e[n++] = (struct entry){&r->intents[i]->t, r->intents[i]->text, NULL};
		if (r->records[i] && r->records[i]->text)
			e[n++] = (struct entry){&r->records[i]->t, r->records[i]->text, NULL};
	}
	for (unsigned i = 0; r->bpf && i < ARRAY_SIZE(r->bpf->events); i++) {
		const struct rep_bpf_event *b = r->bpf->events[i];

		if (b && b->text)
			e[n++] = (struct entry){&b->t, b->text, b->kernel ? r->syscall : NULL};
	}
	qsort(e, n, sizeof(e[0]), entry_cmp);
	printf("  records  %zu event%s, in order, decoded:\n", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		print_lines(e[i].text, e[i].syscall);
}
