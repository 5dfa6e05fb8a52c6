/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/kmodaudit.conf: trust checks, then libinih. */
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "core/conf.h"
#include "macro.h"

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

/* Never let a hostile file put control bytes into a log line. */
static void scrub(char *msg)
{
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = '?';
}

/* The first bad lines are reported one by one; a binary file would make thousands. */
#define CONF_WARN_LINES 5

/*
 * libinih's string reader, also telling the physical line each piece starts on: a line longer
 * than libinih's buffer reaches it in pieces that it counts as lines, so its own numbers drift
 * after one. Pieces are cut as ini_parse_string cuts them (shared/conf-mode.c mirrors that).
 */
struct text_reader {
	const char *p;
	size_t left;
	unsigned line;	    /* physical line the last piece started on (1-based) */
	bool at_line_start; /* the next piece starts a physical line */
	int pieces;	    /* pieces handed out: libinih's line number */
	int piece_size;	    /* libinih's buffer size, as it asked */
};

static char *read_piece(char *str, int num, void *stream)
{
	struct text_reader *rd = stream;
	char *out = str;

	if (rd->left == 0 || num < 2)
		return NULL;
	if (rd->at_line_start)
		rd->line++;
	rd->piece_size = num;
	rd->pieces++;
	rd->at_line_start = false;
	while (num > 1 && rd->left) {
		char c = *rd->p++;

		rd->left--;
		*out++ = c;
		if (c == '\n') {
			rd->at_line_start = true;
			break;
		}
		num--;
	}
	*out = '\0';
	return str;
}

/* The physical line libinih's piece number `piece` started on (its syntax error number). */
static unsigned piece_line(const char *text, int piece_size, int piece)
{
	struct text_reader rd = {.p = text, .left = strlen(text), .at_line_start = true};
	_cleanup_free_ char *buf = malloc(piece_size > 1 ? (size_t)piece_size : 2);

	while (buf && rd.pieces < piece && read_piece(buf, piece_size > 1 ? piece_size : 2, &rd))
		;
	return rd.line;
}

/* One bad line, held until the file is read: libinih tells its syntax error last. */
struct bad_line {
	unsigned line; /* 0: the file as a whole, after every numbered line */
	char msg[240];
};

struct parse_state {
	struct kma_conf *conf;
	void *data;
	struct text_reader *reader;
	/* the first bad lines in line order (one more than shown, for the syntax error) */
	struct bad_line held[CONF_WARN_LINES + 1];
	int nheld;
	int bad;
	bool nomem; /* a value could not be stored: the file is not what applies */
};

/* Note a bad line; they are reported in line order once the whole file is read. */
_printf_(3, 4) static void bad_line(struct parse_state *st, unsigned line, const char *fmt, ...)
{
	unsigned key = line ? line : UINT_MAX;
	int at = st->nheld;
	va_list ap;

	st->bad++;
	while (at > 0 && (st->held[at - 1].line ? st->held[at - 1].line : UINT_MAX) > key)
		at--;
	if (at >= (int)ARRAY_SIZE(st->held))
		return;
	if (st->nheld == (int)ARRAY_SIZE(st->held))
		st->nheld--; /* the last one falls off: still counted */
	memmove(&st->held[at + 1], &st->held[at], (size_t)(st->nheld - at) * sizeof(st->held[0]));
	st->nheld++;
	st->held[at].line = line;
	va_start(ap, fmt);
	vsnprintf(st->held[at].msg, sizeof(st->held[at].msg), fmt, ap);
	va_end(ap);
}

/* NAME:LINE: message for the first CONF_WARN_LINES bad lines, then how many more there were. */
static void report_bad_lines(const struct parse_state *st, const char *name, conf_warn_fn warn,
			     void *data)
{
	char msg[480];
	int shown = st->nheld < CONF_WARN_LINES ? st->nheld : CONF_WARN_LINES;

	for (int i = 0; i < shown; i++) {
		if (st->held[i].line)
			snprintf(msg, sizeof(msg), "%.200s:%u: %s", name, st->held[i].line,
				 st->held[i].msg);
		else
			snprintf(msg, sizeof(msg), "%.200s: %s", name, st->held[i].msg);
		scrub(msg);
		warn(data, msg);
	}
	if (st->bad > shown) {
		snprintf(msg, sizeof(msg), "%.200s: %d more bad lines not shown", name,
			 st->bad - shown);
		scrub(msg);
		warn(data, msg);
	}
}

static int ini_cb(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	int r = apply(st->conf, section, key, value);

	if (r == -ENOMEM)
		st->nomem = true;
	else if (r == -ENOENT)
		bad_line(st, st->reader->line, "unknown key [%.40s] %.40s, ignored", section, key);
	else if (r < 0)
		bad_line(st, st->reader->line, "bad value for %.40s: %.60s, ignored", key, value);
	return 1; /* keep parsing: one bad line does not void the others */
}

/* name: the file's path, or "config" for text from elsewhere (it starts every message). */
static int parse(struct kma_conf *conf, const char *text, const char *name, conf_warn_fn warn,
		 void *data, bool *nomem)
{
	struct text_reader rd = {.p = text, .left = strlen(text), .at_line_start = true};
	struct parse_state state = {.conf = conf, .data = data, .reader = &rd}, *st = &state;
	int r = ini_parse_stream(read_piece, &rd, ini_cb, st);

	*nomem = st->nomem || r == -2; /* -2: libinih could not allocate its line buffer */
	if (r > 0)		       /* libinih names the first syntax error only */
		bad_line(st, piece_line(text, rd.piece_size, r), "syntax error, ignored");
	else if (r < 0)
		bad_line(st, 0, "could not be parsed, ignored");
	if (conf->fail_closed && !conf->intent) {
		/* fail-closed decides on the intent record: it cannot be switched off then */
		conf->intent = true;
		bad_line(st, 0, "mode=fail-closed needs intent records: intent=yes");
	}
	if (warn)
		report_bad_lines(st, name, warn, data);
	return st->bad;
}

int conf_parse_string(struct kma_conf *conf, const char *text, conf_warn_fn warn, void *data)
{
	bool nomem;

	return parse(conf, text, "config", warn, data, &nomem);
}

static void warnf(conf_warn_fn warn, void *data, const char *path, const char *why)
{
	char msg[300];

	if (!warn)
		return;
	snprintf(msg, sizeof(msg), "config %.200s ignored: %s", path, why);
	scrub(msg);
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
	parse(conf, text, path, warn, data, &nomem);
	return nomem ? -ENOMEM : 0;
}
