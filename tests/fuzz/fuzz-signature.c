/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: the appended module signature (trailer, struct module_signature, the
 * PKCS#7 blob through OpenSSL, the old X509/PGP id types) without the ELF around it.
 *
 * Input: first byte even: the rest is a signature blob, framed as scripts/sign-file frames a
 * PKCS#7 signature (zero fields, sig_len = its length, the magic); odd: the next 12 bytes are a
 * raw struct module_signature (any lengths, any id type) followed by the blob, then the magic.
 * Bit 1 of the first byte: read as a load forced past modversions/vermagic ("mangled").
 * Oracle: the ELF length left in front is within the input, a claimed signature gives a kind
 * other than none, only PKCS#7 can be checked by the kernel (never on a mangled load), and
 * every string is NUL-terminated within its allocation.
 */
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/modimage-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAGIC "~Module signature appended~\n"
#define MS_LEN 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modimage *img;
	unsigned char *buf;
	size_t len, blob_len, elf_len = 0, n = 0;
	bool raw, mangled;

	if (size < 1 || size > (1u << 20))
		return 0;
	raw = data[0] & 1;
	mangled = data[0] & 2;
	if (raw && size < 1 + MS_LEN)
		return 0;
	blob_len = size - 1 - (raw ? MS_LEN : 0);
	len = blob_len + MS_LEN + sizeof(MAGIC) - 1;
	buf = malloc(len);
	img = calloc(1, sizeof(*img));
	if (!buf || !img) {
		free(buf);
		free(img);
		return 0;
	}
	memcpy(buf, data + 1 + (raw ? MS_LEN : 0), blob_len);
	if (raw) {
		memcpy(buf + blob_len, data + 1, MS_LEN);
	} else {
		uint32_t be = htobe32((uint32_t)blob_len);
		memset(buf + blob_len, 0, MS_LEN);
		buf[blob_len + 2] = 2; /* PKCS#7 */
		memcpy(buf + blob_len + 8, &be, 4);
	}
	memcpy(buf + blob_len + MS_LEN, MAGIC, sizeof(MAGIC) - 1);

	if (modimage_parse_signature(img, buf, len, mangled, &elf_len) == 0) {
		const struct modimage_info *info = &img->info;
		if (elf_len > len || info->sig == MODIMAGE_SIG_NONE)
			abort();
		/* An old id type is loaded unchecked, unless nothing is left in front of the
		 * signature: the kernel then refuses the module (EBADMSG). */
		if (!info->sig_unchecked && (mangled || ((info->sig == MODIMAGE_SIG_X509 ||
							  info->sig == MODIMAGE_SIG_PGP) &&
							 elf_len)))
			abort();
		if (info->signer)
			n += strlen(info->signer);
		if (info->sig_key)
			n += strlen(info->sig_key);
		if (info->sig_hashalgo)
			n += strlen(info->sig_hashalgo);
		if (info->sig != MODIMAGE_SIG_MALFORMED &&
		    (!info->signer || !info->sig_key || !info->sig_hashalgo || !info->sig_id))
			abort();
	}
	modimage_free(img);
	free(buf);
	return n == (size_t)-1;
}
