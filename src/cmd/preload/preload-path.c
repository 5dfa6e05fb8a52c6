/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One name for every spelling of a path that ld.so would open as the same file, also when the
 * file itself is gone: an entry `/lib/x86_64-linux-gnu//./libkmodaudit.so` names the library
 * `/usr/lib/x86_64-linux-gnu/libkmodaudit.so` on a merged-/usr system, deleted or not, and
 * disable must find it (a dangling entry makes every program print a loader error).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/preload/preload.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

/* Appends "/NAME" (LEN bytes) to *path, "/" alone standing for the root. */
static int append(char **path, const char *name, size_t len)
{
	size_t have = strcmp(*path, "/") ? strlen(*path) : 0;
	char *p = realloc(*path, have + 1 + len + 1);

	if (!p)
		return -ENOMEM;
	p[have] = '/';
	memcpy(p + have + 1, name, len);
	p[have + 1 + len] = '\0';
	*path = p;
	return 0;
}

int preload_canonical_path(const char *root, const char *path, char **out)
{
	_cleanup_free_ char *cur = strdup("/");
	bool missing = false;
	int r;

	if (!cur)
		return -ENOMEM;
	if (path[0] != '/')
		return -EINVAL; /* relative to ld.so's working directory: no one name */
	for (const char *p = path; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 1 && p[0] == '.') {
			p += len;
			continue;
		}
		/*
		 * A name past a missing one: ".." there fails in the kernel (ENOENT), so such a
		 * path opens nothing and is nobody's spelling; any other name is taken as written.
		 */
		if (missing && len == 2 && !memcmp(p, "..", 2))
			return -ENOENT;
		r = append(&cur, p, len);
		if (r < 0)
			return r;
		p += len;
		if (missing)
			continue;
		/* What exists is resolved as the kernel resolves it: symlinks, "..", inside ROOT.
		 */
		{
			_cleanup_free_ char *real = NULL;

			r = rules_resolve_in_root(root, cur, &real);
			if (r == -ENOENT) {
				missing = true;
				continue;
			}
			if (r < 0)
				return r;
			free(cur);
			cur = TAKE_PTR(real);
		}
	}
	*out = TAKE_PTR(cur);
	return 0;
}
