/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compressed module images (.ko.xz, .ko.zst, .ko.gz), told apart by magic bytes as the kernel's
 * module_decompress() and kmod do, never by file name. Output grows geometrically up to a cap
 * so that a decompression bomb costs at most max_size bytes.
 */
#include <errno.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "core/modimage-internal.h"

static const unsigned char xz_magic[] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
static const unsigned char zstd_magic[] = {0x28, 0xb5, 0x2f, 0xfd};
static const unsigned char gzip_magic[] = {0x1f, 0x8b};

static bool has_magic(const unsigned char *buf, size_t len, const unsigned char *magic,
		      size_t magic_len)
{
	return len >= magic_len && !memcmp(buf, magic, magic_len);
}

enum modimage_compression modimage_detect_compression(const unsigned char *buf, size_t len)
{
	if (has_magic(buf, len, xz_magic, sizeof(xz_magic)))
		return MODIMAGE_COMP_XZ;
	if (has_magic(buf, len, zstd_magic, sizeof(zstd_magic)))
		return MODIMAGE_COMP_ZSTD;
	if (has_magic(buf, len, gzip_magic, sizeof(gzip_magic)))
		return MODIMAGE_COMP_GZIP;
	return MODIMAGE_COMP_NONE;
}

struct outbuf {
	unsigned char *p;
	size_t len, cap;
	size_t max;
};

/* Make room for more output; -EFBIG once the cap is reached. */
static int outbuf_grow(struct outbuf *o, size_t hint)
{
	size_t want;
	unsigned char *p;

	if (o->cap >= o->max)
		return -EFBIG;
	want = o->cap ? o->cap * 2 : 64 * 1024;
	if (hint > want)
		want = hint;
	if (want > o->max)
		want = o->max;
	p = realloc(o->p, want);
	if (!p)
		return -ENOMEM;
	o->p = p;
	o->cap = want;
	return 0;
}

/* One byte more than the cap may be written: that is how a stream over the cap is told apart. */
static size_t cap_max(uint64_t max_size)
{
	return max_size >= SIZE_MAX ? SIZE_MAX : (size_t)max_size + 1;
}

static int decompress_xz(const unsigned char *buf, size_t len, struct outbuf *o, const char **why)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r = 0;

	/* xz -9 needs 65 MiB; a hostile header must not get more than that, with room. */
	if (lzma_stream_decoder(&s, 256ULL << 20, 0) != LZMA_OK) {
		*why = "cannot start the decoder";
		return -ENOMEM;
	}
	s.next_in = buf;
	s.avail_in = len;
	for (;;) {
		if (o->len == o->cap) {
			r = outbuf_grow(o, len * 4);
			if (r < 0)
				break;
		}
		s.next_out = o->p + o->len;
		s.avail_out = o->cap - o->len;
		lr = lzma_code(&s, LZMA_FINISH);
		o->len = o->cap - s.avail_out;
		if (lr == LZMA_STREAM_END)
			break;
		if (lr == LZMA_OK)
			continue; /* no progress twice in a row gives LZMA_BUF_ERROR */
		if (lr == LZMA_MEM_ERROR) {
			r = -ENOMEM;
		} else {
			*why = lr == LZMA_BUF_ERROR	   ? "truncated"
			       : lr == LZMA_FORMAT_ERROR   ? "bad header"
			       : lr == LZMA_OPTIONS_ERROR  ? "unsupported options"
			       : lr == LZMA_MEMLIMIT_ERROR ? "needs too much memory"
			       : lr == LZMA_DATA_ERROR	   ? "corrupt data"
							   : "decoder error";
			r = -EBADMSG;
		}
		break;
	}
	lzma_end(&s);
	return r;
}

static int decompress_zstd(const unsigned char *buf, size_t len, struct outbuf *o, const char **why)
{
	ZSTD_DStream *ds;
	ZSTD_inBuffer in = {buf, len, 0};
	unsigned long long content = ZSTD_getFrameContentSize(buf, len);
	size_t ret = 1;
	int r = 0;

	ds = ZSTD_createDStream();
	if (!ds)
		return -ENOMEM;
	for (;;) {
		ZSTD_outBuffer out;

		if (o->len == o->cap) {
			size_t hint = len * 4;

			/*
			 * The declared size is only a hint for the first allocation, and only a
			 * modest one: a 100-byte frame may claim a gigabyte.
			 */
			if (!o->cap && content != ZSTD_CONTENTSIZE_UNKNOWN &&
			    content != ZSTD_CONTENTSIZE_ERROR && content < (64u << 20))
				hint = (size_t)content + 1;
			r = outbuf_grow(o, hint);
			if (r < 0)
				break;
		}
		out = (ZSTD_outBuffer){o->p, o->cap, o->len};
		ret = ZSTD_decompressStream(ds, &out, &in);
		o->len = out.pos;
		if (ZSTD_isError(ret)) {
			*why = ZSTD_getErrorName(ret);
			r = -EBADMSG;
			break;
		}
		if (ret == 0 && in.pos == in.size)
			break; /* every frame done, every byte used */
		if (out.pos < out.size && in.pos == in.size) {
			*why = "truncated";
			r = -EBADMSG;
			break;
		}
	}
	ZSTD_freeDStream(ds);
	return r;
}

static int decompress_gzip(const unsigned char *buf, size_t len, struct outbuf *o, const char **why)
{
	z_stream s = {0};
	int zr, r = 0;

	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	/* zlib counts in uInt: feed at most 1 GiB at a time (the input is capped anyway). */
	s.next_in = (unsigned char *)buf;
	for (size_t fed = 0;;) {
		if (s.avail_in == 0 && fed < len) {
			size_t chunk = len - fed < (1U << 30) ? len - fed : (1U << 30);

			s.next_in = (unsigned char *)buf + fed;
			s.avail_in = (uInt)chunk;
			fed += chunk;
		}
		if (o->len == o->cap) {
			r = outbuf_grow(o, len * 4);
			if (r < 0)
				break;
		}
		size_t room = o->cap - o->len;

		if (room > (1U << 30))
			room = 1U << 30;
		s.next_out = o->p + o->len;
		s.avail_out = (uInt)room;
		zr = inflate(&s, Z_NO_FLUSH);
		o->len += room - s.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_OK)
			continue;
		if (zr == Z_BUF_ERROR && s.avail_out == 0)
			continue;
		if (zr == Z_MEM_ERROR) {
			r = -ENOMEM;
		} else {
			*why = zr == Z_BUF_ERROR ? "truncated" : s.msg ? s.msg : "corrupt data";
			r = -EBADMSG;
		}
		break;
	}
	inflateEnd(&s);
	return r;
}

int modimage_decompress(enum modimage_compression c, const unsigned char *buf, size_t len,
			uint64_t max_size, unsigned char **out, size_t *out_len, const char **why)
{
	struct outbuf o = {.max = cap_max(max_size)};
	int r;

	*why = NULL;
	switch (c) {
	case MODIMAGE_COMP_XZ:
		r = decompress_xz(buf, len, &o, why);
		break;
	case MODIMAGE_COMP_ZSTD:
		r = decompress_zstd(buf, len, &o, why);
		break;
	case MODIMAGE_COMP_GZIP:
		r = decompress_gzip(buf, len, &o, why);
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (r == 0 && o.len > max_size)
		r = -EFBIG;
	if (r == -EFBIG && !*why)
		*why = "decompressed size over the cap";
	if (r < 0) {
		free(o.p);
		return r;
	}
	*out = o.p ? o.p : malloc(1);
	if (!*out)
		return -ENOMEM;
	*out_len = o.len;
	return 0;
}
