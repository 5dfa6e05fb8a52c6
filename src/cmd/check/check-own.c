/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit's own requirements in `kmodaudit check`: the shim is preloaded and loads, the front
 * end, and an audit subsystem that keeps what it is given (auditd enabled and running, audit on,
 * a backlog that survives bursts, a failure mode that does not drop records silently).
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/check/check-drop.h"
#include "cmd/check/check-items.h"
#include "cmd/common/fileio.h"
#include "cmd/preload/preload.h"
#include "cmd/rules/rules-initramfs.h"
#include "cmd/rules/rules-spec.h"
#include "config.h"
#include "macro.h"
#include "core/procctx.h"
#include "core/record.h"

/* The kernel's default; CIS 6.2.1.4 asks for 8192 at boot. */
#define BACKLOG_SANE 8192

static bool live(const struct check_ctx *ctx)
{
	return !ctx->root;
}

static void shim_listed(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->preload_err < 0)
		check_set(res, CHECK_FAIL,
			  "make /etc/ld.so.preload a regular file readable by root",
			  "cannot read /etc/ld.so.preload: %s", fileio_strerror(ctx->preload_err));
	else if (ctx->shim_entry)
		check_set(res, CHECK_PASS, NULL, "/etc/ld.so.preload lists %s", ctx->shim_entry);
	else if (ctx->front_end)
		check_set(
			res, CHECK_WARN, "kmodaudit preload enable",
			"not in /etc/ld.so.preload: only the kmod tools are recorded by us, other "
			"loaders only by the kernel");
	else
		check_set(
			res, CHECK_FAIL, "kmodaudit preload enable",
			"not in /etc/ld.so.preload and no front end: module loads are recorded by "
			"the kernel only");
}

/* ELF header of FILE (inside ctx->root): a shared object for the machine this program runs on. */
static int elf_fits(const struct check_ctx *ctx, const char *file, const char **why)
{
	_cleanup_close_ int fd = -1, self = -1;
	Elf64_Ehdr mine, h;

	fd = rules_open_read_in_root(ctx->root, file);
	if (fd < 0)
		return fd;
	self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	/* e_type and e_machine sit at the same offsets in 32- and 64-bit headers. */
	if (pread(fd, &h, sizeof(h), 0) < EI_NIDENT + 4 ||
	    pread(self, &mine, sizeof(mine), 0) < 20) {
		*why = "too short for ELF";
		return -ENOEXEC;
	}
	if (memcmp(h.e_ident, ELFMAG, SELFMAG)) {
		*why = "not ELF";
		return -ENOEXEC;
	}
	if (h.e_ident[EI_CLASS] != mine.e_ident[EI_CLASS] || h.e_machine != mine.e_machine) {
		*why = "built for another machine";
		return -ENOEXEC;
	}
	if (h.e_type != ET_DYN) {
		*why = "not a shared object";
		return -ENOEXEC;
	}
	return 0;
}

static bool has_lib_token(const char *entry)
{
	return strstr(entry, "/" PRELOAD_LIB_TOKEN "/") != NULL;
}

/* The shim as the class's loader reads the entry ($LIB expanded), or NULL (out of memory). */
static char *entry_for(const struct check_ctx *ctx, const struct preload_class *cls)
{
	char *path = NULL;

	if (preload_class_expand(ctx->shim_entry, cls, &path) < 0)
		return NULL;
	return path;
}

static void shim_loadable(struct check_ctx *ctx, struct check_result *res)
{
	_cleanup_free_ char *shim = NULL;
	const char *why = NULL;
	int r;

	if (!ctx->shim_entry) {
		check_set(res, CHECK_SKIP, NULL, "%s",
			  ctx->preload_err < 0 ? "cannot read /etc/ld.so.preload"
					       : "the shim is not preloaded");
		return;
	}
	/* $LIB: what this machine's own loader opens; the other classes have their own item. */
	if (strchr(ctx->shim_entry, '$') &&
	    (!has_lib_token(ctx->shim_entry) || preload_class_count < 2)) {
		check_set(res, CHECK_WARN, "name the shim by its full path in /etc/ld.so.preload",
			  "%s uses a dynamic string token that cannot be checked", ctx->shim_entry);
		return;
	}
	shim = entry_for(ctx, &preload_classes[0]);
	if (!shim) {
		check_set(res, CHECK_FAIL, NULL, "out of memory");
		return;
	}
	r = elf_fits(ctx, shim, &why);
	if (r < 0) {
		/* A missing preload entry costs every process a loader warning on stderr. */
		check_set(res, CHECK_FAIL,
			  "reinstall kmodaudit, or `kmodaudit preload disable` to drop the entry",
			  "%s: %s", shim, why ? why : fileio_strerror(r));
		return;
	}
	if (live(ctx)) {
		/* As `kmodaudit preload` proves it: a real process, bounded in time. */
		struct preload_check c = {};

		if (!preload_check_loads(ctx->shim_entry, &c)) {
			check_set(res, CHECK_FAIL, "reinstall kmodaudit", "%s", c.why);
			return;
		}
	}
	/* The shim loads the core only when it intercepts a call: check that it is there. */
	if (!strcmp(shim, KMODAUDIT_SHIM_PATH)) {
		if (elf_fits(ctx, KMODAUDIT_IMPL_PATH, &why) < 0) {
			check_set(res, CHECK_FAIL, "reinstall kmodaudit",
				  "%s loads but its core %s is missing or broken: calls would not "
				  "be recorded",
				  shim, KMODAUDIT_IMPL_PATH);
			return;
		}
	}
	check_set(res, CHECK_PASS, NULL, "%s %s", shim,
		  live(ctx) ? "loads (preloaded into /bin/true)"
			    : "is a shared object for this machine");
}

/* FILE (inside ctx->root): an ELF shared object of class ELFCLASS for MACHINE. */
static int elf_is(const struct check_ctx *ctx, const char *file, unsigned char elfclass,
		  unsigned machine, const char **why)
{
	_cleanup_close_ int fd = rules_open_read_in_root(ctx->root, file);
	Elf32_Ehdr h;

	if (fd < 0)
		return fd;
	/* e_type and e_machine sit at the same offsets in 32- and 64-bit headers. */
	if (pread(fd, &h, sizeof(h), 0) < EI_NIDENT + 4 || memcmp(h.e_ident, ELFMAG, SELFMAG)) {
		*why = "not ELF";
		return -ENOEXEC;
	}
	if (h.e_ident[EI_CLASS] != elfclass || h.e_machine != machine) {
		*why = "built for another class of programs";
		return -ENOEXEC;
	}
	if (h.e_type != ET_DYN) {
		*why = "not a shared object";
		return -ENOEXEC;
	}
	return 0;
}

/*
 * 32-bit programs on a 64-bit machine: ld.so.preload serves them too. A 64-bit entry makes each
 * print ld.so's wrong-ELF-class error and load modules unrecorded; PREFIX/$LIB/NAME gives them
 * their own build (kmodaudit preload enable), which must then be there and load.
 */
static void shim_i386(struct check_ctx *ctx, struct check_result *res)
{
	const struct preload_class *cls = preload_class_count > 1 ? &preload_classes[1] : NULL;
	_cleanup_free_ char *loader = NULL, *shim = NULL, *core = NULL;
	const char *why = NULL, *slash;
	int r;

	if (!cls) {
		check_set(res, CHECK_SKIP, NULL, "this machine runs one class of programs");
		return;
	}
	if (!ctx->shim_entry) {
		check_set(res, CHECK_SKIP, NULL, "%s",
			  ctx->preload_err < 0 ? "cannot read /etc/ld.so.preload"
					       : "the shim is not preloaded");
		return;
	}
	if (rules_resolve_in_root(ctx->root, cls->loader, &loader) < 0) {
		check_set(res, CHECK_SKIP, NULL, "no %s loader (%s): no %s programs run here",
			  cls->name, cls->loader, cls->name);
		return;
	}
	if (live(ctx)) {
		struct preload_check c = {};

		if (access(cls->probe, X_OK) == 0 &&
		    !preload_check_loads_in(cls->probe, NULL, &c)) {
			check_set(res, CHECK_SKIP, NULL, "this kernel runs no %s programs: %s",
				  cls->name, c.why);
			return;
		}
	}
	if (!has_lib_token(ctx->shim_entry)) {
		check_set(res, CHECK_WARN,
			  "install kmodaudit's i386 build (Debian: libkmodaudit:i386; "
			  "lib/i386-linux-gnu/libkmodaudit.so "
			  "beside the 64-bit one), then `kmodaudit preload enable`",
			  "%s serves 64-bit programs only: every %s program prints ld.so's "
			  "wrong-ELF-class error and loads modules unrecorded",
			  ctx->shim_entry, cls->name);
		return;
	}
	shim = entry_for(ctx, cls);
	slash = shim ? strrchr(shim, '/') : NULL;
	if (!slash ||
	    asprintf(&core, "%.*s/kmodaudit/libkmodaudit-impl.so", (int)(slash - shim), shim) < 0) {
		core = NULL;
		check_set(res, CHECK_FAIL, NULL, "out of memory");
		return;
	}
	r = elf_is(ctx, shim, ELFCLASS32, EM_386, &why);
	if (r < 0) {
		check_set(res, CHECK_FAIL,
			  "install kmodaudit's i386 build (Debian: libkmodaudit:i386), or "
			  "`kmodaudit preload enable` to list "
			  "the 64-bit shim alone",
			  "%s (%s for %s programs): %s: each prints a loader error",
			  ctx->shim_entry, shim, cls->name, why ? why : fileio_strerror(r));
		return;
	}
	if (live(ctx)) {
		struct preload_check c = {};

		if (!preload_check_loads_in(cls->probe, ctx->shim_entry, &c)) {
			check_set(res, CHECK_FAIL,
				  "reinstall kmodaudit's i386 build (Debian: libkmodaudit:i386)",
				  "%s", c.why);
			return;
		}
	}
	why = NULL;
	if (elf_is(ctx, core, ELFCLASS32, EM_386, &why) < 0) {
		check_set(res, CHECK_FAIL,
			  "reinstall kmodaudit's i386 build (Debian: libkmodaudit:i386)",
			  "%s loads but its core %s is missing or broken: calls would not be "
			  "recorded",
			  shim, core);
		return;
	}
	check_set(res, CHECK_PASS, NULL, "%s %s", shim,
		  live(ctx) ? "loads (preloaded into an i386 program)"
			    : "is an i386 shared object, its core beside it");
}

static void front_end(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->front_end)
		check_set(res, CHECK_PASS, NULL, "the kmod tools run %s", ctx->front_end);
	else if (ctx->front_end_file)
		check_set(res, CHECK_WARN,
			  "install the kmodaudit package's diversions of insmod/rmmod/modprobe",
			  "%s is installed but %s/modprobe does not run it", ctx->front_end_file,
			  ctx->tool_dir ? ctx->tool_dir : "/sbin");
	else if (ctx->shim_entry)
		check_set(res, CHECK_PASS, NULL, "not installed; the shim records the kmod tools");
	else
		check_set(res, CHECK_WARN, "install kmodaudit (front end or shim)",
			  "not installed, and no shim either");
}

static bool auditd_enabled_at_boot(const struct check_ctx *ctx)
{
	static const char *const links[] = {
		"/etc/systemd/system/multi-user.target.wants/auditd.service",
		"/etc/systemd/system/sysinit.target.wants/auditd.service",
	};
	int rc;
	DIR *d = NULL;
	bool found = false;

	for (unsigned i = 0; i < ARRAY_SIZE(links); i++) {
		/* The link itself (its target may be absent from a partial tree). */
		_cleanup_close_ int fd =
			rules_open_in_root(ctx->root, links[i], O_PATH | O_NOFOLLOW);

		if (fd >= 0)
			return true;
	}
	/* sysvinit: an S link in the default runlevel. */
	rc = rules_open_in_root(ctx->root, "/etc/rc2.d", O_RDONLY | O_DIRECTORY);
	if (rc >= 0) {
		d = fdopendir(rc);
		if (!d)
			close(rc);
	}
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] == 'S' && strstr(e->d_name, "auditd"))
			found = true;
	if (d)
		closedir(d);
	return found;
}

static void auditd_enabled(struct check_ctx *ctx, struct check_result *res)
{
	if (auditd_enabled_at_boot(ctx))
		check_set(res, CHECK_PASS, NULL, "auditd starts at boot");
	else
		check_set(res, CHECK_FAIL, "systemctl --now enable auditd",
			  "auditd is not enabled at boot");
}

/* The kernel's audit status; false with RES set (SKIP) when it cannot be had. */
static bool kernel_status(const struct check_ctx *ctx, struct check_result *res,
			  struct audit_status *st)
{
	struct audit_reply rep;
	int fd, r;

	if (!live(ctx)) {
		check_set(res, CHECK_SKIP, NULL, "--root: not the running system");
		return false;
	}
	fd = audit_open();
	if (fd < 0) {
		check_set(res, CHECK_FAIL, "boot a kernel built with CONFIG_AUDIT",
			  "no audit netlink socket: %s", strerror(errno));
		return false;
	}
	r = audit_request_status(fd);
	if (r > 0)
		r = audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0);
	if (r > 0 && rep.type == AUDIT_GET) {
		*st = *rep.status;
		audit_close(fd);
		return true;
	}
	audit_close(fd);
	if (r > 0 && rep.type == NLMSG_ERROR)
		r = rep.error->error;
	check_set(res, CHECK_SKIP, NULL, "cannot read the audit status (%s); run as root",
		  strerror(r < 0 ? -r : EPERM));
	return false;
}

static void auditd_active(struct check_ctx *ctx, struct check_result *res)
{
	struct audit_status st;
	char comm[PROCCTX_COMM_MAX];
	pid_t ppid;

	if (!kernel_status(ctx, res, &st))
		return;
	if (!st.pid) {
		check_set(res, CHECK_FAIL, "systemctl --now enable auditd",
			  "no audit daemon: records go to the kernel log, or are lost");
		return;
	}
	if (procctx_read_stat((pid_t)st.pid, &ppid, comm, NULL) < 0)
		comm[0] = '\0';
	check_set(res, CHECK_PASS, NULL, "pid %u (%s) receives the records", st.pid,
		  comm[0] ? comm : "?");
}

static void audit_enabled(struct check_ctx *ctx, struct check_result *res)
{
	struct audit_status st;

	if (!kernel_status(ctx, res, &st))
		return;
	if (st.enabled == 0)
		check_set(res, CHECK_FAIL, "auditctl -e 1, and audit=1 on the kernel command line",
			  "audit is disabled: no record is made");
	else
		check_set(res, CHECK_PASS, NULL, "enabled=%u%s", st.enabled,
			  st.enabled == 2 ? " (immutable until reboot)" : "");
}

static void judge_backlog(struct check_result *res, long long limit, const char *where,
			  const char *fix)
{
	if (limit < 0)
		check_set(res, CHECK_WARN, fix, "%s sets no -b: the kernel keeps its default 64",
			  where);
	else if (limit == 0)
		check_set(res, CHECK_WARN, fix, "%s: backlog unlimited (-b 0): memory is the limit",
			  where);
	else if (limit < BACKLOG_SANE)
		check_set(res, CHECK_WARN, fix, "%s: backlog %lld < %d: a burst can lose records",
			  where, limit, BACKLOG_SANE);
	else
		check_set(res, CHECK_PASS, NULL, "%s: backlog %lld", where, limit);
}

static void backlog_disk(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->disk_err < 0)
		check_set(res, CHECK_SKIP, NULL, "%s", check_disk_why(ctx));
	else
		judge_backlog(res, ctx->disk.backlog, "rules.d",
			      "add `-b 8192` to a file in /etc/audit/rules.d");
}

static void backlog_running(struct check_ctx *ctx, struct check_result *res)
{
	struct audit_status st;

	if (!kernel_status(ctx, res, &st))
		return;
	judge_backlog(res, st.backlog_limit, "kernel", "auditctl -b 8192 (and -b 8192 in rules.d)");
	if (res->status == CHECK_PASS && st.lost)
		check_set(res, CHECK_WARN, "raise the backlog (-b) and look for the cause",
			  "backlog %u, but %u records were lost since boot", st.backlog_limit,
			  st.lost);
}

static void judge_failure(struct check_result *res, long long mode, const char *where,
			  const char *fix)
{
	if (mode == 0)
		check_set(res, CHECK_FAIL, fix,
			  "%s: failure mode 0 (silent): lost records leave no trace", where);
	else if (mode < 0)
		check_set(res, CHECK_PASS, NULL, "%s sets no -f: the kernel default 1 (printk)",
			  where);
	else if (mode == 1)
		check_set(res, CHECK_PASS, NULL, "%s: failure mode 1 (printk)", where);
	else if (mode == 2)
		check_set(res, CHECK_PASS, NULL, "%s: failure mode 2 (panic)", where);
	else
		check_set(res, CHECK_FAIL, fix, "%s: failure mode %lld is not 0, 1 or 2", where,
			  mode);
}

static void failure_disk(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->disk_err < 0)
		check_set(res, CHECK_SKIP, NULL, "%s", check_disk_why(ctx));
	else
		judge_failure(res, ctx->disk.failure, "rules.d",
			      "set `-f 1` (or -f 2) in /etc/audit/rules.d");
}

static void failure_running(struct check_ctx *ctx, struct check_result *res)
{
	struct audit_status st;

	if (!kernel_status(ctx, res, &st))
		return;
	judge_failure(res, st.failure, "kernel", "auditctl -f 1 (and -f 1 in rules.d)");
}

/*
 * The kernel's module rules come from rules.d only when auditd starts, after nearly every
 * boot-time load: without the initramfs hook the kernel records none of those.
 */
static void boot_rules(struct check_ctx *ctx, struct check_result *res)
{
	int r = rules_initramfs_state(ctx->root);

	if (r < 0)
		check_set(res, CHECK_SKIP, NULL,
			  "no " RULES_INITRAMFS_DIR ": the early rules need initramfs-tools");
	else if (r == 0)
		check_set(res, CHECK_WARN,
			  "kmodaudit rules --install --initramfs; boot with audit=1 "
			  "audit_backlog_limit=8192",
			  "no initramfs hook: the kernel's module rules load when auditd starts, "
			  "after the loads of the initramfs, PID 1 and udev coldplug");
	else
		check_set(res, CHECK_PASS, NULL,
			  RULES_INITRAMFS_HOOK " and init-top script in place (the initramfs "
					       "has them after update-initramfs)");
}

/*
 * Rules and a rate limit under which the kernel acknowledges our records and drops them: the
 * shim sees a successful send, so nothing goes to the fallback and fail-closed does not refuse.
 */
static void judge_drops(const struct check_rules *set, long long rate, int type, const char *where,
			const char *fix_rate, struct check_result *res)
{
	char name[32];

	record_type_name(type, name, sizeof(name));
	for (unsigned i = 0; i < set->count; i++) {
		enum check_drop d = check_drop_rule(set->rules[i].text, type);

		if (d != CHECK_DROP_NO) {
			check_set(res, CHECK_FAIL,
				  "delete the rule (auditctl -d ..., and in rules.d)",
				  "%s: `%s` (%s) makes the kernel drop %s kmodaudit records (type "
				  "%s, %d) after acknowledging them",
				  where, set->rules[i].text, set->rules[i].origin,
				  d == CHECK_DROP_ALL ? "all" : "some", name, type);
			return;
		}
	}
	if (rate > 0)
		check_set(res, CHECK_FAIL, fix_rate,
			  "%s: rate limit %lld records/s: the kernel drops records beyond it after "
			  "acknowledging them",
			  where, rate);
	else
		check_set(res, CHECK_PASS, NULL,
			  "%s: no exclude or user rule drops type %s (%d), no rate limit", where,
			  name, type);
}

static void drops_disk(struct check_ctx *ctx, struct check_result *res)
{
	if (ctx->disk_err < 0)
		check_set(res, CHECK_SKIP, NULL, "no rules.d");
	else
		judge_drops(&ctx->disk, ctx->disk.rate, check_drop_record_type(ctx->root),
			    "rules.d", "remove -r from /etc/audit/rules.d (or -r 0)", res);
}

static void drops_running(struct check_ctx *ctx, struct check_result *res)
{
	struct audit_status st;

	if (!kernel_status(ctx, res, &st) || !check_load_running(ctx, res))
		return;
	judge_drops(&ctx->running, st.rate_limit, check_drop_record_type(NULL), "kernel",
		    "auditctl -r 0 (and no -r in rules.d)", res);
}

const struct check_item check_items_own[] = {
	{"kmodaudit configuration", check_conf_file},
	{"kmodaudit shim in /etc/ld.so.preload", shim_listed},
	{"kmodaudit shim loadable", shim_loadable},
	{"kmodaudit shim for i386 programs", shim_i386},
	{"kmodaudit front end", front_end},
	{"CIS 6.2.1.2 auditd enabled", auditd_enabled},
	{"CIS 6.2.1.2 auditd active", auditd_active},
	{"kmodaudit audit enabled", audit_enabled},
	{"kmodaudit backlog limit (rules.d)", backlog_disk},
	{"kmodaudit backlog limit (running)", backlog_running},
	{"kmodaudit failure mode (rules.d)", failure_disk},
	{"kmodaudit failure mode (running)", failure_running},
	{"kmodaudit BPF load rule (rules.d)", check_bpf_rule_disk},
	{"kmodaudit BPF load rule (running)", check_bpf_rule_running},
	{"kmodaudit module rules at boot (initramfs)", boot_rules},
	{"kmodaudit audit left on by journald", check_journald_audit},
	{"kmodaudit records kept by the kernel (rules.d)", drops_disk},
	{"kmodaudit records kept by the kernel (running)", drops_running},
};
const unsigned check_items_own_count = ARRAY_SIZE(check_items_own);
