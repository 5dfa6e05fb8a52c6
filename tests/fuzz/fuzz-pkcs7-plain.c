/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness, differential: the PKCS#7 reader of sign-file's shape
 * (src/core/modimage-pkcs7.c) against OpenSSL's d2i_PKCS7(), which reads every other blob.
 *
 * Input: the blob. Oracle: whatever the reader accepts, OpenSSL decodes too, to the same first
 * SignerInfo: the issuer's commonName (or its last entry, as kmod reads a name without one),
 * the serial number's magnitude, the digest algorithm's OID; every field lies within the blob.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "core/modimage-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_abort(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen || (alen && memcmp(a, b, alen)))
		abort();
}

static void within_or_abort(const void *p, size_t len, const uint8_t *data, size_t size)
{
	if (len && ((const uint8_t *)p < data || (const uint8_t *)p + len > data + size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modimage_pkcs7 f;
	const unsigned char *p = data;
	PKCS7 *p7;
	PKCS7_SIGNER_INFO *si;
	const X509_NAME_ENTRY *e = NULL;
	X509_ALGOR *dig = NULL;
	const ASN1_OBJECT *o = NULL;
	const ASN1_STRING *v;
	BIGNUM *bn;
	unsigned char serial[4096];
	int n;

	if (size > (1u << 20) || modimage_pkcs7_plain(data, size, &f) != 1)
		return 0;
	within_or_abort(f.signer, f.signer_len, data, size);
	within_or_abort(f.serial, f.serial_len, data, size);
	within_or_abort(f.digest, f.digest_len, data, size);

	p7 = d2i_PKCS7(NULL, &p, (long)size);
	if (!p7 || !PKCS7_type_is_signed(p7))
		abort();
	si = sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0);
	if (!si || !si->issuer_and_serial || !si->enc_digest ||
	    sk_PKCS7_SIGNER_INFO_num(PKCS7_get_signer_info(p7)) != 1)
		abort();

	for (int i = 0; i < X509_NAME_entry_count(si->issuer_and_serial->issuer); i++) {
		e = X509_NAME_get_entry(si->issuer_and_serial->issuer, i);
		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) == NID_commonName)
			break;
	}
	if (!e != !f.has_signer)
		abort();
	if (e) {
		v = X509_NAME_ENTRY_get_data(e);
		same_or_abort(ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v), f.signer,
			      f.signer_len);
	}

	bn = ASN1_INTEGER_to_BN(si->issuer_and_serial->serial, NULL);
	if (!bn || BN_num_bytes(bn) > (int)sizeof(serial))
		abort();
	n = BN_bn2bin(bn, serial);
	same_or_abort(serial, (size_t)n, f.serial, f.serial_len);
	BN_free(bn);

	PKCS7_SIGNER_INFO_get0_algs(si, NULL, &dig, NULL);
	if (dig)
		X509_ALGOR_get0(&o, NULL, NULL, dig);
	if (!o)
		abort();
	same_or_abort(OBJ_get0_data(o), OBJ_length(o), f.digest, f.digest_len);
	PKCS7_free(p7);
	return 0;
}
