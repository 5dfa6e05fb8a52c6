/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which signatures `kmodaudit report` trusts: an entry of [report] trusted_signers= (or
 * --trusted-signers) is "NAME/KEYID", the signer and sig_key a record shows (kmodaudit inspect
 * prints both). A signer's name is any text anyone can put in a certificate or an old trailer:
 * an entry without a key id (the old form, a name alone) is still read but trusts nothing.
 */
#include <ctype.h>
#include <string.h>

#include "cmd/report/report-event.h"

/* The key id of an entry (after its last '/'), or NULL when it has none that is hex. */
static const char *entry_key(const char *entry, size_t *name_len)
{
	const char *slash = strrchr(entry, '/');
	size_t digits = 0;

	if (!slash)
		return NULL;
	for (const char *p = slash + 1; *p; p++) {
		if (isxdigit((unsigned char)*p))
			digits++;
		else if (*p != ':')
			return NULL;
	}
	if (!digits)
		return NULL;
	*name_len = (size_t)(slash - entry);
	return slash + 1;
}

bool rep_trust_entry_has_key(const char *entry)
{
	size_t name_len;

	return entry_key(entry, &name_len) != NULL;
}

/* The same hex digits in order, whatever the case and the colons ("AB:0C" == "ab0c"). */
static bool key_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a == ':')
			a++;
		while (*b == ':')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

bool rep_signer_trusted(char **entries, const char *signer, const char *sig_key)
{
	if (!signer || !sig_key || !*sig_key)
		return false;
	for (char **p = entries; p && *p; p++) {
		size_t name_len = 0;
		const char *key = entry_key(*p, &name_len);

		if (key && strlen(signer) == name_len && !memcmp(*p, signer, name_len) &&
		    key_equal(key, sig_key))
			return true;
	}
	return false;
}
