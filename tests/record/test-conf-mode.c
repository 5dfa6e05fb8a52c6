/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The shim's own reader of [policy] mode (shared/conf-mode.c, used when it cannot load the core)
 * against the core's (conf.c with libinih): the same answer for every text, and for every file
 * the trust checks pass or refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-mode.h"
#include "core/conf.h"

static bool core_fail_closed(const char *text)
{
	struct kma_conf c;
	bool fc;

	conf_init(&c);
	conf_parse_string(&c, text, NULL, NULL);
	fc = c.fail_closed;
	conf_release(&c);
	return fc;
}

static int answers[2];

static void same(const char *text)
{
	bool core = core_fail_closed(text), shim = conf_text_fail_closed(text);

	if (core != shim)
		fail_msg("core says %s, shim says %s, for:\n%s", core ? "fail-closed" : "fail-open",
			 shim ? "fail-closed" : "fail-open", text);
	answers[core]++;
}

static const char *const texts[] = {
	"",
	"[policy]\nmode=fail-closed\n",
	"[policy]\nmode = fail-closed",
	"[policy]\nmode=fail-open\n",
	"[policy]\n  mode  =  fail-closed  \n",
	"[policy]\n\tmode\t=\tfail-closed\t\n",
	"[policy]\nmode: fail-closed\n",
	"[policy]\r\nmode = fail-closed\r\n",
	"[policy]\r\nmode = fail-closed\r",
	"[policy]\rmode = fail-closed\r",
	"\xef\xbb\xbf[policy]\nmode=fail-closed\n",
	"\xef\xbb\xbf\n[policy]\nmode=fail-closed\n",
	"\n\xef\xbb\xbf[policy]\nmode=fail-closed\n",
	"[ policy ]\nmode=fail-closed\n",
	"[policy ]\nmode=fail-closed\n",
	"[Policy]\nmode=fail-closed\n",
	"[POLICY]\nmode=fail-closed\n",
	"[policy]\nMode=fail-closed\n",
	"[policy]\nmode=Fail-Closed\n",
	"[policy]\nmode=FAIL-CLOSED\n",
	"[policy]\nmode=failclosed\n",
	"[policy]\nmode=fail-closed-ish\n",
	"[policy]\nmode=\"fail-closed\"\n",
	"[policy]\nmode=fail-closed;\n",
	"[policy]\nmode=fail-closed ; really\n",
	"[policy]\nmode=fail-closed\t; really\n",
	"[policy]\nmode=fail-closed # really\n",
	"[policy]\nmode=fail-closed#\n",
	"[policy]\nmode = ; fail-closed\n",
	"[policy]\nmode=;fail-closed\n",
	"[policy]\n;mode=fail-closed\n",
	"[policy]\n#mode=fail-closed\n",
	"[policy]\n  ;mode=fail-closed\n",
	"[policy]\n  # mode=fail-closed\n",
	"[policy] ; comment\nmode=fail-closed\n",
	"[policy]; comment\nmode=fail-closed\n",
	"[policy\nmode=fail-closed\n",
	"policy]\nmode=fail-closed\n",
	"[policy]]\nmode=fail-closed\n",
	"[[policy]\nmode=fail-closed\n",
	"[]\nmode=fail-closed\n",
	"mode=fail-closed\n",
	"[record]\nmode=fail-closed\n",
	"[sinks]\nmode=fail-closed\n[policy]\n",
	"[policy]\n[record]\nmode=fail-closed\n",
	"[policy]\nmode=fail-closed\n[record]\nintent=yes\n",
	"[record]\nintent=no\n[policy]\nmode=fail-closed\n[sinks]\nfallback=none\n",
	"[policy]\nmode=fail-closed\n[policy]\nmode=fail-open\n",
	"[policy]\nmode=fail-open\nmode=fail-closed\n",
	"[policy]\nmode=fail-closed\nmode=fail-open\n",
	"[policy]\nmode=fail-closed\nmode=bogus\n",
	"[policy]\nmode=fail-closed\nmode=\n",
	"[policy]\nmode=fail-closed\n[record]\nmode=fail-open\n",
	"[policy]\nmode=fail-closed\n[policy]\n",
	"[policy]\nmode\n",
	"[policy]\nmode fail-closed\n",
	"[policy]\n= fail-closed\n",
	"[policy]\nmode==fail-closed\n",
	"[policy]\nmode=:fail-closed\n",
	"[policy]\nmode:=fail-closed\n",
	"[policy]\nmode = fail-closed = yes\n",
	"[policy]\nmode=fail-open\n  fail-closed\n",
	"[policy]\nmode=fail-closed\n  fail-open\n",
	"[policy]\nmode=fail-open\n\tfail-closed ; still mode\n",
	"[policy]\nmode=fail-open\n; a comment\n  fail-closed\n",
	"[policy]\nmode=fail-open\n\n  fail-closed\n",
	"[policy]\nmode=fail-open\nbroken line\n  fail-closed\n",
	"[policy]\nmode=fail-open\n  [record]\n  fail-closed\n",
	"[policy]\nother=x\n  fail-closed\n",
	"[policy]\n  fail-closed\n",
	"[policy]\nmode=fail-open\n[record]\n  fail-closed\n",
	"  [policy]\n  mode=fail-closed\n",
	"[policy]\n  mode=fail-closed\n  mode=fail-open\n",
	"[policy]\nmode=x\n  mode=fail-closed\n",
	"[policy]\nmode\xc2\xa0=fail-closed\n",
	"[policy]\nmode=fail-closed\xc2\xa0\n",
	"[policy]\nmode=fail-closed\v\n",
	"[policy]\nmode=fail-closed\f\n",
	"[policy]\n\x01mode=fail-closed\n",
	"[policy]\nmode=fail-\x7f"
	"closed\n",
	"[policy]\nmode=fail-closed\n\xff\xfe\n",
};

static void test_texts(void **state)
{
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		same(texts[i]);
}

/* form with its one "%s" replaced by pad */
static void fill_in(char *text, size_t size, const char *form, const char *pad)
{
	const char *at = strstr(form, "%s");

	assert_non_null(at);
	assert_true(strlen(form) + strlen(pad) < size);
	memcpy(text, form, (size_t)(at - form));
	strcpy(text + (at - form), pad);
	strcat(text, at + 2);
}

/* Lines around and far over libinih's 200-byte line buffer, in every place that matters. */
static void test_long_lines(void **state)
{
	static const char *const forms[] = {
		"[policy]\n%s mode=fail-closed\n",
		"[policy]\nmode=fail-closed%s\n",
		"[policy]\nmode=fail-closed ;%s\n",
		"[policy]\nmode=fail-closed\n;%s\nmode=fail-open\n",
		"[policy]\nmode=fail-closed\nx=%s\n",
		"[policy]\nmode=fail-closed\nx=%sq\nmode=fail-open\n",
		"[policy]\nmode=fail-open\nx=%smode=fail-closed\n",
		"[policy]\nmode=fail-open\n;%smode=fail-closed\n",
		"[policy]\nmode=fail-open\n#%s[policy]\n",
		"[policy]\nmode=fail-open\n#%s\n  fail-closed\n",
		"[policy%s]\nmode=fail-closed\n",
		"[%s]\n[policy]\nmode=fail-closed\n",
		"[policy]\nmode%s=fail-closed\n",
		"[policy]\nmode=fail-open\nk%s=x\n  fail-closed\n",
		"[policy]\nmode=%sfail-closed\n",
		"[policy]\r\nmode=fail-open\r\n;%s\r\nmode=fail-closed\r\n",
	};
	static const char fill[] = " abc=;#[]\t";
	char pad[700], text[1000];

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		for (size_t n = 0; n < sizeof(pad); n += n < 180 || n > 420 ? 37 : 1) {
			for (size_t i = 0; i < n; i++)
				pad[i] = f % 3 ? fill[i % (sizeof(fill) - 1)] : ' ';
			pad[n] = '\0';
			fill_in(text, sizeof(text), forms[f], pad);
			same(text);
			/* the same with spaces only */
			memset(pad, ' ', n);
			fill_in(text, sizeof(text), forms[f], pad);
			same(text);
		}
	/* a very long file: the key at its end */
	{
		size_t len = CONF_MAX_SIZE - 64;
		char *big = malloc(len + 64);

		assert_non_null(big);
		for (size_t i = 0; i < len; i++)
			big[i] = i % 97 == 96 ? '\n' : "# x=y ;[]"[i % 9];
		strcpy(big + len, "\n[policy]\nmode = fail-closed\n");
		same(big);
		free(big);
	}
	/* both answers were seen: the comparison means something */
	assert_true(answers[0] > 0 && answers[1] > 0);
}

static char dir[] = "/tmp/kma-conf-mode.XXXXXX";

static const char *write_conf(const char *name, const char *text, mode_t mode)
{
	static char path[300];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Through the file, as each side finds it ($KMODAUDIT_CONFIG) and checks it. */
static void file_same(const char *path, bool want_fc, bool want_ignored)
{
	const char *seen, *ignored;
	struct kma_conf c;
	bool shim;
	int r;

	setenv("KMODAUDIT_CONFIG", path, 1);
	conf_init(&c);
	r = conf_load_path(&c, conf_path(NULL, false), NULL, NULL);
	shim = conf_file_fail_closed(&seen, &ignored);
	assert_string_equal(seen, path);
	assert_int_equal(shim, c.fail_closed);
	assert_int_equal(shim, want_fc);
	assert_int_equal(ignored != NULL, want_ignored);
	assert_int_equal(ignored != NULL, r < 0 && r != -ENOENT);
	conf_release(&c);
	unsetenv("KMODAUDIT_CONFIG");
}

static void test_files(void **state)
{
	static const char fc[] = "[policy]\nmode = fail-closed\n";
	char path[300], link[300];

	if (geteuid() != 0)
		skip(); /* ownership rules need a root-owned file */
	file_same(write_conf("good.conf", fc, 0644), true, false);
	file_same(write_conf("open.conf", "[policy]\nmode=fail-open\n", 0600), false, false);
	file_same(write_conf("gw.conf", fc, 0664), false, true);
	file_same(write_conf("ow.conf", fc, 0646), false, true);
	snprintf(path, sizeof(path), "%s", write_conf("nobody.conf", fc, 0644));
	assert_int_equal(chown(path, 65534, 65534), 0);
	file_same(path, false, true);
	snprintf(path, sizeof(path), "%s", write_conf("target.conf", fc, 0644));
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	assert_int_equal(symlink(path, link), 0);
	file_same(link, false, true);
	snprintf(link, sizeof(link), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(link, 0644), 0);
	file_same(link, false, true);
	file_same(dir, false, true);
	snprintf(link, sizeof(link), "%s/missing.conf", dir);
	file_same(link, false, false);
	{
		/* over 64 KiB, and exactly 64 KiB */
		char *big = malloc(CONF_MAX_SIZE + 2);

		assert_non_null(big);
		memset(big, '#', CONF_MAX_SIZE + 1);
		memcpy(big, fc, strlen(fc));
		big[CONF_MAX_SIZE + 1] = '\0';
		file_same(write_conf("huge.conf", big, 0644), false, true);
		big[CONF_MAX_SIZE] = '\0';
		file_same(write_conf("max.conf", big, 0644), true, false);
		free(big);
	}
	{
		/* binary: a NUL byte after a good text */
		int fd;

		snprintf(path, sizeof(path), "%s/bin.conf", dir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, fc, sizeof(fc)), (ssize_t)sizeof(fc));
		close(fd);
		file_same(path, false, true);
	}
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
