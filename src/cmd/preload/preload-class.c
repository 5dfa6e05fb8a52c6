/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The classes of programs one ld.so.preload serves, and the entry that gives each class its own
 * build of the shim. ld.so replaces $LIB in an entry by its own library directory; Debian's
 * loaders use their multiarch directory (lib/x86_64-linux-gnu for amd64 programs,
 * lib/i386-linux-gnu for i386 ones, whose loader is libc6:i386's once the i386 libraries the
 * shim's core needs are installed), so PREFIX/$LIB/NAME is PREFIX/lib/x86_64-linux-gnu/NAME to
 * one and PREFIX/lib/i386-linux-gnu/NAME to the other. An absolute 64-bit entry makes every
 * i386 program print "wrong ELF class" and go unrecorded; a $LIB entry whose i386 library is
 * missing makes it print "cannot open": the $LIB entry is written only when both are there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/preload/preload.h"

const struct preload_class preload_classes[] = {
#if defined(__x86_64__)
	{"x86-64", "lib/x86_64-linux-gnu", "/lib64/ld-linux-x86-64.so.2", "/bin/true"},
	/* libc.so.6 runs as a program (it prints its version): every i386 system has it. */
	{"i386", "lib/i386-linux-gnu", "/lib/ld-linux.so.2", "/usr/lib/i386-linux-gnu/libc.so.6"},
#else
	{"native", NULL, NULL, "/bin/true"},
#endif
};
const size_t preload_class_count = sizeof(preload_classes) / sizeof(preload_classes[0]);

/* Where "/" LIB "/" starts in PATH, the last such place; NULL if nowhere. */
static const char *find_dir(const char *path, const char *lib)
{
	size_t n = strlen(lib);
	const char *found = NULL;

	for (const char *p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		if (!strncmp(p + 1, lib, n) && p[1 + n] == '/' && !strchr(p + 2 + n, '/'))
			found = p;
	return found;
}

int preload_class_dst(const char *library, char **dst)
{
	const struct preload_class *native = &preload_classes[0];
	const char *at;

	*dst = NULL;
	if (preload_class_count < 2 || !native->lib)
		return -EOPNOTSUPP;
	at = find_dir(library, native->lib);
	if (!at)
		return -EINVAL;
	if (asprintf(dst, "%.*s/" PRELOAD_LIB_TOKEN "%s", (int)(at - library), library,
		     at + 1 + strlen(native->lib)) < 0) {
		*dst = NULL;
		return -ENOMEM;
	}
	return 0;
}

int preload_class_expand(const char *entry, const struct preload_class *c, char **out)
{
	const char *tok = strstr(entry, "/" PRELOAD_LIB_TOKEN "/");

	*out = NULL;
	if (!tok)
		*out = strdup(entry);
	else if (!c->lib)
		return -EOPNOTSUPP;
	else if (asprintf(out, "%.*s/%s%s", (int)(tok - entry), entry, c->lib,
			  tok + 1 + strlen(PRELOAD_LIB_TOKEN)) < 0)
		*out = NULL;
	return *out ? 0 : -ENOMEM;
}
