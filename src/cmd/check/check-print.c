/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/check/check-print.h"
#include "macro.h"

/* Narrower than this, the indents leave no room: lines are wider than the terminal then. */
#define WIDTH_MIN 30
#define WIDTH_DEFAULT 80
#define INDENT 6      /* under "STATUS  " */
#define FIX_INDENT 11 /* under "      fix: " */

int check_output_width(void)
{
	struct winsize ws;
	const char *env;
	long n = 0;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		n = ws.ws_col;
	env = getenv("COLUMNS");
	if (n <= 0 && env && *env) {
		char *end;

		n = strtol(env, &end, 10);
		if (*end || n <= 0)
			n = 0;
	}
	if (n <= 0)
		n = WIDTH_DEFAULT;
	return n < WIDTH_MIN ? WIDTH_MIN : n > 4096 ? 4096 : (int)n;
}

/*
 * TEXT (LEN bytes, one line) from column COL on, words moved to a new line indented by INDENT
 * when they would pass WIDTH; a word longer than a whole line is cut.
 */
static void wrap(FILE *out, int width, int col, int indent, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool first = true;

	while (p < end) {
		const char *w;
		int wlen;

		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		w = p;
		while (p < end && *p != ' ')
			p++;
		wlen = (int)(p - w);
		if (!first && col + 1 + wlen > width) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		first = false;
		while (col + wlen > width && col < width) {
			/* too long for any line (a long path): fill this one, go on below */
			int room = width - col;

			fwrite(w, 1, (size_t)room, out);
			w += room;
			wlen -= room;
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		}
		fwrite(w, 1, (size_t)wlen, out);
		col += wlen;
	}
	fputc('\n', out);
}

void check_print_wrapped(FILE *out, int width, const char *status, const char *title,
			 const char *detail, const char *notes, const char *fix)
{
	_cleanup_free_ char *head = NULL;

	if (asprintf(&head, "%s: %s", title, detail) < 0)
		return;
	fprintf(out, "%-4s  ", status);
	wrap(out, width, INDENT, INDENT, head, strlen(head));
	for (const char *p = notes; p && *p;) {
		size_t n = strcspn(p, "\n");

		fprintf(out, "%*s", INDENT, "");
		wrap(out, width, INDENT, INDENT + 2, p, n);
		p += n + (p[n] == '\n');
	}
	if (fix) {
		fprintf(out, "%*sfix: ", INDENT, "");
		wrap(out, width, FIX_INDENT, FIX_INDENT, fix, strlen(fix));
	}
}

/* ROOT as a shell word: quoted when it has more than letters, digits and /._+:@%=,- */
static char *shell_word(const char *s)
{
	size_t n = strlen(s), extra = 2;
	char *q, *o;

	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._+:@%=,-") ==
	    n)
		return strdup(s);
	for (const char *p = s; *p; p++)
		extra += *p == '\'' ? 3 : 0;
	q = malloc(n + extra + 1);
	if (!q)
		return NULL;
	o = q;
	*o++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			o = stpcpy(o, "'\\''");
		else
			*o++ = *p;
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

char *check_fix_under_root(const char *fix, const char *root)
{
	static const struct {
		const char *from, *before, *after; /* FROM becomes BEFORE, the root, AFTER */
	} edits[] = {
		{"kmodaudit rules", "kmodaudit rules --root ", ""},
		{"kmodaudit preload enable", "kmodaudit preload enable --root ", ""},
		{"kmodaudit preload disable", "kmodaudit preload disable --root ", ""},
		{"systemctl --now enable", "systemctl --root=", " enable"},
	};
	_cleanup_free_ char *word = NULL;
	char *text = NULL;

	if (!root || !(word = shell_word(root)) || !(text = strdup(fix)))
		return NULL;
	for (unsigned i = 0; i < ARRAY_SIZE(edits); i++) {
		char *at;
		size_t off = 0;

		while ((at = strstr(text + off, edits[i].from))) {
			_cleanup_free_ char *to = NULL;
			char *next;
			size_t pre = (size_t)(at - text);

			if (asprintf(&to, "%s%s%s", edits[i].before, word, edits[i].after) < 0 ||
			    asprintf(&next, "%.*s%s%s", (int)pre, text, to,
				     at + strlen(edits[i].from)) < 0) {
				free(text);
				return NULL;
			}
			free(text);
			text = next;
			off = pre + strlen(to);
		}
	}
	return text;
}
