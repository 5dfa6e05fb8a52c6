/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The benchmark items of `kmodaudit check`: CIS 6.2.3.19 and SSG's kernel module loading rules.
 *
 * How CIS 6.2.3.19 decides (our reading of its audit procedure): two awk filters pick candidate
 * lines out of /etc/audit/rules.d/ *.rules (or of `auditctl -l` for the running rules), and the
 * auditor compares what they print with the expected lines.
 *  - Syscall filter: the line starts with "-a always,exit", has "-F arch=b32|b64", has
 *    "-F auid!=unset" (or its spellings -1 and 4294967295), has "-S", names one of init_module,
 *    finit_module, delete_module, create_module, query_module, and ends with a key (" -k K" or
 *    " key=K" as the last word).
 *  - Exec filter: "-a always,exit", the auid!=unset filter, "-F auid>=UID_MIN" with UID_MIN read
 *    from /etc/login.defs (missing UID_MIN is itself an error), "-F perm=x", "-F path=" the kmod
 *    binary (/usr/bin/kmod; the front end's own binary is not part of the benchmark), and the
 *    key last.
 *  - Expected: the b64 rule (on a 64-bit system) covering all five syscalls, and the exec rule.
 * We accept a set of rules when, among the lines the filters would pick, the ones that collect
 * at least what the expected lines collect cover it: a line with another filter (uid=,
 * success=, ...) or an auid>= bound above UID_MIN collects less and is not counted; the five
 * syscalls may be spread over several lines. The kmod path is compared as a file (resolved
 * inside the checked tree), not as a string, so /bin/kmod and /usr/bin/kmod are the same.
 * Symlink audit: each of lsmod, rmmod, insmod, modinfo, modprobe, depmod in /usr/sbin must
 * resolve (readlink -f) to the same file as /bin/kmod.
 *
 * SSG (audit_rules_kernel_module_loading_{init,finit,delete}, Debian variant): for every arch
 * the machine runs (b32 and b64 on a 64-bit system) a line "-a always,exit -F arch=ARCH" whose
 * -S names the syscall and which ends with a key; the auid filters are allowed, not required.
 * Watches (audit_rules_privileged_commands_{insmod,rmmod,modprobe}): "-w /sbin/TOOL -p x" with
 * a key, or the equivalent "-a always,exit -F path=/sbin/TOOL -F perm=x" rule.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libaudit.h>

#include "cmd/check/check-items.h"
#include "cmd/common/fileio.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

#define FIX_RULES "run `kmodaudit rules --install` (or add the lines `kmodaudit rules` prints)"
#define FIX_RUNNING                                                                                \
	"load the on-disk rules: `augenrules --load` (reboot instead if the rules are immutable, " \
	"-e 2)"

/* The module syscalls ARCH's table has (auditctl refuses the others). */
static unsigned arch_syscalls(int bits)
{
	int machine = audit_determine_machine(bits == 32 ? "b32" : "b64");
	unsigned mask = 0;

	if (machine < 0)
		return 0;
	for (unsigned i = 0; i < rules_module_syscalls_count; i++)
		if (audit_name_to_syscall(rules_module_syscalls[i], machine) >= 0)
			mask |= 1u << i;
	return mask;
}

static int native_bits(const struct check_ctx *ctx)
{
	return ctx->arches & RULES_ARCH_B64 ? 64 : 32;
}

static bool cis_syscall_line(const struct check_rule *r, const struct check_ctx *ctx)
{
	return r->exit_always_literal && r->arch && r->auid_set && r->has_syscall_option &&
	       r->syscalls && r->key_last && !r->narrowed &&
	       (r->auid_min < 0 ||
		(ctx->uid_min_known && (unsigned long)r->auid_min <= ctx->uid_min));
}

static bool cis_exec_line(const struct check_rule *r, const struct check_ctx *ctx,
			  const char *binary)
{
	return r->exit_always_literal && r->auid_set && ctx->uid_min_known && r->auid_min >= 0 &&
	       (unsigned long)r->auid_min <= ctx->uid_min && r->perm && strchr(r->perm, 'x') &&
	       r->path && r->key_last && !r->narrowed &&
	       (!r->has_syscall_option || r->syscall_all) && check_same_file(ctx, r->path, binary);
}

static void append(char **buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(char **buf, const char *fmt, ...)
{
	_cleanup_free_ char *add = NULL;
	char *joined = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (asprintf(&joined, "%s%s%s", *buf ? *buf : "", *buf ? "; " : "", add) < 0)
		return;
	free(*buf);
	*buf = joined;
}

static void missing_syscalls(char **why, const char *what, unsigned missing)
{
	_cleanup_free_ char *names = NULL;

	for (unsigned i = 0; i < rules_module_syscalls_count; i++) {
		char *joined;

		if (!(missing & (1u << i)))
			continue;
		if (asprintf(&joined, "%s%s%s", names ? names : "", names ? "," : "",
			     rules_module_syscalls[i]) < 0)
			return;
		free(names);
		names = joined;
	}
	append(why, "%s lacks %s", what, names ? names : "?");
}

/* CIS 6.2.3.19's rule test on one rule set; *why says what is missing. */
static bool cis_rules_ok(const struct check_ctx *ctx, const struct check_rules *set, char **why)
{
	int bits = native_bits(ctx);
	unsigned want = arch_syscalls(bits), have = 0;
	bool ok = true;

	if (!ctx->uid_min_known && ctx->uid_min_err != -ENODATA && ctx->uid_min_err != -ENOENT) {
		append(why, "cannot read /etc/login.defs: %s", fileio_strerror(ctx->uid_min_err));
		ok = false;
	} else if (!ctx->uid_min_known) {
		append(why, "UID_MIN is unset in /etc/login.defs");
		ok = false;
	}
	for (unsigned i = 0; i < set->count; i++)
		if (set->rules[i].arch == bits && cis_syscall_line(&set->rules[i], ctx))
			have |= set->rules[i].syscalls;
	if ((want & have) != want) {
		char what[64];

		snprintf(what, sizeof(what), "arch=b%d syscall rule (auid!=unset, key)", bits);
		missing_syscalls(why, what, want & ~have);
		ok = false;
	}
	if (!ctx->kmod) {
		append(why, "no /bin/kmod to check the exec rule against");
		return false;
	}
	for (unsigned i = 0; i < set->count; i++)
		if (cis_exec_line(&set->rules[i], ctx, ctx->kmod))
			return ok;
	append(why, "no exec rule -F path=%s -F perm=x with auid>=%lu, auid!=unset, key", ctx->kmod,
	       ctx->uid_min);
	return false;
}

static void cis_disk(struct check_ctx *ctx, struct check_result *res)
{
	_cleanup_free_ char *why = NULL;

	if (ctx->disk_err < 0) {
		check_disk_unread(ctx, res, FIX_RULES);
		return;
	}
	if (cis_rules_ok(ctx, &ctx->disk, &why))
		check_set(res, CHECK_PASS, NULL, "module syscalls and kmod exec are collected");
	else
		check_set(res, CHECK_FAIL, FIX_RULES, "%s", why);
}

static void cis_running(struct check_ctx *ctx, struct check_result *res)
{
	_cleanup_free_ char *why = NULL;

	if (!check_load_running(ctx, res))
		return;
	if (cis_rules_ok(ctx, &ctx->running, &why))
		check_set(res, CHECK_PASS, NULL, "the kernel has the rules");
	else
		check_set(res, CHECK_FAIL, FIX_RUNNING, "auditctl -l: %s", why);
}

static void cis_symlinks(struct check_ctx *ctx, struct check_result *res)
{
	_cleanup_free_ char *bad = NULL, *diverted = NULL;
	const char *kmod = ctx->kmod;
	int r;

	if (!kmod) {
		check_set(res, CHECK_FAIL, "install kmod (apt-get install kmod)", "no /bin/kmod");
		return;
	}
	for (unsigned i = 0; i < rules_kmod_tools_count; i++) {
		_cleanup_free_ char *tool = NULL, *real = NULL;

		if (asprintf(&tool, "/usr/sbin/%s", rules_kmod_tools[i]) < 0)
			return;
		r = rules_resolve_in_root(ctx->root, tool, &real);
		if (r < 0)
			append(&bad, "%s missing", tool);
		else if (!strcmp(real, kmod))
			continue;
		else if (ctx->front_end && !strcmp(real, ctx->front_end))
			append(&diverted, "%s", rules_kmod_tools[i]);
		else
			append(&bad, "%s -> %s", tool, real);
	}
	if (bad)
		check_set(res, CHECK_FAIL,
			  "reinstall kmod (apt-get install --reinstall kmod) and find out who "
			  "replaced the tools",
			  "not kmod (%s): %s", kmod, bad);
	else if (diverted)
		check_set(res, CHECK_WARN,
			  "none needed: the kmodaudit package diverts them on purpose; show the "
			  "auditor `dpkg-divert --list '*sbin*'`",
			  "%s run the kmodaudit front end %s, the rest %s", diverted,
			  ctx->front_end, kmod);
	else
		check_set(res, CHECK_PASS, NULL, "the six tools resolve to %s", kmod);
}

static bool ssg_syscall_line(const struct check_rule *r, int bits, unsigned syscall_bit)
{
	return r->exit_always && r->arch == bits && (r->syscalls & syscall_bit) && r->key_last &&
	       !r->narrowed;
}

static void ssg_syscalls(struct check_ctx *ctx, struct check_result *res)
{
	static const char *const wanted[] = {"init_module", "finit_module", "delete_module"};
	_cleanup_free_ char *why = NULL;

	if (ctx->disk_err < 0) {
		check_disk_unread(ctx, res, FIX_RULES);
		return;
	}
	for (int bits = 32; bits <= 64; bits += 32) {
		if (!(ctx->arches & (bits == 32 ? RULES_ARCH_B32 : RULES_ARCH_B64)))
			continue;
		for (unsigned w = 0; w < ARRAY_SIZE(wanted); w++) {
			unsigned bit = 0;
			bool found = false;

			for (unsigned i = 0; i < rules_module_syscalls_count; i++)
				if (!strcmp(rules_module_syscalls[i], wanted[w]))
					bit = 1u << i;
			for (unsigned i = 0; i < ctx->disk.count && !found; i++)
				found = ssg_syscall_line(&ctx->disk.rules[i], bits, bit);
			if (!found)
				append(&why, "no arch=b%d rule with a key for %s", bits, wanted[w]);
		}
	}
	if (why)
		check_set(res, CHECK_FAIL, FIX_RULES, "%s", why);
	else
		check_set(res, CHECK_PASS, NULL,
			  "init_module, finit_module, delete_module with a key");
}

/* A watch (or path rule) on DIR/TOOL where DIR is the same directory as /sbin. */
static bool ssg_watch_line(const struct check_ctx *ctx, const struct check_rule *r,
			   const char *tool)
{
	_cleanup_free_ char *dir = NULL, *sbin = NULL;
	const char *slash;

	if (!r->path || !r->perm || !strchr(r->perm, 'x') || !r->key_last || r->narrowed)
		return false;
	if (!r->watch && !(r->exit_always && (!r->has_syscall_option || r->syscall_all)))
		return false;
	slash = strrchr(r->path, '/');
	if (!slash || strcmp(slash + 1, tool))
		return false;
	dir = strndup(r->path, slash - r->path);
	/* The link itself is watched, not kmod: compare directories, then the name. */
	return dir && check_same_file(ctx, dir[0] ? dir : "/", "/sbin");
}

static void ssg_watches(struct check_ctx *ctx, struct check_result *res)
{
	_cleanup_free_ char *why = NULL;

	if (ctx->disk_err < 0) {
		check_disk_unread(ctx, res, FIX_RULES);
		return;
	}
	for (unsigned t = 0; t < rules_kmod_tools_count; t++) {
		bool found = false;

		if (!rules_kmod_tool_watched(rules_kmod_tools[t]))
			continue;
		for (unsigned i = 0; i < ctx->disk.count && !found; i++)
			found = ssg_watch_line(ctx, &ctx->disk.rules[i], rules_kmod_tools[t]);
		if (!found)
			append(&why, "no -w /sbin/%s -p x with a key", rules_kmod_tools[t]);
	}
	if (why)
		check_set(res, CHECK_FAIL, FIX_RULES, "%s", why);
	else
		check_set(res, CHECK_PASS, NULL, "insmod, rmmod, modprobe are watched");
}

const struct check_item check_items_cis[] = {
	{"CIS 6.2.3.19 on-disk rules", cis_disk},
	{"CIS 6.2.3.19 running rules", cis_running},
	{"CIS 6.2.3.19 kmod symlinks", cis_symlinks},
	{"SSG audit_rules_kernel_module_loading syscalls", ssg_syscalls},
	{"SSG audit_rules_privileged_commands insmod/rmmod/modprobe", ssg_watches},
};
const unsigned check_items_cis_count = ARRAY_SIZE(check_items_cis);
