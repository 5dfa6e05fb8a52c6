/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bytes as text, one way each wherever they are written: hex digits (records, digests, key
 * ids, BPF tags), strings for a terminal (inspect, report's table), and JSON strings, which
 * must be UTF-8 (the record format's JSON lines, inspect --json, report --format json).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct json_object;

/* Records and kmod's key ids write upper case; bpftool and fdinfo write a BPF tag lower case. */
enum text_hex_case {
	TEXT_HEX_UPPER,
	TEXT_HEX_LOWER,
};

/* Room for the hex of n bytes with its NUL. */
#define TEXT_HEX_SIZE(n) (2 * (n) + 1)

/* The two digits of each of the n bytes at bytes from p on, no NUL; returns their end. */
char *text_hex_put(char *p, const void *bytes, size_t n, enum text_hex_case c);

/* The same into buf (TEXT_HEX_SIZE(n) bytes), NUL-terminated; returns buf. */
char *text_hex(char *buf, const void *bytes, size_t n, enum text_hex_case c);

/* "AA:BB:...", upper case as kmod prints key ids ("" for none); malloc'd, NULL on ENOMEM. */
char *text_hex_colon(const void *bytes, size_t n);

/*
 * s made safe to print: a hostile value must not add lines or drive the terminal. Printable
 * UTF-8 as is (only ASCII unless utf8: a locale without it may not display the rest), else
 * byte by byte, \xNN (upper case) for what is not printable ASCII and for '\'. malloc'd, NULL
 * on ENOMEM.
 */
char *text_terminal_safe(const char *s, bool utf8);

/*
 * Adds key to the JSON object obj: the len bytes at value as a string when they are UTF-8,
 * else their upper-case hex with key appended to the array hex; NULL value: null. With hex
 * NULL the array is obj's own "hex" member, added at its first use. 0, or -ENOMEM (obj may
 * then lack key).
 */
int text_json_add_str(struct json_object *obj, const char *key, const char *value, size_t len,
		      struct json_object *hex);
