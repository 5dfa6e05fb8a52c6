/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Record values back to bytes: the inverse of record.c's encoding, for the readers of logs. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool is_hex(const char *v, size_t len)
{
	if (len == 0 || len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (hexval(v[i]) < 0)
			return false;
	return true;
}

int record_decode_str(const char *value, char **out, size_t *len)
{
	size_t vlen, n;
	char *buf;

	*out = NULL;
	if (len)
		*len = 0;
	if (!value || !strcmp(value, "?") || !strcmp(value, "(null)") || !strcmp(value, "(none)"))
		return 0;
	vlen = strlen(value);
	if (value[0] == '"') {
		/* A closing quote is expected; a value cut short keeps what it has. */
		n = vlen >= 2 && value[vlen - 1] == '"' ? vlen - 2 : vlen - 1;
		buf = strndup(value + 1, n);
	} else if (is_hex(value, vlen)) {
		n = vlen / 2;
		buf = malloc(n + 1);
		if (buf) {
			for (size_t i = 0; i < n; i++)
				buf[i] = (char)(hexval(value[2 * i]) << 4 |
						hexval(value[2 * i + 1]));
			buf[n] = '\0';
		}
	} else {
		n = vlen;
		buf = strdup(value);
	}
	if (!buf)
		return -ENOMEM;
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int record_decode_field(enum record_field_id id, const char *value, char **out, size_t *len)
{
	if (record_field_is_string(id))
		return record_decode_str(value, out, len);
	*out = NULL;
	if (len)
		*len = 0;
	/* a bare word: only ? is unknown */
	if (!value || !strcmp(value, "?"))
		return 0;
	*out = strdup(value);
	if (!*out)
		return -ENOMEM;
	if (len)
		*len = strlen(value);
	return 0;
}
