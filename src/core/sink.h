/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where records go: the kernel audit netlink socket, the syslog fallback, JSON-lines files.
 * Every sink opens what it needs per record (close-on-exec) and closes it before returning:
 * nothing is shared with a forked child and no fd is left in the host process. Every wait is
 * bounded.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#include "core/conf.h"
#include "core/record.h"

#define SINK_SYSLOG_PRIORITY (LOG_AUTHPRIV | LOG_NOTICE)
#define SINK_SYSLOG_IDENT "kmodaudit"

/*
 * Send payload (len bytes, no NUL) as a user message of the given type and wait for the
 * kernel's acknowledgement until timeout_ms have passed. Returns 0 when the kernel took it,
 * SINK_AUDIT_UNCONFIRMED when it acknowledged the record but its status (is audit enabled?)
 * did not come in time, -ENOTCONN when audit is disabled (the kernel would drop it silently),
 * -ENOBUFS when the kernel's backlog is full (it would hold the sender for up to
 * backlog_wait_time), -ETIMEDOUT, or the kernel's -errno (-ECONNREFUSED in a user namespace,
 * -EPERM without CAP_AUDIT_WRITE...).
 */
#define SINK_AUDIT_UNCONFIRMED 1
int sink_audit_send(int type, const char *payload, size_t len, unsigned timeout_ms);

/*
 * One RFC 3164 datagram "<pri>Mmm dd hh:mm:ss kmodaudit[pid]: msg" to the syslog socket at
 * socket_path (NULL: /dev/log), without openlog(): the host program's own syslog settings stay
 * as they are. Bounded by timeout_ms when the socket is full. Returns 0 or -errno.
 */
int sink_syslog_send(const char *socket_path, int priority, const char *msg, size_t len,
		     unsigned timeout_ms);

/* Append line and a newline in one write to a regular file (created 0600). 0 or -errno. */
int sink_file_append(const char *path, const char *line, size_t len);

struct sink_outcome {
	bool audit, syslog, file; /* which sinks took the record */
	int audit_err, syslog_err, file_err;
};

/*
 * Deliver a formatted record as conf says: audit, then syslog if audit did not take it (or
 * took it unconfirmed: SINK_AUDIT_UNCONFIRMED), and the JSON-lines files (conf's and
 * extra_json_path) in addition. Returns 0 when at least one sink took it, else the audit
 * sink's -errno.
 */
int sink_deliver(const struct kma_conf *conf, const char *extra_json_path, struct record *r,
		 struct sink_outcome *out);

/*
 * A warning line of kmodaudit itself to syslog (LOG_AUTHPRIV|LOG_WARNING), or to the kernel
 * log (/dev/kmsg) when syslog cannot take it: a fail-closed refusal must say why somewhere.
 */
void sink_warn(const struct kma_conf *conf, const char *msg);
