/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* modprobe NAME: libkmod resolves aliases, blacklist, dependencies, softdeps, install commands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libkmod.h>

#include "modprobe.h"
#include "tool.h"

/*
 * libkmod calls this before each step of a probe (an install command or a module load): the
 * module it names is what the next recorded load was asked for. It prints only when asked to.
 */
static void before_action(struct kmod_module *m, bool install, const char *params)
{
	const char *path;

	audit_set_name_hint(kmod_module_get_name(m));

	if (!modprobe_opts.show && modprobe_opts.verbosity <= MODPROBE_DEFAULT_VERBOSITY)
		return;

	if (install) {
		printf("install %s %s\n", kmod_module_get_install_commands(m), params);
		return;
	}
	path = kmod_module_get_path(m);
	if (path)
		printf("insmod %s %s\n", path, params);
	else if (kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN)
		printf("builtin %s\n", kmod_module_get_name(m));
}

static unsigned int probe_flags(void)
{
	const struct modprobe_opts *o = &modprobe_opts;
	/* Blacklisted aliases are skipped always; with -b the names too. */
	unsigned int flags = KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;

	if (o->force || o->force_modversion)
		flags |= KMOD_PROBE_FORCE_MODVERSION;
	if (o->force || o->force_vermagic)
		flags |= KMOD_PROBE_FORCE_VERMAGIC;
	if (o->ignore_commands)
		flags |= KMOD_PROBE_IGNORE_COMMAND;
	if (o->ignore_loaded)
		flags |= KMOD_PROBE_IGNORE_LOADED;
	if (o->dry_run)
		flags |= KMOD_PROBE_DRY_RUN;
	if (o->use_blacklist)
		flags |= KMOD_PROBE_APPLY_BLACKLIST;
	if (o->first_time)
		flags |= KMOD_PROBE_FAIL_ON_LOADED;
	return flags;
}

static void report_load_error(struct kmod_module *mod, int err)
{
	const char *name = kmod_module_get_name(mod);

	if (err == -EEXIST)
		ERR("could not insert '%s': Module already in kernel\n", name);
	else if (err == -ENOENT)
		ERR("could not insert '%s': Unknown symbol in module, or unknown parameter (see "
		    "dmesg)\n",
		    name);
	else
		ERR("could not insert '%s': %s\n", name, strerror(-err));
}

int modprobe_load(struct kmod_ctx *ctx, const char *alias, const char *params)
{
	struct kmod_list *list = NULL, *l;
	int r;

	r = kmod_module_new_from_lookup(ctx, alias, &list);
	if (r < 0 || !list) {
		tool_log(modprobe_opts.fail_prio, "Module %s not found in directory %s\n", alias,
			 kmod_get_dirname(ctx));
		return -ENOENT;
	}

	kmod_list_foreach(l, list)
	{
		struct kmod_module *mod = kmod_module_get_module(l);

		if (modprobe_opts.lookup_only)
			printf("%s\n", kmod_module_get_name(mod));
		else
			r = kmod_module_probe_insert_module(mod, probe_flags(), params, NULL, NULL,
							    before_action);
		audit_set_name_hint(NULL);

		/* A positive answer (blacklisted, say) is not a failure. */
		if (r >= 0)
			r = 0;
		else
			report_load_error(mod, r);
		kmod_module_unref(mod);
	}

	kmod_module_unref_list(list);
	return r;
}

int modprobe_load_all(struct kmod_ctx *ctx, char **names, int n)
{
	int err = 0;

	for (int i = 0; i < n; i++) {
		int r = modprobe_load(ctx, names[i], NULL);

		if (r < 0)
			err = r;
	}
	return err;
}
