/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit check: the audit configuration against CIS 6.2.3.19, SSG's kernel module rules and
 * kmodaudit's own needs; one line per check, exit 0 only when nothing fails.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/check/check-items.h"
#include "cmd/check/check-print.h"
#include "cmd/cmd.h"
#include "cmd/common/fileio.h"
#include "cmd/common/root-arg.h"
#include "cmd/preload/preload.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

#define SHIM_FILE_NAME "libkmodaudit.so"

static const char *const status_names[] = {
	[CHECK_PASS] = "PASS",
	[CHECK_WARN] = "WARN",
	[CHECK_FAIL] = "FAIL",
	[CHECK_SKIP] = "SKIP",
};

void check_set(struct check_result *res, enum check_status status, const char *remediation,
	       const char *fmt, ...)
{
	va_list ap;

	free(res->detail);
	free(res->remediation);
	res->detail = NULL;
	res->status = status;
	va_start(ap, fmt);
	if (vasprintf(&res->detail, fmt, ap) < 0)
		res->detail = NULL;
	va_end(ap);
	res->remediation = remediation ? strdup(remediation) : NULL;
}

bool check_load_running(struct check_ctx *ctx, struct check_result *res)
{
	char *const argv[] = {"auditctl", "-l", NULL};
	_cleanup_free_ char *out = NULL;
	int status = 0;

	if (ctx->root) {
		check_set(res, CHECK_SKIP, NULL, "--root: not the running system");
		return false;
	}
	if (!ctx->running_loaded) {
		ctx->running_loaded = true;
		ctx->running_err = check_run_capture(argv, &out, &status);
		if (ctx->running_err == 0 && status != 0)
			ctx->running_err = -EPERM;
		if (ctx->running_err == 0)
			ctx->running_err =
				check_rules_parse_text(out, "auditctl -l", &ctx->running);
	}
	if (ctx->running_err == -ENOENT) {
		check_set(res, CHECK_FAIL, "apt-get install auditd", "auditctl is not installed");
		return false;
	}
	if (ctx->running_err == -EPERM) {
		check_set(res, CHECK_SKIP, NULL, "auditctl -l failed%s",
			  geteuid() ? ": run as root" : "");
		return false;
	}
	if (ctx->running_err == -ETIMEDOUT) {
		check_set(res, CHECK_FAIL, "look for a preloaded library that hangs",
			  "auditctl -l did not finish within %d s", CHECK_RUN_TIMEOUT_MS / 1000);
		return false;
	}
	if (ctx->running_err < 0) {
		check_set(res, CHECK_FAIL, NULL, "auditctl -l: %s", strerror(-ctx->running_err));
		return false;
	}
	return true;
}

const char *check_disk_why(const struct check_ctx *ctx)
{
	return ctx->disk_why ? ctx->disk_why : "cannot read /etc/audit/rules.d";
}

void check_disk_unread(const struct check_ctx *ctx, struct check_result *res, const char *fix)
{
	/* Not a finding about the rules: this user cannot see them (rules.d is 0750 root). */
	if ((ctx->disk_err == -EACCES || ctx->disk_err == -EPERM) && geteuid() != 0)
		check_set(res, CHECK_SKIP, NULL, "%s; run as root", check_disk_why(ctx));
	else
		check_set(res, CHECK_FAIL, fix, "%s", check_disk_why(ctx));
}

bool check_same_file(const struct check_ctx *ctx, const char *path, const char *target)
{
	_cleanup_free_ char *a = NULL, *b = NULL;

	return rules_resolve_in_root(ctx->root, path, &a) == 0 &&
	       rules_resolve_in_root(ctx->root, target, &b) == 0 && !strcmp(a, b);
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void keep_shim_entry(const char *entry, size_t len, void *userdata)
{
	char **found = userdata;
	const char *slash = memrchr(entry, '/', len);
	const char *name = slash ? slash + 1 : entry;

	if (!*found && (size_t)(entry + len - name) == strlen(SHIM_FILE_NAME) &&
	    !memcmp(name, SHIM_FILE_NAME, strlen(SHIM_FILE_NAME)))
		*found = strndup(entry, len);
}

/*
 * The entry of ROOT/etc/ld.so.preload naming our shim (by its file name), read as ld.so does.
 * Returns 0 (*found NULL: none; a missing file lists nothing) or -errno.
 */
static int find_shim_entry(const char *root, char **found)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t cap = 0;
	ssize_t len;

	*found = NULL;
	f = rules_fopen_in_root(root, "/etc/" PRELOAD_FILE_NAME);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	len = getdelim(&text, &cap, '\0', f);
	if (len < 0)
		return ferror(f) ? -errno : 0;
	preload_foreach(text, len, keep_shim_entry, found);
	return 0;
}

static void ctx_init(struct check_ctx *ctx, const char *root)
{
	static const char *const front_end_files[] = {"/usr/sbin/kmodaudit-kmod",
						      "/usr/local/sbin/kmodaudit-kmod"};

	*ctx = (struct check_ctx){
		.root = root,
		.disk = {.backlog = -1, .failure = -1, .rate = -1},
		.running = {.backlog = -1, .failure = -1, .rate = -1},
	};
	ctx->arches = rules_native_arches();
	ctx->uid_min_err = rules_login_defs_uid_min(root, &ctx->uid_min);
	ctx->uid_min_known = ctx->uid_min_err == 0;
	if (rules_find_tools(root, &ctx->tool_dir, &ctx->exec_paths) < 0) {
		ctx->tool_dir = NULL;
		ctx->exec_paths = NULL;
	}
	if (rules_resolve_in_root(root, "/bin/kmod", &ctx->kmod) < 0)
		ctx->kmod = NULL;
	ctx->disk_err = check_rules_load_dir(root, &ctx->disk);
	if (ctx->disk_err < 0 &&
	    asprintf(&ctx->disk_why, "cannot read %s: %s",
		     ctx->disk.error_file ? ctx->disk.error_file : "/etc/audit/rules.d",
		     fileio_strerror(ctx->disk_err)) < 0)
		ctx->disk_why = NULL;
	ctx->preload_err = find_shim_entry(root, &ctx->shim_entry);
	for (char **p = ctx->exec_paths; p && *p; p++)
		if (!strcmp(basename_of(*p), "kmodaudit-kmod") && !ctx->front_end)
			ctx->front_end = strdup(*p);
	for (unsigned i = 0; i < ARRAY_SIZE(front_end_files) && !ctx->front_end_file; i++) {
		_cleanup_free_ char *real = NULL;

		if (rules_resolve_in_root(root, front_end_files[i], &real) == 0)
			ctx->front_end_file = strdup(front_end_files[i]);
	}
}

static void ctx_done(struct check_ctx *ctx)
{
	free(ctx->tool_dir);
	free(ctx->kmod);
	free(ctx->disk_why);
	rules_strv_free(ctx->exec_paths);
	check_rules_free(&ctx->disk);
	check_rules_free(&ctx->running);
	free(ctx->shim_entry);
	free(ctx->front_end);
	free(ctx->front_end_file);
}

static void print_result(const char *title, const struct check_result *res, bool json,
			 const char *root, int width)
{
	bool with_fix =
		res->remediation && (res->status == CHECK_FAIL || res->status == CHECK_WARN);
	_cleanup_free_ char *fix = with_fix ? check_fix_under_root(res->remediation, root) : NULL;

	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "check", json_object_new_string(title));
		json_object_object_add(o, "result",
				       json_object_new_string(status_names[res->status]));
		json_object_object_add(o, "detail",
				       json_object_new_string(res->detail ? res->detail : ""));
		if (res->notes) {
			json_object *lines = json_object_new_array();

			for (const char *p = res->notes; *p;) {
				size_t n = strcspn(p, "\n");

				json_object_array_add(lines, json_object_new_string_len(p, (int)n));
				p += n + (p[n] == '\n');
			}
			json_object_object_add(o, "lines", lines);
		}
		if (with_fix)
			json_object_object_add(
				o, "remediation",
				json_object_new_string(fix ? fix : res->remediation));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
		return;
	}
	check_print_wrapped(stdout, width, status_names[res->status], title,
			    res->detail ? res->detail : "", res->notes,
			    with_fix ? (fix ? fix : res->remediation) : NULL);
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: kmodaudit check [--root DIR] [--json]\n"
		     "Check the audit configuration for kernel modules: CIS 6.2.3.19, SSG\n"
		     "audit_rules_kernel_module_loading, and what kmodaudit itself needs.\n\n"
		     "  --root DIR   read the files under DIR (a relative DIR is taken from the\n"
		     "               current directory); checks of the running system SKIP\n"
		     "  --json       one JSON object per check (JSON Lines)\n"
		     "Exit status: 0 when no check fails, 1 when one does, 2 on bad usage.\n");
}

int cmd_check(int argc, char *argv[])
{
	static const struct option options[] = {
		{"root", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	const struct {
		const struct check_item *items;
		unsigned count;
	} groups[] = {
		{check_items_cis, check_items_cis_count},
		{check_items_own, check_items_own_count},
	};
	_cleanup_free_ char *root = NULL;
	struct check_ctx ctx;
	bool json = false;
	int c, width, failed = 0;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (root_arg_parse("kmodaudit check", optarg, &root) < 0)
				return EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kmodaudit check: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}

	width = check_output_width();
	ctx_init(&ctx, root);
	for (unsigned g = 0; g < ARRAY_SIZE(groups); g++)
		for (unsigned i = 0; i < groups[g].count; i++) {
			struct check_result res = {.status = CHECK_SKIP};

			groups[g].items[i].run(&ctx, &res);
			print_result(groups[g].items[i].title, &res, json, ctx.root, width);
			failed += res.status == CHECK_FAIL;
			free(res.detail);
			free(res.remediation);
			free(res.notes);
		}
	ctx_done(&ctx);
	return fflush(stdout) == 0 && !failed ? 0 : 1;
}
