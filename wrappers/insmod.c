/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* insmod FILE [PARAMS...]: one module file, no dependency handling (kmod 30's options). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <libkmod.h>

#include "tool.h"

static const struct option insmod_options[] = {
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{},
};

static void insmod_help(void)
{
	printf("Usage:\n"
	       "\t%s [options] filename [args]\n"
	       "Options:\n"
	       "\t-f                force: ignore symbol versions and version magic\n"
	       "\t-p, -s            accepted and ignored\n"
	       "\t-V, --version     print the version and exit\n"
	       "\t-h, --help        print this help and exit\n",
	       program_invocation_short_name);
}

/* What a failed load most likely means, as kmod's insmod words it. */
static const char *insert_error(int err)
{
	switch (err) {
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	}
	return strerror(err);
}

/* The parameters, joined by single spaces, as the kernel takes them. */
static char *join_params(int n, char *params[])
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < n; i++)
		len += strlen(params[i]) + 1;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ' ';
		p = stpcpy(p, params[i]);
	}
	return s;
}

int insmod_main(int argc, char *argv[])
{
	const char *no_config[] = {NULL};
	_cleanup_free_ char *params = NULL;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *path;
	unsigned int flags = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "psfVh", insmod_options, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 's':
			break;
		case 'f':
			flags |= KMOD_PROBE_FORCE_MODVERSION | KMOD_PROBE_FORCE_VERMAGIC;
			break;
		case 'h':
			insmod_help();
			return EXIT_SUCCESS;
		case 'V':
			tool_print_version();
			return EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}

	if (optind >= argc) {
		ERR("missing filename.\n");
		return EXIT_FAILURE;
	}
	path = argv[optind];
	if (strcmp(path, "-") == 0) {
		ERR("this tool does not support loading from stdin!\n");
		return EXIT_FAILURE;
	}

	params = join_params(argc - optind - 1, argv + optind + 1);
	if (!params) {
		ERR("out of memory\n");
		return EXIT_FAILURE;
	}

	/* No modprobe.d: insmod loads the file as given. libkmod logs the way kmod's insmod has it.
	 */
	ctx = kmod_new(NULL, no_config);
	if (!ctx) {
		ERR("kmod_new() failed!\n");
		return EXIT_FAILURE;
	}

	r = kmod_module_new_from_path(ctx, path, &mod);
	if (r < 0) {
		ERR("could not load module %s: %s\n", path, strerror(-r));
	} else {
		audit_set_name_hint(path);
		r = kmod_module_insert_module(mod, flags, params);
		audit_set_name_hint(NULL);
		if (r < 0)
			ERR("could not insert module %s: %s\n", path, insert_error(-r));
		kmod_module_unref(mod);
	}

	kmod_unref(ctx);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
