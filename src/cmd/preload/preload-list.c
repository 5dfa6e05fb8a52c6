/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The text of ld.so.preload, read the way glibc's rtld reads it: entries separated by any of
 * ": \t\n", after the comments are blanked out, exactly as rtld blanks them (see struct
 * comments: not every '#' starts one). Edits touch only our entry; every other byte (other
 * entries, comments, blank lines, spacing, order) is kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/preload/preload.h"

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

/*
 * The comments rtld blanks before it splits the file, found as its loop finds them (glibc
 * elf/rtld.c, "Eliminate comments", unchanged up to 2.36 at least): each round looks for a '#'
 * from the start of the file within a budget, then blanks up to the end of that line. The
 * budget starts at the file's size and loses the '#''s offset from the start and the length
 * blanked, every round: only the first comments of a file are blanked; a later '#' (and what
 * follows it) is entry text to ld.so, as is the rest of a comment line once the budget is gone.
 * Measured against ld.so itself (tests/preload: test-preload-list, preload-sys).
 */
struct comments {
	const char *text;
	size_t len;
	size_t rest;	   /* rtld's budget */
	size_t start, end; /* the current comment [start, end); start == len: no more */
};

static void comments_next(struct comments *c, size_t from)
{
	const char *hash = from < c->rest ? memchr(c->text + from, '#', c->rest - from) : NULL;
	size_t p;

	if (!hash) {
		c->start = c->end = c->len;
		return;
	}
	p = (size_t)(hash - c->text);
	c->rest -= p; /* its offset from the file's start, not from the last comment */
	c->start = p;
	for (;;) {
		p++;
		if (--c->rest == 0 || c->text[p] == '\n')
			break;
	}
	c->end = p;
}

static void comments_init(struct comments *c, const char *text, size_t len)
{
	*c = (struct comments){.text = text, .len = len, .rest = len};
	comments_next(c, 0);
}

/* Whether byte I is blanked; I only grows from one call to the next. */
static bool in_comment(struct comments *c, size_t i)
{
	while (c->start < c->len && i >= c->end)
		comments_next(c, c->end);
	return i >= c->start && i < c->end;
}

/* The next entry at or after *pos within [.., end); false when there is none. */
static bool next_entry(const char *text, size_t end, struct comments *c, size_t *pos, size_t *start,
		       size_t *stop)
{
	size_t i = *pos;

	while (i < end) {
		if (in_comment(c, i) || is_separator(text[i])) {
			i++;
		} else {
			*start = i;
			while (i < end && !is_separator(text[i]) && !in_comment(c, i))
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
	struct comments c;
	size_t pos = 0, s, e;

	comments_init(&c, text, len);
	while (next_entry(text, len, &c, &pos, &s, &e))
		each(text + s, e - s, userdata);
}

size_t preload_count(const char *text, size_t len, preload_match_fn match, void *userdata)
{
	struct comments c;
	size_t pos = 0, s, e, n = 0;

	comments_init(&c, text, len);
	while (next_entry(text, len, &c, &pos, &s, &e))
		if (match(text + s, e - s, userdata))
			n++;
	return n;
}

/* The next entry of a text that MATCH does not claim; false at the end. */
static bool next_other(const char *text, size_t len, struct comments *c, size_t *pos,
		       preload_match_fn match, void *userdata, size_t *s, size_t *e)
{
	while (next_entry(text, len, c, pos, s, e))
		if (!match(text + *s, *e - *s, userdata))
			return true;
	return false;
}

bool preload_others_same(const char *a, size_t alen, const char *b, size_t blen,
			 preload_match_fn match, void *userdata)
{
	struct comments ca, cb;
	size_t pa = 0, pb = 0, sa, ea, sb, eb;

	comments_init(&ca, a, alen);
	comments_init(&cb, b, blen);
	for (;;) {
		bool more_a = next_other(a, alen, &ca, &pa, match, userdata, &sa, &ea);
		bool more_b = next_other(b, blen, &cb, &pb, match, userdata, &sb, &eb);

		if (more_a != more_b)
			return false;
		if (!more_a)
			return true;
		if (ea - sa != eb - sb || memcmp(a + sa, b + sb, ea - sa))
			return false;
	}
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
			      struct comments *c, preload_match_fn match, void *userdata, char *p,
			      bool *changed)
{
	struct comments again = *c; /* for the second pass over the line */
	size_t pos = ls, s, e, prev_end = ls, first_start = le, last_end = ls;
	size_t kept = 0, removed = 0;
	char *line_start = p;

	/* First pass: does anything match? Copy the line verbatim if not. */
	while (next_entry(text, le, c, &pos, &s, &e)) {
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
	while (next_entry(text, le, &again, &pos, &s, &e)) {
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
	struct comments c;
	char *buf, *p;
	size_t ls = 0;

	*out = NULL;
	*out_len = 0;
	buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	p = buf;
	comments_init(&c, text, len);
	while (ls < len) {
		const char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len;

		p = remove_from_line(text, ls, le, nl != NULL, &c, match, userdata, p, &changed);
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
