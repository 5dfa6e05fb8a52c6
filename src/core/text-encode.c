/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "core/text-encode.h"
#include "core/utf8.h"

static const char *const hex_digits[] = {
	[TEXT_HEX_UPPER] = "0123456789ABCDEF",
	[TEXT_HEX_LOWER] = "0123456789abcdef",
};

char *text_hex_put(char *p, const void *bytes, size_t n, enum text_hex_case c)
{
	const char *digits = hex_digits[c];
	const unsigned char *b = bytes;

	for (size_t i = 0; i < n; i++) {
		*p++ = digits[b[i] >> 4];
		*p++ = digits[b[i] & 0xf];
	}
	return p;
}

char *text_hex(char *buf, const void *bytes, size_t n, enum text_hex_case c)
{
	*text_hex_put(buf, bytes, n, c) = '\0';
	return buf;
}

char *text_hex_colon(const void *bytes, size_t n)
{
	const unsigned char *b = bytes;
	char *s, *p;

	/* Three characters a byte ("AA:"), the last ':' becomes the NUL. */
	s = malloc(n ? n * 3 : 1);
	if (!s)
		return NULL;
	p = s;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ':';
		p = text_hex_put(p, b + i, 1, TEXT_HEX_UPPER);
	}
	*p = '\0';
	return s;
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

char *text_terminal_safe(const char *s, bool utf8)
{
	size_t len = strlen(s);
	char *out, *p;

	if (utf8_is_valid(s, len, true) && (utf8 || ascii(s)))
		return strdup(s);
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	p = out;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c >= 0x20 && *c < 0x7f && *c != '\\') {
			*p++ = (char)*c;
			continue;
		}
		*p++ = '\\';
		*p++ = 'x';
		p = text_hex_put(p, c, 1, TEXT_HEX_UPPER);
	}
	*p = '\0';
	return out;
}

/* json-c takes value only when it adds it. */
static int json_add(json_object *obj, const char *key, json_object *value)
{
	if (!value)
		return -ENOMEM;
	if (json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return -ENOMEM;
	}
	return 0;
}

int text_json_add_str(json_object *obj, const char *key, const char *value, size_t len,
		      json_object *hex)
{
	_cleanup_free_ char *buf = NULL;
	json_object *name;
	int r;

	if (!value)
		return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
	/* json-c's lengths are ints */
	if (len > INT_MAX / 2)
		return -ENOMEM;
	if (utf8_is_valid(value, len, false))
		return json_add(obj, key, json_object_new_string_len(value, (int)len));
	buf = malloc(TEXT_HEX_SIZE(len));
	if (!buf)
		return -ENOMEM;
	text_hex(buf, value, len, TEXT_HEX_UPPER);
	r = json_add(obj, key, json_object_new_string_len(buf, (int)(2 * len)));
	if (r < 0)
		return r;
	if (!hex && !json_object_object_get_ex(obj, "hex", &hex)) {
		hex = json_object_new_array();
		r = json_add(obj, "hex", hex);
		if (r < 0)
			return r;
	}
	name = json_object_new_string(key);
	if (!name || json_object_array_add(hex, name) < 0) {
		json_object_put(name);
		return -ENOMEM;
	}
	return 0;
}
