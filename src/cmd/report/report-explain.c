/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report --explain: each row with every value's origin, its witness and, for each
 * flag, why (a claim against the kernel's fact: both values and whose claim).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-event.h"
#include "cmd/report/report-view.h"
#include "macro.h"

static const char *flag_why(unsigned flag)
{
	switch (flag) {
	case REP_FLAG_KERNEL_ONLY:
		return "the kernel saw the call, no record of ours did (a raw-syscall loader, or "
		       "the shim missing)";
	case REP_FLAG_USERSPACE_ONLY:
		return "a record of ours with no kernel event (the kernel's rules missing, audit "
		       "off, or a forged record)";
	case REP_FLAG_UNSIGNED:
		return "the witness claims the module is unsigned";
	case REP_FLAG_UNKNOWN_SIGNER:
		return "the claimed signer is not a trusted one";
	case REP_FLAG_FAILED:
		return "the call failed";
	case REP_FLAG_NO_RESULT:
		return "an intent record and no result: the call never came back";
	case REP_FLAG_NAME_MISMATCH:
		return "the module's names differ (the record's anomaly=, or the claim against "
		       "the kernel's KERN_MODULE name)";
	case REP_FLAG_EXIT_MISMATCH:
	case REP_FLAG_AUID_MISMATCH:
	case REP_FLAG_COMM_MISMATCH:
	case REP_FLAG_EXE_MISMATCH:
	case REP_FLAG_PPID_MISMATCH:
		return "a record disagrees with the kernel; the row shows the kernel's value";
	case REP_FLAG_TRACE_BY_LOADER:
		return "a via=trace record sent by the loader itself: its own word, not a tracer's";
	case REP_FLAG_TRACE_UNVERIFIED:
		return "a via=trace record no tracer can have sent: its sender is not among the "
		       "loader's claimed ancestors, or the kernel's parent or login disagree";
	}
	return NULL;
}

static void print_mismatch(const struct rep_mismatch *m)
{
	_cleanup_free_ char *via = rep_safe_str(m->record->via);

	printf("    %s: kernel ", m->field);
	if (m->numeric) {
		printf("%lld, record %lld", m->kernel_num, m->record_num);
	} else {
		_cleanup_free_ char *k = rep_safe_str(m->kernel_str),
				    *r = rep_safe_str(m->record_str);

		printf("\"%s\", record \"%s\"", k, r);
	}
	printf(" (via=%s, sender pid %lld)\n", via, m->record->sender_pid);
}

static void print_value(const struct rep_row *r, unsigned field, const char *value)
{
	const char *origin = rep_origin_name(r->origin[field]);
	_cleanup_free_ char *safe = rep_safe_str(value);

	printf("  %-8s %-40s %s\n", rep_field_name(field), safe, origin ? origin : "unknown");
}

static void print_num(const struct rep_row *r, unsigned field, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	print_value(r, field, v >= 0 ? buf : NULL);
}

static void print_witness(const struct rep_row *r)
{
	const struct rep_user *u = r->claim;
	_cleanup_free_ char *via = u ? rep_safe_str(u->via) : NULL, *auid = NULL;

	printf("  %-8s %s", "witness", rep_witness_name(r->witness));
	if (!u && r->bpf && r->witness != REP_WITNESS_NONE) {
		printf(": a BPF program record of ours (%s)\n",
		       r->witness == REP_WITNESS_TRACE ? "a tracer, not the loader"
						       : "the loader's own word, or no better");
		return;
	}
	if (!u) {
		printf(": no record of ours; every value is the kernel's\n");
		return;
	}
	auid = rep_auid_str(u->auid);
	printf(": claims by via=%s, sent by pid %lld (auid %s, ses %lld): %s\n", via, u->sender_pid,
	       auid ? auid : "?", u->sender_ses,
	       r->witness == REP_WITNESS_TRACE ? "a tracer, not the loader"
					       : "the loader's own word, or no better");
}

int rep_print_explain(const struct rep_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct rep_row *r = &rows[i];
		_cleanup_free_ char *node = r->node ? rep_safe_str(r->node) : NULL,
				    *outcome = rep_outcome(r),
				    *sources = rep_bits_str(r->sources, rep_source_name),
				    *auid = r->auid >= 0 ? rep_auid_str(r->auid) : NULL;
		char t[48];

		rep_format_time(&r->t, t, sizeof(t));
		if (i)
			putchar('\n');
		if (node)
			printf("node=%s ", node);
		printf("%s serial %lu: %s\n", t, r->t.serial, rep_row_op(r));
		print_witness(r);
		print_value(r, REP_F_MODULE, r->name);
		print_value(r, REP_F_SYSCALL, r->syscall);
		print_num(r, REP_F_PID, r->pid);
		print_num(r, REP_F_PPID, r->ppid);
		print_num(r, REP_F_UID, r->uid);
		print_value(r, REP_F_AUID, auid);
		print_num(r, REP_F_SES, r->ses);
		print_value(r, REP_F_SUBJ, r->subj);
		print_value(r, REP_F_EXE, r->exe);
		print_value(r, REP_F_COMM, r->comm);
		print_value(r, REP_F_EXIT, r->exit_known ? outcome : NULL);
		print_value(r, REP_F_SIG, r->sig);
		print_value(r, REP_F_SIGNER, r->signer);
		print_value(r, REP_F_SHA256, r->sha256);
		printf("  %-8s %s\n", "sources", sources);
		for (unsigned b = 1; b && b <= r->flags; b <<= 1) {
			if (!(r->flags & b))
				continue;
			printf("  flag     %s", rep_flag_name(b));
			if (flag_why(b))
				printf(": %s", flag_why(b));
			putchar('\n');
			for (unsigned m = 0; m < r->nmismatch; m++)
				if (r->mismatch[m].flag == b)
					print_mismatch(&r->mismatch[m]);
		}
		rep_print_records(r);
	}
	return 0;
}
