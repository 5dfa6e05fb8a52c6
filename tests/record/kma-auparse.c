/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reads raw audit logs (ausearch --format raw) on stdin with auparse and prints, for each of our
 * records (a user message whose op= starts with kmod_), one line:
 *	TYPE name:HEX name:HEX ...
 * every field auparse found inside the message, in order, its value decoded (quotes removed,
 * hex strings of string fields decoded) and printed as upper-case hex, so that a shell test can
 * compare exact bytes. Fields auparse itself knows as encoded (name, path, comm, exe) must
 * interpret to the same text, else the line says MISMATCH.
 */
#include <auparse.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record-names.h"

/* By the format's table, in any version: the string fields are named alike in all. */
static bool is_string_field(const char *name)
{
	int id = record_field_lookup(name, RECORD_VERSION);

	return id >= 0 && record_field_is_string(id);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decode into out; returns length. */
static size_t decode(const char *name, const char *v, char *out)
{
	size_t len = strlen(v);

	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		memcpy(out, v + 1, len - 2);
		return len - 2;
	}
	if (is_string_field(name) && len % 2 == 0 && len > 0) {
		bool hex = true;
		for (size_t i = 0; i < len && hex; i++)
			hex = hexval(v[i]) >= 0;
		if (hex) {
			for (size_t i = 0; i < len / 2; i++)
				out[i] = hexval(v[2 * i]) << 4 | hexval(v[2 * i + 1]);
			return len / 2;
		}
	}
	memcpy(out, v, len);
	return len;
}

/* --string-fields: the table's string fields, for the shell readers' copy of the list. */
static int print_string_fields(void)
{
	const char *sep = "";

	for (int id = 0; id < RF_COUNT; id++) {
		if (!record_field_is_string(id))
			continue;
		printf("%s%s", sep, record_field_name(id));
		sep = " ";
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	auparse_state_t *au;
	static char buf[65536];
	int records = 0;

	if (argc > 1 && !strcmp(argv[1], "--string-fields"))
		return print_string_fields();
	au = auparse_init(AUSOURCE_FILE_POINTER, stdin);

	if (!au) {
		perror("auparse_init");
		return 2;
	}
	auparse_set_escape_mode(au, AUPARSE_ESC_RAW);
	while (auparse_next_event(au) > 0) {
		do {
			const char *op;
			bool ours = false;

			auparse_first_field(au);
			op = auparse_find_field(au, record_field_name(RF_OP));
			ours = record_op_lookup(op) >= 0;
			if (!ours)
				continue;
			printf("%s", auparse_get_type_name(au));
			auparse_first_field(au);
			/* skip the kernel's part, up to and including ver= */
			bool in_payload = false;
			do {
				const char *name = auparse_get_field_name(au);
				const char *val = auparse_get_field_str(au);
				if (!name || !val)
					continue;
				if (!strcmp(name, record_field_name(RF_VER)))
					in_payload = true;
				if (!in_payload)
					continue;
				size_t n = decode(name, val, buf);
				printf(" %s:", name);
				for (size_t i = 0; i < n; i++)
					printf("%02X", (unsigned char)buf[i]);
				if (n == 0)
					printf("-");
				if (!strcmp(name, record_field_name(RF_RES)))
					in_payload = false; /* ENRICHED logs go on with UID= ... */
				int type = auparse_get_field_type(au);
				if (type == AUPARSE_TYPE_ESCAPED) {
					const char *in = auparse_interpret_field(au);
					if (in && strlen(in) == n && memcmp(in, buf, n))
						printf("(MISMATCH:%s)", in);
				}
			} while (auparse_next_field(au) > 0);
			printf("\n");
			records++;
		} while (auparse_next_record(au) > 0);
	}
	auparse_destroy(au);
	return records > 0 ? 0 : 1;
}
