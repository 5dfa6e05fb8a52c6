/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the audit rules for kernel modules must contain (CIS 6.2.3.19, SSG
 * audit_rules_kernel_module_loading): shared by `kmodaudit rules`, which prints them, and
 * `kmodaudit check`, which looks for them and names them in its remediation.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

/* The module syscalls both benchmarks list, in the order CIS prints them. */
extern const char *const rules_module_syscalls[];
extern const unsigned rules_module_syscalls_count;

/* The kmod tools both benchmarks name: CIS audits the symlinks of all six, SSG watches three. */
extern const char *const rules_kmod_tools[];
extern const unsigned rules_kmod_tools_count;
bool rules_kmod_tool_watched(const char *tool); /* insmod, rmmod, modprobe */

#define RULES_DEFAULT_KEY "kernel_modules"
#define RULES_DIR "/etc/audit/rules.d"
#define RULES_FILE_NAME "50-kmodaudit.rules"
#define RULES_FILE RULES_DIR "/" RULES_FILE_NAME

enum {
	RULES_ARCH_B32 = 1 << 0,
	RULES_ARCH_B64 = 1 << 1,
};

struct rules_spec {
	unsigned arches; /* RULES_ARCH_* */
	const char *key;
	bool auid_filter;
	unsigned long uid_min;
	char *const *exec_paths; /* NULL-terminated: binaries the kmod tools run, exec rules */
	const char *tool_dir;	 /* where insmod/rmmod/modprobe live (for the SSG watches) */
};

/* Architectures this machine runs: b64 and b32 on a 64-bit host with a compat table. */
unsigned rules_native_arches(void);
/* Parse "b32,b64" (also "32", "64"); -EINVAL on anything else. */
int rules_parse_arches(const char *list, unsigned *arches);

/* UID_MIN from ROOT/etc/login.defs (ROOT NULL or "/" for the running system). */
int rules_login_defs_uid_min(const char *root, unsigned long *uid_min);

/*
 * Open PATH as seen from ROOT (ROOT NULL or "/": this system): every symlink, absolute ones
 * included, is resolved inside ROOT, as on that system. Returns the fd or -errno.
 */
int rules_open_in_root(const char *root, const char *path, int flags);
/*
 * The same, to read a file (fileio_open_read()): non-blocking, a regular file or -EMEDIUMTYPE.
 * Every file the commands read under ROOT is opened so.
 */
int rules_open_read_in_root(const char *root, const char *path);
/* The same as a stream; NULL with errno set on failure. */
FILE *rules_fopen_in_root(const char *root, const char *path);

/*
 * Resolve PATH as seen from ROOT (absolute symlinks stay inside ROOT), as readlink -f would on
 * that system. *real is the absolute path inside ROOT. -ENOENT if it does not exist.
 */
int rules_resolve_in_root(const char *root, const char *path, char **real);

/*
 * The directory of the kmod tools (the sbin directory of ROOT holding modprobe) and what the
 * tools really run: a NULL-terminated list of distinct binaries, modprobe's first (kmod itself,
 * or the kmodaudit front end where the package diverted insmod/rmmod/modprobe to it).
 * -ENOENT if there is no modprobe.
 */
int rules_find_tools(const char *root, char **tool_dir, char ***exec_paths);
void rules_strv_free(char **strv);

/* Write the rules, one per line, auditctl syntax; -EINVAL if an arch has none of the syscalls. */
int rules_spec_write(const struct rules_spec *spec, FILE *out);
