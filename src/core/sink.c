/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which sinks a record goes to, in which order. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "core/sink.h"

static int json_append(const char *path, struct record *r, const char *type_name,
		       const struct timespec *ts)
{
	_cleanup_free_ char *line = record_to_json(r, type_name, ts);

	if (!line)
		return -ENOMEM;
	return sink_file_append(path, line, strlen(line));
}

int sink_deliver(const struct kma_conf *conf, const char *extra_json_path, struct record *r,
		 struct sink_outcome *out)
{
	char type_name[32];
	struct timespec ts;
	int err;

	*out = (struct sink_outcome){0};
	record_type_name(conf->record_type, type_name, sizeof(type_name));
	clock_gettime(CLOCK_REALTIME, &ts);

	err = sink_audit_send(conf->record_type, r->payload, r->len, conf->audit_timeout_ms);
	out->audit = err >= 0;
	out->audit_err = err < 0 ? err : 0;

	/* Unconfirmed: audit may be disabled, and then the kernel dropped it: a copy in syslog. */
	if ((!out->audit || err == SINK_AUDIT_UNCONFIRMED) && conf->fallback_syslog) {
		size_t tlen = strlen(type_name);
		_cleanup_free_ char *msg = malloc(tlen + 1 + r->len + 1);

		if (msg) {
			memcpy(msg, type_name, tlen);
			msg[tlen] = ' ';
			memcpy(msg + tlen + 1, r->payload, r->len + 1);
			out->syslog_err =
				sink_syslog_send(conf->syslog_socket, SINK_SYSLOG_PRIORITY, msg,
						 tlen + 1 + r->len, conf->audit_timeout_ms);
		} else {
			out->syslog_err = -ENOMEM;
		}
		out->syslog = out->syslog_err == 0;
	}

	if (conf->file_sink) {
		out->file_err = json_append(conf->file_sink, r, type_name, &ts);
		out->file = out->file_err == 0;
	}
	if (extra_json_path) {
		err = json_append(extra_json_path, r, type_name, &ts);
		out->file |= err == 0;
		if (!conf->file_sink || err < 0)
			out->file_err = err;
	}

	if (out->audit || out->syslog || out->file)
		return 0;
	return out->audit_err;
}

/* The kernel log, when there is no syslog: it reads the "<pri>" prefix itself. */
static void kmsg_send(int priority, const char *msg)
{
	_cleanup_close_ int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	char line[1024];
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "<%d>%s[%d]: %s\n", priority, SINK_SYSLOG_IDENT,
		     (int)getpid(), msg);
	if (n > 0 && write(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0) {
		/* nowhere left to say it */
	}
}

void sink_warn(const struct kma_conf *conf, const char *msg)
{
	int priority = LOG_AUTHPRIV | LOG_WARNING;

	if (sink_syslog_send(conf ? conf->syslog_socket : NULL, priority, msg, strlen(msg),
			     conf ? conf->audit_timeout_ms : CONF_DEFAULT_AUDIT_TIMEOUT_MS) < 0)
		kmsg_send(priority, msg);
}
