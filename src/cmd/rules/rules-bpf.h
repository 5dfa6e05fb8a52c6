/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit rule for BPF program loads: `kmodaudit rules --bpf` writes it, check looks for it. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#define RULES_BPF_KEY "bpf_prog_load"
#define RULES_BPF_PROG_LOAD 5 /* bpf()'s cmd, in a0 */

/* The rule for each of ARCHES (RULES_ARCH_*) whose syscall table has bpf. Returns 0. */
int rules_bpf_write(unsigned arches, FILE *out);

/*
 * Whether one rule line (a rules file's, or auditctl -l's) makes the kernel write a SYSCALL
 * record for bpf(BPF_PROG_LOAD): always,exit, -S bpf (or all), a0 5 or no a0 filter. *arch is
 * its -F arch= (32, 64) or 0.
 */
bool rules_bpf_line_selects_load(const char *line, int *arch);
