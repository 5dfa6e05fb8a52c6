/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <string.h>
#include <sys/mman.h>

#include "conf-mode.h"
#include "conf-file.h"

/*
 * libinih's build settings (Debian's libinih 55, defaults): lines read in pieces of at most
 * INI_MAX_LINE - 1 bytes, sections and remembered names cut to 49 bytes, ';' and '#' start a
 * comment line, ';' after a space starts an inline comment (but in a continuation line), an
 * indented line continues the previous name's value, a UTF-8 BOM is skipped, bad lines are skipped.
 */
#define INI_MAX_LINE 200
#define INI_MAX_SECTION 50
#define INI_MAX_NAME 50

static char *rstrip(char *s)
{
	char *p = s + strlen(s);

	while (p > s && isspace((unsigned char)*--p))
		*p = '\0';
	return s;
}

static char *lskip(char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	return s;
}

/* The first of chars, or of an inline comment (';' after a space), or the end. */
static char *find_chars_or_comment(char *s, const char *chars)
{
	bool was_space = false;

	while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = isspace((unsigned char)*s);
		s++;
	}
	return s;
}

static void copy_cut(char *dest, const char *src, size_t size)
{
	strncpy(dest, src, size - 1);
	dest[size - 1] = '\0';
}

/* conf.c's apply() for the one key: other values are ignored there too. */
static void apply(const char *section, const char *name, const char *value, bool *fail_closed)
{
	if (strcmp(section, "policy") || strcmp(name, "mode"))
		return;
	if (!strcmp(value, "fail-open"))
		*fail_closed = false;
	else if (!strcmp(value, "fail-closed"))
		*fail_closed = true;
}

bool conf_text_fail_closed(const char *text)
{
	char line[INI_MAX_LINE], section[INI_MAX_SECTION] = "", prev_name[INI_MAX_NAME] = "";
	bool fail_closed = false, first = true;

	while (*text) {
		char *start, *end, *name, *value;
		size_t n = 0;

		/* as ini_parse_string() reads: up to INI_MAX_LINE - 1 bytes, or to a newline */
		while (n < INI_MAX_LINE - 1 && *text) {
			line[n++] = *text;
			if (*text++ == '\n')
				break;
		}
		line[n] = '\0';
		start = line;
		if (first && (unsigned char)start[0] == 0xef && (unsigned char)start[1] == 0xbb &&
		    (unsigned char)start[2] == 0xbf)
			start += 3;
		first = false;
		start = lskip(rstrip(start));

		if (!*start || strchr(";#", *start)) {
			/* blank or comment */
		} else if (*prev_name && start > line) {
			/* indented: one more value of the previous name, inline comment and all */
			apply(section, prev_name, start, &fail_closed);
		} else if (*start == '[') {
			end = find_chars_or_comment(start + 1, "]");
			if (*end == ']') {
				*end = '\0';
				copy_cut(section, start + 1, sizeof(section));
				*prev_name = '\0';
			}
		} else {
			end = find_chars_or_comment(start, "=:");
			if (*end != '=' && *end != ':')
				continue;
			*end = '\0';
			name = rstrip(start);
			value = end + 1;
			end = find_chars_or_comment(value, NULL);
			*end = '\0';
			value = lskip(value);
			rstrip(value);
			copy_cut(prev_name, name, sizeof(prev_name));
			apply(section, name, value, &fail_closed);
		}
	}
	return fail_closed;
}

bool conf_file_fail_closed(const char **path, const char **ignored)
{
	char *text;
	size_t len;
	bool fail_closed = false;

	*path = conf_path(NULL, getauxval(AT_SECURE) != 0);
	*ignored = NULL;
	/* not malloc: this may be because malloc failed; not the stack: the caller's may be small
	 */
	text = mmap(NULL, CONF_TEXT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (text == MAP_FAILED) {
		/* the core's conf_load_path() without memory: the defaults */
		*ignored = "out of memory";
		return false;
	}
	if (conf_file_read(*path, text, &len, ignored) == 0)
		fail_closed = conf_text_fail_closed(text);
	munmap(text, CONF_TEXT_SIZE);
	return fail_closed;
}
