/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audit rule for BPF program loads (kmodaudit rules --bpf, issue 14). The kernel writes its
 * AUDIT_BPF record (prog-id=N op=LOAD) whenever audit is on, and nothing about the loader; a
 * syscall rule on bpf(BPF_PROG_LOAD) (cmd 5 in a0) adds the SYSCALL record with pid, auid, exe
 * to the same event. No auid filter: the loaders that matter most (systemd, daemons) have none.
 */
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/rules/rules-bpf.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

static const char *const arch_names[] = {[0] = "b32", [1] = "b64"};

int rules_bpf_write(unsigned arches, FILE *out)
{
	fprintf(out, "## kmodaudit: BPF program loads (bpf(BPF_PROG_LOAD), beside the kernel's "
		     "AUDIT_BPF records)\n");
	for (unsigned a = ARRAY_SIZE(arch_names); a-- > 0;) {
		int machine;

		if (!(arches & (1u << a)))
			continue;
		machine = audit_determine_machine(arch_names[a]);
		if (machine < 0 || audit_name_to_syscall("bpf", machine) < 0)
			continue; /* auditctl refuses a rule naming a syscall the table lacks */
		fprintf(out, "-a always,exit -F arch=%s -S bpf -F a0=%d -k %s\n", arch_names[a],
			RULES_BPF_PROG_LOAD, RULES_BPF_KEY);
	}
	return 0;
}

/* The value of one "a0=" word: 5, 0x5 as auditctl -l may print it. */
static bool a0_is_load(const char *v)
{
	char *end;
	unsigned long n = strtoul(v, &end, 0);

	return end != v && !*end && n == RULES_BPF_PROG_LOAD;
}

bool rules_bpf_line_selects_load(const char *line, int *arch)
{
	_cleanup_free_ char *copy = strdup(line);
	bool exit_list = false, always = false, bpf = false, a0 = false, other_a0 = false;
	char *save = NULL, *prev = NULL;

	*arch = 0;
	if (!copy)
		return false;
	for (char *t = strtok_r(copy, " \t", &save); t;
	     prev = t, t = strtok_r(NULL, " \t", &save)) {
		if (prev && (!strcmp(prev, "-a") || !strcmp(prev, "-A"))) {
			exit_list = strstr(t, "exit") != NULL;
			always = strstr(t, "always") != NULL;
		} else if (prev && !strcmp(prev, "-S")) {
			_cleanup_free_ char *list = strdup(t);
			char *s2 = NULL;

			for (char *s = list ? strtok_r(list, ",", &s2) : NULL; s;
			     s = strtok_r(NULL, ",", &s2))
				bpf |= !strcmp(s, "bpf") || !strcmp(s, "all");
		} else if (prev && !strcmp(prev, "-F")) {
			if (!strncmp(t, "arch=", 5))
				*arch = strstr(t + 5, "64") ? 64 : 32;
			else if (!strncmp(t, "a0=", 3))
				*(a0_is_load(t + 3) ? &a0 : &other_a0) = true;
		}
	}
	/* no a0 filter selects every bpf() command, BPF_PROG_LOAD among them */
	return exit_list && always && bpf && (a0 || !other_a0);
}
