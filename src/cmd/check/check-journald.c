/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * journald's Audit= setting. Debian 12's systemd-journald (252, "Defaults to off") switches kernel
 * audit off when it starts, and audit stays off until auditd starts: the kernel records no module
 * load in between (its early rules included) and the shim, told audit is disabled, sends its
 * records to the fallback sink. Measured in tests/system: systemd-modules-load's loads fall in
 * that window in every boot. Audit=yes makes journald switch audit on instead.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/check/check-items.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

#define JOURNALD_CONF "/etc/systemd/journald.conf"
#define JOURNALD_DROPIN "kmodaudit.conf"
#define MAX_DROPINS 64

/* systemd's drop-in directories, the first one's file masking a same-named one after it. */
static const char *const dropin_dirs[] = {
	"/etc/systemd/journald.conf.d",		  "/run/systemd/journald.conf.d",
	"/usr/local/lib/systemd/journald.conf.d", "/usr/lib/systemd/journald.conf.d",
	"/lib/systemd/journald.conf.d",
};

struct dropin {
	char name[256];
	unsigned dir;
};

/* -1 unparsable, else 0/1, as systemd's parse_boolean(). */
static int parse_boolean(const char *v)
{
	static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
	static const char *const no[] = {"0", "no", "n", "false", "f", "off"};

	for (unsigned i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* The last Audit= of [Journal] in PATH (under ROOT) into *VALUE (-1 unset); *FROM names it. */
static void read_audit(const char *root, const char *path, int *value, char *from, size_t from_len)
{
	_cleanup_fclose_ FILE *f = rules_fopen_in_root(root, path);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	bool journal = false;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *s = trim(line), *eq;

		if (*s == '#' || *s == ';' || !*s)
			continue;
		if (*s == '[') {
			journal = !strcmp(s, "[Journal]");
			continue;
		}
		eq = strchr(s, '=');
		if (!journal || !eq)
			continue;
		*eq = '\0';
		if (strcmp(trim(s), "Audit"))
			continue;
		*value = parse_boolean(trim(eq + 1));
		if (snprintf(from, from_len, "%s", path) >= (int)from_len)
			from[0] = '\0';
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dropin *)a)->name, ((const struct dropin *)b)->name);
}

/* The *.conf drop-ins under ROOT, sorted by name, each from the first directory that has it. */
static unsigned list_dropins(const char *root, struct dropin *out)
{
	unsigned n = 0;

	for (unsigned d = 0; d < ARRAY_SIZE(dropin_dirs); d++) {
		int fd = rules_open_in_root(root, dropin_dirs[d], O_RDONLY | O_DIRECTORY);
		DIR *dir = fd < 0 ? NULL : fdopendir(fd);
		struct dirent *e;

		if (!dir) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		while ((e = readdir(dir)) && n < MAX_DROPINS) {
			size_t len = strlen(e->d_name);
			bool seen = false;

			if (len < 6 || strcmp(e->d_name + len - 5, ".conf") ||
			    len >= sizeof(out->name))
				continue;
			for (unsigned i = 0; i < n && !seen; i++)
				seen = !strcmp(out[i].name, e->d_name);
			if (seen)
				continue;
			memcpy(out[n].name, e->d_name, len + 1);
			out[n++].dir = d;
		}
		closedir(dir);
	}
	qsort(out, n, sizeof(*out), by_name);
	return n;
}

static bool journald_installed(const char *root)
{
	static const char *const paths[] = {"/usr/lib/systemd/systemd-journald",
					    "/lib/systemd/systemd-journald"};

	for (unsigned i = 0; i < ARRAY_SIZE(paths); i++) {
		int fd = rules_open_in_root(root, paths[i], O_PATH);

		if (fd >= 0) {
			close(fd);
			return true;
		}
	}
	return false;
}

void check_journald_audit(struct check_ctx *ctx, struct check_result *res)
{
	struct dropin dropins[MAX_DROPINS];
	char from[512] = "";
	const char *state;
	int value = -1;
	unsigned n;

	if (!journald_installed(ctx->root)) {
		check_set(res, CHECK_SKIP, NULL, "no systemd-journald");
		return;
	}
	read_audit(ctx->root, JOURNALD_CONF, &value, from, sizeof(from));
	n = list_dropins(ctx->root, dropins);
	for (unsigned i = 0; i < n; i++) {
		char path[512];

		if (snprintf(path, sizeof(path), "%s/%s", dropin_dirs[dropins[i].dir],
			     dropins[i].name) >= (int)sizeof(path))
			continue;
		read_audit(ctx->root, path, &value, from, sizeof(from));
	}
	if (value == 1) {
		check_set(res, CHECK_PASS, NULL, "Audit=yes (%s): journald switches audit on",
			  from);
		return;
	}
	state = value == 0 ? "Audit=no" : *from ? "Audit= unparsable" : "Audit= unset";
	check_set(res, CHECK_WARN,
		  "mkdir -p /etc/systemd/journald.conf.d; printf '[Journal]\\nAudit=yes\\n' "
		  ">/etc/systemd/journald.conf.d/" JOURNALD_DROPIN,
		  "%s%s%s: systemd-journald switches kernel audit off at its start, until auditd "
		  "starts; module loads in between have no kernel record and the shim's go to its "
		  "fallback sink",
		  state, *from ? " in " : "", from);
}
