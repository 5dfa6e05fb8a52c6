/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit preload: the pieces behind enable|disable|status.
 *
 * preload-list.c  edits the text of ld.so.preload (pure functions, unit-tested)
 * preload-file.c  reads and replaces <root>/etc/ld.so.preload safely, inside root (lock, temp
 *                 file, rename)
 * preload-check.c decides whether a library is safe to list (owner, mode, it really loads)
 * preload-path.c  one name for every spelling of a library path, the file there or not
 * preload.c       the command line
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#define PRELOAD_FILE_NAME "ld.so.preload"

/* --- preload-list.c: ld.so.preload text, parsed as glibc's rtld does --- */

/*
 * Characters that separate entries (glibc rtld: ": \t\n"). '#' starts a comment to the end of
 * the line only where rtld's comment loop reaches it (preload-list.c).
 */
#define PRELOAD_SEPARATORS ": \t\n"

/* A library path that can be one entry of ld.so.preload: absolute, no separator, no '#'. */
bool preload_entry_valid(const char *path);

/* Called for each entry; return true when the entry names our library. */
typedef bool (*preload_match_fn)(const char *entry, size_t len, void *userdata);

/* Number of entries for which match() is true. */
size_t preload_count(const char *text, size_t len, preload_match_fn match, void *userdata);

/* Calls each() for every entry (for status: entries whose file is missing). */
void preload_foreach(const char *text, size_t len,
		     void (*each)(const char *entry, size_t len, void *userdata), void *userdata);

/*
 * The text with `library` appended as a line of its own, unless an entry already matches:
 * then *out is NULL (nothing to do). Returns 0 or -ENOMEM.
 */
int preload_text_add(const char *text, size_t len, const char *library, preload_match_fn match,
		     void *userdata, char **out, size_t *out_len);

/*
 * The text without the matching entries; every other byte stays. A line left with nothing but
 * separators is dropped whole. *out is NULL when nothing matched. Returns 0 or -ENOMEM.
 */
int preload_text_remove(const char *text, size_t len, preload_match_fn match, void *userdata,
			char **out, size_t *out_len);

/*
 * Whether ld.so reads the same entries from A and B, leaving out those MATCH claims. An edit of
 * ours can change more than our entry: rtld blanks only the first comments of a file, how many
 * depending on the file's length and their offsets, so a comment's words can turn into entries
 * (or back) when bytes before or after it come or go.
 */
bool preload_others_same(const char *a, size_t alen, const char *b, size_t blen,
			 preload_match_fn match, void *userdata);

/* True when the text lists nothing and holds nothing else (only blanks). */
bool preload_text_blank(const char *text, size_t len);

/* --- preload-file.c: <root>/etc/ld.so.preload --- */

struct preload_file {
	int dir_fd;    /* the directory holding the file, flock()ed while we edit */
	char *name;    /* the file's name in it: ld.so.preload, or a symlink's target */
	char *path;    /* the file as a path on this system, for messages */
	bool via_link; /* <root>/etc/ld.so.preload is a symlink to it */
	bool exists;
	struct stat st; /* of the file, when it exists */
	char *text;
	size_t len;
};

/*
 * Finds <root>/etc/ld.so.preload with every symlink resolved inside root (an absolute link
 * never leads out of the tree), opens its directory, takes the lock when `lock`, reads the file
 * (missing = empty). -EMEDIUMTYPE when it is neither a regular file nor a link to one.
 */
int preload_file_open(struct preload_file *f, const char *root, bool lock);
void preload_file_close(struct preload_file *f);

/*
 * Replaces the file by `text` (temp file in the same directory, fsync, rename, fsync of the
 * directory), keeping its mode and owner (0644 root:root for a new file). `text == NULL`
 * removes the file (empties it when reached through a symlink, which then stays valid). On failure
 * the old file is untouched and no temp file remains.
 */
int preload_file_replace(struct preload_file *f, const char *text, size_t len);

/* --- preload-check.c: is the library fit for every process on the host? --- */

struct preload_check {
	bool exists;
	bool safe;     /* regular file, owned by root, neither it nor its directories
			  group/other-writable */
	bool loads;    /* a child with it in LD_PRELOAD ran /bin/true, exit 0, nothing on stderr */
	char why[512]; /* the first problem found, for messages */
};

/*
 * `path` is the library as listed in <root>/etc/ld.so.preload: it is found inside `root` (every
 * symlink, absolute ones included, resolved there, as ld.so on that system would).
 */
void preload_check_library(const char *root, const char *path, struct preload_check *c);

/*
 * Only whether it loads: /bin/true run with HOST_PATH (a path on this system) in LD_PRELOAD must
 * exit 0 within 10 s, silent on stderr; a child still running then is killed. Sets c->why when
 * not. Shared by `kmodaudit preload` and `kmodaudit check`.
 */
bool preload_check_loads(const char *host_path, struct preload_check *c);

/* As preload_check_loads(), with PROGRAM run instead of /bin/true; HOST_PATH NULL: nothing
 * preloaded, whether this system runs PROGRAM at all (exit 0; stderr not judged). */
bool preload_check_loads_in(const char *program, const char *host_path, struct preload_check *c);

/* preload_check_library(), the library proven to load into PROGRAM. */
void preload_check_library_in(const char *root, const char *path, const char *program,
			      struct preload_check *c);

/*
 * *host: PATH as seen from `root` (NULL or "/": this system), as a path on this system with
 * every symlink resolved inside `root`. Returns 0 or -errno (-ENOENT: no such file).
 */
int preload_host_path(const char *root, const char *path, char **host);

/* --- preload-path.c --- */

/*
 * *out: absolute PATH as seen from `root`, spelled as the kernel resolves it, whether or not
 * the file itself exists: what exists of it is resolved inside `root` (symlinks such as a
 * merged-/usr `/lib -> usr/lib`, "..", "//", "/."), the rest is taken as written ("//" and "/."
 * dropped). Two entries ld.so would open as the same file get the same name. -EINVAL for a
 * relative PATH, -ENOENT for ".." past a missing name (the kernel opens nothing there), or
 * another -errno.
 */
int preload_canonical_path(const char *root, const char *path, char **out);

/* --- preload-class.c: one entry for 64-bit and i386 programs --- */

/* ld.so's dynamic string token for its own library directory. */
#define PRELOAD_LIB_TOKEN "$LIB"

struct preload_class {
	const char *name;   /* "x86-64", "i386" */
	const char *lib;    /* what $LIB means to its loader (Debian's multiarch directory) */
	const char *loader; /* its program interpreter: no such file, no such programs here */
	const char *probe;  /* a program of the class every such system has (enable's proof) */
};

/* This machine's classes; [0] is the one kmodaudit itself is built for. */
extern const struct preload_class preload_classes[];
extern const size_t preload_class_count;

/*
 * For LIBRARY = PREFIX/<the native $LIB>/NAME, *dst = PREFIX/$LIB/NAME: the one entry naming
 * each class's NAME. -EINVAL when LIBRARY is not in that directory, -EOPNOTSUPP on a machine
 * with one class, -ENOMEM.
 */
int preload_class_dst(const char *library, char **dst);

/* ENTRY with its "/$LIB/" as class C's loader reads it (a copy when it has none). */
int preload_class_expand(const char *entry, const struct preload_class *c, char **out);
