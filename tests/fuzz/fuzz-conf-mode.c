/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness, differential: the shim's own reader of [policy] mode (shared/conf-mode.c,
 * libc only, used when the shim cannot load the core) against the core's configuration parser
 * (conf.c on libinih) on the same text. Any disagreement aborts: the shim would then refuse
 * or allow a load the core would not.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-mode.h"
#include "core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kma_conf conf;
	char *text = malloc(size + 1);
	bool core, shim;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_init(&conf);
	conf_parse_string(&conf, text, NULL, NULL);
	core = conf.fail_closed;
	conf_release(&conf);
	shim = conf_text_fail_closed(text);
	if (core != shim) {
		fprintf(stderr, "core says %s, shim says %s, for %zu bytes:\n%s\n",
			core ? "fail-closed" : "fail-open", shim ? "fail-closed" : "fail-open",
			strlen(text), text);
		abort();
	}
	free(text);
	return 0;
}
