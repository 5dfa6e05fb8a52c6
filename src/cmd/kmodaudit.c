/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit(8): a thin front end dispatching to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config.h"
#include "macro.h"

static const struct {
	const char *name;
	int (*run)(int argc, char *argv[]);
	const char *help;
} commands[] = {
	{"inspect", cmd_inspect, "print what the kernel will see in module files"},
	{"trace", cmd_trace, "run a command and record every module syscall it makes"},
	{"report", cmd_report, "hold kmodaudit records against the kernel's in audit logs"},
	{"check", cmd_check, "check audit configuration against CIS / SSG controls"},
	{"rules", cmd_rules, "print (or install) the audit rules the benchmarks expect"},
	{"preload", cmd_preload, "enable, disable or show the shim in /etc/ld.so.preload"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: kmodaudit COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-8s  %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nkmodaudit COMMAND --help shows a command's options.\n");
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("kmodaudit %s\n", KMODAUDIT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			char prog[32];

			/* getopt's messages start with argv[0]: "kmodaudit SUBCOMMAND:" as ours */
			snprintf(prog, sizeof(prog), "kmodaudit %s", commands[i].name);
			argv[1] = prog;
			return commands[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "kmodaudit: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
