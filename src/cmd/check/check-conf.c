/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `kmodaudit check`'s look at the configuration file: there or not (the defaults), trusted or
 * ignored as a whole (and why: an ignored file loses every setting, fail-closed included), and
 * each bad line as FILE:LINE, from the same loader the shim and the core use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/check/check-items.h"
#include "config.h"
#include "core/conf.h"
#include "macro.h"

struct conf_notes {
	char *text; /* the loader's messages, one a line */
	unsigned count;
};

static void keep_note(void *data, const char *msg)
{
	struct conf_notes *n = data;
	char *joined;

	if (asprintf(&joined, "%s%s%s", n->text ? n->text : "", n->text ? "\n" : "", msg) < 0)
		return;
	free(n->text);
	n->text = joined;
	n->count++;
}

void check_conf_file(struct check_ctx *ctx, struct check_result *res)
{
	_cleanup_free_ char *path = NULL, *fix = NULL;
	struct conf_notes notes = {};
	struct kma_conf conf;
	int r;

	if (asprintf(&path, "%s%s", ctx->root ? ctx->root : "", KMODAUDIT_CONFIG_PATH) < 0) {
		check_set(res, CHECK_FAIL, NULL, "out of memory");
		return;
	}
	conf_init(&conf);
	r = conf_load_path(&conf, path, keep_note, &notes);
	if (r == -ENOENT) {
		check_set(res, CHECK_PASS, NULL, "no %s: the defaults apply (fail-open)", path);
	} else if (r == -EACCES && geteuid() != 0) {
		check_set(res, CHECK_SKIP, NULL, "cannot read %s: run as root", path);
	} else if (r == -ENOMEM) {
		check_set(res, CHECK_FAIL, NULL, "%s: out of memory while reading it", path);
	} else if (r < 0) {
		if (asprintf(&fix,
			     r == -EPERM ? "chown root:root %s && chmod go-w %s"
			     : r == -ELOOP
				     ? "make %s a regular file owned by root, not a symlink%.0s"
				     : "make %s a regular text file of at most 64 KiB%.0s",
			     path, path) < 0)
			fix = NULL;
		/* The loader's message says why: "config FILE ignored: REASON". */
		check_set(res, CHECK_FAIL, fix,
			  "%s; none of its settings apply (fail-closed neither): the defaults do",
			  notes.text ? notes.text : strerror(-r));
		free(notes.text);
		notes.text = NULL;
	} else if (notes.count) {
		check_set(res, CHECK_WARN, "fix or remove the lines named above",
			  "%s is used, but these lines are ignored:", path);
	} else {
		check_set(res, CHECK_PASS, NULL, "%s is used (%s)", path,
			  conf.fail_closed ? "fail-closed" : "fail-open");
	}
	res->notes = notes.text;
	conf_release(&conf);
}
