/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The text of ld.so.preload, read the way glibc's rtld reads it: entries separated by any of
 * ": \t\n", '#' starts a comment that runs to the end of the line. Edits touch only our entry;
 * every other byte (other entries, comments, blank lines, spacing, order) is kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/preload.h"

static bool is_separator(char c)
{
	return c == ':' || c == ' ' || c == '\t' || c == '\n';
}

bool preload_entry_valid(const char *path)
{
	if (!path || path[0] != '/' || strlen(path) >= 4096)
		return false;
	for (const char *p = path; *p; p++)
		if (is_separator(*p) || *p == '#')
			return false;
	return true;
}

/* The next entry at or after *pos within [.., end); false when there is none. */
static bool next_entry(const char *text, size_t end, size_t *pos, size_t *start, size_t *stop)
{
	size_t i = *pos;

	while (i < end) {
		if (text[i] == '#') {
			while (i < end && text[i] != '\n')
				i++;
		} else if (is_separator(text[i])) {
			i++;
		} else {
			*start = i;
			while (i < end && !is_separator(text[i]) && text[i] != '#')
				i++;
			*stop = i;
			*pos = i;
			return true;
		}
	}
	*pos = end;
	return false;
}

void preload_foreach(const char *text, size_t len,
		     void (*each)(const char *entry, size_t len, void *userdata), void *userdata)
{
	size_t pos = 0, s, e;

	while (next_entry(text, len, &pos, &s, &e))
		each(text + s, e - s, userdata);
}

size_t preload_count(const char *text, size_t len, preload_match_fn match, void *userdata)
{
	size_t pos = 0, s, e, n = 0;

	while (next_entry(text, len, &pos, &s, &e))
		if (match(text + s, e - s, userdata))
			n++;
	return n;
}

bool preload_text_blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_separator(text[i]))
			return false;
	return true;
}

int preload_text_add(const char *text, size_t len, const char *library, preload_match_fn match,
		     void *userdata, char **out, size_t *out_len)
{
	size_t lib_len = strlen(library);
	bool need_newline = len > 0 && text[len - 1] != '\n';
	char *buf, *p;

	*out = NULL;
	*out_len = 0;
	if (preload_count(text, len, match, userdata) > 0)
		return 0;

	buf = malloc(len + lib_len + 3);
	if (!buf)
		return -ENOMEM;
	p = mempcpy(buf, text, len);
	if (need_newline)
		*p++ = '\n';
	p = mempcpy(p, library, lib_len);
	*p++ = '\n';
	*p = '\0';
	*out = buf;
	*out_len = p - buf;
	return 0;
}

/*
 * One line [ls, le) (le: its '\n' or the end) without its matching entries, appended at *p.
 * Kept entries keep the separators that preceded them; the line's lead and tail (the blanks
 * and comment after the last entry) stay. A line left blank is dropped with its newline.
 */
static char *remove_from_line(const char *text, size_t ls, size_t le, bool has_newline,
			      preload_match_fn match, void *userdata, char *p, bool *changed)
{
	size_t pos = ls, s, e, prev_end = ls, first_start = le, last_end = ls;
	size_t kept = 0, removed = 0;
	char *line_start = p;

	/* First pass: does anything match? Copy the line verbatim if not. */
	while (next_entry(text, le, &pos, &s, &e)) {
		if (first_start == le)
			first_start = s;
		last_end = e;
		if (match(text + s, e - s, userdata))
			removed++;
		else
			kept++;
	}
	if (!removed) {
		p = mempcpy(p, text + ls, le - ls + has_newline);
		return p;
	}
	*changed = true;

	/* Lead: what comes before the first entry. */
	p = mempcpy(p, text + ls, first_start - ls);
	pos = ls;
	kept = 0;
	while (next_entry(text, le, &pos, &s, &e)) {
		if (!match(text + s, e - s, userdata)) {
			if (kept++)
				p = mempcpy(p, text + prev_end, s - prev_end);
			p = mempcpy(p, text + s, e - s);
		}
		prev_end = e;
	}
	/* Tail: blanks and comment after the last entry. */
	p = mempcpy(p, text + last_end, le - last_end);

	if (preload_text_blank(line_start, p - line_start))
		return line_start; /* nothing left on this line: drop it, newline included */
	if (has_newline)
		*p++ = '\n';
	return p;
}

int preload_text_remove(const char *text, size_t len, preload_match_fn match, void *userdata,
			char **out, size_t *out_len)
{
	bool changed = false;
	char *buf, *p;
	size_t ls = 0;

	*out = NULL;
	*out_len = 0;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while (ls < len) {
		const char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;

		p = remove_from_line(text, ls, le, nl != NULL, match, userdata, p, &changed);
		ls = le + (nl != NULL);
	}
	*p = '\0';
	if (!changed) {
		free(buf);
		return 0;
	}
	*out = buf;
	*out_len = p - buf;
	return 0;
}
