/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* modprobe's parts: options, loading, unloading, queries. */
#pragma once

#include <stdbool.h>

#include "macro.h"

struct kmod_ctx;

#define MODPROBE_DEFAULT_VERBOSITY LOG_WARNING

/* What the command line asked for. */
struct modprobe_opts {
	int verbosity;	    /* log threshold: LOG_WARNING, +1 per -v, LOG_EMERG for -q */
	int fail_prio;	    /* of modprobe's own failures: LOG_CRIT (fatal), LOG_WARNING with -a */
	bool show;	    /* -D: print the actions */
	bool dry_run;	    /* -n, -D */
	bool ignore_loaded; /* -D */
	bool lookup_only;   /* -R */
	bool first_time;
	bool ignore_commands; /* -i */
	bool use_blacklist;   /* -b */
	bool force;	      /* -f */
	bool force_modversion;
	bool force_vermagic;
	bool remove_holders;
	bool quiet_inuse;
	unsigned long long wait_msec; /* -w */
};

extern struct modprobe_opts modprobe_opts;

/* Prints fmt on stdout when showing actions (-n -v, -D). */
void modprobe_show(const char *fmt, ...) _printf_(1, 2);

int modprobe_load(struct kmod_ctx *ctx, const char *alias, const char *params);
int modprobe_load_all(struct kmod_ctx *ctx, char **names, int n);
int modprobe_remove_all(struct kmod_ctx *ctx, char **names, int n);

int modprobe_show_config(struct kmod_ctx *ctx);
int modprobe_show_modversions(struct kmod_ctx *ctx, const char *path);
int modprobe_show_exports(struct kmod_ctx *ctx, const char *path);

/* MODPROBE_OPTIONS: the words of the variable, before the command line's own arguments. */
char **modprobe_argv_with_env(int *argc, char *argv[]);
/* Appends a word to MODPROBE_OPTIONS, so that nested modprobe runs get the same options. */
void modprobe_env_append(const char *word);
/* The module parameters of the command line, as one string for the kernel. */
int modprobe_join_params(char **words, int n, char **out);
