/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* modprobe's queries: -c (configuration and indexes), --dump-modversions, --show-exports. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "modprobe.h"
#include "tool.h"

int modprobe_show_config(struct kmod_ctx *ctx)
{
	static const struct {
		const char *keyword;
		struct kmod_config_iter *(*iter)(const struct kmod_ctx *ctx);
	} sections[] = {
		{"blacklist", kmod_config_get_blacklists},
		{"install", kmod_config_get_install_commands},
		{"remove", kmod_config_get_remove_commands},
		{"alias", kmod_config_get_aliases},
		{"options", kmod_config_get_options},
		{"softdep", kmod_config_get_softdeps},
	};

	for (size_t i = 0; i < ARRAY_SIZE(sections); i++) {
		struct kmod_config_iter *it = sections[i].iter(ctx);

		if (!it)
			continue;
		while (kmod_config_iter_next(it)) {
			const char *value = kmod_config_iter_get_value(it);

			printf("%s %s", sections[i].keyword, kmod_config_iter_get_key(it));
			if (value)
				printf(" %s", value);
			putchar('\n');
		}
		kmod_config_iter_free_iter(it);
	}

	/* The same separator as kmod's, then libkmod writes the indexes to the fd itself. */
	printf("\n# End of configuration files. Dumping indexes now:\n\n");
	fflush(stdout);
	kmod_dump_index(ctx, KMOD_INDEX_MODULES_ALIAS, STDOUT_FILENO);
	kmod_dump_index(ctx, KMOD_INDEX_MODULES_SYMBOL, STDOUT_FILENO);
	return 0;
}

/* Opens the file for a query, or says it is not there. */
static int open_module_file(struct kmod_ctx *ctx, const char *path, struct kmod_module **mod)
{
	int r = kmod_module_new_from_path(ctx, path, mod);

	if (r < 0)
		tool_log(modprobe_opts.fail_prio, "Module %s not found.\n", path);
	return r;
}

/* --dump-modversions and --show-exports: the same listing of two kinds of libkmod lists. */
struct symbol_list_ops {
	const char *what; /* for the message */
	int (*get)(const struct kmod_module *mod, struct kmod_list **list);
	uint64_t (*crc)(const struct kmod_list *entry);
	const char *(*symbol)(const struct kmod_list *entry);
	void (*free_list)(struct kmod_list *list);
};

static int show_symbol_list(struct kmod_ctx *ctx, const char *path,
			    const struct symbol_list_ops *ops)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *mod;
	int r;

	r = open_module_file(ctx, path, &mod);
	if (r < 0)
		return r;

	r = ops->get(mod, &list);
	if (r < 0) {
		tool_log(modprobe_opts.fail_prio, "could not get %s of %s: %s\n", ops->what, path,
			 strerror(-r));
	} else {
		kmod_list_foreach(l, list)
		{
			printf("0x%08" PRIx64 "\t%s\n", ops->crc(l), ops->symbol(l));
		}
		ops->free_list(list);
		r = 0;
	}
	kmod_module_unref(mod);
	return r;
}

int modprobe_show_modversions(struct kmod_ctx *ctx, const char *path)
{
	static const struct symbol_list_ops versions = {
		.what = "modversions",
		.get = kmod_module_get_versions,
		.crc = kmod_module_version_get_crc,
		.symbol = kmod_module_version_get_symbol,
		.free_list = kmod_module_versions_free_list,
	};

	return show_symbol_list(ctx, path, &versions);
}

int modprobe_show_exports(struct kmod_ctx *ctx, const char *path)
{
	static const struct symbol_list_ops symbols = {
		.what = "symbols",
		.get = kmod_module_get_symbols,
		.crc = kmod_module_symbol_get_crc,
		.symbol = kmod_module_symbol_get_symbol,
		.free_list = kmod_module_symbols_free_list,
	};

	return show_symbol_list(ctx, path, &symbols);
}
