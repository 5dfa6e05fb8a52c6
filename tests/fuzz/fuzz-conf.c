/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: the configuration parser (conf_parse_string, libinih underneath) on
 * arbitrary text, twice over the same conf (as a file over the defaults). Oracle: whatever the
 * text, the result is a configuration the sinks can use (every value within its documented
 * range, paths absolute, fail-closed never without intent records) and every warning is one
 * printable line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "oracle failed: %s (line %d)\n", #cond, __LINE__);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_warning(void *data, const char *msg)
{
	size_t len = strlen(msg);

	CHECK(len > 0 && len < 300);
	for (size_t i = 0; i < len; i++)
		CHECK(msg[i] >= 0x20 && msg[i] <= 0x7e);
	(*(unsigned *)data)++;
}

static void check_conf(const struct kma_conf *c)
{
	CHECK(conf_record_type_valid(c->record_type));
	CHECK(c->history_depth >= 1 && c->history_depth <= CONF_HISTORY_MAX);
	CHECK(c->audit_timeout_ms >= 1 && c->audit_timeout_ms <= CONF_MAX_AUDIT_TIMEOUT_MS);
	CHECK(!c->file_sink || c->file_sink[0] == '/');
	CHECK(!c->syslog_socket || c->syslog_socket[0] == '/');
	CHECK(!c->fail_closed || c->intent);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kma_conf conf;
	unsigned warnings = 0;
	char *text = malloc(size + 1);
	int bad;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_init(&conf);
	bad = conf_parse_string(&conf, text, check_warning, &warnings);
	CHECK(bad >= 0);
	/* each bad line up to 5, then one line saying how many more */
	CHECK(warnings == (unsigned)(bad <= 5 ? bad : 6));
	check_conf(&conf);
	/* a second file over the first (the way defaults and overrides stack) */
	conf_parse_string(&conf, text, NULL, NULL);
	check_conf(&conf);
	conf_release(&conf);
	free(text);
	return 0;
}
