/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/kmodaudit.conf: every key, bad values, and the trust rules on real files. */
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

#include "config.h"
#include "core/conf.h"

static char warnings[4096];
static int nwarn;

static void warn(void *data, const char *msg)
{
	nwarn++;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static void reset_warnings(void)
{
	warnings[0] = '\0';
	nwarn = 0;
}

static int parse(struct kma_conf *c, const char *text)
{
	conf_init(c);
	reset_warnings();
	return conf_parse_string(c, text, warn, NULL);
}

static void test_defaults(void **state)
{
	struct kma_conf c;

	conf_init(&c);
	assert_int_equal(c.record_type, 1005);
	assert_true(c.intent);
	assert_int_equal(c.history_depth, 16);
	assert_true(c.fallback_syslog);
	assert_null(c.file_sink);
	assert_null(c.syslog_socket);
	assert_int_equal(c.audit_timeout_ms, CONF_DEFAULT_AUDIT_TIMEOUT_MS);
	assert_false(c.fail_closed);
	assert_null(c.trusted_signers);
	conf_release(&c);
}

static void test_keys(void **state)
{
	struct kma_conf c;

	assert_int_equal(parse(&c, "[record]\ntype=trusted_app\nintent=no\nhistory_depth=3\n"
				   "[sinks]\nfallback=none\nfile=/var/log/kma.json\n"
				   "syslog_socket=/run/x/log\naudit_timeout_ms=50\n"
				   "[policy]\nmode=fail-open\n"
				   "[report]\ntrusted_signers=Debian Secure Boot CA, Other\n"),
			 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.record_type, 1121);
	assert_false(c.intent);
	assert_int_equal(c.history_depth, 3);
	assert_false(c.fallback_syslog);
	assert_string_equal(c.file_sink, "/var/log/kma.json");
	assert_string_equal(c.syslog_socket, "/run/x/log");
	assert_int_equal(c.audit_timeout_ms, 50);
	assert_false(c.fail_closed);
	assert_string_equal(c.trusted_signers, "Debian Secure Boot CA, Other");
	conf_release(&c);

	parse(&c, "[record]\ntype=USER\n[policy]\nmode=fail-closed\n");
	assert_int_equal(c.record_type, 1005);
	assert_true(c.fail_closed);
	conf_release(&c);
}

static void test_record_types(void **state)
{
	static const struct {
		const char *v;
		int want; /* 0: refused, default stays */
	} cases[] = {
		{"1100", 1100}, {"1199", 1199},
		{"2100", 2100}, {"2999", 2999},
		{"1099", 0},	{"1200", 0},
		{"2099", 0},	{"3000", 0},
		{"1300", 0},	{"-1005", 0},
		{"12ab", 0},	{"", 0},
		{"1005", 1005}, {"99999999999999999999", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kma_conf c;
		char text[128];

		snprintf(text, sizeof(text), "[record]\ntype=%s\n", cases[i].v);
		int bad = parse(&c, text);
		assert_int_equal(c.record_type, cases[i].want ? cases[i].want : 1005);
		assert_int_equal(bad, cases[i].want ? 0 : 1);
		conf_release(&c);
	}
}

static void test_bad_values(void **state)
{
	struct kma_conf c;

	/* each bad line is reported and skipped; the good ones apply */
	assert_int_equal(parse(&c,
			       "[record]\nintent=maybe\nhistory_depth=0\n"
			       "[record]\nhistory_depth=17\n"
			       "[sinks]\nfallback=mail\nfile=relative/path\n"
			       "audit_timeout_ms=0\naudit_timeout_ms=10001\nsyslog_socket=dev/log\n"
			       "[policy]\nmode=closed\n"
			       "[nosuch]\nkey=1\n[record]\nnokey=1\n"
			       "[sinks]\naudit_timeout_ms=700\n"),
			 11);
	/* only the first few are said, each with its line, then how many more */
	assert_int_equal(nwarn, 6);
	assert_non_null(strstr(warnings, "config:2: bad value for intent: maybe, ignored\n"
					 "config:3: bad value for history_depth: 0, ignored\n"));
	assert_non_null(strstr(warnings, "\nconfig: 6 more bad lines not shown\n"));
	assert_true(c.intent);
	assert_int_equal(c.history_depth, 16);
	assert_true(c.fallback_syslog);
	assert_null(c.file_sink);
	assert_null(c.syslog_socket);
	assert_int_equal(c.audit_timeout_ms, 700);
	assert_false(c.fail_closed);
	conf_release(&c);

	/* syntax errors */
	assert_true(parse(&c, "this is not ini\n[record\n") > 0);
	assert_true(nwarn > 0);
	conf_release(&c);

	/*
	 * libinih names its first syntax error after the file is read: it still comes in line
	 * order. A line longer than libinih's buffer reaches it in pieces (the rest of this long
	 * comment is its first syntax error) and does not shift the numbers of the lines after
	 * it; only the first syntax error is known (line 4 is another).
	 */
	{
		char text[2048];

		snprintf(text, sizeof(text),
			 "[record]\nintent=maybe\n# %0900d\nnot ini\nnokey=1\n"
			 "[x]\na=1\nb=1\nc=1\nd=1\n",
			 0);
		parse(&c, text);
		assert_string_equal(warnings, "config:2: bad value for intent: maybe, ignored\n"
					      "config:3: syntax error, ignored\n"
					      "config:5: unknown key [record] nokey, ignored\n"
					      "config:7: unknown key [x] a, ignored\n"
					      "config:8: unknown key [x] b, ignored\n"
					      "config: 2 more bad lines not shown\n");
		conf_release(&c);
	}

	/* fail-closed decides on intent records: they are forced on */
	parse(&c, "[record]\nintent=no\n[policy]\nmode=fail-closed\n");
	assert_true(c.fail_closed);
	assert_true(c.intent);
	assert_non_null(strstr(warnings, "intent"));
	conf_release(&c);

	/* a hostile value must not put control bytes into the warning */
	parse(&c, "[policy]\nmode=\x1b[31m\x07red\n");
	for (char *p = warnings; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p <= 0x7e));
	conf_release(&c);
}

static char dir[] = "/tmp/kma-conf-XXXXXX";

static char *write_conf(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static const char GOOD[] = "[policy]\nmode=fail-closed\n";

static int load(struct kma_conf *c, const char *path)
{
	conf_init(c);
	reset_warnings();
	return conf_load_path(c, path, warn, NULL);
}

static void test_files(void **state)
{
	struct kma_conf c;
	char *path, link[300];

	if (geteuid() != 0)
		skip(); /* ownership rules need a root-owned file */

	path = write_conf("good.conf", GOOD, strlen(GOOD), 0644);
	assert_int_equal(load(&c, path), 0);
	assert_true(c.fail_closed);
	assert_int_equal(nwarn, 0);
	conf_release(&c);

	/* group- or world-writable */
	path = write_conf("gw.conf", GOOD, strlen(GOOD), 0664);
	assert_int_equal(load(&c, path), -EPERM);
	assert_false(c.fail_closed);
	assert_non_null(strstr(warnings, "writable"));
	conf_release(&c);
	path = write_conf("ow.conf", GOOD, strlen(GOOD), 0646);
	assert_int_equal(load(&c, path), -EPERM);
	assert_false(c.fail_closed);
	conf_release(&c);

	/* not owned by root */
	path = write_conf("nobody.conf", GOOD, strlen(GOOD), 0644);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(load(&c, path), -EPERM);
	assert_false(c.fail_closed);
	assert_non_null(strstr(warnings, "owned"));
	conf_release(&c);

	/* a symlink, even to a good file */
	path = write_conf("target.conf", GOOD, strlen(GOOD), 0644);
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_true(load(&c, link) < 0);
	assert_false(c.fail_closed);
	assert_non_null(strstr(warnings, "symlink"));
	conf_release(&c);

	/* a directory, a FIFO */
	assert_int_equal(load(&c, dir), -EINVAL);
	conf_release(&c);
	snprintf(link, sizeof(link), "%s/fifo.conf", dir);
	assert_int_equal(mkfifo(link, 0644), 0);
	assert_int_equal(load(&c, link), -EINVAL);
	assert_non_null(strstr(warnings, "regular"));
	conf_release(&c);

	/* huge: 64 KiB + 1 of valid ini */
	{
		size_t len = CONF_MAX_SIZE + 1;
		char *big = malloc(len);
		memset(big, '#', len);
		memcpy(big, GOOD, strlen(GOOD));
		big[strlen(GOOD)] = '\n';
		path = write_conf("huge.conf", big, len, 0644);
		assert_int_equal(load(&c, path), -EFBIG);
		assert_false(c.fail_closed);
		conf_release(&c);
		/* exactly 64 KiB is fine */
		path = write_conf("max.conf", big, len - 1, 0644);
		assert_int_equal(load(&c, path), 0);
		assert_true(c.fail_closed);
		conf_release(&c);
		free(big);
	}

	/* binary */
	{
		static const char bin[] = "[policy]\nmode=fail-closed\n\0\x7f"
					  "ELF\x01\x02";
		path = write_conf("bin.conf", bin, sizeof(bin), 0644);
		assert_int_equal(load(&c, path), -EINVAL);
		assert_false(c.fail_closed);
		assert_non_null(strstr(warnings, "binary"));
		conf_release(&c);
	}

	/* missing: no warning */
	snprintf(link, sizeof(link), "%s/missing.conf", dir);
	assert_int_equal(load(&c, link), -ENOENT);
	assert_int_equal(nwarn, 0);
	conf_release(&c);
}

static void test_path(void **state)
{
	setenv("KMODAUDIT_CONFIG", "/tmp/from-env.conf", 1);
	assert_string_equal(conf_path(NULL, false), "/tmp/from-env.conf");
	assert_string_equal(conf_path(NULL, true), KMODAUDIT_CONFIG_PATH);
	assert_string_equal(conf_path("/x.conf", true), "/x.conf");
	unsetenv("KMODAUDIT_CONFIG");
	assert_string_equal(conf_path(NULL, false), KMODAUDIT_CONFIG_PATH);
}

/* The commented default file we ship parses without a single bad line. */
static void test_shipped_config(void **state)
{
	const char *src = getenv("KMODAUDIT_SRC");
	char path[512], text[CONF_MAX_SIZE + 1];
	struct kma_conf c;
	FILE *f;
	size_t n;

	if (!src)
		skip();
	snprintf(path, sizeof(path), "%s/packaging/kmodaudit.conf", src);
	f = fopen(path, "re");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_int_equal(parse(&c, text), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.record_type, 1005);
	assert_false(c.fail_closed);
	conf_release(&c);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),       cmocka_unit_test(test_keys),
		cmocka_unit_test(test_record_types),   cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_files),	       cmocka_unit_test(test_path),
		cmocka_unit_test(test_shipped_config),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
