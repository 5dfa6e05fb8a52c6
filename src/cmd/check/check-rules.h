/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Audit rules as `kmodaudit check` reads them: the lines of /etc/audit/rules.d/ *.rules (what
 * augenrules loads) or of `auditctl -l` (what the kernel has), parsed into what they select.
 */
#pragma once

#include <stdbool.h>

struct check_rule {
	char *text;		  /* the line as written, for messages */
	char *origin;		  /* file:line or "auditctl -l" */
	bool watch;		  /* -w PATH */
	bool exit_always;	  /* -a/-A with the exit list and the always action, either order */
	bool exit_always_literal; /* written "always,exit", as the CIS patterns want */
	int arch;		  /* 0 none, 32 or 64 */
	unsigned syscalls;	  /* bit i: rules_module_syscalls[i] */
	bool has_syscall_option;  /* some -S */
	bool syscall_all;	  /* -S all */
	char *path;		  /* -F path= or -w */
	char *perm;		  /* -F perm= or -p */
	long long auid_min;	  /* -F auid>=N, -1 if none */
	bool auid_set;		  /* -F auid!=unset (or -1, 4294967295) */
	char *key;		  /* -k or -F key= */
	bool key_last;		  /* the key is the last option of the line */
	bool narrowed;		  /* another filter (uid=, success=, exit=, ...): it selects less */
};

struct check_rules {
	struct check_rule *rules;
	unsigned count;
	long long backlog; /* last -b N, -1 if none */
	long long failure; /* last -f N, -1 if none */
	long long rate;	   /* last -r N, -1 if none */
	unsigned files;	   /* rules.d files read */
	char *error_file;  /* the file check_rules_load_dir() could not read, NULL if none */
};

void check_rules_free(struct check_rules *set);

/*
 * Parse the rules of ROOT/etc/audit/rules.d/ *.rules in augenrules' order; -ENOENT: no dir. A
 * file that cannot be read (not a regular file: -EMEDIUMTYPE) fails the whole set, named in
 * set->error_file: augenrules would not load what we checked.
 */
int check_rules_load_dir(const char *root, struct check_rules *set);
/* Parse TEXT, as auditctl -l prints it or as a rules file holds it. */
int check_rules_parse_text(const char *text, const char *origin, struct check_rules *set);

/*
 * Run a program (no shell) and capture its standard output; *status is its exit status (or
 * 128+signal); -ENOENT when it cannot be run; -ETIMEDOUT (and killed) when it did not finish
 * within CHECK_RUN_TIMEOUT_MS.
 */
#define CHECK_RUN_TIMEOUT_MS 10000
int check_run_capture(char *const argv[], char **out, int *status);
