/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the parts of module image analysis share: modimage.c drives (read, hash, decompress,
 * signature, ELF), each concern lives in its own file and fills its part of struct modimage.
 * Nothing here points into the caller's bytes: every string is copied into the image.
 */
#pragma once

#include <stdarg.h>

#include "macro.h"
#include "core/modimage.h"

struct modimage_modinfo_entry {
	const char *key;
	const char *value;
};

struct modimage_range {
	uint64_t off, len;
};
#define MODIMAGE_MAX_READS 8

struct modimage {
	struct modimage_info info;
	char error_buf[192];

	char name_buf[64]; /* struct module .name, at most MODULE_NAME_LEN bytes */

	char *modinfo_strings; /* copy of .modinfo, '=' of each entry turned into NUL */
	struct modimage_modinfo_entry *modinfo;
	size_t n_modinfo;

	char *signer, *sig_key, *sig_hashalgo; /* owned, NUL-terminated */

	/*
	 * Every byte range of the module the parsers read (libelf's headers and string table,
	 * the sections, the trailer), offsets into the bytes they were given: a streamed image
	 * (modimage-stream.c) holds only some of the file and checks that these were among them.
	 */
	struct modimage_range reads[MODIMAGE_MAX_READS];
	unsigned int n_reads;
	bool reads_overflow;
};

/* Note that the parsers read len bytes at off (see struct modimage .reads). */
void modimage_note_read(struct modimage *img, uint64_t off, uint64_t len);

/* Record why the image is not usable; the first reason wins. Always returns 0. */
_printf_(3, 4) int modimage_set_error(struct modimage *img, int err, const char *fmt, ...);

enum modimage_compression modimage_detect_compression(const unsigned char *buf, size_t len);

/*
 * Why the decompressor of c cannot run (its library cannot be loaded: the shim's core loads
 * them only for a compressed image, src/impl/lazy-libs.c), or NULL. Weak: NULL where the
 * libraries are linked.
 */
const char *modimage_decompressor_missing(enum modimage_compression c);

/*
 * Decompress buf into a new malloc'd buffer of at most max_size bytes. Returns 0, -EBADMSG on
 * a corrupt or truncated stream, -EFBIG over max_size, -ENOMEM; *why says what went wrong.
 */
int modimage_decompress(enum modimage_compression c, const unsigned char *buf, size_t len,
			uint64_t max_size, unsigned char **out, size_t *out_len, const char **why);

/*
 * A compressed stream decoded a piece at a time, as modimage_decompress() decodes it whole (the
 * same decoders: the same bytes out, the same errors; only libzstd may name one otherwise, as it
 * decodes a frame that is whole in its input in one shot when its content fits a page: with a
 * first piece of 64 KiB, only a hostile frame differs). read gives the next piece of input (*n
 * 0 at its end; *last once no other follows; the first holds the whole input or at least 64
 * bytes, where the decoders read their headers); write takes each piece of output in order and
 * returns 1 when it wants no more (decoding stops there: 0, *out_len what was written). The
 * output costs a fixed 64 KiB buffer and the decoder's own state (its window).
 */
struct modimage_unpack_io {
	int (*read)(void *ctx, const unsigned char **p, size_t *n, bool *last);
	int (*write)(void *ctx, const unsigned char *p, size_t n);
	void *ctx;
};

/*
 * Returns 0 (*out_len bytes were written), what read or write returned when negative, or the
 * errors of modimage_decompress() (-EBADMSG, -EFBIG, -ENOPKG, -ENOMEM) with *why.
 */
int modimage_unpack(enum modimage_compression c, const struct modimage_unpack_io *io,
		    uint64_t max_size, uint64_t *out_len, const char **why);

/*
 * Read the appended signature of the (decompressed) module bytes: info.sig and the signer
 * fields as kmod prints them, info.sig_unchecked as kernel/module/signing.c decides (mangled: a
 * load with MODIMAGE_LOAD_MANGLED_FLAGS). *elf_len is the length the kernel parses as the ELF
 * object (len when there is no well-formed trailer). Returns 0 or -ENOMEM.
 */
int modimage_parse_signature(struct modimage *img, const unsigned char *buf, size_t len,
			     bool mangled, size_t *elf_len);

/*
 * Parse the ELF object with libelf: every .modinfo entry and the name in
 * .gnu.linkonce.this_module. Problems go to modimage_set_error(). Returns 0 or -ENOMEM.
 */
int modimage_parse_elf(struct modimage *img, const unsigned char *buf, size_t len);

/*
 * The fields of a PKCS#7 signature blob in scripts/sign-file's shape, without OpenSSL's
 * decoder (modimage-pkcs7.c); pointers into the blob.
 */
struct modimage_pkcs7 {
	bool has_signer; /* the issuer's commonName, or its last entry (kmod's reading) */
	const unsigned char *signer;
	size_t signer_len;
	const unsigned char *serial; /* the magnitude, no leading zeros (BN_bn2bin) */
	size_t serial_len;
	const unsigned char *digest; /* the digest algorithm's OID, DER content */
	size_t digest_len;
};

/*
 * 1 and *out when the blob is in that shape (strict DER: every such blob is one d2i_PKCS7()
 * reads to the same fields), 0 when OpenSSL must decide. Allocates nothing.
 */
int modimage_pkcs7_plain(const unsigned char *blob, size_t len, struct modimage_pkcs7 *out);

/* Whether the DER content of an OID is that of the built-in nid (no OpenSSL lookup). */
bool modimage_oid_is(const unsigned char *oid, size_t len, int nid);

/* Whether OpenSSL could start (it may not, out of memory): call before any OpenSSL function. */
bool modimage_crypto_ready(void);
