/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report: the analyst's row filters (--module, --signer, --sha256, ...). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/report/report-view.h"
#include "macro.h"

const char *rep_row_op(const struct rep_row *r)
{
	if (r->bpf)
		return "bpf"; /* a BPF program load (report-bpf.c) */
	return r->unload ? "unload" : "load";
}

/* The operations --op accepts: a row kind adds its own here. */
static const char *const ops[] = {"load", "unload", "bpf"};

int rep_select_add(struct rep_select *s, unsigned kind, const char *option, const char *value)
{
	if (kind == REP_SEL_SHA256) {
		size_t n = strlen(value);

		/* sha256sum prints lower case, records upper: compare hex digits alone. */
		if (n == 0 || n > 64 || strspn(value, "0123456789abcdefABCDEF") != n) {
			fprintf(stderr,
				"kmodaudit report: %s '%s': not a prefix of a sha256 (1 to 64 "
				"hex digits)\n",
				option, value);
			return -EINVAL;
		}
	}
	if (kind == REP_SEL_OP) {
		bool known = false;

		for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
			known |= !strcmp(ops[i], value);
		if (!known) {
			fprintf(stderr,
				"kmodaudit report: %s '%s': not an operation (load, unload, "
				"bpf)\n",
				option, value);
			return -EINVAL;
		}
	}
	if (kind == REP_SEL_VIA) {
		bool known = false;

		for (unsigned b = 1; b; b <<= 1)
			known |= rep_source_name(b) && !strcmp(rep_source_name(b), value);
		if (!known) {
			fprintf(stderr,
				"kmodaudit report: %s '%s': not a source (kernel, preload, trace, "
				"kmod)\n",
				option, value);
			return -EINVAL;
		}
	}
	if (!*value) {
		fprintf(stderr, "kmodaudit report: %s: an empty value matches nothing\n", option);
		return -EINVAL;
	}
	if (s->nvalues[kind] == REP_SEL_MAX) {
		fprintf(stderr, "kmodaudit report: %s: at most %d values\n", option, REP_SEL_MAX);
		return -EINVAL;
	}
	s->values[kind][s->nvalues[kind]++] = value;
	return 0;
}

int rep_select_flags(struct rep_select *s, const char *list)
{
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned b;

		for (b = 1; b; b <<= 1)
			if (rep_flag_name(b) && strlen(rep_flag_name(b)) == n &&
			    !strncmp(rep_flag_name(b), p, n))
				break;
		if (!b) {
			fprintf(stderr,
				"kmodaudit report: --flag '%.*s': not a flag (see --help)\n",
				(int)n, p);
			return -EINVAL;
		}
		s->flags |= b;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static bool eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static bool one(const struct rep_row *r, unsigned kind, const char *v)
{
	const struct rep_mismatch *m;

	switch (kind) {
	case REP_SEL_MODULE:
		/* The kernel's name, or the one a record claimed where they differ. */
		m = rep_row_mismatch(r, "module");
		return eq(r->name, v) || (m && eq(m->record_str, v));
	case REP_SEL_SIGNER:
		return r->signer && strstr(r->signer, v);
	case REP_SEL_SHA256:
		return r->sha256 && !strncasecmp(r->sha256, v, strlen(v));
	case REP_SEL_VIA:
		for (unsigned b = 1; b && b <= r->sources; b <<= 1)
			if ((r->sources & b) && eq(rep_source_name(b), v))
				return true;
		return false;
	case REP_SEL_EXE:
		return eq(r->exe, v);
	case REP_SEL_NODE:
		return eq(r->node, v);
	case REP_SEL_OP:
		return eq(rep_row_op(r), v);
	}
	return false;
}

bool rep_select_row(const struct rep_select *s, const struct rep_row *r)
{
	if (s->flags && !(r->flags & s->flags))
		return false;
	if (s->witnesses && !(s->witnesses & (1u << r->witness)))
		return false;
	for (unsigned k = 0; k < REP_SEL_COUNT; k++) {
		bool any = s->nvalues[k] == 0;

		for (unsigned i = 0; i < s->nvalues[k] && !any; i++)
			any = one(r, k, s->values[k][i]);
		if (!any)
			return false;
	}
	return true;
}
