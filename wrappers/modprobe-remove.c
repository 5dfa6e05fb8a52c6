/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe -r NAME: unload a module with its post-softdeps, (with --remove-holders) its
 * holders, then the dependencies and pre-softdeps nothing uses any more; remove commands of
 * modprobe.d replace the unload.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <libkmod.h>

#include "clock.h"
#include "modprobe.h"
#include "tool.h"

#define REMOVE_HOLDERS 0x1
#define IGNORE_BUILTIN 0x2

static int sleep_msec(unsigned long long msec)
{
	struct timespec ts = {.tv_sec = msec / 1000, .tv_nsec = (msec % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/* The unload itself; with -w, retried while the module is busy, backing off up to the limit. */
static int unload(struct kmod_module *mod)
{
	const char *name = kmod_module_get_name(mod);
	unsigned long long deadline = 0, pause = 1;
	unsigned int flags = 0;
	int r;

	modprobe_show("rmmod %s\n", name);
	if (modprobe_opts.dry_run)
		return 0;

	if (modprobe_opts.force)
		flags |= KMOD_REMOVE_FORCE;
	if (modprobe_opts.wait_msec)
		flags |= KMOD_REMOVE_NOLOG; /* the retries are ours to report */

	for (;;) {
		audit_set_name_hint(name);
		r = kmod_module_remove_module(mod, flags);
		audit_set_name_hint(NULL);

		if (r == -EEXIST) {
			if (modprobe_opts.first_time)
				tool_log(modprobe_opts.fail_prio, "Module %s is not in kernel.\n",
					 name);
			else
				r = 0;
			break;
		}
		if (r != -EAGAIN || !modprobe_opts.wait_msec)
			break;

		unsigned long long now = clock_monotonic_ms();

		if (!deadline)
			deadline = now + modprobe_opts.wait_msec;
		if (now >= deadline)
			break;
		if (pause > deadline - now)
			pause = deadline - now;
		r = sleep_msec(pause);
		if (r < 0) {
			ERR("Failed to sleep: %s\n", strerror(-r));
			r = -EAGAIN;
			break;
		}
		pause *= 2;
	}

	if (r < 0 && modprobe_opts.wait_msec)
		ERR("could not remove '%s': %s\n", name, strerror(-r));
	return r;
}

/* A remove command of modprobe.d, run by the shell with $MODPROBE_MODULE set. */
static int run_remove_command(struct kmod_module *mod, const char *command)
{
	const char *name = kmod_module_get_name(mod);
	static const char var[] = "$CMDLINE_OPTS";
	_cleanup_free_ char *cmd = strdup(command);
	char *at;
	int status;

	if (!cmd)
		return -ENOMEM;
	/* modprobe -r takes no parameters: the variable expands to nothing. */
	while ((at = strstr(cmd, var)))
		memmove(at, at + strlen(var), strlen(at + strlen(var)) + 1);

	modprobe_show("remove %s\n", cmd);
	if (modprobe_opts.dry_run)
		return 0;

	setenv("MODPROBE_MODULE", name, 1);
	status = system(cmd);
	unsetenv("MODPROBE_MODULE");

	if (status == -1) {
		tool_log(modprobe_opts.fail_prio, "Error running %s command for %s\n", "remove",
			 name);
		return -1;
	}
	if (WEXITSTATUS(status)) {
		tool_log(modprobe_opts.fail_prio, "Error running %s command for %s\n", "remove",
			 name);
		return -WEXITSTATUS(status);
	}
	return status;
}

static int remove_module(struct kmod_module *mod, int how);

/* Last first; with stop_on_error, the first failure ends the walk. */
static int remove_list_reversed(struct kmod_list *list, bool stop_on_error)
{
	struct kmod_list *l;

	kmod_list_foreach_reverse(l, list)
	{
		struct kmod_module *m = kmod_module_get_module(l);
		int r = remove_module(m, IGNORE_BUILTIN);

		kmod_module_unref(m);
		if (r < 0 && stop_on_error)
			return r;
	}
	return 0;
}

static int remove_module(struct kmod_module *mod, int how)
{
	const struct modprobe_opts *o = &modprobe_opts;
	const char *name = kmod_module_get_name(mod);
	struct kmod_list *pre = NULL, *post = NULL;
	const char *cmd = NULL;
	int r;

	if (!o->ignore_commands) {
		r = kmod_module_get_softdeps(mod, &pre, &post);
		if (r < 0) {
			WRN("could not get softdeps of '%s': %s\n", name, strerror(-r));
			return r;
		}
		cmd = kmod_module_get_remove_commands(mod);
	}

	/* Nothing loaded, nothing to do (a remove command runs regardless). */
	if (!cmd && !o->ignore_loaded) {
		int state = kmod_module_get_initstate(mod);

		if (state < 0) {
			r = 0;
			if (o->first_time) {
				tool_log(o->fail_prio, "Module %s is not in kernel.\n", name);
				r = -ENOENT;
			}
			goto out;
		}
		if (state == KMOD_MODULE_BUILTIN) {
			r = 0;
			if (!(how & IGNORE_BUILTIN)) {
				tool_log(o->fail_prio, "Module %s is builtin.\n", name);
				r = -ENOENT;
			}
			goto out;
		}
	}

	remove_list_reversed(post, false);

	if (how & REMOVE_HOLDERS) {
		struct kmod_list *holders = kmod_module_get_holders(mod);

		r = remove_list_reversed(holders, true);
		kmod_module_unref_list(holders);
		if (r < 0)
			goto out;
	}

	if (!cmd && !o->ignore_loaded && !o->wait_msec && kmod_module_get_refcnt(mod) > 0) {
		if (!o->quiet_inuse)
			tool_log(o->fail_prio, "Module %s is in use.\n", name);
		r = -EBUSY;
		goto out;
	}

	r = cmd ? run_remove_command(mod, cmd) : unload(mod);
	if (r < 0)
		goto out;

	/* Dependencies that nothing uses any more go too; their failures do not count. */
	if (!cmd) {
		struct kmod_list *deps = kmod_module_get_dependencies(mod), *l;

		kmod_list_foreach(l, deps)
		{
			struct kmod_module *dep = kmod_module_get_module(l);

			if (kmod_module_get_refcnt(dep) == 0)
				unload(dep);
			kmod_module_unref(dep);
		}
		kmod_module_unref_list(deps);
	}

	remove_list_reversed(pre, false);

out:
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	return r;
}

static int remove_by_name(struct kmod_ctx *ctx, const char *alias)
{
	struct kmod_list *list = NULL, *l;
	int r;

	r = kmod_module_new_from_lookup(ctx, alias, &list);
	if (r < 0)
		return r;
	if (!list) {
		tool_log(modprobe_opts.fail_prio, "Module %s not found.\n", alias);
		r = -ENOENT;
	}

	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);

		r = remove_module(mod, modprobe_opts.remove_holders ? REMOVE_HOLDERS : 0);
		kmod_module_unref(mod);
		if (r < 0)
			break;
	}

	kmod_module_unref_list(list);
	return r;
}

int modprobe_remove_all(struct kmod_ctx *ctx, char **names, int n)
{
	int err = 0;

	for (int i = 0; i < n; i++) {
		int r = remove_by_name(ctx, names[i]);

		if (r < 0)
			err = r;
	}
	return err;
}
