/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading audit rules for `kmodaudit check`; see check-rules.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libaudit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/common/child.h"
#include "cmd/check/check-rules.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

void check_rules_free(struct check_rules *set)
{
	for (unsigned i = 0; i < set->count; i++) {
		struct check_rule *r = &set->rules[i];

		free(r->text);
		free(r->origin);
		free(r->path);
		free(r->perm);
		free(r->key);
	}
	free(set->rules);
	free(set->error_file);
	*set = (struct check_rules){.backlog = -1, .failure = -1, .rate = -1};
}

static int replace_str(char **dst, const char *src)
{
	char *s = strdup(src);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int syscall_index(const char *name, int arch)
{
	char *end;
	long nr = strtol(name, &end, 10);

	/* A number is read in the rule's own arch table, as auditctl does. */
	if (*name && !*end) {
		int machine = audit_determine_machine(arch == 32 ? "b32" : "b64");

		name = machine >= 0 ? audit_syscall_to_name(nr, machine) : NULL;
		if (!name)
			return -1;
	}
	for (unsigned i = 0; i < rules_module_syscalls_count; i++)
		if (!strcmp(name, rules_module_syscalls[i]))
			return i;
	return -1;
}

static bool is_unset_auid(const char *v)
{
	return !strcmp(v, "unset") || !strcmp(v, "-1") || !strcmp(v, "4294967295");
}

static int parse_field(struct check_rule *r, const char *f, unsigned pos, unsigned *key_pos)
{
	static const char *const ops[] = {"!=", ">=", "<=", "&=", "=", ">", "<", "&"};
	const char *op = NULL, *val;
	size_t namelen = 0;

	for (const char *p = f; *p && !op; p++)
		for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
			if (!strncmp(p, ops[i], strlen(ops[i]))) {
				op = ops[i];
				namelen = p - f;
				break;
			}
	if (!op) {
		r->narrowed = true;
		return 0;
	}
	val = f + namelen + strlen(op);
	if (namelen == 4 && !strncmp(f, "arch", 4) && !strcmp(op, "=")) {
		if (!strcmp(val, "b64") || !strcmp(val, "x86_64") || !strcmp(val, "aarch64"))
			r->arch = 64;
		else if (!strcmp(val, "b32") || !strcmp(val, "i386") || !strcmp(val, "i686"))
			r->arch = 32;
		else
			r->narrowed = true;
	} else if (namelen == 4 && !strncmp(f, "auid", 4) && !strcmp(op, ">=")) {
		char *end;
		long long v = strtoll(val, &end, 10);

		if (*end || v < 0)
			r->narrowed = true;
		else
			r->auid_min = v;
	} else if (namelen == 4 && !strncmp(f, "auid", 4) && !strcmp(op, "!=") &&
		   is_unset_auid(val)) {
		r->auid_set = true;
	} else if (namelen == 3 && !strncmp(f, "key", 3) && !strcmp(op, "=")) {
		*key_pos = pos;
		return replace_str(&r->key, val);
	} else if (namelen == 4 && !strncmp(f, "path", 4) && !strcmp(op, "=")) {
		return replace_str(&r->path, val);
	} else if (namelen == 4 && !strncmp(f, "perm", 4) && !strcmp(op, "=")) {
		return replace_str(&r->perm, val);
	} else {
		r->narrowed = true;
	}
	return 0;
}

static int control_value(const char *tok, long long *dst)
{
	char *end;
	long long v;

	if (!tok)
		return 0;
	v = strtoll(tok, &end, 10);
	if (!*end && end != tok)
		*dst = v;
	return 0;
}

/* One line of auditctl syntax. Lines that are not rules (comments, -D, -b...) add nothing. */
static int parse_line(const char *line, const char *origin, struct check_rules *set)
{
	_cleanup_free_ char *copy = strdup(line);
	struct check_rule r = {.auid_min = -1};
	char *tok[64], *save = NULL, *p;
	unsigned n = 0, key_pos = 0, last_opt = 0;
	bool is_rule = false;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (p = strtok_r(copy, " \t\r\n", &save); p && n < ARRAY_SIZE(tok);
	     p = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = p;
	if (!n || tok[0][0] == '#')
		return 0;
	/* The arch first: a -S number is read in its table, wherever the -F arch= stands. */
	for (unsigned i = 0; i + 1 < n; i++)
		if (!strcmp(tok[i], "-F") && !strncmp(tok[i + 1], "arch=", 5))
			parse_field(&r, tok[i + 1], i, &key_pos);
	for (unsigned i = 0; i < n && !err; i++) {
		const char *opt = tok[i], *arg = i + 1 < n ? tok[i + 1] : NULL;

		if (opt[0] != '-') {
			r.narrowed = true; /* not auditctl syntax: do not count it */
			continue;
		}
		last_opt = i;
		if (!strcmp(opt, "-b")) {
			control_value(arg, &set->backlog);
		} else if (!strcmp(opt, "-f")) {
			control_value(arg, &set->failure);
		} else if (!strcmp(opt, "-r")) {
			control_value(arg, &set->rate);
		} else if (!arg) {
			continue;
		} else if (!strcmp(opt, "-a") || !strcmp(opt, "-A")) {
			is_rule = true;
			r.exit_always = !strcmp(arg, "always,exit") || !strcmp(arg, "exit,always");
			r.exit_always_literal = !strcmp(arg, "always,exit");
		} else if (!strcmp(opt, "-w")) {
			is_rule = true;
			r.watch = true;
			err = replace_str(&r.path, arg);
		} else if (!strcmp(opt, "-p")) {
			err = replace_str(&r.perm, arg);
		} else if (!strcmp(opt, "-k")) {
			key_pos = i;
			err = replace_str(&r.key, arg);
		} else if (!strcmp(opt, "-S")) {
			_cleanup_free_ char *list = strdup(arg);
			char *s2 = NULL;

			if (!list) {
				err = -ENOMEM;
				break;
			}
			r.has_syscall_option = true;
			for (char *s = strtok_r(list, ",", &s2); s; s = strtok_r(NULL, ",", &s2)) {
				int idx = syscall_index(s, r.arch);

				if (!strcmp(s, "all"))
					r.syscall_all = true;
				else if (idx >= 0)
					r.syscalls |= 1u << idx;
			}
		} else if (!strcmp(opt, "-F")) {
			if (strncmp(arg, "arch=", 5))
				err = parse_field(&r, arg, i, &key_pos);
		} else if (!strcmp(opt, "-C")) {
			r.narrowed = true;
		} else {
			continue; /* an option without a rule meaning here (-D, -e, --backlog...) */
		}
		i++; /* the argument */
	}
	if (!err && is_rule) {
		struct check_rule *grown;

		r.key_last = r.key && key_pos == last_opt;
		grown = realloc(set->rules, (set->count + 1) * sizeof(*grown));
		if (!grown) {
			err = -ENOMEM;
		} else {
			set->rules = grown;
			r.text = strdup(line);
			r.origin = strdup(origin);
			if (r.text)
				r.text[strcspn(r.text, "\r\n")] = '\0';
			set->rules[set->count++] = r;
			return r.text && r.origin ? 0 : -ENOMEM;
		}
	}
	free(r.path);
	free(r.perm);
	free(r.key);
	return err;
}

int check_rules_parse_text(const char *text, const char *origin, struct check_rules *set)
{
	unsigned lineno = 0;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		_cleanup_free_ char *line = strndup(p, len);
		_cleanup_free_ char *where = NULL;
		int r;

		lineno++;
		if (!line || asprintf(&where, "%s:%u", origin, lineno) < 0)
			return -ENOMEM;
		r = parse_line(line, where, set);
		if (r < 0)
			return r;
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

static int rules_file_filter(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 6 && !strcmp(d->d_name + len - 6, ".rules");
}

int check_rules_load_dir(const char *root, struct check_rules *set)
{
	static const char dir[] = "/etc/audit/rules.d";
	struct dirent **names = NULL;
	int dirfd, n, r = 0;

	dirfd = rules_open_in_root(root, dir, O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		return dirfd;
	/* augenrules concatenates the files in the C locale's sort order. */
	n = scandirat(dirfd, ".", &names, rules_file_filter, alphasort);
	if (n < 0)
		r = -errno;
	close(dirfd);
	if (r < 0)
		return r;
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = NULL, *text = NULL;
		_cleanup_fclose_ FILE *f = NULL;
		size_t cap = 0;

		if (r == 0 && asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0)
			r = -ENOMEM;
		/* Each file resolved inside ROOT too: rules.d entries are often links. */
		if (r == 0 && (f = rules_fopen_in_root(root, path))) {
			ssize_t len = getdelim(&text, &cap, '\0', f);

			if (len >= 0) {
				r = check_rules_parse_text(text, path, set);
				set->files++;
			} else if (ferror(f)) {
				r = -errno;
			}
		} else if (r == 0 && errno != ENOENT) {
			/* ENOENT: gone since the listing. Any other error is the answer. */
			r = -errno;
		}
		if (r < 0 && r != -ENOMEM && path && !set->error_file)
			set->error_file = TAKE_PTR(path);
		free(names[i]);
	}
	free(names);
	return r;
}

int check_run_capture(char *const argv[], char **out, int *status)
{
	_cleanup_free_ char *buf = NULL;
	int pipefd[2], st = 0, r;
	size_t len;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(pipefd[1], STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pipefd[1]);
	/* A preloaded library that hangs hangs this child too: check must still finish. */
	r = check_child_collect(pid, pipefd[0], CHECK_RUN_TIMEOUT_MS, &buf, &len, &st);
	if (r < 0)
		return r;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (*status == 127)
		return -ENOENT;
	*out = TAKE_PTR(buf);
	return 0;
}
