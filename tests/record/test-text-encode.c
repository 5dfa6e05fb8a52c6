/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* core/text-encode.h: hex digits, terminal-safe strings and JSON strings, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "macro.h"
#include "core/text-encode.h"

static const unsigned char bytes[] = {0x00, 0x0f, 0x10, 0x7e, 0xa5, 0xff};

static void test_hex(void **state)
{
	char buf[TEXT_HEX_SIZE(sizeof(bytes)) + 1];

	(void)state;
	assert_string_equal(text_hex(buf, bytes, sizeof(bytes), TEXT_HEX_UPPER), "000F107EA5FF");
	assert_string_equal(text_hex(buf, bytes, sizeof(bytes), TEXT_HEX_LOWER), "000f107ea5ff");
	assert_string_equal(text_hex(buf, bytes, 0, TEXT_HEX_UPPER), "");

	/* _put writes the digits alone: what follows them is the caller's */
	memset(buf, '#', sizeof(buf));
	assert_ptr_equal(text_hex_put(buf, bytes + 4, 2, TEXT_HEX_UPPER), buf + 4);
	assert_memory_equal(buf, "A5FF##", 6);
	assert_ptr_equal(text_hex_put(buf, bytes, 0, TEXT_HEX_LOWER), buf);
}

static void test_hex_colon(void **state)
{
	_cleanup_free_ char *none = text_hex_colon(bytes, 0), *one = text_hex_colon(bytes + 4, 1),
			    *all = text_hex_colon(bytes, sizeof(bytes));

	(void)state;
	assert_string_equal(none, "");
	assert_string_equal(one, "A5");
	assert_string_equal(all, "00:0F:10:7E:A5:FF");
}

static void test_terminal(void **state)
{
	static const struct {
		const char *s;
		const char *utf8;  /* as printed where the locale has UTF-8 */
		const char *ascii; /* and where it has not */
	} cases[] = {
		{"", "", ""},
		{"af_key", "af_key", "af_key"},
		/* printable text keeps its backslashes: only an escaped value has \x */
		{"a\\b c", "a\\b c", "a\\b c"},
		{"caf\xc3\xa9", "caf\xc3\xa9", "caf\\xC3\\xA9"},
		{"a\nb", "a\\x0Ab", "a\\x0Ab"},
		{"\x1b[31mred", "\\x1B[31mred", "\\x1B[31mred"},
		{"\x7f\x01\x1f", "\\x7F\\x01\\x1F", "\\x7F\\x01\\x1F"},
		/* once escaped, a backslash is too, so that \x41 cannot pose as an escape */
		{"\\x41\xff", "\\x5Cx41\\xFF", "\\x5Cx41\\xFF"},
		{"\xc3(", "\\xC3(", "\\xC3("},
		{"\xe2\x82\xac\n", "\\xE2\\x82\\xAC\\x0A", "\\xE2\\x82\\xAC\\x0A"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *u = text_terminal_safe(cases[i].s, true),
				    *a = text_terminal_safe(cases[i].s, false);

		assert_non_null(u);
		assert_non_null(a);
		if (strcmp(u, cases[i].utf8) || strcmp(a, cases[i].ascii))
			fail_msg("case %zu: \"%s\" / \"%s\", want \"%s\" / \"%s\"", i, u, a,
				 cases[i].utf8, cases[i].ascii);
	}
}

static const char *plain(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Without an array of the caller's, "hex" goes where the first hex value made it. */
static void test_json_own_list(void **state)
{
	json_object *o = json_object_new_object();

	(void)state;
	assert_int_equal(text_json_add_str(o, "a", "caf\xc3\xa9/x", 7, NULL), 0);
	/* len, not the NUL, ends a value */
	assert_int_equal(text_json_add_str(o, "b", "\xff\x00z", 3, NULL), 0);
	assert_int_equal(text_json_add_str(o, "c", NULL, 0, NULL), 0);
	assert_int_equal(text_json_add_str(o, "d", "\xc3", 1, NULL), 0);
	assert_int_equal(text_json_add_str(o, "e", "ok", 1, NULL), 0);
	assert_string_equal(plain(o), "{\"a\":\"caf\xc3\xa9/x\",\"b\":\"FF007A\",\"hex\":[\"b\","
				      "\"d\"],\"c\":null,\"d\":\"C3\",\"e\":\"o\"}");
	json_object_put(o);
}

/* With the caller's array, "hex" is the caller's to place (the record puts it last). */
static void test_json_given_list(void **state)
{
	json_object *o = json_object_new_object(), *hex = json_object_new_array();

	(void)state;
	assert_int_equal(text_json_add_str(o, "name", "\x1b[2J", 4, hex), 0);
	assert_int_equal(text_json_add_str(o, "path", "/a b", 4, hex), 0);
	assert_int_equal(text_json_add_str(o, "exe", "\x80", 1, hex), 0);
	assert_string_equal(plain(o), "{\"name\":\"\\u001b[2J\",\"path\":\"/a b\",\"exe\":\"80\"}");
	assert_string_equal(plain(hex), "[\"exe\"]");
	json_object_put(hex);
	json_object_put(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hex_colon),
		cmocka_unit_test(test_terminal),
		cmocka_unit_test(test_json_own_list),
		cmocka_unit_test(test_json_given_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
