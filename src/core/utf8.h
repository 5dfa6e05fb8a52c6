/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* UTF-8 checks for output that must be text (JSON strings, terminal tables). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the len bytes at s are valid UTF-8: no stray continuation bytes, overlong forms,
 * surrogates or code points past U+10FFFF. With printable, C0 controls and DEL fail too.
 */
bool utf8_is_valid(const char *s, size_t len, bool printable);
