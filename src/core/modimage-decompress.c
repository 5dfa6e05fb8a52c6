/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compressed module images (.ko.xz, .ko.zst, .ko.gz), told apart by magic bytes as the kernel's
 * module_decompress() and kmod do, never by file name, and read the way the kernel's
 * kernel/module/decompress.c reads them (userspace tools read some of them otherwise: the
 * kernel's view is what gets loaded). Output grows geometrically up to a cap so that a
 * decompression bomb costs at most max_size bytes.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

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

/* The kernel decompresses into pages, one call of the decoder per page: its loops end on that. */
static size_t page_size(void)
{
	static size_t cached;
	size_t n = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (!n) {
		long v = sysconf(_SC_PAGESIZE);

		n = v > 0 ? (size_t)v : 4096;
		__atomic_store_n(&cached, n, __ATOMIC_RELAXED);
	}
	return n;
}

/* Room for one more page of output; -EFBIG once the cap is reached. */
static int outbuf_page(struct outbuf *o, size_t hint, size_t *room)
{
	size_t page = page_size();
	int r;

	while (o->cap - o->len < page && o->cap < o->max) {
		r = outbuf_grow(o, hint);
		if (r < 0)
			return r;
	}
	*room = o->cap - o->len < page ? o->cap - o->len : page;
	return *room ? 0 : -EFBIG;
}

/*
 * xz: one stream to its end (lib/xz in multi-call mode; trailing bytes, stream padding or a
 * second stream included, are never read). lib/xz knows no integrity check but none and CRC32:
 * a stream with another is refused there, so here too.
 */
static int decompress_xz(const unsigned char *buf, size_t len, struct outbuf *o, const char **why)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr;
	int r = 0;

	/* Stream header: magic (6 bytes), flags 0x00 and the check id, CRC32 of the flags. */
	if (len >= 8 && buf[7] > LZMA_CHECK_CRC32) {
		*why = "integrity check the kernel does not support";
		return -EBADMSG;
	}
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

/* The kernel's bound on a frame's window (ZSTD_WINDOWLOG_MAX on 64-bit). */
#define KERNEL_ZSTD_WINDOWLOG_MAX 31

/*
 * zstd: the first frame only, a page of output per call, as module_zstd_decompress() does: it
 * stops at the frame's end, on an error, or when a call gave less than a page, which with all
 * the input at hand means the input ran out: a cut frame is what was decoded, not an error.
 * Bytes after the first frame (a second frame, a signed module's trailer) are never read.
 */
static int decompress_zstd(const unsigned char *buf, size_t len, struct outbuf *o, const char **why)
{
	ZSTD_DStream *ds;
	ZSTD_inBuffer in = {buf, len, 0};
	ZSTD_outBuffer out;
	ZSTD_bounds wl_bounds = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
	unsigned long long content = ZSTD_getFrameContentSize(buf, len);
	int window_log = 27;
	size_t ret, room, hint = len * 4;
	int r = 0;

	/* The kernel reads the frame header first: a bad or cut one is refused. */
	if (content == ZSTD_CONTENTSIZE_ERROR) {
		*why = "incomplete frame header";
		return -EBADMSG;
	}
	/*
	 * A window over 2^31 the kernel refuses. The decoder may allocate the window: never more
	 * than libzstd's default (128 MiB) or the cap, whichever is larger (a 100-byte frame may
	 * claim 2 GiB): a frame with a window over that is refused, not read.
	 */
	while (window_log < KERNEL_ZSTD_WINDOWLOG_MAX && (1ULL << window_log) < o->max - 1)
		window_log++;
	if (!ZSTD_isError(wl_bounds.error) && window_log > wl_bounds.upperBound)
		window_log = wl_bounds.upperBound;
	ds = ZSTD_createDStream();
	if (!ds)
		return -ENOMEM;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, window_log))) {
		ZSTD_freeDStream(ds);
		return -ENOMEM;
	}
	/* The declared size is only a modest hint for the first allocation. */
	if (content != ZSTD_CONTENTSIZE_UNKNOWN && content < (64u << 20))
		hint = (size_t)content + 1;
	do {
		r = outbuf_page(o, hint, &room);
		if (r < 0)
			break;
		out = (ZSTD_outBuffer){o->p + o->len, room, 0};
		ret = ZSTD_decompressStream(ds, &out, &in);
		if (ZSTD_isError(ret)) {
			*why = ZSTD_getErrorName(ret);
			r = -EBADMSG;
			break;
		}
		o->len += out.pos;
		if (ret != 0 && out.pos == room && room < page_size()) {
			r = -EFBIG; /* the cap cut a page short: there is more */
			break;
		}
	} while (out.pos == page_size() && ret != 0);
	ZSTD_freeDStream(ds);
	return r;
}

/*
 * gzip as module_gzip_decompress() reads it: 1f 8b 08 and a 10-byte header, then a NUL-ended
 * file name when FNAME is set; FEXTRA, FCOMMENT, FHCRC and reserved flags are not looked at,
 * so their bytes are deflate data. Raw deflate to its final block; the CRC32 and size after it,
 * and anything else, are never read.
 */
static int gzip_header_len(const unsigned char *buf, size_t len, size_t *out)
{
	size_t n = 10;

	if (len < n || buf[0] != 0x1f || buf[1] != 0x8b || buf[2] != 0x08)
		return -EBADMSG;
	if (buf[3] & 0x08) {
		const unsigned char *nul = memchr(buf + n, '\0', len - n);

		if (!nul)
			return -EBADMSG;
		n = (size_t)(nul - buf) + 1;
	}
	*out = n;
	return 0;
}

static int decompress_gzip(const unsigned char *buf, size_t len, struct outbuf *o, const char **why)
{
	z_stream s = {0};
	size_t hdr, fed, room;
	int zr = Z_OK, r = 0;

	if (gzip_header_len(buf, len, &hdr) < 0) {
		*why = "bad header";
		return -EBADMSG;
	}
	if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
		return -ENOMEM;
	/* zlib counts in uInt: feed at most 1 GiB at a time (the input is capped anyway). */
	fed = hdr;
	do {
		if (s.avail_in == 0 && fed < len) {
			size_t chunk = len - fed < (1U << 30) ? len - fed : (1U << 30);

			s.next_in = (unsigned char *)buf + fed;
			s.avail_in = (uInt)chunk;
			fed += chunk;
		}
		r = outbuf_page(o, len * 4, &room);
		if (r < 0)
			break;
		s.next_out = o->p + o->len;
		s.avail_out = (uInt)room;
		zr = inflate(&s, Z_NO_FLUSH);
		o->len += room - s.avail_out;
		if (zr == Z_BUF_ERROR && s.avail_in == 0 && fed < len)
			zr = Z_OK; /* only the next chunk of input was missing */
	} while (zr == Z_OK);
	if (r == 0 && zr == Z_MEM_ERROR) {
		r = -ENOMEM;
	} else if (r == 0 && zr != Z_STREAM_END) {
		*why = zr == Z_BUF_ERROR ? "truncated" : s.msg ? s.msg : "corrupt data";
		r = -EBADMSG;
	}
	inflateEnd(&s);
	return r;
}

__attribute__((weak)) const char *modimage_decompressor_missing(enum modimage_compression c)
{
	(void)c;
	return NULL;
}

int modimage_decompress(enum modimage_compression c, const unsigned char *buf, size_t len,
			uint64_t max_size, unsigned char **out, size_t *out_len, const char **why)
{
	struct outbuf o = {.max = cap_max(max_size)};
	int r;

	*why = modimage_decompressor_missing(c);
	if (*why)
		return -ENOPKG;
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
