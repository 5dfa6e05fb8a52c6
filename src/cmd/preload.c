/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit preload enable|disable|status: list the shim in /etc/ld.so.preload, take it out,
 * or say where things stand. A broken ld.so.preload breaks every program on the host, so
 * enable proves the library loads before it touches the file, and every edit is atomic
 * (preload-file.c): no failure leaves a half-written or dangling file behind.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "cmd/preload.h"
#include "config.h"
#include "core/macro.h"

/* status: listed and loads / listed but broken / not listed. */
#define EXIT_STATUS_BROKEN 1
#define EXIT_STATUS_NOT_LISTED 3

struct options {
	const char *root;
	const char *library;
	bool json;
	bool quiet;
};

struct match_ctx {
	const char *root;
	const char *library;
	bool have_stat; /* library exists: an entry naming the same file also matches */
	struct stat st;
	char *canonical; /* the library's preload_canonical_path(), NULL if none */
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmodaudit preload enable|disable|status [OPTIONS]\n"
		"List the kmodaudit shim in /etc/ld.so.preload (every new process loads it),\n"
		"take it out again, or show the state.\n\n"
		"  -l, --library PATH  the library (default " KMODAUDIT_SHIM_PATH ")\n"
		"  -r, --root DIR      edit DIR/etc/ld.so.preload; PATH is inside DIR (symlinks\n"
		"                      resolve inside DIR, as on that system); a relative DIR\n"
		"                      is taken from the current directory\n"
		"  -j, --json          the outcome as one JSON object a line (JSON Lines)\n"
		"  -q, --quiet         no messages except errors\n"
		"  -h, --help          this text\n\n"
		"status exits 0 when the library is listed, safe and loads, 1 when it is listed\n"
		"but missing, broken or unsafe, 3 when it is not listed.\n");
}

/*
 * An entry names our library: the same string; the same path as ld.so would resolve it (a
 * usrmerge alias, "//", "/./"), also once the file is gone; or (both existing) the same file.
 */
static bool match_library(const char *entry, size_t len, void *userdata)
{
	struct match_ctx *m = userdata;
	_cleanup_free_ char *name = NULL, *host = NULL, *canonical = NULL;
	struct stat st;

	if (strlen(m->library) == len && !memcmp(entry, m->library, len))
		return true;
	name = strndup(entry, len);
	if (!name)
		return false;
	if (m->canonical && preload_canonical_path(m->root, name, &canonical) == 0 &&
	    !strcmp(canonical, m->canonical))
		return true;
	return m->have_stat && preload_host_path(m->root, name, &host) == 0 &&
	       stat(host, &st) == 0 && st.st_dev == m->st.st_dev && st.st_ino == m->st.st_ino;
}

static void match_init(struct match_ctx *m, const struct options *o)
{
	_cleanup_free_ char *host = NULL;

	*m = (struct match_ctx){.root = o->root, .library = o->library};
	m->have_stat =
		preload_host_path(o->root, o->library, &host) == 0 && stat(host, &m->st) == 0;
	if (preload_canonical_path(o->root, o->library, &m->canonical) < 0)
		m->canonical = NULL;
}

static void match_done(struct match_ctx *m)
{
	free(m->canonical);
	m->canonical = NULL;
}

static int file_error(const struct preload_file *f, const char *what, int r)
{
	if (r == -EMEDIUMTYPE)
		fprintf(stderr,
			"kmodaudit preload: %s is neither a regular file nor a symlink to one; "
			"not touching it\n",
			f->path ? f->path : "/etc/" PRELOAD_FILE_NAME);
	else
		fprintf(stderr, "kmodaudit preload: %s %s: %s\n", what,
			f->path ? f->path : "/etc/" PRELOAD_FILE_NAME, strerror(-r));
	return EXIT_FAILURE;
}

/* An edit that changes what ld.so reads besides our entry is made, and said (stderr). */
static void warn_others(const struct preload_file *f, const char *text, size_t len,
			struct match_ctx *m)
{
	if (preload_others_same(f->text, f->len, text ? text : "", text ? len : 0, match_library,
				m))
		return;
	fprintf(stderr,
		"kmodaudit preload: warning: ld.so now reads other entries from %s than before, "
		"besides the library: glibc's ld.so blanks only the first comments of the file, "
		"so a later comment's words are read as entries (see `kmodaudit preload status`)\n",
		f->path);
}

/* What enable or disable did: one line of text, or one JSON object (JSON Lines) with --json. */
static void say_done(const struct options *o, const char *action, bool changed, const char *file)
{
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "action", json_object_new_string(action));
		json_object_object_add(j, "file", json_object_new_string(file));
		json_object_object_add(j, "library", json_object_new_string(o->library));
		json_object_object_add(j, "changed", json_object_new_boolean(changed));
		json_object_object_add(j, "listed",
				       json_object_new_boolean(!strcmp(action, "enable")));
		printf("%s\n", json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
		return;
	}
	if (o->quiet)
		return;
	if (!strcmp(action, "enable") && !changed)
		printf("%s is already listed in %s\n", o->library, file);
	else if (!strcmp(action, "enable"))
		printf("enabled: %s added to %s\n"
		       "New processes load it; running processes keep what they had until "
		       "restarted.\n",
		       o->library, file);
	else if (!changed)
		printf("%s is not listed in %s\n", o->library, file);
	else
		printf("disabled: %s taken out of %s\n"
		       "Running processes keep it loaded until they are restarted.\n",
		       o->library, file);
}

static int do_enable(const struct options *o)
{
	_cleanup_free_ char *text = NULL;
	struct preload_file f;
	struct preload_check c;
	_cleanup_(match_done) struct match_ctx m = {};
	size_t len;
	int r;

	/* Everything about the library first: nothing is touched unless it is fit. */
	preload_check_library(o->root, o->library, &c);
	if (!c.exists || !c.safe || !c.loads) {
		fprintf(stderr, "kmodaudit preload: not enabling %s: %s\n", o->library, c.why);
		return EXIT_FAILURE;
	}

	match_init(&m, o);
	r = preload_file_open(&f, o->root, true);
	if (r < 0)
		goto fail_read;
	r = preload_text_add(f.text, f.len, o->library, match_library, &m, &text, &len);
	if (r < 0)
		goto fail_write;
	if (!text) {
		say_done(o, "enable", false, f.path);
		preload_file_close(&f);
		return EXIT_SUCCESS;
	}
	warn_others(&f, text, len, &m);
	r = preload_file_replace(&f, text, len);
	if (r < 0)
		goto fail_write;
	say_done(o, "enable", true, f.path);
	preload_file_close(&f);
	return EXIT_SUCCESS;

fail_read:
	file_error(&f, "cannot read", r);
	preload_file_close(&f);
	return EXIT_FAILURE;
fail_write:
	file_error(&f, "cannot update", r);
	preload_file_close(&f);
	return EXIT_FAILURE;
}

/*
 * Takes out our entry only. If nothing else is left (no other entry, no comment), the file is
 * removed: an empty ld.so.preload and a missing one mean the same to ld.so, and a file that
 * only ever held our entry was most likely created by enable.
 */
static int do_disable(const struct options *o)
{
	_cleanup_free_ char *text = NULL;
	struct preload_file f;
	_cleanup_(match_done) struct match_ctx m = {};
	size_t len;
	int r;

	match_init(&m, o);
	r = preload_file_open(&f, o->root, true);
	if (r < 0) {
		file_error(&f, "cannot read", r);
		preload_file_close(&f);
		return EXIT_FAILURE;
	}
	r = preload_text_remove(f.text, f.len, match_library, &m, &text, &len);
	if (r == 0 && !text) {
		say_done(o, "disable", false, f.path);
		preload_file_close(&f);
		return EXIT_SUCCESS;
	}
	if (r == 0) {
		warn_others(&f, text, len, &m);
		r = preload_file_replace(&f, preload_text_blank(text, len) ? NULL : text, len);
	}
	if (r < 0) {
		file_error(&f, "cannot update", r);
		preload_file_close(&f);
		return EXIT_FAILURE;
	}
	say_done(o, "disable", true, f.path);
	preload_file_close(&f);
	return EXIT_SUCCESS;
}

struct missing_ctx {
	const char *root;
	json_object *array;
	bool json;
};

/* Entries whose file is missing make ld.so complain in every process: worth a warning. */
static void note_missing(const char *entry, size_t len, void *userdata)
{
	struct missing_ctx *mc = userdata;
	_cleanup_free_ char *name = strndup(entry, len);
	_cleanup_free_ char *host = NULL;
	struct stat st;

	if (!name || (preload_host_path(mc->root, name, &host) == 0 && stat(host, &st) == 0))
		return;
	if (mc->json)
		json_object_array_add(mc->array, json_object_new_string(name));
	else
		printf("warning: listed entry %s does not exist; every program prints an error\n",
		       name);
}

static int do_status(const struct options *o)
{
	struct preload_file f;
	struct preload_check c;
	_cleanup_(match_done) struct match_ctx m = {};
	size_t listed;
	int r, ret;

	match_init(&m, o);
	r = preload_file_open(&f, o->root, false);
	if (r < 0) {
		file_error(&f, "cannot read", r);
		preload_file_close(&f);
		return EXIT_FAILURE;
	}
	listed = preload_count(f.text, f.len, match_library, &m);
	preload_check_library(o->root, o->library, &c);
	/* Unsafe counts as broken: anyone who can write it runs code in every process. */
	if (!listed)
		ret = EXIT_STATUS_NOT_LISTED;
	else if (c.exists && c.loads && c.safe)
		ret = EXIT_SUCCESS;
	else
		ret = EXIT_STATUS_BROKEN;

	if (o->json) {
		json_object *j = json_object_new_object();
		struct missing_ctx mc = {
			.root = o->root, .array = json_object_new_array(), .json = true};
		preload_foreach(f.text, f.len, note_missing, &mc);
		json_object_object_add(j, "file", json_object_new_string(f.path ? f.path : "?"));
		json_object_object_add(j, "file_exists", json_object_new_boolean(f.exists));
		json_object_object_add(j, "library", json_object_new_string(o->library));
		json_object_object_add(j, "listed", json_object_new_boolean(listed > 0));
		json_object_object_add(j, "library_exists", json_object_new_boolean(c.exists));
		json_object_object_add(j, "library_safe", json_object_new_boolean(c.safe));
		json_object_object_add(j, "library_loads", json_object_new_boolean(c.loads));
		json_object_object_add(j, "problem",
				       c.why[0] ? json_object_new_string(c.why) : NULL);
		json_object_object_add(j, "missing_entries", mc.array);
		printf("%s\n", json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else if (!o->quiet) {
		struct missing_ctx mc = {.root = o->root};

		printf("%s: %s\n", f.path,
		       !f.exists ? "does not exist"
		       : listed	 ? "lists the library"
				 : "does not list the library");
		printf("library %s: %s\n", o->library,
		       !c.exists  ? "missing"
		       : !c.loads ? "does not load"
		       : !c.safe  ? "loads, but unsafe to preload"
				  : "present, loads");
		if (c.why[0])
			printf("problem: %s\n", c.why);
		preload_foreach(f.text, f.len, note_missing, &mc);
		if (listed && (!c.exists || !c.loads))
			printf("warning: listed but not loadable: new processes start without "
			       "it\n");
		else if (listed && !c.safe)
			printf("warning: listed but unsafe: whoever can write it runs code in "
			       "every "
			       "process\n");
		printf("note: running processes keep the libraries they started with; changes "
		       "apply to new processes only.\n");
	}
	preload_file_close(&f);
	return ret;
}

int cmd_preload(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{"library", required_argument, NULL, 'l'}, {"root", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},	   {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	   {},
	};
	struct options o = {.root = "/", .library = KMODAUDIT_SHIM_PATH};
	_cleanup_free_ char *root = NULL;
	const char *verb;
	int c;

	while ((c = getopt_long(argc, argv, "l:r:jqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.library = optarg;
			break;
		case 'r':
			o.root = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	verb = argv[optind];
	if (!preload_entry_valid(o.library)) {
		fprintf(stderr,
			"kmodaudit preload: %s: the library must be an absolute path without "
			"blanks, "
			"':' or '#'\n",
			o.library);
		return EXIT_USAGE;
	}
	if (strcmp(o.root, "/")) {
		/* as check --root: a relative DIR is taken from the current directory */
		root = realpath(o.root, NULL);
		if (!root) {
			fprintf(stderr, "kmodaudit preload: --root %s: %m\n", o.root);
			return EXIT_USAGE;
		}
		o.root = root;
	}
	if (!strcmp(verb, "enable"))
		return do_enable(&o);
	if (!strcmp(verb, "disable"))
		return do_disable(&o);
	if (!strcmp(verb, "status"))
		return do_status(&o);
	fprintf(stderr, "kmodaudit preload: unknown action '%s'\n", verb);
	usage(stderr);
	return EXIT_USAGE;
}
