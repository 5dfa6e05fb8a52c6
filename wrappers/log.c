/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' messages, in kmod's format, so that scripts and logs read the same. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <libkmod.h>

#include "tool.h"

static bool log_to_syslog;
static int log_threshold = LOG_WARNING;

static const char *prio_name(int prio, char *buf, size_t len)
{
	switch (prio) {
	case LOG_CRIT:
		return "FATAL";
	case LOG_ERR:
		return "ERROR";
	case LOG_WARNING:
		return "WARNING";
	case LOG_NOTICE:
		return "NOTICE";
	case LOG_INFO:
		return "INFO";
	case LOG_DEBUG:
		return "DEBUG";
	}
	snprintf(buf, len, "LOG-%03d", prio);
	return buf;
}

void tool_log_open(bool use_syslog)
{
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog(program_invocation_short_name, LOG_CONS, LOG_DAEMON);
}

void tool_log_close(void)
{
	if (log_to_syslog)
		closelog();
}

/* origin: libkmod's "file:line function() " prefix, NULL for the tools' own messages. */
static void log_write(int prio, const char *origin, const char *text)
{
	char buf[16];
	const char *name = prio_name(prio, buf, sizeof(buf));

	if (log_to_syslog)
		syslog(prio, "%s: %s%s", name, origin ?: "", text);
	else
		fprintf(stderr, "%s: %s: %s%s", program_invocation_short_name, name, origin ?: "",
			text);
}

void tool_log(int prio, const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;
	int r;

	if (prio > log_threshold)
		return;

	va_start(ap, fmt);
	r = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;

	log_write(prio, NULL, text);
	if (prio <= LOG_CRIT)
		exit(EXIT_FAILURE);
}

_printf_(6, 0) static void libkmod_log(void *data, int prio, const char *file, int line,
				       const char *fn, const char *fmt, va_list ap)
{
	_cleanup_free_ char *text = NULL, *origin = NULL;

	if (vasprintf(&text, fmt, ap) < 0)
		return;
	/* Debian builds kmod with debugging on: its tools show where libkmod said it. */
	if (file && asprintf(&origin, "%s:%d %s() ", file, line, fn ?: "?") < 0)
		origin = NULL;
	log_write(prio, origin, text);
}

void tool_log_attach(struct kmod_ctx *ctx, int threshold)
{
	log_threshold = threshold;
	kmod_set_log_priority(ctx, threshold);
	kmod_set_log_fn(ctx, libkmod_log, NULL);
}
