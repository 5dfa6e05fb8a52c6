/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: module image analysis from memory (compression, ELF, .modinfo,
 * .gnu.linkonce.this_module, signature trailer, PKCS#7), exactly as the emitters call it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/modimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_modinfo(const char *key, const char *value, void *data)
{
	/* Touch every byte so ASan sees any read past a string's end. */
	*(size_t *)data += strlen(key) + strlen(value);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A small cap keeps decompression bombs from turning into timeouts. */
	struct modimage_opts opts = {.max_size = 64 << 20};
	_cleanup_modimage_ struct modimage *img = NULL;
	const struct modimage_info *info;
	size_t total = 0;

	if (modimage_open_memory(data, size, &opts, &img) < 0)
		return 0;
	info = modimage_get_info(img);
	const char *strings[] = {info->error_msg, info->name,	    info->modinfo_name,
				 info->vermagic,  info->srcversion, info->version,
				 info->license,	  info->intree,	    info->sig_id,
				 info->signer,	  info->sig_key,    info->sig_hashalgo};
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		if (strings[i])
			total += strlen(strings[i]);
	modimage_foreach_modinfo(img, count_modinfo, &total);
	return total == (size_t)-1;
}
