/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The signature appended to a module (scripts/sign-file in the kernel), read the way kmod's
 * modinfo reads it so that signer, sig_key and sig_hashalgo come out as the same text:
 *
 *	[ ELF object ][ signer ][ key id ][ signature ][ struct module_signature ][ magic ]
 *
 * For PKCS#7 (the only kind current kernels accept) signer and key id are not in the trailer:
 * they are the issuer CN and serial number of the first SignerInfo of the CMS blob.
 *
 * Apart from those fields, whether the kernel checks the trailer at all, and which bytes it then
 * takes for the ELF object, follow kernel/module/signing.c (kernel_sig_view()).
 */
#include <endian.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "core/modimage-internal.h"
#include "core/text-encode.h"

#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)

/* The kernel's struct module_signature (include/linux/module_signature.h), 12 bytes. */
struct module_signature {
	uint8_t algo;	    /* public-key algorithm: 0 DSA, 1 RSA (unused for PKCS#7) */
	uint8_t hash;	    /* digest algorithm, index into hash_names */
	uint8_t id_type;    /* enum sig_id_type */
	uint8_t signer_len; /* bytes of signer name in front of the key id */
	uint8_t key_id_len; /* bytes of key id in front of the signature */
	uint8_t pad[3];
	uint32_t sig_len; /* big endian */
} __attribute__((packed));

_Static_assert(sizeof(struct module_signature) == 12, "struct module_signature is 12 bytes");

enum sig_id_type { SIG_ID_PGP = 0, SIG_ID_X509 = 1, SIG_ID_PKCS7 = 2, SIG_ID__COUNT };
#define SIG_ALGO__COUNT 2

/* The kernel's enum hash_algo as kmod names it (its pkey_hash_algo table). */
static const char *const hash_names[] = {"md4",	   "md5",    "sha1",   "rmd160", "sha256",
					 "sha384", "sha512", "sha224", "sm3"};

static const struct {
	int nid;
	unsigned int hash;
} hash_nids[] = {
	{NID_md4, 0},	 {NID_md5, 1},	  {NID_sha1, 2},   {NID_ripemd160, 3},
	{NID_sha256, 4}, {NID_sha384, 5}, {NID_sha512, 6}, {NID_sha224, 7},
#ifndef OPENSSL_NO_SM3
	{NID_sm3, 8},
#endif
};

static const char *const id_names[] = {"PGP", "X509", "PKCS#7"};

static char *strndup_bytes(const void *buf, size_t len)
{
	/* The bytes may hold a NUL; like modinfo, the string ends there. */
	return strndup(buf, len);
}

static char *digest_name(const ASN1_OBJECT *o)
{
	int nid = OBJ_obj2nid(o), len;
	char *s;

	for (size_t i = 0; i < ARRAY_SIZE(hash_nids); i++)
		if (hash_nids[i].nid == nid)
			return strdup(hash_names[hash_nids[i].hash]);
	/* Not a digest the kernel knows: its OpenSSL name or dotted OID, as newer kmod prints. */
	len = OBJ_obj2txt(NULL, 0, o, 0);
	if (len < 0)
		len = 0;
	s = malloc((size_t)len + 1);
	if (!s)
		return NULL;
	if (OBJ_obj2txt(s, len + 1, o, 0) < 0)
		s[0] = '\0';
	return s;
}

/*
 * The issuer's commonName. When the name has entries but no CN, kmod ends its search on the
 * last entry and prints that one's value; the same text comes out here.
 */
static char *issuer_text(const X509_NAME *name)
{
	int count = X509_NAME_entry_count(name);
	const X509_NAME_ENTRY *e = NULL;
	const ASN1_STRING *d;

	for (int i = 0; i < count; i++) {
		e = X509_NAME_get_entry(name, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == NID_commonName)
			break;
	}
	if (!e)
		return NULL;
	d = X509_NAME_ENTRY_get_data(e);
	if (!d || ASN1_STRING_length(d) < 0)
		return NULL;
	return strndup_bytes(ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d));
}

/*
 * The fields of a blob in sign-file's shape (modimage-pkcs7.c), without OpenSSL's decoder and
 * its configuration. Returns 1, -ENOMEM, or 0 for a digest the kernel does not name (OpenSSL
 * names it).
 */
static int plain_fields(struct modimage *img, const struct modimage_pkcs7 *f)
{
	const char *hash = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(hash_nids) && !hash; i++)
		if (modimage_oid_is(f->digest, f->digest_len, hash_nids[i].nid))
			hash = hash_names[hash_nids[i].hash];
	if (!hash)
		return 0;
	img->sig_key = text_hex_colon(f->serial, f->serial_len);
	img->signer = f->has_signer ? strndup_bytes(f->signer, f->signer_len) : strdup("");
	img->sig_hashalgo = strdup(hash);
	return img->sig_key && img->signer && img->sig_hashalgo ? 1 : -ENOMEM;
}

/* Returns 1 when the blob gave the fields, 0 when it is not a usable PKCS#7, -ENOMEM. */
static int parse_pkcs7(struct modimage *img, const unsigned char *blob, size_t len)
{
	const unsigned char *p = blob;
	PKCS7 *p7;
	STACK_OF(PKCS7_SIGNER_INFO) * sis;
	PKCS7_SIGNER_INFO *si;
	X509_ALGOR *dig_alg = NULL;
	const ASN1_OBJECT *o = NULL;
	BIGNUM *serial = NULL;
	_cleanup_free_ unsigned char *serial_bytes = NULL;
	struct modimage_pkcs7 plain;
	int r = 0, n;

	if (len > LONG_MAX)
		return 0;
	if (modimage_pkcs7_plain(blob, len, &plain) == 1) {
		r = plain_fields(img, &plain);
		if (r != 0)
			return r;
	}
	if (!modimage_crypto_ready())
		return -ENOMEM;
	p7 = d2i_PKCS7(NULL, &p, (long)len);
	if (!p7)
		return 0;
	sis = PKCS7_get_signer_info(p7);
	si = sis ? sk_PKCS7_SIGNER_INFO_value(sis, 0) : NULL;
	if (!si || !si->issuer_and_serial || !si->issuer_and_serial->issuer ||
	    !si->issuer_and_serial->serial || !si->enc_digest)
		goto out;
	serial = ASN1_INTEGER_to_BN(si->issuer_and_serial->serial, NULL);
	if (!serial)
		goto out;
	n = BN_num_bytes(serial);
	serial_bytes = malloc(n > 0 ? (size_t)n : 1);
	if (!serial_bytes) {
		r = -ENOMEM;
		goto out;
	}
	BN_bn2bin(serial, serial_bytes);
	PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig_alg, NULL);
	if (dig_alg)
		X509_ALGOR_get0(&o, NULL, NULL, dig_alg);

	img->sig_key = text_hex_colon(serial_bytes, (size_t)n);
	img->signer = issuer_text(si->issuer_and_serial->issuer);
	if (!img->signer)
		img->signer = strdup(""); /* modinfo prints an empty signer */
	img->sig_hashalgo = o ? digest_name(o) : strdup("");
	r = img->sig_key && img->signer && img->sig_hashalgo ? 1 : -ENOMEM;
out:
	BN_free(serial);
	PKCS7_free(p7);
	return r;
}

/*
 * How many bytes at the end of the module the signature readers below may look at: the magic
 * and struct module_signature, and the signer, key id and signature they announce.
 */
static size_t trailer_reach(const unsigned char *buf, size_t len)
{
	struct module_signature ms;
	size_t fixed = SIG_MAGIC_LEN + sizeof(ms), need;

	if (len < fixed || memcmp(buf + len - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN))
		return len < fixed ? len : fixed;
	memcpy(&ms, buf + len - fixed, sizeof(ms));
	need = (size_t)be32toh(ms.sig_len) + ms.signer_len + ms.key_id_len;
	return len - fixed < need ? fixed : fixed + need;
}

/* The fields as kmod's modinfo reads them. Returns 0 or -ENOMEM. */
static int kmod_sig_fields(struct modimage *img, const unsigned char *buf, size_t len,
			   size_t *elf_len)
{
	struct modimage_info *info = &img->info;
	struct module_signature ms;
	size_t rest, sig_len, need;
	const unsigned char *blob;
	int r;

	*elf_len = len;
	info->sig = MODIMAGE_SIG_NONE;
	if (len < SIG_MAGIC_LEN || memcmp(buf + len - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN))
		return 0;

	/* From here on the module claims a signature: anything wrong with it is "malformed". */
	info->sig = MODIMAGE_SIG_MALFORMED;
	rest = len - SIG_MAGIC_LEN;
	if (rest < sizeof(ms))
		return 0;
	rest -= sizeof(ms);
	memcpy(&ms, buf + rest, sizeof(ms));
	sig_len = be32toh(ms.sig_len);
	if (ms.algo >= SIG_ALGO__COUNT || ms.hash >= ARRAY_SIZE(hash_names) ||
	    ms.id_type >= SIG_ID__COUNT || sig_len == 0)
		return 0;
	need = sig_len + ms.signer_len + ms.key_id_len; /* sig_len < 2^32: no overflow */
	if (rest < need)
		return 0;
	blob = buf + rest - sig_len;

	if (ms.id_type == SIG_ID_PKCS7) {
		r = parse_pkcs7(img, blob, sig_len);
		if (r <= 0)
			return r;
		/*
		 * kmod prints these fields whatever the other trailer bytes say; the kernel
		 * refuses (EBADMSG) a PKCS#7 trailer whose other fields are not zero.
		 */
		if (ms.algo || ms.hash || ms.signer_len || ms.key_id_len || ms.pad[0] ||
		    ms.pad[1] || ms.pad[2])
			info->sig = MODIMAGE_SIG_MALFORMED;
		else
			info->sig = MODIMAGE_SIG_PKCS7;
	} else {
		/* Old id types: signer name and key id are the trailer's own bytes. */
		img->signer = strndup_bytes(blob - ms.key_id_len - ms.signer_len, ms.signer_len);
		img->sig_key = text_hex_colon(blob - ms.key_id_len, ms.key_id_len);
		img->sig_hashalgo = strdup(hash_names[ms.hash]);
		if (!img->signer || !img->sig_key || !img->sig_hashalgo)
			return -ENOMEM;
		info->sig = ms.id_type == SIG_ID_X509 ? MODIMAGE_SIG_X509 : MODIMAGE_SIG_PGP;
	}
	info->sig_id = id_names[ms.id_type];
	info->signer = img->signer;
	info->sig_key = img->sig_key;
	info->sig_hashalgo = img->sig_hashalgo;
	*elf_len = rest - need;
	return 0;
}

/*
 * What kernel/module/signing.c makes of the trailer: whether it checks it at all, and how many
 * bytes it then parses as the ELF object. elf_len is left alone where the kernel refuses the
 * module (EBADMSG): nothing loads, and modinfo's view of the ELF object is as good as any.
 */
static void kernel_sig_view(struct modimage *img, const unsigned char *buf, size_t len,
			    bool mangled, size_t *elf_len)
{
	struct module_signature ms;
	size_t modlen, sig_len;

	if (len <= SIG_MAGIC_LEN || memcmp(buf + len - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN))
		return;
	if (mangled) {
		/* Forced past modversions or vermagic: the marker is not even looked for. */
		img->info.sig_unchecked = true;
		*elf_len = len;
		return;
	}
	modlen = len - SIG_MAGIC_LEN;
	if (modlen <= sizeof(ms))
		return;
	memcpy(&ms, buf + modlen - sizeof(ms), sizeof(ms));
	sig_len = be32toh(ms.sig_len);
	if (sig_len >= modlen - sizeof(ms))
		return;
	if (ms.id_type != SIG_ID_PKCS7) {
		/* -ENOPKG: loaded unchecked (unless signatures are enforced), trailer and all. */
		img->info.sig_unchecked = true;
		*elf_len = modlen;
	}
}

int modimage_parse_signature(struct modimage *img, const unsigned char *buf, size_t len,
			     bool mangled, size_t *elf_len)
{
	int r;

	/*
	 * Both readers go back from the end at most as far as the well-formed trailer reaches;
	 * noted at once (img->reads), however far they get.
	 */
	modimage_note_read(img, len - trailer_reach(buf, len), trailer_reach(buf, len));
	r = kmod_sig_fields(img, buf, len, elf_len);

	if (r < 0)
		return r;
	kernel_sig_view(img, buf, len, mangled, elf_len);
	return 0;
}
