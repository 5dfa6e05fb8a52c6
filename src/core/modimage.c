/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module image analysis: read the bytes (memory, fd with pread, path with mmap), hash them in
 * one pass, then hand them to decompression, signature and ELF parsing (one file each).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

/* SHA256_* are deprecated in OpenSSL 3.0: used on purpose (sha256_begin()) */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "core/modimage-internal.h"
#include "core/modimage-stream.h"

int modimage_set_error(struct modimage *img, int err, const char *fmt, ...)
{
	va_list ap;

	if (img->info.error < 0)
		return 0;
	img->info.error = err < 0 ? err : -EINVAL;
	va_start(ap, fmt);
	vsnprintf(img->error_buf, sizeof(img->error_buf), fmt, ap);
	va_end(ap);
	img->info.error_msg = img->error_buf;
	return 0;
}

void modimage_note_read(struct modimage *img, uint64_t off, uint64_t len)
{
	if (!len)
		return;
	if (img->n_reads == MODIMAGE_MAX_READS) {
		img->reads_overflow = true;
		return;
	}
	img->reads[img->n_reads++] = (struct modimage_range){.off = off, .len = len};
}

/*
 * OpenSSL's own start-up (its locks, the default library context) can fail on an allocation,
 * and OpenSSL 3.0 then crashes in the next call that needs it (EVP_MD_fetch takes a NULL lock)
 * rather than failing: ask first. Both are made once: the answer holds for the process.
 */
bool modimage_crypto_ready(void)
{
	return OPENSSL_init_crypto(0, NULL) == 1 && OSSL_LIB_CTX_get0_global_default() != NULL;
}

/*
 * SHA-256 through libcrypto's own SHA256_* functions (the same assembly as EVP's): unlike an EVP
 * digest they need no provider, so the first module call of a new process does not pay for
 * OpenSSL's configuration and default provider (about 0.8 ms here, bench/load-cost). Deprecated
 * in OpenSSL 3.0, not removed.
 */
struct sha256 {
	bool on; /* false: not wanted (opts->no_hash) */
	SHA256_CTX c;
};

static int sha256_begin(const struct modimage_opts *opts, struct sha256 *s)
{
	s->on = !(opts && opts->no_hash);
	if (s->on && !SHA256_Init(&s->c))
		return -EIO;
	return 0;
}

static int sha256_update(struct sha256 *s, const void *buf, size_t len)
{
	if (s->on && !SHA256_Update(&s->c, buf, len))
		return -EIO;
	return 0;
}

static int sha256_end(struct sha256 *s, unsigned char out[32])
{
	if (s->on && !SHA256_Final(out, &s->c))
		return -EIO;
	return 0;
}

/* The signature and the ELF object of the (decompressed) module bytes. */
static int analyse_module(struct modimage *img, const unsigned char *module, size_t module_len,
			  const struct modimage_opts *opts)
{
	size_t elf_len;
	int r;

	r = modimage_parse_signature(img, module, module_len,
				     opts && (opts->load_flags & MODIMAGE_LOAD_MANGLED_FLAGS),
				     &elf_len);
	if (r < 0)
		return r;
	return modimage_parse_elf(img, module, elf_len);
}

/* Why a compressed stream could not be read, as the image's error. */
static int set_stream_error(struct modimage *img, int r, const char *why)
{
	return modimage_set_error(img, r, "%s stream: %s",
				  modimage_compression_name(img->info.compression),
				  why ? why : "cannot decompress");
}

/*
 * Everything after the bytes are in hand and hashed: the common path of the open functions.
 * The image keeps copies of what it needs; buf may go away once this returns.
 */
static int analyse(struct modimage *img, const unsigned char *buf, size_t len, bool truncated,
		   const struct modimage_opts *opts)
{
	_cleanup_free_ unsigned char *plain = NULL;
	const unsigned char *module = buf;
	size_t module_len = len;
	uint64_t max = opts && opts->max_size ? opts->max_size : MODIMAGE_DEFAULT_MAX_SIZE;
	int r;

	img->info.size = len;
	img->info.truncated_read = truncated;
	img->info.compression = modimage_detect_compression(buf, len);
	if (img->info.compression != MODIMAGE_COMP_NONE) {
		const char *why = NULL;

		/* the decompressor may read any byte (the parsers' reads are then in its output) */
		modimage_note_read(img, 0, len);

		r = modimage_decompress(img->info.compression, buf, len, max, &plain, &module_len,
					&why);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return set_stream_error(img, r, why);
		module = plain;
	}
	return analyse_module(img, module, module_len, opts);
}

static struct modimage *modimage_new(void)
{
	return calloc(1, sizeof(struct modimage));
}

int modimage_open_memory(const void *buf, size_t len, const struct modimage_opts *opts,
			 struct modimage **out)
{
	uint64_t max = opts && opts->max_size ? opts->max_size : MODIMAGE_DEFAULT_MAX_SIZE;
	_cleanup_modimage_ struct modimage *img = NULL;
	struct sha256 sha;
	int r;

	if (!out || (!buf && len))
		return -EINVAL;
	if (len > max)
		return -EFBIG;
	img = modimage_new();
	if (!img)
		return -ENOMEM;
	if (!buf)
		buf = "";
	r = sha256_begin(opts, &sha);
	if (r < 0)
		return r;
	r = sha256_update(&sha, buf, len);
	if (r < 0)
		return r;
	r = sha256_end(&sha, img->info.sha256);
	if (r < 0)
		return r;
	r = analyse(img, buf, len, false, opts);
	if (r < 0)
		return r;
	*out = TAKE_PTR(img);
	return 0;
}

/* Size of a regular file, within the cap. */
static int regular_size(int fd, const struct modimage_opts *opts, size_t *size)
{
	uint64_t max = opts && opts->max_size ? opts->max_size : MODIMAGE_DEFAULT_MAX_SIZE;
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < 0 || (uint64_t)st.st_size > max || (uint64_t)st.st_size > SIZE_MAX)
		return -EFBIG;
	*size = (size_t)st.st_size;
	return 0;
}

/* Bytes are hashed a chunk at a time right after pread brought them in, while in cache. */
#define READ_CHUNK (256 * 1024)
/* The streamed read's one buffer: a size that stays in a core's cache between pread and hash. */
#define STREAM_CHUNK (64 * 1024)
/* Up to this size a file is read whole: the stream's few extra preads and mmap cost more. */
#define STREAM_WHOLE_MAX ((size_t)256 * 1024)

static void unmapp(struct modimage_range *m)
{
	if (m->off)
		munmap((void *)(uintptr_t)m->off, m->len);
}

/*
 * The usual uncompressed module: one pass over the file through a small buffer, no copy of the
 * whole (modimage-stream.c). head: the file's first bytes, already read. -EAGAIN when it must be
 * read whole instead.
 */
static int open_streamed(int fd, size_t size, const unsigned char *head, size_t head_len,
			 const struct modimage_opts *opts, struct modimage **out)
{
	_cleanup_modimage_ struct modimage *img = NULL;
	struct sha256 sha;
	_cleanup_free_ unsigned char *chunk = NULL;
	_cleanup_(unmapp) struct modimage_range map = {0};
	struct modimage_plan plan;
	unsigned char *image;
	size_t got = 0;
	int r;

	r = modimage_plan_fd(fd, size, head, head_len, &plan);
	if (r < 0)
		return r;
	r = sha256_begin(opts, &sha);
	if (r < 0)
		return r;
	/* only the kept ranges' pages are ever touched: the rest costs address space alone */
	image = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (image == MAP_FAILED)
		return -EAGAIN; /* no address space for it: the whole read says whether memory is */
	map = (struct modimage_range){.off = (uintptr_t)image, .len = size};
	chunk = malloc(STREAM_CHUNK);
	if (!chunk)
		return -ENOMEM;
	while (got < size) {
		size_t want = size - got < STREAM_CHUNK ? size - got : STREAM_CHUNK;
		ssize_t n = pread(fd, chunk, want, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EAGAIN; /* shrank: the whole read says how far it got */
		r = sha256_update(&sha, chunk, (size_t)n);
		if (r < 0)
			return r;
		modimage_plan_keep(&plan, image, chunk, got, (size_t)n);
		got += (size_t)n;
	}
	img = modimage_new();
	if (!img)
		return -ENOMEM;
	r = sha256_end(&sha, img->info.sha256);
	if (r < 0)
		return r;
	r = analyse(img, image, size, false, opts);
	if (r < 0)
		return r;
	/* a byte read that the stream did not keep: the file changed since the plan */
	if (!modimage_plan_covers(&plan, img))
		return -EAGAIN;
	*out = TAKE_PTR(img);
	return 0;
}

/*
 * A compressed file, streamed: each pass reads the file through one buffer, hashes every byte
 * and decompresses it through another (modimage_unpack()). The first pass keeps what the plan
 * reads of the decompressed module (its ELF header, the section header table with what lies
 * before it, where linkers put the section names, and its last bytes); the planned ranges go
 * into a sparse mapping of the decompressed size, as in open_streamed(): those the first pass
 * kept from it, the others (the sections) from the second, which decodes only as far as they
 * reach. The second pass must hash the whole file to the first one's digest (the same bytes in
 * the same decoder: the same stream), and the parsers must have read only kept bytes: else the
 * file changed between the passes, and it is read whole.
 */
#define PROBE_WINDOW ((size_t)64 * 1024)
#define PROBE_TAIL ((size_t)8 * 1024) /* the signature trailer: 1-2 KiB as sign-file makes it */

struct file_src {
	int fd;
	size_t size, got;
	unsigned char *chunk;
	bool pending; /* chunk holds the first piece, read but not yet handed on */
	struct sha256 sha;
	int error;
	int (*put)(void *ctx, const unsigned char *p, size_t n); /* where the output goes */
	void *put_ctx;
};

static int file_write(void *ctx, const unsigned char *p, size_t n)
{
	struct file_src *f = ctx;

	return f->put(f->put_ctx, p, n);
}

static int file_read(void *ctx, const unsigned char **p, size_t *n, bool *last)
{
	struct file_src *f = ctx;
	size_t want = f->size - f->got < STREAM_CHUNK ? f->size - f->got : STREAM_CHUNK, fill = 0;
	int r;

	if (f->pending) {
		f->pending = false;
		*p = f->chunk;
		*n = f->got;
		*last = f->got == f->size;
		return 0;
	}
	/* whole chunks: a decoder sees its header in the first one (a file's first 64 KiB) */
	while (fill < want) {
		ssize_t got = pread(f->fd, f->chunk + fill, want - fill, (off_t)(f->got + fill));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return f->error = got < 0 ? -errno : -EAGAIN; /* shrank: read it whole */
		fill += (size_t)got;
	}
	r = sha256_update(&f->sha, f->chunk, fill);
	if (r < 0)
		return f->error = r;
	f->got += fill;
	*p = f->chunk;
	*n = fill;
	*last = f->got == f->size;
	return 0;
}

/* The rest of the file after the decoder's end, for the hash. */
static int file_drain(struct file_src *f)
{
	const unsigned char *p;
	size_t n;
	bool last;

	f->pending = false;
	while (f->got < f->size) {
		int r = file_read(f, &p, &n, &last);

		if (r < 0)
			return r;
	}
	return 0;
}

struct probe {
	uint64_t off; /* decompressed bytes so far */
	unsigned char head[64];
	struct modimage_range win; /* len 0: not known (yet) */
	unsigned char *win_buf;
	unsigned char tail[PROBE_TAIL]; /* the last bytes so far */
};

static void probe_done(struct probe *pr)
{
	free(pr->win_buf);
}

/* Copy what of the n bytes at off falls into [lo, lo + len) to dst (which holds that range). */
static void copy_in(unsigned char *dst, uint64_t lo, uint64_t len, const unsigned char *p,
		    uint64_t off, size_t n)
{
	uint64_t a = off > lo ? off : lo, b = off + n < lo + len ? off + n : lo + len;

	if (a < b)
		memcpy(dst + (a - lo), p + (a - off), b - a);
}

static int probe_write(void *ctx, const unsigned char *p, size_t n)
{
	struct probe *pr = ctx;
	bool had_head = pr->off >= sizeof(pr->head);

	copy_in(pr->head, 0, sizeof(pr->head), p, pr->off, n);
	if (!had_head && pr->off + n >= sizeof(pr->head)) {
		struct modimage_range t;

		/* the header's claims are checked against the real size by the plan */
		if (modimage_plan_table(pr->head, SIZE_MAX, &t) == 0) {
			uint64_t lo = t.off > PROBE_WINDOW ? t.off - PROBE_WINDOW : 0;

			pr->win = (struct modimage_range){.off = lo, .len = t.off + t.len - lo};
			pr->win_buf = malloc(pr->win.len);
			if (!pr->win_buf)
				return -ENOMEM;
			copy_in(pr->win_buf, pr->win.off, pr->win.len, pr->head, 0,
				sizeof(pr->head));
		}
	}
	if (pr->win_buf)
		copy_in(pr->win_buf, pr->win.off, pr->win.len, p, pr->off, n);
	if (n >= PROBE_TAIL) {
		memcpy(pr->tail, p + n - PROBE_TAIL, PROBE_TAIL);
	} else {
		memmove(pr->tail, pr->tail + n, PROBE_TAIL - n);
		memcpy(pr->tail + PROBE_TAIL - n, p, n);
	}
	pr->off += n;
	return 0;
}

static bool within(uint64_t off, size_t len, uint64_t lo, uint64_t hi)
{
	return off >= lo && off <= hi && len <= hi - off;
}

/* The plan's reads, from what the first pass kept; -EAGAIN for anything else. */
static int probe_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	const struct probe *pr = ctx;
	uint64_t tail = pr->off < PROBE_TAIL ? pr->off : PROBE_TAIL; /* at the end of pr->tail */

	if (within(off, len, 0, sizeof(pr->head)))
		memcpy(buf, pr->head + off, len);
	else if (pr->win_buf && within(off, len, pr->win.off, pr->win.off + pr->win.len))
		memcpy(buf, pr->win_buf + (off - pr->win.off), len);
	else if (within(off, len, pr->off - tail, pr->off))
		memcpy(buf, pr->tail + PROBE_TAIL - (pr->off - off), len);
	else
		return -EAGAIN;
	return 0;
}

struct keep {
	const struct modimage_plan *plan;
	unsigned char *image;
	uint64_t off;
	uint64_t need; /* the end of the last range the first pass did not keep */
};

static int keep_write(void *ctx, const unsigned char *p, size_t n)
{
	struct keep *k = ctx;

	/* the planned ranges lie within the first pass's length: bytes past it are dropped */
	modimage_plan_keep(k->plan, k->image, p, k->off, n);
	k->off += n;
	return k->off >= k->need; /* the rest of the stream is only hashed */
}

/* One pass: the file hashed and decompressed from its start, the output to put. */
static int file_pass(struct file_src *f, enum modimage_compression c, uint64_t max, uint64_t *len,
		     const char **why)
{
	int r = modimage_unpack(
		c, &(struct modimage_unpack_io){.read = file_read, .write = file_write, .ctx = f},
		max, len, why);

	if (f->error < 0)
		return f->error;
	if (r == -ENOMEM)
		return r;
	/* the rest of the file after the stream's end (or its error) is hashed all the same */
	return file_drain(f) < 0 ? f->error : r;
}

static int open_streamed_packed(int fd, size_t size, const struct modimage_opts *opts,
				struct modimage **out)
{
	uint64_t max = opts && opts->max_size ? opts->max_size : MODIMAGE_DEFAULT_MAX_SIZE;
	_cleanup_modimage_ struct modimage *img = modimage_new();
	_cleanup_free_ unsigned char *chunk = malloc(STREAM_CHUNK);
	_cleanup_(probe_done) struct probe pr = {0};
	_cleanup_(unmapp) struct modimage_range map = {0};
	struct file_src f = {.fd = fd, .size = size, .chunk = chunk, .put = probe_write};
	struct modimage_plan plan;
	struct keep k = {.plan = &plan};
	unsigned char digest[32];
	const unsigned char *first;
	size_t first_len;
	uint64_t len, len2;
	const char *why = NULL;
	enum modimage_compression c;
	bool last;
	int r;

	if (!img || !chunk)
		return -ENOMEM;
	/* the digest is compared across passes even when the caller wants none */
	r = sha256_begin(NULL, &f.sha);
	if (r < 0)
		return r;
	r = file_read(&f, &first, &first_len, &last);
	if (r < 0)
		return r;
	c = modimage_detect_compression(first, first_len);
	if (c == MODIMAGE_COMP_NONE)
		return -EAGAIN; /* no longer compressed: read whole */
	img->info.size = size;
	img->info.compression = c;

	/* pass 1: the digest, the decompressed length, what the plan reads */
	f.pending = true;
	f.put_ctx = &pr;
	r = file_pass(&f, c, max, &len, &why);
	if (f.error < 0 || r == -ENOMEM)
		return r;
	if (sha256_end(&f.sha, digest) < 0)
		return -EIO;
	if (!(opts && opts->no_hash))
		memcpy(img->info.sha256, digest, sizeof(digest));
	if (r < 0) {
		/* a stream that cannot be read: that is the answer, there is nothing to keep */
		set_stream_error(img, r, why);
		*out = TAKE_PTR(img);
		return 0;
	}
	if (len > SIZE_MAX)
		return -EAGAIN;
	r = modimage_plan(&(struct modimage_plan_src){.read = probe_read, .ctx = &pr}, (size_t)len,
			  &plan);
	if (r < 0)
		return r;

	/*
	 * pass 2: the planned ranges, from a stream that must be the same. What the first pass
	 * kept goes in as it is (the same stream has the same bytes there); the second decodes
	 * only as far as the rest, usually the sections, but hashes the whole file.
	 */
	k.image = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (k.image == MAP_FAILED)
		return -EAGAIN;
	map = (struct modimage_range){.off = (uintptr_t)k.image, .len = len};
	for (unsigned int i = 0; i < plan.n; i++) {
		const struct modimage_range *g = &plan.r[i];

		if (probe_read(&pr, k.image + g->off, g->len, g->off) < 0 &&
		    g->off + g->len > k.need)
			k.need = g->off + g->len;
	}
	probe_done(&pr);
	pr.win_buf = NULL;
	f = (struct file_src){
		.fd = fd, .size = size, .chunk = chunk, .put = keep_write, .put_ctx = &k};
	r = sha256_begin(NULL, &f.sha);
	if (r < 0)
		return r;
	r = file_pass(&f, c, max, &len2, &why);
	if (f.error < 0 || r == -ENOMEM)
		return r;
	/* another stream than the first pass's: the file changed */
	if (r < 0 || len2 > len || (len2 < len && len2 < k.need))
		return -EAGAIN;
	{
		unsigned char again[32];

		if (sha256_end(&f.sha, again) < 0)
			return -EIO;
		if (memcmp(again, digest, sizeof(digest)))
			return -EAGAIN;
	}
	r = analyse_module(img, k.image, (size_t)len, opts);
	if (r < 0)
		return r;
	/* a byte read that the stream did not keep: the file changed since the plan */
	if (!modimage_plan_covers(&plan, img))
		return -EAGAIN;
	*out = TAKE_PTR(img);
	return 0;
}

/* Every byte into one buffer, hashed as it comes, then analysed in place. */
static int open_whole(int fd, size_t size, const struct modimage_opts *opts, struct modimage **out)
{
	_cleanup_modimage_ struct modimage *img = NULL;
	struct sha256 sha;
	_cleanup_free_ unsigned char *buf = NULL;
	size_t got = 0;
	int r;

	r = sha256_begin(opts, &sha);
	if (r < 0)
		return r;
	buf = malloc(size ? size : 1);
	if (!buf)
		return -ENOMEM;
	while (got < size) {
		size_t want = size - got < READ_CHUNK ? size - got : READ_CHUNK;
		ssize_t n = pread(fd, buf + got, want, (off_t)got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break; /* the file shrank under us */
		r = sha256_update(&sha, buf + got, (size_t)n);
		if (r < 0)
			return r;
		got += (size_t)n;
	}
	img = modimage_new();
	if (!img)
		return -ENOMEM;
	r = sha256_end(&sha, img->info.sha256);
	if (r < 0)
		return r;
	r = analyse(img, buf, got, got < size, opts);
	if (r < 0)
		return r;
	*out = TAKE_PTR(img);
	return 0;
}

int modimage_open_fd(int fd, const struct modimage_opts *opts, struct modimage **out)
{
	size_t size = 0;
	int r;

	if (!out || fd < 0)
		return -EBADF;
	r = regular_size(fd, opts, &size);
	if (r < 0)
		return r;
	/*
	 * pread only: the caller's offset is the kernel's business (finit_module reads from 0).
	 * A small file is cheaper read whole than planned and streamed (most modules: a boot loads
	 * dozens), and costs little memory.
	 */
	if (size > STREAM_WHOLE_MAX || (opts && opts->stream_small)) {
		unsigned char head[64];
		ssize_t n;

		do
			n = pread(fd, head, size < sizeof(head) ? size : sizeof(head), 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		/* each stream finds out for itself if the file changed since this read */
		if (modimage_detect_compression(head, (size_t)n) != MODIMAGE_COMP_NONE)
			r = open_streamed_packed(fd, size, opts, out);
		else
			r = open_streamed(fd, size, head, (size_t)n, opts, out);
		if (r != -EAGAIN)
			return r;
	}
	return open_whole(fd, size, opts, out);
}

int modimage_open_path(const char *path, const struct modimage_opts *opts, struct modimage **out)
{
	_cleanup_close_ int fd = -1;

	if (!out || !path)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/*
	 * pread rather than mmap: as fast here (hashing dominates, and munmap in a threaded
	 * caller costs TLB shootdowns), and a file truncated meanwhile cannot raise SIGBUS.
	 */
	return modimage_open_fd(fd, opts, out);
}

void modimage_free(struct modimage *img)
{
	if (!img)
		return;
	free(img->modinfo_strings);
	free(img->modinfo);
	free(img->signer);
	free(img->sig_key);
	free(img->sig_hashalgo);
	free(img);
}

const struct modimage_info *modimage_get_info(const struct modimage *img)
{
	return img ? &img->info : NULL;
}

int modimage_foreach_modinfo(const struct modimage *img, modimage_modinfo_cb cb, void *data)
{
	if (!img || !cb)
		return -EINVAL;
	for (size_t i = 0; i < img->n_modinfo; i++) {
		int r = cb(img->modinfo[i].key, img->modinfo[i].value, data);

		if (r != 0)
			return r;
	}
	return 0;
}

const char *modimage_compression_name(enum modimage_compression c)
{
	switch (c) {
	case MODIMAGE_COMP_NONE:
		return "none";
	case MODIMAGE_COMP_XZ:
		return "xz";
	case MODIMAGE_COMP_ZSTD:
		return "zstd";
	case MODIMAGE_COMP_GZIP:
		return "gzip";
	}
	return "?";
}

const char *modimage_sig_name(enum modimage_sig s)
{
	switch (s) {
	case MODIMAGE_SIG_NONE:
		return "none";
	case MODIMAGE_SIG_PKCS7:
		return "pkcs7";
	case MODIMAGE_SIG_X509:
		return "x509";
	case MODIMAGE_SIG_PGP:
		return "pgp";
	case MODIMAGE_SIG_MALFORMED:
		return "malformed";
	}
	return "?";
}
