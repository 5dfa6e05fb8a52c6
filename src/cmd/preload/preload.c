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
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/preload/preload.h"
#include "config.h"
#include "macro.h"

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
	const char *dst; /* the $LIB entry naming it and the other classes' builds, or NULL */
};

/* Another class of programs (i386 beside x86-64) and its build of the library. */
struct class_state {
	const struct preload_class *cls;
	char *library; /* the $LIB entry as its loader reads it */
	bool loader;   /* the root has its loader: such programs run there */
	bool ok; /* present, safe, loads into a program of the class (and its core is there) */
	struct preload_check c;
};

/* Whether the library can be listed as PREFIX/$LIB/NAME, every class getting its own build. */
struct plan {
	char *dst; /* NULL: the library is not in this machine's multiarch directory */
	struct class_state other[4];
	size_t n_other;
	bool all_ok; /* every other class's library is fit: list dst */
	char why[600];
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

/* The library itself, or the $LIB entry that names it among others. */
static bool match_ours(const char *entry, size_t len, void *userdata)
{
	struct match_ctx *m = userdata;

	if (m->dst && strlen(m->dst) == len && !memcmp(entry, m->dst, len))
		return true;
	return match_library(entry, len, userdata);
}

/* Only the $LIB entry. */
static bool match_dst(const char *entry, size_t len, void *userdata)
{
	struct match_ctx *m = userdata;

	return m->dst && strlen(m->dst) == len && !memcmp(entry, m->dst, len);
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

static void plan_done(struct plan *p)
{
	for (size_t i = 0; i < p->n_other; i++)
		free(p->other[i].library);
	free(p->dst);
	*p = (struct plan){};
}

/* The core the shim NAME dlopens sits beside it (KMODAUDIT_PKGLIBDIR): it must be there too. */
static bool core_present(const char *root, const char *library, struct preload_check *c)
{
	static const char shim_name[] = "/libkmodaudit.so";
	size_t len = strlen(library), n = strlen(shim_name);
	_cleanup_free_ char *core = NULL, *host = NULL;

	if (len < n || strcmp(library + len - n, shim_name))
		return true; /* not our shim: nothing more to know */
	if (asprintf(&core, "%.*s/kmodaudit/libkmodaudit-impl.so", (int)(len - n), library) < 0)
		return false;
	if (preload_host_path(root, core, &host) == 0)
		return true;
	snprintf(c->why, sizeof(c->why), "its core %s is missing: calls would go unrecorded", core);
	return false;
}

/*
 * Each other class's build of the library, when the library is in this machine's multiarch
 * directory: present, safe, proven to load into a program of that class (run on this host),
 * with its core. Only when all are fit, and (on this system) the $LIB entry itself loads
 * into every class's program without a word from ld.so, is the $LIB entry listed.
 */
static void plan_classes(const struct options *o, struct plan *p)
{
	bool live = !strcmp(o->root, "/");

	*p = (struct plan){};
	if (preload_class_dst(o->library, &p->dst) < 0 || !preload_entry_valid(p->dst)) {
		free(p->dst);
		p->dst = NULL;
		return;
	}
	p->all_ok = true;
	for (size_t i = 1; i < preload_class_count && p->n_other < ARRAY_SIZE(p->other); i++) {
		struct class_state *cs = &p->other[p->n_other++];
		_cleanup_free_ char *loader = NULL;

		cs->cls = &preload_classes[i];
		cs->loader = preload_host_path(o->root, cs->cls->loader, &loader) == 0;
		if (preload_class_expand(p->dst, cs->cls, &cs->library) < 0) {
			snprintf(cs->c.why, sizeof(cs->c.why), "out of memory");
		} else if (access(cs->cls->probe, X_OK) < 0) {
			_cleanup_free_ char *host = NULL;

			cs->c.exists = preload_host_path(o->root, cs->library, &host) == 0;
			if (cs->c.exists)
				snprintf(cs->c.why, sizeof(cs->c.why),
					 "this system has no %s to prove that it loads",
					 cs->cls->probe);
			else
				snprintf(cs->c.why, sizeof(cs->c.why), "not installed");
		} else {
			preload_check_library_in(o->root, cs->library, cs->cls->probe, &cs->c);
		}
		cs->ok = cs->c.exists && cs->c.safe && cs->c.loads &&
			 core_present(o->root, cs->library, &cs->c);
		if (!cs->ok)
			p->all_ok = false;
	}
	if (!p->all_ok || !live)
		return;
	/* ld.so itself must read $LIB as we do, in every class. */
	for (size_t i = 0; i < preload_class_count; i++) {
		struct preload_check c = {};

		if (!preload_check_loads_in(preload_classes[i].probe, p->dst, &c)) {
			snprintf(p->why, sizeof(p->why), "%s programs: %s", preload_classes[i].name,
				 c.why);
			p->all_ok = false;
			return;
		}
	}
}

/* The other classes left out, on stderr: their programs print a loader error each. */
static void warn_uncovered(const struct options *o, const struct plan *p)
{
	if (o->quiet)
		return;
	if (p->why[0])
		fprintf(stderr, "kmodaudit preload: warning: %s: not listed as %s: %s\n",
			o->library, p->dst, p->why);
	for (size_t i = 0; i < p->n_other; i++) {
		const struct class_state *cs = &p->other[i];

		if (cs->ok || !cs->loader)
			continue;
		fprintf(stderr,
			"kmodaudit preload: warning: %s programs are not covered (%s: %s): each "
			"prints ld.so's error for %s and loads modules unrecorded\n",
			cs->cls->name, cs->library, cs->c.exists ? cs->c.why : "not installed",
			o->library);
	}
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
	if (preload_others_same(f->text, f->len, text ? text : "", text ? len : 0, match_ours, m))
		return;
	fprintf(stderr,
		"kmodaudit preload: warning: ld.so now reads other entries from %s than before, "
		"besides the library: glibc's ld.so blanks only the first comments of the file, "
		"so a later comment's words are read as entries (see `kmodaudit preload status`)\n",
		f->path);
}

/* What enable or disable did: one line of text, or one JSON object (JSON Lines) with --json. */
static void say_done(const struct options *o, const char *action, bool changed, const char *file,
		     const char *entry)
{
	if (o->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "action", json_object_new_string(action));
		json_object_object_add(j, "file", json_object_new_string(file));
		json_object_object_add(j, "library", json_object_new_string(o->library));
		json_object_object_add(j, "entry", entry ? json_object_new_string(entry) : NULL);
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
		printf("%s is already listed in %s\n", entry, file);
	else if (!strcmp(action, "enable"))
		printf("enabled: %s added to %s\n"
		       "New processes load it; running processes keep what they had until "
		       "restarted.\n",
		       entry, file);
	else if (!changed)
		printf("%s is not listed in %s\n", o->library, file);
	else
		printf("disabled: %s taken out of %s\n"
		       "Running processes keep it loaded until they are restarted.\n",
		       o->library, file);
}

static int do_enable(const struct options *o)
{
	_cleanup_free_ char *text = NULL, *base = NULL;
	struct preload_file f;
	struct preload_check c;
	_cleanup_(match_done) struct match_ctx m = {};
	_cleanup_(plan_done) struct plan p = {};
	const char *entry;
	size_t len, base_len = 0;
	int r;

	/* Everything about the library first: nothing is touched unless it is fit. */
	preload_check_library(o->root, o->library, &c);
	if (!c.exists || !c.safe || !c.loads) {
		fprintf(stderr, "kmodaudit preload: not enabling %s: %s\n", o->library, c.why);
		return EXIT_FAILURE;
	}

	/* The other classes' builds: the $LIB entry only when every one is fit. */
	plan_classes(o, &p);
	entry = p.all_ok ? p.dst : o->library;
	warn_uncovered(o, &p);

	match_init(&m, o);
	m.dst = p.dst;
	r = preload_file_open(&f, o->root, true);
	if (r < 0)
		goto fail_read;
	/* Listed in the other form (a 64-bit entry once i386 came, or back): replace it. */
	if (preload_count(f.text, f.len, entry == p.dst ? match_library : match_dst, &m)) {
		r = preload_text_remove(f.text, f.len, entry == p.dst ? match_library : match_dst,
					&m, &base, &base_len);
		if (r < 0)
			goto fail_write;
	}
	r = preload_text_add(base ? base : f.text, base ? base_len : f.len, entry,
			     entry == p.dst ? match_dst : match_library, &m, &text, &len);
	if (r < 0)
		goto fail_write;
	if (!text && base) {
		text = TAKE_PTR(base);
		len = base_len;
	}
	if (!text) {
		say_done(o, "enable", false, f.path, entry);
		preload_file_close(&f);
		return EXIT_SUCCESS;
	}
	warn_others(&f, text, len, &m);
	r = preload_file_replace(&f, text, len);
	if (r < 0)
		goto fail_write;
	say_done(o, "enable", true, f.path, entry);
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
	_cleanup_free_ char *text = NULL, *dst = NULL;
	struct preload_file f;
	_cleanup_(match_done) struct match_ctx m = {};
	size_t len;
	int r;

	match_init(&m, o);
	if (preload_class_dst(o->library, &dst) == 0)
		m.dst = dst;
	r = preload_file_open(&f, o->root, true);
	if (r < 0) {
		file_error(&f, "cannot read", r);
		preload_file_close(&f);
		return EXIT_FAILURE;
	}
	r = preload_text_remove(f.text, f.len, match_ours, &m, &text, &len);
	if (r == 0 && !text) {
		say_done(o, "disable", false, f.path, o->library);
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
	say_done(o, "disable", true, f.path, o->library);
	preload_file_close(&f);
	return EXIT_SUCCESS;
}

struct missing_ctx {
	const char *root;
	json_object *array;
	bool json;
};

/* Entries whose file is missing make ld.so complain in every process: worth a warning. */
static bool entry_exists(const char *root, const char *name)
{
	_cleanup_free_ char *host = NULL;
	struct stat st;

	return preload_host_path(root, name, &host) == 0 && stat(host, &st) == 0;
}

static void note_missing(const char *entry, size_t len, void *userdata)
{
	struct missing_ctx *mc = userdata;
	_cleanup_free_ char *name = strndup(entry, len);

	if (!name)
		return;
	/* $LIB: each class's loader opens its own file, and complains alone when it is gone. */
	for (size_t i = 0; strstr(name, "/" PRELOAD_LIB_TOKEN "/") && i < preload_class_count;
	     i++) {
		_cleanup_free_ char *expanded = NULL;

		if (preload_class_expand(name, &preload_classes[i], &expanded) < 0 ||
		    entry_exists(mc->root, expanded))
			continue;
		if (mc->json)
			json_object_array_add(mc->array, json_object_new_string(name));
		else
			printf("warning: listed entry %s does not exist for %s programs (%s); each "
			       "prints an error\n",
			       name, preload_classes[i].name, expanded);
		return;
	}
	if (strstr(name, "/" PRELOAD_LIB_TOKEN "/") || entry_exists(mc->root, name))
		return;
	if (mc->json)
		json_object_array_add(mc->array, json_object_new_string(name));
	else
		printf("warning: listed entry %s does not exist; every program prints an error\n",
		       name);
}

/* One line (or JSON object) for each other class: covered by the listed entry or not. */
static json_object *class_json(const struct class_state *cs, bool covered)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, "class", json_object_new_string(cs->cls->name));
	json_object_object_add(j, "library", json_object_new_string(cs->library));
	json_object_object_add(j, "loader_present", json_object_new_boolean(cs->loader));
	json_object_object_add(j, "covered", json_object_new_boolean(covered));
	json_object_object_add(j, "library_exists", json_object_new_boolean(cs->c.exists));
	json_object_object_add(j, "library_safe", json_object_new_boolean(cs->c.safe));
	json_object_object_add(j, "library_loads", json_object_new_boolean(cs->c.loads));
	json_object_object_add(j, "problem",
			       cs->c.why[0] ? json_object_new_string(cs->c.why) : NULL);
	return j;
}

static void class_text(const struct class_state *cs, bool dst_listed, bool listed)
{
	if (!cs->loader && !cs->c.exists && !dst_listed) {
		printf("%s programs: none here (no %s)\n", cs->cls->name, cs->cls->loader);
		return;
	}
	printf("%s programs: %s: %s\n", cs->cls->name, cs->library,
	       cs->ok	       ? "present, loads"
	       : !cs->c.exists ? "missing"
	       : !cs->c.loads  ? "does not load"
	       : !cs->c.safe   ? "loads, but unsafe to preload"
			       : "core missing");
	if (cs->c.why[0] && !cs->ok)
		printf("problem: %s\n", cs->c.why);
	if (dst_listed && !cs->ok)
		printf("warning: listed through $LIB but unfit: every %s program prints a loader "
		       "error and loads modules unrecorded\n",
		       cs->cls->name);
	else if (listed && !dst_listed && cs->ok)
		printf("note: %s programs are not covered yet: `kmodaudit preload enable` lists "
		       "both builds\n",
		       cs->cls->name);
	else if (listed && !dst_listed && cs->loader)
		printf("warning: %s programs print ld.so's error for the library and load modules "
		       "unrecorded: install its %s build\n",
		       cs->cls->name, cs->cls->name);
}

static int do_status(const struct options *o)
{
	struct preload_file f;
	struct preload_check c;
	_cleanup_(match_done) struct match_ctx m = {};
	_cleanup_(plan_done) struct plan p = {};
	size_t listed, dst_listed = 0;
	bool others_ok = true;
	int r, ret;

	match_init(&m, o);
	plan_classes(o, &p);
	m.dst = p.dst;
	r = preload_file_open(&f, o->root, false);
	if (r < 0) {
		file_error(&f, "cannot read", r);
		preload_file_close(&f);
		return EXIT_FAILURE;
	}
	listed = preload_count(f.text, f.len, match_ours, &m);
	if (p.dst)
		dst_listed = preload_count(f.text, f.len, match_dst, &m);
	for (size_t i = 0; i < p.n_other; i++)
		others_ok = others_ok && p.other[i].ok;
	preload_check_library(o->root, o->library, &c);
	/* Unsafe counts as broken: anyone who can write it runs code in every process. A $LIB
	 * entry whose other build is unfit breaks that class's programs. */
	if (!listed)
		ret = EXIT_STATUS_NOT_LISTED;
	else if (c.exists && c.loads && c.safe && (!dst_listed || others_ok))
		ret = EXIT_SUCCESS;
	else
		ret = EXIT_STATUS_BROKEN;

	if (o->json) {
		json_object *j = json_object_new_object(), *classes = json_object_new_array();
		struct missing_ctx mc = {
			.root = o->root, .array = json_object_new_array(), .json = true};
		preload_foreach(f.text, f.len, note_missing, &mc);
		json_object_object_add(j, "file", json_object_new_string(f.path ? f.path : "?"));
		json_object_object_add(j, "file_exists", json_object_new_boolean(f.exists));
		json_object_object_add(j, "library", json_object_new_string(o->library));
		json_object_object_add(j, "listed", json_object_new_boolean(listed > 0));
		json_object_object_add(j, "entry",
				       !listed	    ? NULL
				       : dst_listed ? json_object_new_string(p.dst)
						    : json_object_new_string(o->library));
		json_object_object_add(j, "library_exists", json_object_new_boolean(c.exists));
		json_object_object_add(j, "library_safe", json_object_new_boolean(c.safe));
		json_object_object_add(j, "library_loads", json_object_new_boolean(c.loads));
		json_object_object_add(j, "problem",
				       c.why[0] ? json_object_new_string(c.why) : NULL);
		json_object_object_add(j, "missing_entries", mc.array);
		for (size_t i = 0; i < p.n_other; i++)
			json_object_array_add(classes, class_json(&p.other[i], dst_listed > 0));
		json_object_object_add(j, "other_classes", classes);
		printf("%s\n", json_object_to_json_string_ext(
				       j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else if (!o->quiet) {
		struct missing_ctx mc = {.root = o->root};

		printf("%s: %s\n", f.path,
		       !f.exists    ? "does not exist"
		       : dst_listed ? "lists the library through $LIB"
		       : listed	    ? "lists the library"
				    : "does not list the library");
		if (dst_listed)
			printf("entry: %s\n", p.dst);
		printf("%s%slibrary %s: %s\n", p.n_other ? preload_classes[0].name : "",
		       p.n_other ? " programs: " : "", o->library,
		       !c.exists  ? "missing"
		       : !c.loads ? "does not load"
		       : !c.safe  ? "loads, but unsafe to preload"
				  : "present, loads");
		if (c.why[0])
			printf("problem: %s\n", c.why);
		for (size_t i = 0; i < p.n_other; i++)
			class_text(&p.other[i], dst_listed > 0, listed > 0);
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
