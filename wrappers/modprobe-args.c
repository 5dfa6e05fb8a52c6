/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* modprobe's argument strings: MODPROBE_OPTIONS in and out, module parameters. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "modprobe.h"
#include "tool.h"

/*
 * Splits MODPROBE_OPTIONS into words the way kmod does: a space ends a word (two spaces make an
 * empty word); a word that starts with a quote ends at the closing quote; a quote inside a word
 * only protects spaces and is dropped; an unclosed quote is kept as a character. The words are
 * written into buf (as long as the value) and their starts into words.
 */
static int split_env_words(const char *value, char *buf, char **words)
{
	size_t out = 0, word = 0, raw_len = 0, quote_at = 0;
	char quote = 0;
	bool leading = false;
	int n = 0;

	for (const char *s = value; *s; s++) {
		if (quote) {
			if (*s != quote) {
				buf[out++] = *s;
				raw_len++;
				continue;
			}
			quote = 0;
			if (leading) {
				buf[out++] = '\0';
				words[n++] = buf + word;
				word = out;
				raw_len = 0;
			}
			continue;
		}
		if (*s == ' ') {
			buf[out++] = '\0';
			words[n++] = buf + word;
			word = out;
			raw_len = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
			leading = raw_len == 0;
			quote_at = out;
			raw_len++;
		} else {
			buf[out++] = *s;
			raw_len++;
		}
	}
	if (quote) {
		/* Unclosed: the quote stays where it was. */
		memmove(buf + quote_at + 1, buf + quote_at, out - quote_at);
		buf[quote_at] = quote;
		out++;
	}
	if (raw_len > 0) {
		buf[out] = '\0';
		words[n++] = buf + word;
	}
	return n;
}

char **modprobe_argv_with_env(int *argc, char *argv[])
{
	const char *value = getenv("MODPROBE_OPTIONS");
	size_t len, max_words;
	char **out, *buf;
	int n;

	if (!value)
		return argv;

	/* Every word but the last uses up at least one character of the value. */
	len = strlen(value);
	max_words = len + 1;

	/* One allocation: argv[0], the words, the command line, NULL, then the text. */
	out = malloc(sizeof(char *) * ((size_t)*argc + max_words + 1) + len + 2);
	if (!out)
		return NULL;
	buf = (char *)(out + *argc + max_words + 1);

	out[0] = argv[0];
	n = split_env_words(value, buf, out + 1);
	memcpy(out + 1 + n, argv + 1, sizeof(char *) * (size_t)(*argc - 1));
	*argc += n;
	out[*argc] = NULL;
	return out;
}

void modprobe_env_append(const char *word)
{
	const char *old = getenv("MODPROBE_OPTIONS");
	_cleanup_free_ char *value = NULL;

	if (!old) {
		setenv("MODPROBE_OPTIONS", word, 1);
		return;
	}
	if (asprintf(&value, "%s %s", old, word) < 0) {
		ERR("could not append value to $MODPROBE_OPTIONS\n");
		return;
	}
	if (setenv("MODPROBE_OPTIONS", value, 1) < 0)
		ERR("could not setenv(MODPROBE_OPTIONS, \"%s\")\n", value);
}

/*
 * words[1..n-1] joined by spaces; a value (after '=') that holds a space and is not quoted
 * already is put in double quotes, so the kernel keeps it as one parameter.
 */
int modprobe_join_params(char **words, int n, char **out)
{
	size_t len = 1;
	char *s, *p;

	*out = NULL;
	if (n <= 1)
		return 0;
	for (int i = 1; i < n; i++)
		len += strlen(words[i]) + 3;
	s = p = malloc(len);
	if (!s) {
		ERR("could not gather module options: out-of-memory\n");
		return -ENOMEM;
	}

	for (int i = 1; i < n; i++) {
		const char *eq = strchr(words[i], '=');
		const char *value = eq ? eq + 1 : NULL;

		if (i > 1)
			*p++ = ' ';
		if (value && *value != '"' && *value != '\'' && strchr(value, ' ')) {
			p = mempcpy(p, words[i], (size_t)(value - words[i]));
			*p++ = '"';
			p = stpcpy(p, value);
			*p++ = '"';
			*p = '\0';
		} else {
			p = stpcpy(p, words[i]);
		}
	}
	*out = s;
	return 0;
}
