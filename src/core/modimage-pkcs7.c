/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PKCS#7 blob of a module signature in the one shape scripts/sign-file makes, read without
 * OpenSSL's ASN.1 decoder. That decoder looks every OID up (OBJ_obj2nid), and OpenSSL 3 loads
 * its configuration file at the first lookup: about 0.4 ms of a new process's first module
 * call (bench/load-cost). Asking it to skip the file (OPENSSL_INIT_NO_LOAD_CONFIG) would hold
 * for the whole process: the caller's own later use of libcrypto would run without its
 * configuration (providers, OIDs). So this reader takes what it is sure of and leaves the rest
 * to OpenSSL (modimage-sig.c): it accepts only strict DER of
 *
 *	ContentInfo { signedData, [0] SignedData { version, digestAlgorithms,
 *	    ContentInfo { data }, (no certificates, no CRLs)
 *	    signerInfos { exactly one SignerInfo { version, { issuer Name, serialNumber },
 *	        digestAlgorithm, (no authenticated attributes), digestEncryptionAlgorithm,
 *	        encryptedDigest (no unauthenticated attributes) } } } }
 *
 * with INTEGERs positive and minimal, OIDs well-formed, algorithm parameters absent or NULL, the
 * issuer's values PrintableString, UTF8String or IA5String of printable ASCII. Every such blob is
 *one d2i_PKCS7() decodes, to the same fields (tests/fuzz/fuzz-pkcs7-plain.c holds the two against
 *each other).
 */
#include <string.h>

#include <openssl/objects.h>

#include "core/modimage-internal.h"

/* A DER reader over [p, end). */
struct der {
	const unsigned char *p, *end;
};

/*
 * The next element: tag and content. Only the low tag numbers and minimal definite lengths
 * of DER: anything else (BER's indefinite length among them) is for OpenSSL.
 */
static bool der_next(struct der *d, unsigned char *tag, struct der *content)
{
	size_t left = (size_t)(d->end - d->p), len, hdr;
	const unsigned char *p = d->p;

	if (left < 2 || (p[0] & 0x1f) == 0x1f)
		return false;
	if (p[1] < 0x80) {
		len = p[1];
		hdr = 2;
	} else {
		size_t n = p[1] & 0x7f;

		if (n == 0 || n > 4 || left - 2 < n || p[2] == 0)
			return false;
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | p[2 + i];
		if (len < 0x80)
			return false;
		hdr = 2 + n;
	}
	if (left - hdr < len)
		return false;
	*tag = p[0];
	content->p = p + hdr;
	content->end = p + hdr + len;
	d->p = content->end;
	return true;
}

static bool der_take(struct der *d, unsigned char tag, struct der *content)
{
	struct der save = *d;
	unsigned char t;

	if (der_next(d, &t, content) && t == tag)
		return true;
	*d = save;
	return false;
}

static bool der_done(const struct der *d)
{
	return d->p == d->end;
}

static size_t der_len(const struct der *d)
{
	return (size_t)(d->end - d->p);
}

#define TAG_INTEGER 0x02
#define TAG_OCTET_STRING 0x04
#define TAG_NULL 0x05
#define TAG_OID 0x06
#define TAG_UTF8STRING 0x0c
#define TAG_PRINTABLESTRING 0x13
#define TAG_IA5STRING 0x16
#define TAG_SEQUENCE 0x30
#define TAG_SET 0x31
#define TAG_CONTEXT_0 0xa0

/* As OpenSSL's c2i_ASN1_OBJECT accepts: not empty, no sub-identifier padded with 0x80. */
static bool oid_valid(const struct der *o)
{
	size_t n = der_len(o);

	if (n == 0 || o->p[n - 1] & 0x80)
		return false;
	for (size_t i = 0; i < n; i++)
		if (o->p[i] == 0x80 && (i == 0 || !(o->p[i - 1] & 0x80)))
			return false;
	return true;
}

bool modimage_oid_is(const unsigned char *oid, size_t len, int nid)
{
	const ASN1_OBJECT *obj = OBJ_nid2obj(nid); /* a built-in NID: a table entry, no lookup */
	size_t n = obj ? OBJ_length(obj) : 0;

	return n && len == n && !memcmp(oid, OBJ_get0_data(obj), n);
}

static bool oid_is(const struct der *o, int nid)
{
	return modimage_oid_is(o->p, der_len(o), nid);
}

/* A positive INTEGER, minimal: its magnitude without leading zeros (as BN_bn2bin gives it). */
static bool take_positive_int(struct der *d, struct der *magnitude)
{
	struct der i;

	if (!der_take(d, TAG_INTEGER, &i) || der_len(&i) == 0 || i.p[0] & 0x80 ||
	    (der_len(&i) > 1 && i.p[0] == 0 && !(i.p[1] & 0x80)))
		return false;
	while (i.p < i.end && i.p[0] == 0)
		i.p++;
	*magnitude = i;
	return true;
}

/* AlgorithmIdentifier { OID, NULL or nothing }. */
static bool take_algorithm(struct der *d, struct der *oid)
{
	struct der alg, null;

	if (!der_take(d, TAG_SEQUENCE, &alg) || !der_take(&alg, TAG_OID, oid) || !oid_valid(oid))
		return false;
	if (der_take(&alg, TAG_NULL, &null) && der_len(&null))
		return false;
	return der_done(&alg);
}

/*
 * Name: SEQUENCE OF non-empty SET OF { OID, string }. The value of the first commonName, or
 * as kmod reads a name without one, of the last entry; NULL for an empty name.
 */
static bool take_issuer(struct der *d, struct der *value, bool *found)
{
	struct der name, rdn, entry, oid, v;
	bool cn = false;
	unsigned char tag;

	*found = false;
	if (!der_take(d, TAG_SEQUENCE, &name))
		return false;
	while (!der_done(&name)) {
		if (!der_take(&name, TAG_SET, &rdn) || der_done(&rdn))
			return false;
		while (!der_done(&rdn)) {
			if (!der_take(&rdn, TAG_SEQUENCE, &entry) ||
			    !der_take(&entry, TAG_OID, &oid) || !oid_valid(&oid) ||
			    !der_next(&entry, &tag, &v) || !der_done(&entry) ||
			    (tag != TAG_PRINTABLESTRING && tag != TAG_UTF8STRING &&
			     tag != TAG_IA5STRING))
				return false;
			for (const unsigned char *c = v.p; c < v.end; c++)
				if (*c < 0x20 || *c > 0x7e)
					return false;
			if (!cn) {
				*value = v;
				*found = true;
				cn = oid_is(&oid, NID_commonName);
			}
		}
	}
	return true;
}

int modimage_pkcs7_plain(const unsigned char *blob, size_t len, struct modimage_pkcs7 *out)
{
	struct der d = {blob, blob + len}, ci, oid, explicit, sd, set, si, ias, any,
		   signer = {NULL, NULL};

	*out = (struct modimage_pkcs7){0};
	/* ContentInfo { signedData, [0] EXPLICIT SignedData }: what follows it is not read */
	if (!der_take(&d, TAG_SEQUENCE, &ci) || !der_take(&ci, TAG_OID, &oid) ||
	    !oid_is(&oid, NID_pkcs7_signed) || !der_take(&ci, TAG_CONTEXT_0, &explicit) ||
	    !der_done(&ci) || !der_take(&explicit, TAG_SEQUENCE, &sd) || !der_done(&explicit))
		return 0;
	/* SignedData { version, SET OF AlgorithmIdentifier, ContentInfo { data }, SET OF SI } */
	if (!take_positive_int(&sd, &any) || !der_take(&sd, TAG_SET, &set))
		return 0;
	while (!der_done(&set))
		if (!take_algorithm(&set, &any))
			return 0;
	if (!der_take(&sd, TAG_SEQUENCE, &ci) || !der_take(&ci, TAG_OID, &oid) ||
	    !oid_is(&oid, NID_pkcs7_data) || !der_done(&ci))
		return 0;
	if (!der_take(&sd, TAG_SET, &set) || !der_done(&sd))
		return 0;
	/* exactly one SignerInfo */
	if (!der_take(&set, TAG_SEQUENCE, &si) || !der_done(&set))
		return 0;
	if (!take_positive_int(&si, &any) || !der_take(&si, TAG_SEQUENCE, &ias) ||
	    !take_issuer(&ias, &signer, &out->has_signer))
		return 0;
	if (out->has_signer) {
		out->signer = signer.p;
		out->signer_len = der_len(&signer);
	}
	if (!take_positive_int(&ias, &any) || !der_done(&ias))
		return 0;
	out->serial = any.p;
	out->serial_len = der_len(&any);
	if (!take_algorithm(&si, &oid))
		return 0;
	out->digest = oid.p;
	out->digest_len = der_len(&oid);
	if (!take_algorithm(&si, &any) || !der_take(&si, TAG_OCTET_STRING, &any) || !der_done(&si))
		return 0;
	return 1;
}
