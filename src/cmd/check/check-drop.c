/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rules under which the kernel acknowledges our records and drops them: an exclude rule or a
 * user-list "never" rule that matches their message type, and a rate limit. The shim cannot
 * notice either (the acknowledgement says 0, nothing reaches the fallback), so `check` must.
 */
#include <errno.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/check/check-drop.h"
#include "cmd/rules/rules-spec.h"
#include "config.h"
#include "core/conf.h"
#include "macro.h"

static void ignore_warning(void *data, const char *msg)
{
	(void)data;
	(void)msg;
}

int check_drop_record_type(const char *root)
{
	_cleanup_fclose_ FILE *f = rules_fopen_in_root(root, KMODAUDIT_CONFIG_PATH);
	_cleanup_free_ char *text = NULL;
	struct kma_conf conf;
	size_t size = 0;
	int type;

	conf_init(&conf);
	if (f && getdelim(&text, &size, '\0', f) >= 0)
		conf_parse_string(&conf, text, ignore_warning, NULL);
	type = conf.record_type;
	conf_release(&conf);
	return type;
}

/* A msgtype value as auditctl takes it (number or name, USER_AVC...) or -1. */
static long msgtype_value(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (end != v && !*end)
		return n;
	return audit_name_to_msg_type(v);
}

/* Does TYPE satisfy "msgtype OP VALUE"? -1: cannot tell. */
static int msgtype_matches(const char *op, const char *value, int type)
{
	long v = msgtype_value(value);

	if (v < 0)
		return -1;
	if (!strcmp(op, "="))
		return type == v;
	if (!strcmp(op, "!="))
		return type != v;
	if (!strcmp(op, "<"))
		return type < v;
	if (!strcmp(op, "<="))
		return type <= v;
	if (!strcmp(op, ">"))
		return type > v;
	if (!strcmp(op, ">="))
		return type >= v;
	if (!strcmp(op, "&"))
		return (type & v) != 0;
	if (!strcmp(op, "&="))
		return (type & v) == v;
	return -1;
}

/* Split "name OP value" (OP one of = != < <= > >= & &=) in place. */
static bool split_field(char *f, char **op, char **value)
{
	size_t n = strcspn(f, "=!<>&");
	size_t m;

	if (!f[n] || n == 0)
		return false;
	m = strspn(f + n, "=!<>&");
	*op = strndup(f + n, m);
	if (!*op)
		return false;
	f[n] = '\0';
	*value = f + n + m;
	return true;
}

enum check_drop check_drop_rule(const char *text, int type)
{
	_cleanup_free_ char *copy = strdup(text);
	char *tok[64], *save = NULL;
	unsigned n = 0;
	bool exclude = false, user = false, always = false, never = false, other = false;
	bool type_ok = true;

	if (!copy)
		return CHECK_DROP_NO;
	for (char *p = strtok_r(copy, " \t\r\n", &save); p && n < ARRAY_SIZE(tok);
	     p = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = p;
	for (unsigned i = 0; i + 1 < n; i++) {
		if (!strcmp(tok[i], "-a") || !strcmp(tok[i], "-A")) {
			_cleanup_free_ char *pair = strdup(tok[i + 1]);
			char *s2 = NULL;

			if (!pair)
				return CHECK_DROP_NO;
			for (char *w = strtok_r(pair, ",", &s2); w; w = strtok_r(NULL, ",", &s2)) {
				exclude |= !strcmp(w, "exclude");
				user |= !strcmp(w, "user");
				always |= !strcmp(w, "always");
				never |= !strcmp(w, "never");
			}
		} else if (!strcmp(tok[i], "-F")) {
			_cleanup_free_ char *field = strdup(tok[i + 1]);
			_cleanup_free_ char *op = NULL;
			char *value;

			if (!field || !split_field(field, &op, &value))
				continue;
			if (!strcmp(field, "msgtype"))
				type_ok &= msgtype_matches(op, value, type) != 0;
			else
				other = true;
		}
	}
	/* exclude,always drops what it matches; on the user list, never does. */
	if (!((exclude && always) || (user && never)) || !type_ok)
		return CHECK_DROP_NO;
	return other ? CHECK_DROP_SOME : CHECK_DROP_ALL;
}
