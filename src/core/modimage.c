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

/*
 * Everything after the bytes are in hand and hashed: the common path of the open functions.
 * The image keeps copies of what it needs; buf may go away once this returns.
 */
static int analyse(struct modimage *img, const unsigned char *buf, size_t len, bool truncated,
		   const struct modimage_opts *opts)
{
	_cleanup_free_ unsigned char *plain = NULL;
	const unsigned char *module = buf;
	size_t module_len = len, elf_len;
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
			return modimage_set_error(img, r, "%s stream: %s",
						  modimage_compression_name(img->info.compression),
						  why ? why : "cannot decompress");
		module = plain;
	}

	r = modimage_parse_signature(img, module, module_len,
				     opts && (opts->load_flags & MODIMAGE_LOAD_MANGLED_FLAGS),
				     &elf_len);
	if (r < 0)
		return r;
	return modimage_parse_elf(img, module, elf_len);
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
 * whole (modimage-stream.c). -EAGAIN when it must be read whole instead.
 */
static int open_streamed(int fd, size_t size, const struct modimage_opts *opts,
			 struct modimage **out)
{
	_cleanup_modimage_ struct modimage *img = NULL;
	struct sha256 sha;
	_cleanup_free_ unsigned char *chunk = NULL;
	_cleanup_(unmapp) struct modimage_range map = {0};
	struct modimage_plan plan;
	unsigned char *image;
	size_t got = 0;
	int r;

	r = modimage_plan_fd(fd, size, &plan);
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
		r = open_streamed(fd, size, opts, out);
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
