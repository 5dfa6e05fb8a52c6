/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/kmodaudit.conf: trust checks, then libinih. */
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/conf.h"
#include "core/macro.h"

void conf_init(struct kma_conf *conf)
{
	*conf = (struct kma_conf){
		.record_type = CONF_RECORD_TYPE_USER,
		.intent = true,
		.history_depth = CONF_HISTORY_MAX,
		.fallback_syslog = true,
		.audit_timeout_ms = CONF_DEFAULT_AUDIT_TIMEOUT_MS,
		.fail_closed = false,
		.max_image_size = CONF_MAX_IMAGE_SIZE,
	};
}

void conf_release(struct kma_conf *conf)
{
	free(conf->file_sink);
	free(conf->syslog_socket);
	free(conf->trusted_signers);
	conf->file_sink = conf->syslog_socket = conf->trusted_signers = NULL;
}

bool conf_record_type_valid(long type)
{
	return (type >= 1100 && type <= 1199) || (type >= 2100 && type <= 2999) ||
	       type == CONF_RECORD_TYPE_USER;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1") ||
	    !strcasecmp(v, "on"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0") ||
		 !strcasecmp(v, "off"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_ulong(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long n;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n < min || n > max)
		return -ERANGE;
	*out = n;
	return 0;
}

/* A byte count: digits and an optional binary suffix K, M or G. */
static int parse_size(const char *v, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long n, mult = 1;
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end && !end[1]) {
		const char *suffixes = "KMG", *s = strchr(suffixes, *end);

		if (!s)
			return -EINVAL;
		mult = 1ULL << (10 * (s - suffixes + 1));
		end++;
	}
	if (*end)
		return -EINVAL;
	if (n > max / mult || n * mult < min)
		return -ERANGE;
	*out = n * mult;
	return 0;
}

static int set_string(char **slot, const char *v)
{
	char *s = NULL;

	if (*v) {
		s = strdup(v);
		if (!s)
			return -ENOMEM;
	}
	free(*slot);
	*slot = s;
	return 0;
}

static int parse_record_type(const char *v, int *out)
{
	unsigned long n;

	if (!strcasecmp(v, "user")) {
		*out = CONF_RECORD_TYPE_USER;
		return 0;
	}
	if (!strcasecmp(v, "trusted_app")) {
		*out = CONF_RECORD_TYPE_TRUSTED_APP;
		return 0;
	}
	if (parse_ulong(v, 0, 9999, &n) < 0 || !conf_record_type_valid(n))
		return -EINVAL;
	*out = n;
	return 0;
}

static int apply(struct kma_conf *conf, const char *section, const char *key, const char *v)
{
	unsigned long n;
	int r;

#define IS(s, k) (!strcmp(section, s) && !strcmp(key, k))
	if (IS("record", "type"))
		return parse_record_type(v, &conf->record_type);
	if (IS("record", "intent"))
		return parse_bool(v, &conf->intent);
	if (IS("record", "history_depth")) {
		r = parse_ulong(v, 1, CONF_HISTORY_MAX, &n);
		if (r == 0)
			conf->history_depth = n;
		return r;
	}
	if (IS("sinks", "fallback")) {
		if (!strcmp(v, "syslog"))
			conf->fallback_syslog = true;
		else if (!strcmp(v, "none"))
			conf->fallback_syslog = false;
		else
			return -EINVAL;
		return 0;
	}
	if (IS("sinks", "file")) {
		if (*v && *v != '/')
			return -EINVAL;
		return set_string(&conf->file_sink, v);
	}
	if (IS("sinks", "syslog_socket")) {
		if (*v != '/')
			return -EINVAL;
		return set_string(&conf->syslog_socket, v);
	}
	if (IS("sinks", "audit_timeout_ms")) {
		r = parse_ulong(v, 1, CONF_MAX_AUDIT_TIMEOUT_MS, &n);
		if (r == 0)
			conf->audit_timeout_ms = n;
		return r;
	}
	if (IS("policy", "mode")) {
		if (!strcmp(v, "fail-open"))
			conf->fail_closed = false;
		else if (!strcmp(v, "fail-closed"))
			conf->fail_closed = true;
		else
			return -EINVAL;
		return 0;
	}
	if (IS("limits", "max_image_size"))
		return parse_size(v, CONF_MIN_IMAGE_SIZE, CONF_MAX_IMAGE_SIZE,
				  &conf->max_image_size);
	if (IS("report", "trusted_signers"))
		return set_string(&conf->trusted_signers, v);
#undef IS
	return -ENOENT;
}

struct parse_state {
	struct kma_conf *conf;
	conf_warn_fn warn;
	void *data;
	int bad;
	bool nomem; /* a value could not be stored: the file is not what applies */
};

_printf_(2, 3) static void warn_line(struct parse_state *st, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	st->bad++;
	/* a binary file would make thousands of lines: say the first few */
	if (!st->warn || st->bad > 5)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* never let a hostile file put control bytes into the log line */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	st->warn(st->data, msg);
}

static int ini_cb(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	int r = apply(st->conf, section, key, value);

	if (r == -ENOMEM)
		st->nomem = true;
	else if (r == -ENOENT)
		warn_line(st, "config: unknown key [%.40s] %.40s, ignored", section, key);
	else if (r < 0)
		warn_line(st, "config: bad value for %.40s: %.60s, ignored", key, value);
	return 1; /* keep parsing: one bad line does not void the others */
}

static int parse(struct kma_conf *conf, const char *text, conf_warn_fn warn, void *data,
		 bool *nomem)
{
	struct parse_state st = {.conf = conf, .warn = warn, .data = data};
	int r = ini_parse_string(text, ini_cb, &st);

	*nomem = st.nomem || r == -2; /* -2: libinih could not allocate its line buffer */
	if (r != 0)
		warn_line(&st, "config: syntax error at line %d, ignored", r);
	if (conf->fail_closed && !conf->intent) {
		/* fail-closed decides on the intent record: it cannot be switched off then */
		conf->intent = true;
		warn_line(&st, "config: mode=fail-closed needs intent records: intent=yes");
	}
	return st.bad;
}

int conf_parse_string(struct kma_conf *conf, const char *text, conf_warn_fn warn, void *data)
{
	bool nomem;

	return parse(conf, text, warn, data, &nomem);
}

static void warnf(conf_warn_fn warn, void *data, const char *path, const char *why)
{
	char msg[300];

	if (!warn)
		return;
	snprintf(msg, sizeof(msg), "config %.200s ignored: %s", path, why);
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
	warn(data, msg);
}

int conf_load_path(struct kma_conf *conf, const char *path, conf_warn_fn warn, void *data)
{
	_cleanup_free_ char *text = malloc(CONF_TEXT_SIZE);
	const char *why;
	size_t len;
	bool nomem;
	int r;

	if (!text)
		return -ENOMEM;
	r = conf_file_read(path, text, &len, &why);
	if (r < 0) {
		if (why)
			warnf(warn, data, path, why);
		return r;
	}
	parse(conf, text, warn, data, &nomem);
	return nomem ? -ENOMEM : 0;
}
