/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rmmod MODULE...: unload by name or by file, refusing modules in use unless forced. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libkmod.h>

#include "tool.h"

static const struct option rmmod_options[] = {
	{"force", no_argument, NULL, 'f'},   {"syslog", no_argument, NULL, 's'},
	{"verbose", no_argument, NULL, 'v'}, {"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},    {},
};

static void rmmod_help(void)
{
	printf("Usage:\n"
	       "\t%s [options] modulename ...\n"
	       "Options:\n"
	       "\t-f, --force       unload even a module in use (needs a kernel with forced\n"
	       "\t                  module removal); this can crash the machine\n"
	       "\t-s, --syslog      send messages to syslog instead of stderr\n"
	       "\t-v, --verbose     more messages (repeat for more)\n"
	       "\t-V, --version     print the version and exit\n"
	       "\t-h, --help        print this help and exit\n",
	       program_invocation_short_name);
}

/* 0 when the module can go, or -errno after saying why not. */
static int check_unloadable(struct kmod_module *mod)
{
	const char *name = kmod_module_get_name(mod);
	struct kmod_list *holders, *l;
	int state, refcnt;

	state = kmod_module_get_initstate(mod);
	if (state == KMOD_MODULE_BUILTIN) {
		ERR("Module %s is builtin.\n", name);
		return -ENOENT;
	}
	if (state < 0) {
		ERR("Module %s is not currently loaded\n", name);
		return -ENOENT;
	}

	holders = kmod_module_get_holders(mod);
	if (holders) {
		ERR("Module %s is in use by:", name);
		kmod_list_foreach(l, holders)
		{
			struct kmod_module *holder = kmod_module_get_module(l);

			fprintf(stderr, " %s", kmod_module_get_name(holder));
			kmod_module_unref(holder);
		}
		fputc('\n', stderr);
		kmod_module_unref_list(holders);
		return -EBUSY;
	}

	refcnt = kmod_module_get_refcnt(mod);
	if (refcnt > 0) {
		ERR("Module %s is in use\n", name);
		return -EBUSY;
	}
	if (refcnt == -ENOENT)
		ERR("Module unloading is not supported\n");
	return refcnt < 0 ? refcnt : 0;
}

int rmmod_main(int argc, char *argv[])
{
	const char *no_config[] = {NULL};
	int verbosity = LOG_ERR;
	bool use_syslog = false;
	unsigned int flags = 0;
	struct kmod_ctx *ctx;
	int c, failures = 0;

	/* "w" is accepted but unknown to kmod 30's rmmod, which says so: so do we. */
	while ((c = getopt_long(argc, argv, "fsvVwh", rmmod_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			flags |= KMOD_REMOVE_FORCE;
			break;
		case 's':
			use_syslog = true;
			break;
		case 'v':
			verbosity++;
			break;
		case 'h':
			rmmod_help();
			return EXIT_SUCCESS;
		case 'V':
			tool_print_version();
			return EXIT_SUCCESS;
		case '?':
			return EXIT_FAILURE;
		default:
			ERR("unexpected getopt_long() value '%c'.\n", c);
			return EXIT_FAILURE;
		}
	}

	tool_log_open(use_syslog);

	if (optind >= argc) {
		ERR("missing module name.\n");
		tool_log_close();
		return EXIT_FAILURE;
	}

	ctx = kmod_new(NULL, no_config);
	if (!ctx) {
		ERR("kmod_new() failed!\n");
		tool_log_close();
		return EXIT_FAILURE;
	}
	tool_log_attach(ctx, verbosity);

	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		struct kmod_module *mod;
		struct stat st;
		int r;

		/* An existing file names its module by its path, anything else is a name. */
		if (stat(arg, &st) == 0)
			r = kmod_module_new_from_path(ctx, arg, &mod);
		else
			r = kmod_module_new_from_name(ctx, arg, &mod);
		if (r < 0) {
			ERR("could not use module %s: %s\n", arg, strerror(-r));
			break;
		}

		if (!(flags & KMOD_REMOVE_FORCE) && check_unloadable(mod) < 0) {
			failures++;
		} else {
			audit_set_name_hint(arg);
			r = kmod_module_remove_module(mod, flags);
			audit_set_name_hint(NULL);
			if (r < 0) {
				ERR("could not remove module %s: %s\n", arg, strerror(-r));
				failures++;
			}
		}
		kmod_module_unref(mod);
	}

	kmod_unref(ctx);
	tool_log_close();
	return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
