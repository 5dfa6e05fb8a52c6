/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: each decompressor alone (xz, zstd, gzip), under a small cap, so that the
 * fuzzer spends its time inside the stream decoders rather than in ELF parsing. The first byte
 * picks the decoder; the rest is the stream. Oracle: success means at most max_size bytes
 * (every one of them readable), failure means an error with a reason and nothing allocated.
 * Differential: the same stream decoded a piece at a time (modimage_unpack(), as a file is
 * streamed; pieces of 1 to 61 bytes after a first one of 64, the first byte says) gives the
 * same answer, the same bytes, the same reason (but for zstd, below).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/modimage-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OUT (4u << 20)

struct pieces {
	const uint8_t *p;
	size_t n, step, first;
	const unsigned char *want; /* the whole decode's output, NULL when it failed */
	size_t want_len, got;
};

static int piece_read(void *ctx, const unsigned char **p, size_t *n, bool *last)
{
	struct pieces *s = ctx;
	size_t k = s->first ? s->first : s->step;

	s->first = 0;
	if (k > s->n)
		k = s->n;
	*p = s->p;
	*n = k;
	s->p += k;
	s->n -= k;
	*last = s->n == 0;
	return 0;
}

static int piece_write(void *ctx, const unsigned char *p, size_t n)
{
	struct pieces *s = ctx;

	if (s->want && (s->got + n > s->want_len || memcmp(s->want + s->got, p, n))) {
		fprintf(stderr, "fuzz-decompress: streamed bytes differ at %zu\n", s->got);
		abort();
	}
	s->got += n;
	return 0;
}

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
	} else if (r != -EBADMSG && r != -EFBIG && r != -ENOMEM) {
		fprintf(stderr, "unexpected error %d\n", r);
		abort();
	} else if (!why) {
		fprintf(stderr, "error %d without a reason\n", r);
		abort();
	}
	{
		struct pieces s = {.p = data + 1,
				   .n = size - 1,
				   .step = 1 + (data[0] / 3) % 61,
				   .first = 64,
				   .want = r == 0 ? out : NULL,
				   .want_len = out_len};
		const struct modimage_unpack_io io = {
			.read = piece_read, .write = piece_write, .ctx = &s};
		const char *swhy = NULL;
		uint64_t slen = 0;
		int sr = modimage_unpack(kinds[data[0] % 3], &io, MAX_OUT, &slen, &swhy);

		/*
		 * The reasons may differ for zstd alone: a frame whole in its input whose content
		 * fits the output it decodes in one shot, which names some errors otherwise.
		 */
		bool same_why = kinds[data[0] % 3] == MODIMAGE_COMP_ZSTD ||
				(swhy && why && !strcmp(swhy, why));

		if (sr != r || (r == 0 && slen != out_len) || (r != 0 && !same_why)) {
			fprintf(stderr, "fuzz-decompress: streamed %d (%s), whole %d (%s)\n", sr,
				swhy ? swhy : "-", r, why ? why : "-");
			abort();
		}
	}
	if (r == 0)
		free(out);
	(void)sink;
	return 0;
}
