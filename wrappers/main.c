/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit-kmod: insmod, rmmod or modprobe by the name it is called with (the package links
 * the three names to it), or by its first argument ("kmodaudit-kmod modprobe ...").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

static const struct {
	const char *name;
	int (*main)(int argc, char *argv[]);
} tools[] = {
	{"insmod", insmod_main},
	{"rmmod", rmmod_main},
	{"modprobe", modprobe_main},
};

void tool_print_version(void)
{
	/* The first two lines as kmod's, for scripts that check the version or the features. */
	printf("kmod version %s\n%s\n", LIBKMOD_VERSION, LIBKMOD_FEATURES);
	printf("kmodaudit %s: module loads and unloads are audited (via=kmod)\n",
	       KMODAUDIT_VERSION);
}

static int run_tool(const char *name, int argc, char *argv[])
{
	for (size_t i = 0; i < ARRAY_SIZE(tools); i++) {
		if (strcmp(name, tools[i].name) == 0)
			return tools[i].main(argc, argv);
	}
	return -ENOENT;
}

int main(int argc, char *argv[])
{
	bool help;
	int r;

	r = run_tool(program_invocation_short_name, argc, argv);
	if (r != -ENOENT)
		return r;

	if (argc >= 2) {
		/* Messages then name the tool, as they would when called by its own name. */
		program_invocation_short_name = argv[1];
		r = run_tool(argv[1], argc - 1, argv + 1);
		if (r != -ENOENT)
			return r;
	}

	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		tool_print_version();
		return EXIT_SUCCESS;
	}
	help = argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
	fprintf(help ? stdout : stderr,
		"Usage: %s insmod|rmmod|modprobe [options] [args]\n"
		"  or call it as insmod, rmmod or modprobe (a link to it with that name).\n"
		"  %s --version | --help\n",
		program_invocation_name, program_invocation_name);
	return help ? EXIT_SUCCESS : EXIT_FAILURE;
}
