/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit check: the bpf(BPF_PROG_LOAD) syscall rule (kmodaudit rules --bpf). Not a benchmark
 * item: without it the kernel's AUDIT_BPF records still come, without the loader's identity,
 * so a missing rule is a WARN, never a FAIL.
 */
#include "cmd/check/check-items.h"
#include "cmd/rules/rules-bpf.h"
#include "cmd/rules/rules-spec.h"

static void judge(const struct check_ctx *ctx, const struct check_rules *set, const char *where,
		  struct check_result *res)
{
	unsigned covered = 0;

	for (unsigned i = 0; i < set->count; i++) {
		int arch;

		if (!set->rules[i].text || !rules_bpf_line_selects_load(set->rules[i].text, &arch))
			continue;
		covered |= arch == 64 ? RULES_ARCH_B64 : arch == 32 ? RULES_ARCH_B32 : ctx->arches;
	}
	if ((covered & ctx->arches) == ctx->arches)
		check_set(res, CHECK_PASS, NULL,
			  "%s: bpf(BPF_PROG_LOAD) is audited with its loader", where);
	else
		check_set(res, CHECK_WARN, "kmodaudit rules --bpf --install",
			  "%s: no rule for bpf with a0=5%s: the kernel's AUDIT_BPF records name no "
			  "loader",
			  where, covered ? " on every architecture" : "");
}

void check_bpf_rule_disk(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->disk_err < 0) {
		check_set(res, CHECK_WARN, NULL, "%s", check_disk_why(ctx));
		return;
	}
	judge(ctx, &ctx->disk, "rules.d", res);
}

void check_bpf_rule_running(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->root) {
		check_set(res, CHECK_SKIP, NULL, "not the running system (--root)");
		return;
	}
	if (!check_load_running(ctx, res))
		return;
	judge(ctx, &ctx->running, "running rules", res);
}
