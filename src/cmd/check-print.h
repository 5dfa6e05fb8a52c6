/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `kmodaudit check`'s text lines: wrapped to the terminal (no line wider than it), the fix on a
 * line of its own, and the fixes it suggests made to act on the --root tree.
 */
#pragma once

#include <stdio.h>

/* As util-linux does: the terminal's width when stdout is one, else $COLUMNS, else 80. */
int check_output_width(void);

/*
 * "STATUS  TITLE: DETAIL", then each line of NOTES (newline-separated, may be NULL), then
 * "fix: FIX" (FIX may be NULL), every one wrapped at WIDTH with its continuation indented.
 */
void check_print_wrapped(FILE *out, int width, const char *status, const char *title,
			 const char *detail, const char *notes, const char *fix);

/*
 * FIX with the commands it names made to act on ROOT (kmodaudit rules/preload get --root,
 * systemctl enable gets --root=): a new string, or NULL when ROOT is NULL or memory ran out.
 */
char *check_fix_under_root(const char *fix, const char *root);
