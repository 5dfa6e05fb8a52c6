/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* preload-list.c: what enable and disable do to the text of ld.so.preload. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/preload/preload.h"

#define LIB "/usr/lib/x86_64-linux-gnu/libkmodaudit.so"

static bool match_lib(const char *entry, size_t len, void *userdata)
{
	const char *lib = userdata;

	return strlen(lib) == len && !memcmp(entry, lib, len);
}

/* An edit's result must be `want`; NULL want: nothing to do (no text). */
static void check_edit(int r, char *out, size_t len, const char *want)
{
	assert_int_equal(r, 0);
	if (!want) {
		assert_null(out);
		return;
	}
	assert_non_null(out);
	assert_int_equal(len, strlen(want));
	assert_string_equal(out, want);
	free(out);
}

/* add(text) must give `want`. */
static void check_add(const char *text, const char *want)
{
	char *out = (char *)1;
	size_t len = 0;
	int r = preload_text_add(text, strlen(text), LIB, match_lib, (void *)LIB, &out, &len);

	check_edit(r, out, len, want);
}

/* remove(text) must give `want`. */
static void check_remove(const char *text, const char *want)
{
	char *out = (char *)1;
	size_t len = 0;
	int r = preload_text_remove(text, strlen(text), match_lib, (void *)LIB, &out, &len);

	check_edit(r, out, len, want);
}

static void test_add(void **state)
{
	check_add("", LIB "\n");
	check_add("/lib/a.so\n", "/lib/a.so\n" LIB "\n");
	check_add("/lib/a.so", "/lib/a.so\n" LIB "\n");
	check_add("# only a comment", "# only a comment\n" LIB "\n");
	/* Listed already, in any of the forms rtld accepts: nothing to do. */
	check_add(LIB "\n", NULL);
	check_add("/lib/a.so:" LIB "\t/lib/b.so\n", NULL);
	check_add("  " LIB "  # ours\n", NULL);
	check_add("/lib/a.so " LIB, NULL);
	/* In a comment it is not listed. */
	check_add("# " LIB "\n", "# " LIB "\n" LIB "\n");
	check_add("/lib/a.so#" LIB "\n", "/lib/a.so#" LIB "\n" LIB "\n");
	/* A longer name that starts with ours is another library. */
	check_add(LIB ".1\n", LIB ".1\n" LIB "\n");
}

static void test_remove(void **state)
{
	check_remove("", NULL);
	check_remove("/lib/a.so\n", NULL);
	check_remove("# " LIB "\n", NULL);
	check_remove(LIB "\n", "");
	check_remove(LIB, "");
	check_remove("/lib/a.so\n" LIB "\n# c\n", "/lib/a.so\n# c\n");
	check_remove("/lib/a.so\n" LIB, "/lib/a.so\n");
	check_remove("/lib/a.so " LIB " /lib/b.so\n", "/lib/a.so /lib/b.so\n");
	check_remove(LIB ":/lib/b.so\n", "/lib/b.so\n");
	check_remove("/lib/a.so:" LIB "\n", "/lib/a.so\n");
	check_remove("  " LIB "  \n\n/lib/a.so\n", "\n/lib/a.so\n");
	check_remove(LIB " # audit\n", " # audit\n");
	check_remove(LIB "\n/lib/a.so\n" LIB "\n", "/lib/a.so\n");
	check_remove("\t/lib/a.so\t" LIB "\t# x\n", "\t/lib/a.so\t# x\n");
}

/* disable after enable gives back every original that ends in a newline, byte for byte. */
static void test_round_trip(void **state)
{
	static const char *const originals[] = {
		"",
		"/lib/a.so\n",
		"# comment\n\n   /lib/a.so:/lib/b.so\t# trailing\n\n",
		"/lib/a.so " LIB ".old\n",
		"#" LIB "\n",
	};

	for (size_t i = 0; i < sizeof(originals) / sizeof(originals[0]); i++) {
		const char *o = originals[i];
		char *added, *back;
		size_t added_len, back_len;

		assert_int_equal(preload_text_add(o, strlen(o), LIB, match_lib, (void *)LIB, &added,
						  &added_len),
				 0);
		assert_non_null(added);
		assert_int_equal(preload_count(added, added_len, match_lib, (void *)LIB), 1);
		assert_int_equal(preload_text_remove(added, added_len, match_lib, (void *)LIB,
						     &back, &back_len),
				 0);
		assert_non_null(back);
		assert_int_equal(back_len, strlen(o));
		assert_memory_equal(back, o, back_len);
		free(added);
		free(back);
	}
}

struct entries {
	char buf[512];
	size_t len;
};

static void collect(const char *entry, size_t len, void *userdata)
{
	struct entries *e = userdata;

	assert_true(e->len + len + 2 < sizeof(e->buf));
	memcpy(e->buf + e->len, entry, len);
	e->len += len;
	e->buf[e->len++] = '|';
	e->buf[e->len] = '\0';
}

/* The entries of TEXT, '|'-terminated each, must be WANT. */
static void check_entries(const char *text, const char *want)
{
	struct entries e = {.len = 0};

	preload_foreach(text, strlen(text), collect, &e);
	assert_string_equal(e.buf, want);
}

/*
 * rtld blanks only the comments its shrinking budget reaches (preload-list.c, struct comments).
 * Each expectation is what ld.so of glibc 2.36 tried to load from that very file (its "cannot
 * be preloaded" errors, measured in a private mount namespace; preload-sys does it again).
 */
static void test_rtld_comments(void **state)
{
	check_entries("/n/a.so # c\n", "/n/a.so|");
	check_entries("# /n/a0.so\n# /n/a1.so\n# /n/a2.so\n", "#|/n/a2.so|");
	check_entries("/n/b0.so # /n/b1.so\n# /n/b2.so\n#/n/b3.so\n",
		      "/n/b0.so|/n/b2.so|#/n/b3.so|");
	check_entries("# a long comment line here with words /n/c0.so\n/n/c1.so\n# /n/c2.so x\n",
		      "/n/c1.so|#|/n/c2.so|x|");
	check_entries("#x\n#y\n#z\n#w /n/d0.so\n", "#w|/n/d0.so|");
	/* A "commented-out" shim that ld.so loads all the same. */
	check_entries("# " LIB "\n#" LIB "\n/lib/other.so # " LIB "\n", "/lib/other.so|#|" LIB "|");
	{
		static const char t[] = "# " LIB "\n#" LIB "\n/lib/other.so # " LIB "\n";

		assert_int_equal(preload_count(t, strlen(t), match_lib, (void *)LIB), 1);
	}
	/* disable takes that one out too; the comments rtld does blank stay as they are. */
	check_remove("# " LIB "\n#" LIB "\n/lib/other.so # " LIB "\n",
		     "# " LIB "\n#" LIB "\n/lib/other.so #\n");
}

/* What else ld.so reads can change with an edit of ours: preload_others_same() tells. */
static void test_others_same(void **state)
{
	/* Two comments: the budget reaches only "# t" of the second, "railing" is an entry. */
	static const char two[] = "# comment\n\n   /lib/a.so:/lib/b.so\t# trailing\n\n";
	static const char one[] = "# comment\n/lib/a.so\n";
	char *added;
	size_t len;

	check_entries(two, "/lib/a.so|/lib/b.so|railing|");
	assert_int_equal(
		preload_text_add(two, strlen(two), LIB, match_lib, (void *)LIB, &added, &len), 0);
	/* Longer by our line, the file's budget reaches all of "# trailing": it is gone. */
	check_entries(added, "/lib/a.so|/lib/b.so|" LIB "|");
	assert_false(preload_others_same(two, strlen(two), added, len, match_lib, (void *)LIB));
	free(added);
	assert_int_equal(
		preload_text_add(one, strlen(one), LIB, match_lib, (void *)LIB, &added, &len), 0);
	assert_true(preload_others_same(one, strlen(one), added, len, match_lib, (void *)LIB));
	free(added);
	assert_true(preload_others_same("", 0, LIB "\n", strlen(LIB) + 1, match_lib, (void *)LIB));
	assert_false(preload_others_same("/a.so\n", 6, "", 0, match_lib, (void *)LIB));
}

static void test_blank_and_valid(void **state)
{
	assert_true(preload_text_blank("", 0));
	assert_true(preload_text_blank(" \n\t:\n", 5));
	assert_false(preload_text_blank("# c\n", 4));
	assert_false(preload_text_blank("/lib/a.so", 9));

	assert_true(preload_entry_valid(LIB));
	assert_false(preload_entry_valid(NULL));
	assert_false(preload_entry_valid(""));
	assert_false(preload_entry_valid("libkmodaudit.so"));
	assert_false(preload_entry_valid("/usr/lib/a b.so"));
	assert_false(preload_entry_valid("/usr/lib/a:b.so"));
	assert_false(preload_entry_valid("/usr/lib/a#b.so"));
	assert_false(preload_entry_valid("/usr/lib/a\nb.so"));
}

/* The $LIB entry: made only from a library in this machine's own multiarch directory. */
static void test_class_dst(void **state)
{
	char *dst = NULL, *x = NULL;

	if (preload_class_count < 2) {
		assert_int_equal(preload_class_dst("/usr/lib/x/libkmodaudit.so", &dst),
				 -EOPNOTSUPP);
		return;
	}
	assert_int_equal(preload_class_dst("/usr/lib/x86_64-linux-gnu/libkmodaudit.so", &dst), 0);
	assert_string_equal(dst, "/usr/$LIB/libkmodaudit.so");
	assert_int_equal(preload_class_expand(dst, &preload_classes[1], &x), 0);
	assert_string_equal(x, "/usr/lib/i386-linux-gnu/libkmodaudit.so");
	free(x);
	assert_int_equal(preload_class_expand(dst, &preload_classes[0], &x), 0);
	assert_string_equal(x, "/usr/lib/x86_64-linux-gnu/libkmodaudit.so");
	free(x);
	free(dst);
	/* the last such directory, right above the file */
	assert_int_equal(
		preload_class_dst("/opt/lib/x86_64-linux-gnu/lib/x86_64-linux-gnu/a.so", &dst), 0);
	assert_string_equal(dst, "/opt/lib/x86_64-linux-gnu/$LIB/a.so");
	free(dst);
	assert_int_equal(preload_class_dst("/usr/lib/x86_64-linux-gnu/sub/a.so", &dst), -EINVAL);
	assert_int_equal(preload_class_dst("/usr/lib/libkmodaudit.so", &dst), -EINVAL);
	assert_int_equal(preload_class_dst("/usr/lib/x86_64-linux-gnux/a.so", &dst), -EINVAL);
	assert_null(dst);
	/* an entry without the token is itself for every class */
	assert_int_equal(preload_class_expand("/lib/a.so", &preload_classes[1], &x), 0);
	assert_string_equal(x, "/lib/a.so");
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),	    cmocka_unit_test(test_remove),
		cmocka_unit_test(test_round_trip),  cmocka_unit_test(test_rtld_comments),
		cmocka_unit_test(test_others_same), cmocka_unit_test(test_blank_and_valid),
		cmocka_unit_test(test_class_dst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
