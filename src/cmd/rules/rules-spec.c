/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit rules for kernel modules the benchmarks expect; see rules-spec.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd/common/fileio.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"
#include "core/procctx.h"

const char *const rules_module_syscalls[] = {
	"init_module", "finit_module", "delete_module", "create_module", "query_module",
};
const unsigned rules_module_syscalls_count = ARRAY_SIZE(rules_module_syscalls);

const char *const rules_kmod_tools[] = {
	"lsmod", "rmmod", "insmod", "modinfo", "modprobe", "depmod",
};
const unsigned rules_kmod_tools_count = ARRAY_SIZE(rules_kmod_tools);

bool rules_kmod_tool_watched(const char *tool)
{
	return !strcmp(tool, "insmod") || !strcmp(tool, "rmmod") || !strcmp(tool, "modprobe");
}

/*
 * sbin first: SSG names /sbin/insmod literally, and on a merged-/usr system /sbin/modprobe and
 * /usr/sbin/modprobe are the same file.
 */
static const char *const tool_dirs[] = {"/sbin", "/usr/sbin", "/bin", "/usr/bin"};

static const char *const arch_names[] = {[0] = "b32", [1] = "b64"};

unsigned rules_native_arches(void)
{
	unsigned arches = 0;

	/* libaudit's own view of the machine: the table auditctl will use for "-F arch=". */
	for (unsigned i = 0; i < ARRAY_SIZE(arch_names); i++)
		if (audit_determine_machine(arch_names[i]) >= 0)
			arches |= 1u << i;
	return arches;
}

int rules_parse_arches(const char *list, unsigned *arches)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;
	unsigned out = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(tok, "b32") || !strcmp(tok, "32"))
			out |= RULES_ARCH_B32;
		else if (!strcmp(tok, "b64") || !strcmp(tok, "64"))
			out |= RULES_ARCH_B64;
		else
			return -EINVAL;
	}
	if (!out)
		return -EINVAL;
	*arches = out;
	return 0;
}

static bool root_is_host(const char *root)
{
	return !root || !root[0] || !strcmp(root, "/");
}

int rules_login_defs_uid_min(const char *root, unsigned long *uid_min)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	int r = -ENODATA;

	f = rules_fopen_in_root(root, "/etc/login.defs");
	if (!f)
		return -errno;
	/* The same reading as the benchmark's `awk '/^\s*UID_MIN/{print $2}'`: the last one wins.
	 */
	while (getline(&line, &cap, f) > 0) {
		char *p = line, *end;
		unsigned long v;

		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "UID_MIN", 7) || !isspace((unsigned char)p[7]))
			continue;
		p += 7;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || end == p || (*end && !isspace((unsigned char)*end)))
			continue;
		*uid_min = v;
		r = 0;
	}
	return r;
}

static int open_root(const char *root)
{
	int fd = open(root_is_host(root) ? "/" : root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* The kernel resolves inside the tree: an absolute link such as /bin/kmod stays in ROOT. */
#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int rules_open_in_root(const char *root, const char *path, int flags)
{
	struct open_how how = {
		.flags = flags | O_CLOEXEC,
		.resolve = IN_ROOT,
	};
	_cleanup_close_ int rootfd = open_root(root);
	int fd;

	if (rootfd < 0)
		return rootfd;
	fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

int rules_open_read_in_root(const char *root, const char *path)
{
	_cleanup_close_ int rootfd = open_root(root);

	if (rootfd < 0)
		return rootfd;
	return fileio_open_read(rootfd, path, 0, IN_ROOT);
}

FILE *rules_fopen_in_root(const char *root, const char *path)
{
	_cleanup_close_ int rootfd = open_root(root);

	if (rootfd < 0) {
		errno = -rootfd;
		return NULL;
	}
	return fileio_fopen_read(rootfd, path, 0, IN_ROOT);
}

int rules_resolve_in_root(const char *root, const char *path, char **real)
{
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *found = NULL, *rootdir = NULL;
	size_t rootlen = 0;
	int r;

	fd = rules_open_in_root(root, path, O_PATH);
	if (fd < 0)
		return fd;
	r = procctx_fd_path(0, fd, &found);
	if (r < 0)
		return r;
	if (!root_is_host(root)) {
		rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return -errno;
		r = procctx_fd_path(0, rootfd, &rootdir);
		if (r < 0)
			return r;
		rootlen = strlen(rootdir);
		if (strncmp(found, rootdir, rootlen) || (found[rootlen] && found[rootlen] != '/'))
			return -EXDEV;
	}
	*real = strdup(found[rootlen] ? found + rootlen : "/");
	return *real ? 0 : -ENOMEM;
}

void rules_strv_free(char **strv)
{
	if (!strv)
		return;
	for (char **p = strv; *p; p++)
		free(*p);
	free(strv);
}

static int find_tool_dir(const char *root, char **tool_dir)
{
	for (unsigned i = 0; i < ARRAY_SIZE(tool_dirs); i++) {
		_cleanup_free_ char *tool = NULL, *real = NULL;
		int r;

		if (asprintf(&tool, "%s/modprobe", tool_dirs[i]) < 0)
			return -ENOMEM;
		r = rules_resolve_in_root(root, tool, &real);
		if (r == -ENOENT || r == -ENOTDIR)
			continue;
		if (r < 0)
			return r;
		*tool_dir = strdup(tool_dirs[i]);
		return *tool_dir ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int rules_find_tools(const char *root, char **tool_dir, char ***exec_paths)
{
	static const char *const order[] = {"modprobe", "insmod",  "rmmod",
					    "lsmod",	"modinfo", "depmod"};
	_cleanup_free_ char *dir = NULL;
	char **paths;
	unsigned n = 0;
	int r;

	r = find_tool_dir(root, &dir);
	if (r < 0)
		return r;
	paths = calloc(ARRAY_SIZE(order) + 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		_cleanup_free_ char *tool = NULL;
		char *real = NULL;
		bool seen = false;

		if (asprintf(&tool, "%s/%s", dir, order[i]) < 0) {
			rules_strv_free(paths);
			return -ENOMEM;
		}
		if (rules_resolve_in_root(root, tool, &real) < 0)
			continue; /* a missing tool is the symlink audit's finding, not ours */
		for (unsigned j = 0; j < n; j++)
			seen |= !strcmp(paths[j], real);
		if (seen)
			free(real);
		else
			paths[n++] = real;
	}
	*tool_dir = TAKE_PTR(dir);
	*exec_paths = paths;
	return 0;
}

static void write_auid_key(const struct rules_spec *spec, FILE *out)
{
	/* The order the benchmarks' patterns want: auid>= before auid!=, the key last. */
	if (spec->auid_filter)
		fprintf(out, " -F auid>=%lu -F auid!=unset", spec->uid_min);
	fprintf(out, " -k %s\n", spec->key);
}

int rules_spec_write(const struct rules_spec *spec, FILE *out)
{
	fprintf(out, "## kmodaudit: kernel module loading and unloading "
		     "(CIS 6.2.3.19, SSG audit_rules_kernel_module_loading)\n");
	for (unsigned a = ARRAY_SIZE(arch_names); a-- > 0;) {
		int machine;
		bool any = false;

		if (!(spec->arches & (1u << a)))
			continue;
		machine = audit_determine_machine(arch_names[a]);
		if (machine < 0)
			return -EINVAL;
		fprintf(out, "-a always,exit -F arch=%s -S ", arch_names[a]);
		/* Only syscalls this arch's table has: auditctl refuses a rule naming another. */
		for (unsigned i = 0; i < rules_module_syscalls_count; i++) {
			if (audit_name_to_syscall(rules_module_syscalls[i], machine) < 0)
				continue;
			fprintf(out, "%s%s", any ? "," : "", rules_module_syscalls[i]);
			any = true;
		}
		if (!any)
			return -EINVAL;
		write_auid_key(spec, out);
	}
	for (char *const *p = spec->exec_paths; p && *p; p++) {
		fprintf(out, "-a always,exit -F path=%s -F perm=x", *p);
		write_auid_key(spec, out);
	}
	if (spec->tool_dir)
		for (unsigned i = 0; i < rules_kmod_tools_count; i++)
			if (rules_kmod_tool_watched(rules_kmod_tools[i]))
				fprintf(out, "-w %s/%s -p x -k %s\n", spec->tool_dir,
					rules_kmod_tools[i], spec->key);
	return 0;
}
