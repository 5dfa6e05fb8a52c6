/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* modprobe: options of kmod 30, then load (default), remove (-r) or a query. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <libkmod.h>

#include "modprobe.h"
#include "tool.h"

struct modprobe_opts modprobe_opts;

/* Long options without a short one. */
enum {
	OPT_FORCE_VERMAGIC = 0x100,
	OPT_FORCE_MODVERSION,
	OPT_FIRST_TIME,
	OPT_DUMP_MODVERSIONS,
	OPT_REMOVE_HOLDERS,
	OPT_SHOW_EXPORTS,
};

static const struct option modprobe_options[] = {
	{"all", no_argument, NULL, 'a'},
	{"remove", no_argument, NULL, 'r'},
	{"remove-dependencies", no_argument, NULL, OPT_REMOVE_HOLDERS},
	{"remove-holders", no_argument, NULL, OPT_REMOVE_HOLDERS},
	{"wait", required_argument, NULL, 'w'},
	{"resolve-alias", no_argument, NULL, 'R'},
	{"first-time", no_argument, NULL, OPT_FIRST_TIME},
	{"ignore-install", no_argument, NULL, 'i'},
	{"ignore-remove", no_argument, NULL, 'i'},
	{"use-blacklist", no_argument, NULL, 'b'},
	{"force", no_argument, NULL, 'f'},
	{"force-modversion", no_argument, NULL, OPT_FORCE_MODVERSION},
	{"force-vermagic", no_argument, NULL, OPT_FORCE_VERMAGIC},
	{"show-depends", no_argument, NULL, 'D'},
	{"showconfig", no_argument, NULL, 'c'},
	{"show-config", no_argument, NULL, 'c'},
	{"show-modversions", no_argument, NULL, OPT_DUMP_MODVERSIONS},
	{"dump-modversions", no_argument, NULL, OPT_DUMP_MODVERSIONS},
	{"show-exports", no_argument, NULL, OPT_SHOW_EXPORTS},
	{"dry-run", no_argument, NULL, 'n'},
	{"show", no_argument, NULL, 'n'},
	{"config", required_argument, NULL, 'C'},
	{"dirname", required_argument, NULL, 'd'},
	{"set-version", required_argument, NULL, 'S'},
	{"syslog", no_argument, NULL, 's'},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{},
};

static void modprobe_help(void)
{
	const char *me = program_invocation_short_name;

	printf("Usage:\n"
	       "\t%s [options] [-i] [-b] modulename [parameters]\n"
	       "\t%s [options] -a [-i] [-b] modulename [modulename...]\n"
	       "\t%s [options] -r [-i] modulename [modulename...]\n"
	       "\t%s [options] -c\n"
	       "\t%s [options] --dump-modversions filename\n",
	       me, me, me, me, me);
	printf("Loading and unloading:\n"
	       "\t-a, --all                   every argument is a module name\n"
	       "\t-r, --remove                unload the modules\n"
	       "\t    --remove-holders        with -r: unload the modules using them first\n"
	       "\t    --remove-dependencies   older name of --remove-holders\n"
	       "\t-w, --wait <MSEC>           with -r: retry a busy module for up to MSEC\n"
	       "\t    --first-time            fail if the module is already (un)loaded\n"
	       "\t-i, --ignore-install        do not run install commands of modprobe.d\n"
	       "\t-i, --ignore-remove         do not run remove commands of modprobe.d\n"
	       "\t-b, --use-blacklist         apply the blacklist to the names given too\n"
	       "\t-f, --force                 both of the following:\n"
	       "\t    --force-modversion      ignore symbol versions\n"
	       "\t    --force-vermagic        ignore the version magic\n"
	       "Queries:\n"
	       "\t-R, --resolve-alias         print the modules an alias names\n"
	       "\t-D, --show-depends          print what loading would do\n"
	       "\t-c, --showconfig, --show-config\n"
	       "\t                            print the configuration and indexes\n"
	       "\t    --dump-modversions, --show-modversions\n"
	       "\t                            print a module file's symbol versions\n"
	       "\t    --show-exports          print a module file's exported symbols\n"
	       "General:\n"
	       "\t-n, --dry-run, --show       do nothing, show what would be done with -v\n"
	       "\t-C, --config=FILE           configuration FILE instead of modprobe.d\n"
	       "\t-d, --dirname=DIR           DIR as the root of /lib/modules\n"
	       "\t-S, --set-version=VERSION   kernel VERSION instead of `uname -r`\n"
	       "\t-s, --syslog                messages to syslog instead of stderr\n"
	       "\t-q, --quiet                 no messages\n"
	       "\t-v, --verbose               more messages\n"
	       "\t-V, --version               print the version and exit\n"
	       "\t-h, --help                  print this help and exit\n"
	       "Loads and unloads are recorded by kmodaudit.\n");
}

void modprobe_show(const char *fmt, ...)
{
	va_list ap;

	if (!modprobe_opts.show && modprobe_opts.verbosity <= MODPROBE_DEFAULT_VERBOSITY)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static bool stderr_usable(void)
{
	struct stat st;

	return stderr && fileno(stderr) >= 0 && fstat(fileno(stderr), &st) == 0;
}

/* What to do after the options. */
enum modprobe_action {
	ACTION_LOAD,
	ACTION_LOAD_ALL,
	ACTION_REMOVE,
	ACTION_SHOW_CONFIG,
	ACTION_SHOW_MODVERSIONS,
	ACTION_SHOW_EXPORTS,
};

struct modprobe_cmdline {
	bool all, remove, show_config, show_modversions, show_exports, use_syslog;
	const char *root, *kversion;
	const char **configs; /* NULL-terminated, NULL for modprobe.d */
	int n_configs;
};

/* 1 to go on, 0 to exit successfully (-h, -V), -1 to fail. */
static int parse_options(int argc, char *argv[], struct modprobe_cmdline *cl)
{
	struct modprobe_opts *o = &modprobe_opts;
	int c;

	while ((c = getopt_long(argc, argv, "arw:RibfDcnC:d:S:sqvVh", modprobe_options, NULL)) !=
	       -1) {
		switch (c) {
		case 'a':
			o->fail_prio = LOG_WARNING; /* one module missing does not end the run */
			cl->all = true;
			break;
		case 'r':
			cl->remove = true;
			break;
		case OPT_REMOVE_HOLDERS:
			o->remove_holders = true;
			break;
		case 'w': {
			char *end = NULL;

			o->wait_msec = strtoul(optarg, &end, 0);
			if (!*optarg || *end) {
				ERR("unexpected wait value '%s'.\n", optarg);
				return -1;
			}
			break;
		}
		case OPT_FIRST_TIME:
			o->first_time = true;
			break;
		case 'i':
			o->ignore_commands = true;
			break;
		case 'b':
			o->use_blacklist = true;
			break;
		case 'f':
			o->force = true;
			break;
		case OPT_FORCE_MODVERSION:
			o->force_modversion = true;
			break;
		case OPT_FORCE_VERMAGIC:
			o->force_vermagic = true;
			break;
		case 'D':
			o->ignore_loaded = o->dry_run = o->show = true;
			break;
		case 'R':
			o->lookup_only = true;
			break;
		case 'c':
			cl->show_config = true;
			break;
		case OPT_DUMP_MODVERSIONS:
			cl->show_modversions = true;
			break;
		case OPT_SHOW_EXPORTS:
			cl->show_exports = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'C': {
			const char **more =
				realloc(cl->configs, sizeof(char *) * (size_t)(cl->n_configs + 2));

			if (!more) {
				ERR("out-of-memory\n");
				return -1;
			}
			cl->configs = more;
			cl->configs[cl->n_configs++] = optarg;
			cl->configs[cl->n_configs] = NULL;
			modprobe_env_append("-C");
			modprobe_env_append(optarg);
			break;
		}
		case 'd':
			cl->root = optarg;
			break;
		case 'S':
			cl->kversion = optarg;
			break;
		case 's':
			modprobe_env_append("-s");
			cl->use_syslog = true;
			break;
		case 'q':
			modprobe_env_append("-q");
			o->verbosity = LOG_EMERG;
			break;
		case 'v':
			modprobe_env_append("-v");
			o->verbosity++;
			break;
		case 'V':
			tool_print_version();
			return 0;
		case 'h':
			modprobe_help();
			return 0;
		case '?':
			return -1;
		default:
			ERR("unexpected getopt_long() value '%c'.\n", c);
			return -1;
		}
	}
	return 1;
}

static int run(struct kmod_ctx *ctx, const struct modprobe_cmdline *cl, char **args, int nargs)
{
	_cleanup_free_ char *params = NULL;
	int r;

	if (cl->show_config)
		return modprobe_show_config(ctx);
	if (cl->show_modversions)
		return modprobe_show_modversions(ctx, args[0]);
	if (cl->show_exports)
		return modprobe_show_exports(ctx, args[0]);
	if (cl->remove)
		return modprobe_remove_all(ctx, args, nargs);
	if (cl->all)
		return modprobe_load_all(ctx, args, nargs);

	r = modprobe_join_params(args, nargs, &params);
	if (r < 0)
		return r;
	return modprobe_load(ctx, args[0], params);
}

int modprobe_main(int argc, char *orig_argv[])
{
	struct modprobe_cmdline cl = {};
	char dirname[PATH_MAX];
	struct utsname u;
	const char *dir = NULL;
	struct kmod_ctx *ctx;
	char **argv;
	int r;

	modprobe_opts = (struct modprobe_opts){
		.verbosity = MODPROBE_DEFAULT_VERBOSITY,
		.fail_prio = LOG_CRIT,
	};

	argv = modprobe_argv_with_env(&argc, orig_argv);
	if (!argv) {
		ERR("Could not prepend options from command line\n");
		return EXIT_FAILURE;
	}

	r = parse_options(argc, argv, &cl);
	if (r <= 0)
		goto out;

	/* With no stderr to write to, messages go to syslog rather than nowhere. */
	if (!cl.use_syslog && !stderr_usable())
		cl.use_syslog = true;
	tool_log_open(cl.use_syslog);

	if (!cl.show_config && optind >= argc) {
		ERR("missing parameters. See -h.\n");
		r = -1;
		goto out_log;
	}

	if (cl.root || cl.kversion) {
		if (!cl.kversion) {
			if (uname(&u) < 0) {
				ERR("uname() failed: %m\n");
				r = -1;
				goto out_log;
			}
			cl.kversion = u.release;
		}
		snprintf(dirname, sizeof(dirname), "%s/lib/modules/%s", cl.root ?: "", cl.kversion);
		dir = dirname;
	}

	ctx = kmod_new(dir, cl.configs);
	if (!ctx) {
		ERR("kmod_new() failed!\n");
		r = -1;
		goto out_log;
	}
	tool_log_attach(ctx, modprobe_opts.verbosity);
	kmod_load_resources(ctx);

	r = run(ctx, &cl, argv + optind, argc - optind);

	kmod_unref(ctx);
out_log:
	tool_log_close();
out:
	if (argv != orig_argv)
		free(argv);
	free(cl.configs);
	return r >= 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
