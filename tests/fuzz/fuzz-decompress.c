/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: each decompressor alone (xz, zstd, gzip), under a small cap, so that the
 * fuzzer spends its time inside the stream decoders rather than in ELF parsing. The first byte
 * picks the decoder; the rest is the stream. Oracle: success means at most max_size bytes
 * (every one of them readable), failure means an error with a reason and nothing allocated.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/modimage-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum modimage_compression kinds[] = {MODIMAGE_COMP_XZ, MODIMAGE_COMP_ZSTD,
							  MODIMAGE_COMP_GZIP};
	unsigned char *out = NULL;
	size_t out_len = 0;
	const char *why = NULL;
	volatile unsigned char sink = 0;
	int r;

	if (size < 1)
		return 0;
	r = modimage_decompress(kinds[data[0] % 3], data + 1, size - 1, MAX_OUT, &out, &out_len,
				&why);
	if (r == 0) {
		if (!out || out_len > MAX_OUT)
			abort();
		for (size_t i = 0; i < out_len; i += 4096)
			sink ^= out[i];
		if (out_len)
			sink ^= out[out_len - 1];
		free(out);
	} else if (r != -EBADMSG && r != -EFBIG && r != -ENOMEM) {
		fprintf(stderr, "unexpected error %d\n", r);
		abort();
	} else if (!why) {
		fprintf(stderr, "error %d without a reason\n", r);
		abort();
	}
	(void)sink;
	return 0;
}
