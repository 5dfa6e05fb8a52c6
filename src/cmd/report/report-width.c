/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report's table width: the wide columns (module, signer, exe) give way to the
 * terminal, the widest first, so that a hostile name as long as its sender likes shrinks before
 * the signer next to it does. Cells are printable UTF-8 (rep_safe_str()): one column a code
 * point.
 */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cmd/report/report-view.h"

size_t rep_text_width(const char *s)
{
	size_t w = 0;
	wchar_t *ws;
	int cols;

	for (const char *p = s; p && *p; p++)
		w += ((unsigned char)*p & 0xC0) != 0x80;
	if (!s || MB_CUR_MAX == 1)
		return w;
	/* Columns, not code points, where the locale can tell (CJK takes two). */
	ws = calloc(w + 1, sizeof(*ws));
	cols = ws && mbstowcs(ws, s, w + 1) != (size_t)-1 ? wcswidth(ws, w) : -1;
	free(ws);
	return cols >= 0 ? (size_t)cols : w;
}

void rep_text_truncate(char *s, size_t width)
{
	size_t w = 0;

	for (char *p = s; p && *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (w++ == width) {
			*p = '\0';
			return;
		}
	}
}

void rep_fit_widths(size_t *width, const size_t *min, const bool *shrink, size_t ncols, size_t term)
{
	size_t total = ncols ? ncols - 1 : 0; /* one blank between columns */

	for (size_t c = 0; c < ncols; c++)
		total += width[c];
	while (term && total > term) {
		size_t widest = ncols;

		for (size_t c = 0; c < ncols; c++)
			if (shrink[c] && width[c] > min[c] &&
			    (widest == ncols || width[c] > width[widest]))
				widest = c;
		if (widest == ncols)
			return; /* nothing left to give: the fixed columns are wider */
		width[widest]--;
		total--;
	}
}
