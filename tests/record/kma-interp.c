/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kma-interp: what auparse (and so ausearch -i) makes of our records. Reads raw audit logs on
 * stdin; for every field of every record of ours (op= one of the format's ops) it asks auparse
 * for the field's type and interpretation and holds them to the record format's promise: only
 * name (a file name), path, comm and exe (escaped strings, shown decoded), exit (the errno
 * name) and libaudit's res and addr have a meaning in auparse's table; every other field is
 * shown as written. A field auparse reads with another meaning (version 1's syscall=, sig=,
 * flags=) is a MISMATCH line on stderr.
 *
 * Prints, for each record, "SERIAL<TAB>TEXT": TEXT is the payload as ausearch -i must show it,
 * built from the raw values by those rules (not from auparse's answers), for the shell test to
 * hold ausearch's own output to. Exit status 1 on a mismatch or when no record was read.
 */
#include <auparse.h>
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record-names.h"

/* The fields auparse may interpret, and how; any other field must stay unclassified. */
static const struct {
	enum record_field_id id;
	int type;
} meaningful[] = {
	{RF_NAME, AUPARSE_TYPE_ESCAPED_FILE}, {RF_PATH, AUPARSE_TYPE_ESCAPED},
	{RF_COMM, AUPARSE_TYPE_ESCAPED},      {RF_EXE, AUPARSE_TYPE_ESCAPED},
	{RF_EXIT, AUPARSE_TYPE_EXIT},	      {RF_RES, AUPARSE_TYPE_SUCCESS},
	{RF_ADDR, AUPARSE_TYPE_ADDR},
};

static int allowed_type(const char *name)
{
	int id = record_field_lookup(name, RECORD_VERSION);

	for (size_t i = 0; i < sizeof(meaningful) / sizeof(meaningful[0]); i++)
		if ((int)meaningful[i].id == id)
			return meaningful[i].type;
	return AUPARSE_TYPE_UNCLASSIFIED;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* An escaped string as the kernel writes one: "quoted", or hex; anything else as it is. */
static char *unescape(const char *v)
{
	size_t len = strlen(v);
	bool hex = len > 0 && len % 2 == 0;
	char *out;

	if (len >= 2 && v[0] == '"' && v[len - 1] == '"')
		return strndup(v + 1, len - 2);
	for (size_t i = 0; i < len && hex; i++)
		hex = hexval(v[i]) >= 0;
	if (!hex)
		return strdup(v);
	out = malloc(len / 2 + 1);
	for (size_t i = 0; out && i < len / 2; i++)
		out[i] = (char)(hexval(v[2 * i]) << 4 | hexval(v[2 * i + 1]));
	if (out)
		out[len / 2] = '\0';
	return out;
}

/* What the field must read as: the value as written, or its one permitted meaning. */
static char *expected(int type, const char *raw)
{
	char *end, *out;
	long long v;

	switch (type) {
	case AUPARSE_TYPE_ESCAPED:
	case AUPARSE_TYPE_ESCAPED_FILE:
		return unescape(raw);
	case AUPARSE_TYPE_EXIT:
		errno = 0;
		v = strtoll(raw, &end, 10);
		if (errno || *end || end == raw || v >= 0 || !strerrorname_np((int)-v))
			return strdup(raw);
		return asprintf(&out, "%s(%s)", strerrorname_np((int)-v), strerror((int)-v)) < 0
			       ? NULL
			       : out;
	default:
		return strdup(raw);
	}
}

/* auparse shows an unclassified value as written; quotes dropped would say the same. */
static bool same(int type, const char *want, const char *got)
{
	size_t n = strlen(want);

	if (!strcmp(want, got))
		return true;
	return type == AUPARSE_TYPE_UNCLASSIFIED && n >= 2 && want[0] == '"' &&
	       want[n - 1] == '"' && strlen(got) == n - 2 && !strncmp(got, want + 1, n - 2);
}

int main(void)
{
	auparse_state_t *au = auparse_init(AUSOURCE_FILE_POINTER, stdin);
	int records = 0, bad = 0;

	if (!au) {
		perror("auparse_init");
		return 2;
	}
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	while (auparse_next_event(au) > 0) {
		do {
			const au_event_t *e = auparse_get_timestamp(au);
			bool in_payload = false;
			const char *sep = "";

			auparse_first_field(au);
			if (record_op_lookup(auparse_find_field(au, record_field_name(RF_OP))) < 0)
				continue;
			printf("%lu\t", e ? e->serial : 0);
			auparse_first_field(au);
			do {
				const char *name = auparse_get_field_name(au);
				const char *raw = auparse_get_field_str(au);
				const char *interp;
				int type, want_type;
				char *want;

				if (!name || !raw)
					continue;
				if (!strcmp(name, record_field_name(RF_VER)))
					in_payload =
						true; /* the kernel's pid= uid= ... come first */
				if (!in_payload)
					continue;
				type = auparse_get_field_type(au);
				want_type = allowed_type(name);
				interp = auparse_interpret_field(au);
				want = expected(want_type, raw);
				if (!want)
					return 2;
				if (type != want_type) {
					fprintf(stderr,
						"MISMATCH %lu %s=%s: auparse gives it type %d "
						"(%s), "
						"expected %d\n",
						e ? e->serial : 0, name, raw, type,
						interp ? interp : "?", want_type);
					bad++;
				} else if (!interp || !same(type, want, interp)) {
					fprintf(stderr,
						"MISMATCH %lu %s=%s: auparse shows %s, expected "
						"%s\n",
						e ? e->serial : 0, name, raw,
						interp ? interp : "(null)", want);
					bad++;
				}
				printf("%s%s=%s", sep, name, want);
				sep = " ";
				free(want);
				if (!strcmp(name, record_field_name(RF_RES)))
					in_payload = false; /* ENRICHED logs go on with UID= ... */
			} while (auparse_next_field(au) > 0);
			printf("\n");
			records++;
		} while (auparse_next_record(au) > 0);
	}
	auparse_destroy(au);
	if (!records)
		fprintf(stderr, "no record of ours\n");
	return bad || !records ? 1 : 0;
}
