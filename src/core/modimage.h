/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module image analysis: what the kernel will see in a module image.
 *
 * An image is opened from memory, from an fd (pread only: the fd's offset never moves; regular
 * files only; a file over 256 KiB is streamed through a small buffer, keeping only what the
 * parsers read, see modimage-stream.c; a compressed one in two such passes over its
 * decompressed stream, which cost the decoder's window, see modimage.c) or from a path (read
 * the same way; a file truncated meanwhile cannot raise SIGBUS). opts may be NULL (defaults).
 * The bytes as given are hashed (SHA-256); a compressed image (by magic bytes: xz, zstd, gzip)
 * is decompressed under a size cap; the ELF is parsed with libelf (32/64-bit, either byte
 * order); .modinfo, .gnu.linkonce.this_module and the appended signature are read.
 *
 * Where a hostile image could be read two ways, the kernel's way wins: sections are found as
 * the module loader finds them (the first SHF_ALLOC section of the name), the first .modinfo
 * entry of a key is the one reported, and struct module's name must end (NUL) within
 * MODULE_NAME_LEN (56 bytes on 64-bit, 60 on 32-bit). Signature fields are the text kmod's
 * modinfo prints; a PKCS#7 trailer the kernel would refuse (EBADMSG) is MODIMAGE_SIG_MALFORMED
 * with those fields still filled.
 *
 * The kernel checks a signature only as kernel/module/signing.c does: a PKCS#7 trailer, on a
 * load that does not ask to ignore modversions or vermagic. Any other trailer (X509, PGP, an id
 * it does not know), or any trailer on such a "mangled" load (opts->load_flags), is never
 * checked: info->sig_unchecked, and its signer fields are only what the bytes claim. The ELF
 * object is then the bytes the kernel parses: the trailer stays in front of its magic (or whole).
 *
 * Compressed images are read as kernel/module/decompress.c reads them (finit_module with
 * MODULE_INIT_COMPRESSED_FILE), whatever a userspace tool would make of them: gzip is the
 * 10-byte header (1f 8b 08), a file name skipped when FNAME is set and every other flag ignored,
 * then raw deflate up to its end (CRC and size not checked); xz is the first stream, with no or
 * a CRC32 check; zstd is the first frame, which ends where its input does (a cut frame is what
 * was decoded). Bytes after that end are never read.
 *
 * Nothing in the image points into the caller's bytes: they may be freed once open returns.
 * Threads may open images concurrently.
 *
 * Contract for every open function: it returns 0 once the bytes could be read and hashed, even
 * when they are not a usable module (then info->error < 0 and info->error_msg says why, and the
 * fields that could be read are filled); it returns -errno only when the bytes could not be read
 * at all (-EINVAL not a regular file, -EFBIG over the size cap, -EIO/-errno from pread/open).
 * info->error is -ENOEXEC for ELF problems (not ELF, not ET_REL, a missing or unreadable
 * section), -EBADMSG for a corrupt compressed stream, -EFBIG when it decompresses past the cap,
 * -ENOPKG when its decompressor's library cannot be loaded (the shim's core loads them late).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "call.h" /* KMA_IMAGE_MAX */

enum modimage_compression {
	MODIMAGE_COMP_NONE = 0,
	MODIMAGE_COMP_XZ,
	MODIMAGE_COMP_ZSTD,
	MODIMAGE_COMP_GZIP,
};

enum modimage_sig {
	MODIMAGE_SIG_NONE = 0,
	MODIMAGE_SIG_PKCS7,
	MODIMAGE_SIG_X509,
	MODIMAGE_SIG_PGP,
	MODIMAGE_SIG_MALFORMED,
};

/* Default cap on input and decompressed size: the emitters' (shared/call.h says why). */
#define MODIMAGE_DEFAULT_MAX_SIZE ((unsigned long long)KMA_IMAGE_MAX)

/* finit_module's flags (linux/module.h MODULE_INIT_*) that make the kernel skip the signature. */
#define MODIMAGE_LOAD_MANGLED_FLAGS 3u /* IGNORE_MODVERSIONS | IGNORE_VERMAGIC */

struct modimage_opts {
	uint64_t max_size;	 /* cap on input and decompressed size; 0 = default */
	bool no_hash;		 /* skip SHA-256 (never used by emitters) */
	unsigned int load_flags; /* finit_module's flags the image goes with; 0 for init_module */
	bool stream_small; /* tests: stream a file of any size (else one <= 256 KiB is read whole)
			    */
};

/*
 * Every string is NUL-terminated and owned by the image; NULL when absent. Strings are the raw
 * bytes of the image (they may hold any byte but NUL): encoding is the record builder's job.
 */
struct modimage_info {
	int error;	       /* 0, or -errno why this is not a usable module */
	const char *error_msg; /* one line, NULL when error == 0 */

	uint64_t size; /* bytes as given (compressed size for a compressed image) */
	enum modimage_compression compression;
	unsigned char sha256[32]; /* of the bytes as given */
	bool truncated_read;	  /* fewer bytes than the file's size could be read */

	const char *name;	  /* struct module .name in .gnu.linkonce.this_module */
	const char *modinfo_name; /* .modinfo name= */
	const char *vermagic, *srcversion, *version, *license, *intree;

	enum modimage_sig sig;
	const char *sig_id; /* as modinfo prints it: "PKCS#7", "X509", "PGP" */
	const char *signer, *sig_key, *sig_hashalgo;
	bool sig_unchecked; /* a trailer the kernel will load without checking it (see above) */
};

struct modimage;

int modimage_open_memory(const void *buf, size_t len, const struct modimage_opts *opts,
			 struct modimage **out);
int modimage_open_fd(int fd, const struct modimage_opts *opts, struct modimage **out);
int modimage_open_path(const char *path, const struct modimage_opts *opts, struct modimage **out);
void modimage_free(struct modimage *img);

const struct modimage_info *modimage_get_info(const struct modimage *img);

/*
 * Iterate every .modinfo entry in image order (empty strings skipped; an entry without '=' has
 * the value ""). key and value are owned by the image. A callback's non-zero return stops the
 * walk and is returned.
 */
typedef int (*modimage_modinfo_cb)(const char *key, const char *value, void *data);
int modimage_foreach_modinfo(const struct modimage *img, modimage_modinfo_cb cb, void *data);

const char *modimage_compression_name(enum modimage_compression c); /* "none","xz",... */
const char *modimage_sig_name(enum modimage_sig s); /* "none","pkcs7","x509","pgp","malformed" */

static inline void modimage_freep(struct modimage **img)
{
	if (*img)
		modimage_free(*img);
}
#define _cleanup_modimage_ __attribute__((cleanup(modimage_freep)))
