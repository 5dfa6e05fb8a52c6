/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* kmodaudit report --format csv: RFC 4180, a header line, full values, times with an offset. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/report/report-view.h"
#include "macro.h"

/*
 * A module name, exe or signer is its sender's choice: one a spreadsheet would take for a
 * formula (=, +, -, @ first, or a tab or CR) gets a ' before it, as OWASP advises for CSV.
 */
static bool formula(const char *v)
{
	if (v[0] == '-')
		return v[1] != '\0'; /* "-" alone is the empty flags' mark, no formula */
	return v[0] && strchr("=+@\t\r", v[0]);
}

static void put_field(const char *v)
{
	bool guard;

	if (!v)
		v = "";
	guard = formula(v);
	if (!guard && !v[strcspn(v, ",\"\r\n")]) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	if (guard)
		putchar('\'');
	for (; *v; v++) {
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	putchar('"');
}

int rep_print_csv(const struct rep_row *rows, size_t n, const struct rep_out *o)
{
	for (unsigned c = 0; c < o->ncols && !o->noheadings; c++)
		printf("%s%s", c ? "," : "", rep_cols[o->cols[c]].name);
	if (!o->noheadings)
		putchar('\n');
	for (size_t i = 0; i < n; i++) {
		for (unsigned c = 0; c < o->ncols; c++) {
			const struct rep_col *col = &rep_cols[o->cols[c]];
			_cleanup_free_ char *v = NULL;
			char t[64];

			if (c)
				putchar(',');
			if (!strcmp(col->name, "TIME")) {
				rep_format_time_iso(&rows[i].t, t, sizeof(t));
				put_field(t);
				continue;
			}
			v = col->get(&rows[i], true);
			put_field(v);
		}
		putchar('\n');
	}
	return 0;
}
