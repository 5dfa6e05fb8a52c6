/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compressed module images (.ko.xz, .ko.zst, .ko.gz), told apart by magic bytes as the kernel's
 * module_decompress() and kmod do, never by file name, and read the way the kernel's
 * kernel/module/decompress.c reads them (userspace tools read some of them otherwise: the
 * kernel's view is what gets loaded). One decoder per format, for both ways of reading: whole
 * (input in memory, output grown geometrically up to a cap so that a decompression bomb costs
 * at most max_size bytes) and streamed (input and output a piece at a time, through callbacks).
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

/*
 * Where the decoders write. Whole (io NULL): one buffer grown geometrically to hold everything.
 * Streamed: one fixed buffer, handed to io->write whenever a decoder needs room it lacks, so
 * that the output costs that buffer whatever its size. Either way at most max bytes in all.
 */
struct outbuf {
	unsigned char *p;
	size_t len, cap;
	uint64_t max;  /* one over the caller's cap: see cap_max() */
	uint64_t done; /* streamed: bytes handed on before p[0] */
	const struct modimage_unpack_io *io;
	bool stopped; /* io->write wanted no more */
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
		want = (size_t)o->max;
	p = realloc(o->p, want);
	if (!p)
		return -ENOMEM;
	o->p = p;
	o->cap = want;
	return 0;
}

static int outbuf_flush(struct outbuf *o)
{
	int r;

	if (!o->io || !o->len)
		return 0;
	r = o->io->write(o->io->ctx, o->p, o->len);
	o->done += o->len;
	o->len = 0;
	if (r > 0) {
		o->stopped = true;
		return -ECANCELED; /* ends the decoder's loop as an error would */
	}
	return r;
}

/*
 * Room for at least need bytes of output where possible (less only at the cap), at most limit;
 * *room 0 (-EFBIG) once the cap is reached.
 */
static int outbuf_room(struct outbuf *o, size_t need, size_t limit, size_t hint, size_t *room)
{
	uint64_t left;
	int r;

	if (o->io) {
		if (o->cap - o->len < need) {
			r = outbuf_flush(o);
			if (r < 0)
				return r;
		}
	} else {
		while (o->cap - o->len < need && o->cap < o->max) {
			r = outbuf_grow(o, hint);
			if (r < 0)
				return r;
		}
	}
	*room = o->cap - o->len;
	left = o->max - o->done - o->len;
	if (*room > left)
		*room = (size_t)left;
	if (*room > limit)
		*room = limit;
	return *room ? 0 : -EFBIG;
}

/* One byte more than the cap may be written: that is how a stream over the cap is told apart. */
static uint64_t cap_max(uint64_t max_size)
{
	return max_size >= UINT64_MAX - 1 ? UINT64_MAX : max_size + 1;
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

/*
 * The compressed bytes as the decoders take them: a piece at a time from io->read (the whole
 * buffer at once when it is in memory). The kernel has the whole file at hand: a decoder that
 * stops short only because a piece ran out is given the next one.
 */
struct input {
	const struct modimage_unpack_io *io;
	const unsigned char *p; /* what is left of the current piece */
	size_t n;
	bool last; /* no piece after this one */
	int error; /* from io->read: not the stream's fault */
};

/* Up to max bytes of input (fewer at a piece's end); *n 0 at the end of the input. */
static int input_take(struct input *in, size_t max, const unsigned char **p, size_t *n)
{
	while (in->n == 0 && !in->last) {
		int r = in->io->read(in->io->ctx, &in->p, &in->n, &in->last);

		if (r < 0)
			return in->error = r;
	}
	*n = in->n < max ? in->n : max;
	*p = in->p;
	in->p += *n;
	in->n -= *n;
	return 0;
}

/* Whether input is left after what was taken. */
static bool input_more(const struct input *in)
{
	return in->n > 0 || !in->last;
}

/* The first piece without taking it (the decoders look at their header there). */
static int input_peek(struct input *in, const unsigned char **p, size_t *n)
{
	int r = input_take(in, SIZE_MAX, p, n);

	in->p = *p;
	in->n = *n;
	return r;
}

/*
 * xz: one stream to its end (lib/xz in multi-call mode; trailing bytes, stream padding or a
 * second stream included, are never read). lib/xz knows no integrity check but none and CRC32:
 * a stream with another is refused there, so here too.
 */
static int decompress_xz(struct input *in, struct outbuf *o, const char **why)
{
	lzma_stream s = LZMA_STREAM_INIT;
	const unsigned char *head;
	size_t head_len, room;
	lzma_ret lr;
	int r;

	r = input_peek(in, &head, &head_len);
	if (r < 0)
		return r;
	/* Stream header: magic (6 bytes), flags 0x00 and the check id, CRC32 of the flags. */
	if (head_len >= 8 && head[7] > LZMA_CHECK_CRC32) {
		*why = "integrity check the kernel does not support";
		return -EBADMSG;
	}
	/* xz -9 needs 65 MiB; a hostile header must not get more than that, with room. */
	if (lzma_stream_decoder(&s, 256ULL << 20, 0) != LZMA_OK) {
		*why = "cannot start the decoder";
		return -ENOMEM;
	}
	for (;;) {
		if (s.avail_in == 0) {
			r = input_take(in, SIZE_MAX, &s.next_in, &s.avail_in);
			if (r < 0)
				break;
		}
		r = outbuf_room(o, 1, SIZE_MAX, head_len * 4, &room);
		if (r < 0)
			break;
		s.next_out = o->p + o->len;
		s.avail_out = room;
		/* LZMA_FINISH only with the last byte of input in hand: a cut stream is refused */
		lr = lzma_code(&s, input_more(in) ? LZMA_RUN : LZMA_FINISH);
		o->len += room - s.avail_out;
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
static int decompress_zstd(struct input *in, struct outbuf *o, const char **why)
{
	ZSTD_DStream *ds;
	ZSTD_inBuffer zin = {NULL, 0, 0};
	ZSTD_outBuffer out;
	ZSTD_bounds wl_bounds = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax);
	const unsigned char *head;
	unsigned long long content;
	int window_log = 27;
	size_t ret = 1, room, head_len, hint;
	int r;

	r = input_peek(in, &head, &head_len);
	if (r < 0)
		return r;
	/* The kernel reads the frame header first: a bad or cut one is refused. */
	content = ZSTD_getFrameContentSize(head, head_len);
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
	hint = head_len * 4;
	if (content != ZSTD_CONTENTSIZE_UNKNOWN && content < (64u << 20))
		hint = (size_t)content + 1;
	do {
		r = outbuf_room(o, page_size(), page_size(), hint, &room);
		if (r < 0)
			break;
		out = (ZSTD_outBuffer){o->p + o->len, room, 0};
		/* one call of the kernel's, which has all the input at hand */
		for (;;) {
			if (zin.pos == zin.size) {
				const unsigned char *p;
				size_t n;

				r = input_take(in, SIZE_MAX, &p, &n);
				if (r < 0)
					break;
				zin = (ZSTD_inBuffer){p, n, 0};
			}
			ret = ZSTD_decompressStream(ds, &out, &zin);
			if (ZSTD_isError(ret) || ret == 0 || out.pos == out.size ||
			    zin.pos < zin.size || !input_more(in))
				break;
		}
		o->len += out.pos;
		if (r < 0)
			break;
		if (ZSTD_isError(ret)) {
			*why = ZSTD_getErrorName(ret);
			r = -EBADMSG;
			break;
		}
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
static int gzip_skip_header(struct input *in)
{
	unsigned char hdr[10];
	size_t got = 0, n;
	const unsigned char *p;
	int r;

	while (got < sizeof(hdr)) {
		r = input_take(in, sizeof(hdr) - got, &p, &n);
		if (r < 0)
			return r;
		if (n == 0)
			return -EBADMSG;
		memcpy(hdr + got, p, n);
		got += n;
	}
	if (hdr[0] != 0x1f || hdr[1] != 0x8b || hdr[2] != 0x08)
		return -EBADMSG;
	if (!(hdr[3] & 0x08))
		return 0;
	for (;;) {
		const unsigned char *nul;

		r = input_peek(in, &p, &n);
		if (r < 0)
			return r;
		if (n == 0)
			return -EBADMSG;
		nul = memchr(p, '\0', n);
		in->p += nul ? (size_t)(nul - p) + 1 : n;
		in->n -= nul ? (size_t)(nul - p) + 1 : n;
		if (nul)
			return 0;
	}
}

static int decompress_gzip(struct input *in, struct outbuf *o, const char **why)
{
	z_stream s = {0};
	const unsigned char *head;
	size_t room, head_len, n;
	int zr = Z_OK, r;

	r = input_peek(in, &head, &head_len);
	if (r < 0)
		return r;
	r = gzip_skip_header(in);
	if (r < 0) {
		if (r == -EBADMSG)
			*why = "bad header";
		return r;
	}
	if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
		return -ENOMEM;
	do {
		/* zlib counts in uInt: at most 1 GiB at a time (the input is capped anyway) */
		if (s.avail_in == 0) {
			const unsigned char *p;

			r = input_take(in, 1U << 30, &p, &n);
			if (r < 0)
				break;
			s.next_in = (unsigned char *)p;
			s.avail_in = (uInt)n;
		}
		r = outbuf_room(o, page_size(), page_size(), head_len * 4, &room);
		if (r < 0)
			break;
		s.next_out = o->p + o->len;
		s.avail_out = (uInt)room;
		zr = inflate(&s, Z_NO_FLUSH);
		o->len += room - s.avail_out;
		if (zr == Z_BUF_ERROR && s.avail_in == 0 && input_more(in))
			zr = Z_OK; /* only the next piece of input was missing */
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

static int unpack(enum modimage_compression c, struct input *in, struct outbuf *o,
		  uint64_t max_size, const char **why)
{
	int r;

	*why = modimage_decompressor_missing(c);
	if (*why)
		return -ENOPKG;
	switch (c) {
	case MODIMAGE_COMP_XZ:
		r = decompress_xz(in, o, why);
		break;
	case MODIMAGE_COMP_ZSTD:
		r = decompress_zstd(in, o, why);
		break;
	case MODIMAGE_COMP_GZIP:
		r = decompress_gzip(in, o, why);
		break;
	default:
		r = -EINVAL;
		break;
	}
	if (in->error < 0)
		return in->error;
	if (r == 0)
		r = outbuf_flush(o);
	if (o->stopped)
		return 0;
	if (r == 0 && o->done + o->len > max_size)
		r = -EFBIG;
	if (r == -EFBIG && !*why)
		*why = "decompressed size over the cap";
	return r;
}

/* The whole buffer is the one piece of input. */
static int read_once(void *ctx, const unsigned char **p, size_t *n, bool *last)
{
	(void)ctx;
	*p = NULL;
	*n = 0;
	*last = true;
	return 0;
}

int modimage_decompress(enum modimage_compression c, const unsigned char *buf, size_t len,
			uint64_t max_size, unsigned char **out, size_t *out_len, const char **why)
{
	static const struct modimage_unpack_io once = {.read = read_once};
	struct outbuf o = {.max = cap_max(max_size)};
	struct input in = {.io = &once, .p = buf, .n = len, .last = true};
	int r;

	r = unpack(c, &in, &o, max_size, why);
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

/* Streamed output: a buffer of whole pages, as the kernel's decoders fill them. */
#define STREAM_OUT ((size_t)64 * 1024)

int modimage_unpack(enum modimage_compression c, const struct modimage_unpack_io *io,
		    uint64_t max_size, uint64_t *out_len, const char **why)
{
	size_t size = page_size() > STREAM_OUT ? page_size() : STREAM_OUT;
	_cleanup_free_ unsigned char *buf = malloc(size);
	struct outbuf o = {.p = buf, .cap = size, .max = cap_max(max_size), .io = io};
	struct input in = {.io = io};
	int r;

	*why = NULL;
	if (!buf)
		return -ENOMEM;
	r = unpack(c, &in, &o, max_size, why);
	*out_len = o.done + o.len;
	return r;
}
