/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /etc/kmodaudit.conf (ini, read with libinih). The file is trusted only when it is a regular
 * file (not a symlink), owned by root, not writable by group or others, at most CONF_MAX_SIZE
 * bytes and text (no NUL byte); otherwise it is ignored as a whole and the defaults apply. Within
 * a trusted file, each bad line is reported and skipped; the good ones apply.
 */
#pragma once

#include <stdbool.h>

#include "call.h"      /* KMA_IMAGE_MAX */
#include "conf-file.h" /* CONF_MAX_SIZE, conf_path() */

#define CONF_HISTORY_MAX 16
#define CONF_DEFAULT_AUDIT_TIMEOUT_MS 300
#define CONF_MAX_AUDIT_TIMEOUT_MS 10000
#define CONF_DEFAULT_SYSLOG_SOCKET "/dev/log"
#define CONF_RECORD_TYPE_USER 1005
#define CONF_RECORD_TYPE_TRUSTED_APP 1121
/* [limits] max_image_size: at most KMA_IMAGE_MAX, the most any emitter copies (the default) */
#define CONF_MIN_IMAGE_SIZE (64ULL * 1024)
#define CONF_MAX_IMAGE_SIZE ((unsigned long long)KMA_IMAGE_MAX)

struct kma_conf {
	int record_type;	   /* [record] type= user | trusted_app | 1100-1199 | 2100-2999 */
	bool intent;		   /* [record] intent= yes|no */
	unsigned history_depth;	   /* [record] history_depth= 1..16 */
	bool fallback_syslog;	   /* [sinks] fallback= syslog|none */
	char *file_sink;	   /* [sinks] file= absolute path of a JSON-lines file, or NULL */
	char *syslog_socket;	   /* [sinks] syslog_socket= (default /dev/log) */
	unsigned audit_timeout_ms; /* [sinks] audit_timeout_ms= 1..10000 */
	bool fail_closed;	   /* [policy] mode= fail-open|fail-closed */
	char *trusted_signers;	   /* [report] trusted_signers= comma list, or NULL */
	unsigned long long max_image_size; /* [limits] max_image_size= bytes (K/M/G suffix) */
};

/* Called once per problem found; msg is one line. */
typedef void (*conf_warn_fn)(void *data, const char *msg);

void conf_init(struct kma_conf *conf);
void conf_release(struct kma_conf *conf);

/* Parse ini text into conf (over what is already there). Returns the number of bad lines. */
int conf_parse_string(struct kma_conf *conf, const char *text, conf_warn_fn warn, void *data);

/*
 * Load path into conf after the trust checks. Returns 0 when applied, -ENOENT when there is no
 * file (not worth a warning), -ENOMEM when memory ran out (the file may be applied in part only:
 * not a configuration to run with), another -errno when the file was ignored (warn says why).
 */
int conf_load_path(struct kma_conf *conf, const char *path, conf_warn_fn warn, void *data);

/* Whether a record type number may be used (user message ranges). */
bool conf_record_type_valid(long type);
