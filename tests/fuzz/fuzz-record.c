/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness: the record encoder (record_build, record_format, record_to_json) with
 * arbitrary strings and numbers, and an oracle for the contract's promise that no value can
 * break the field structure: the payload, split at spaces, must be exactly the fields the
 * record says it included (then truncated=yes if cut, then libaudit's trailer), each string
 * decoding to exactly the bytes it was given, in at most RECORD_MAX_PAYLOAD bytes; the JSON
 * line must parse and hold the same values. Any difference aborts.
 *
 * Input: a 40-byte header (numbers and flags), then up to NSTR strings separated by NUL bytes;
 * header bit i of `present` says whether string i is given or NULL.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	S_NAME,
	S_MODINFO_NAME,
	S_PATH,
	S_SIGNER,
	S_SIG_KEY,
	S_SIG_HASHALGO,
	S_VERMAGIC,
	S_SRCVERSION,
	S_VERSION,
	S_LICENSE,
	S_INTREE,
	S_ARGS,
	S_COMM,
	S_HISTORY,
	S_EXE,
	S_TERMINAL,
	NSTR
};

struct header {
	uint8_t present[2]; /* bit per string */
	uint8_t bools; /* is_load, has_file, has_dev_ino, has_image, sha, has_exit, known, ppid */
	uint8_t op_via_sys; /* 2 bits each */
	uint8_t anomalies;
	uint8_t success;
	uint8_t pad[2];
	uint64_t seq, dev, ino;
	int64_t size_exit; /* size (loads) and exit */
			   /* flags and ppid are taken from size_exit's bits too: enough variety */
};

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "oracle failed: %s (line %d)\n", #cond, __LINE__);         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static const char *const ausearch_keys[] = {
	"comm=",     "acct=", "hostname=", "addr=",   "cwd=",
	"terminal=", "exe=",  "res=",	   "result=", "uid=",
};

/* Check that one encoded string token value decodes to value/len (NULL: "?"). */
static void check_str(const char *tok, size_t toklen, const char *value, size_t len)
{
	if (!value) {
		CHECK(toklen == 1 && tok[0] == '?');
		return;
	}
	if (toklen >= 2 && tok[0] == '"') {
		CHECK(tok[toklen - 1] == '"' && toklen - 2 == len);
		CHECK(!memcmp(tok + 1, value, len));
		CHECK(!record_needs_hex(value, len));
		/* what ausearch searches a user record's whole text for is never in a quoted value
		 */
		for (size_t i = 0; i < sizeof(ausearch_keys) / sizeof(ausearch_keys[0]); i++)
			CHECK(!memmem(value, len, ausearch_keys[i], strlen(ausearch_keys[i])));
		return;
	}
	CHECK(toklen == 2 * len);
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(tok[2 * i]), lo = hexval(tok[2 * i + 1]);
		CHECK(hi >= 0 && lo >= 0);
		CHECK((unsigned char)value[i] == (hi << 4 | lo));
	}
}

/* The next space-separated token of the payload: name and value. */
static const char *next_token(const char *p, const char **name, size_t *nlen, const char **val,
			      size_t *vlen)
{
	const char *end = strchr(p, ' '), *eq;

	if (!end)
		end = p + strlen(p);
	eq = memchr(p, '=', (size_t)(end - p));
	CHECK(eq);
	*name = p;
	*nlen = (size_t)(eq - p);
	*val = eq + 1;
	*vlen = (size_t)(end - eq - 1);
	return *end ? end + 1 : end;
}

/* Length of name=value as the contract encodes it. */
static size_t encoded_len(const struct record_field *f)
{
	char num[24];
	size_t n = strlen(f->name) + 1;

	if (f->kind == RECORD_NUM)
		return n + (size_t)snprintf(num, sizeof(num), "%lld", f->num);
	if (f->kind == RECORD_WORD)
		return n + strlen(f->value);
	if (!f->value)
		return n + 1;
	return n + (record_needs_hex(f->value, f->len) ? 2 * f->len : f->len + 2);
}

static bool token_is(const char *name, size_t nlen, const char *want)
{
	return strlen(want) == nlen && !memcmp(name, want, nlen);
}

static void check_json(const struct record *r, const char *json)
{
	json_object *obj = json_tokener_parse(json);

	CHECK(obj);
	CHECK(json_object_is_type(obj, json_type_object));
	for (unsigned i = 0; i < r->nfields; i++) {
		const struct record_field *f = &r->fields[i];
		json_object *v;

		if (!f->included)
			continue;
		CHECK(json_object_object_get_ex(obj, f->name, &v));
		if (f->kind == RECORD_NUM) {
			CHECK(json_object_get_int64(v) == f->num);
		} else if (f->kind == RECORD_STR && f->value) {
			const char *s = json_object_get_string(v);
			size_t n = (size_t)json_object_get_string_len(v);
			/* raw bytes, or their hex when not UTF-8 */
			if (n == f->len)
				CHECK(!memcmp(s, f->value, n));
			else
				check_str(s, n, f->value, f->len);
		}
	}
	json_object_put(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum record_op ops[] = {RECORD_OP_LOAD_INTENT, RECORD_OP_LOAD,
					     RECORD_OP_UNLOAD, RECORD_OP_COUNT};
	static const char *const vias[] = {"preload", "trace", "kmod", NULL};
	static const char *const sys[] = {"init_module", "finit_module", "delete_module", NULL};
	const char *str[NSTR] = {0};
	struct header h;
	struct record_event ev;
	static struct record r; /* large: not on the stack */
	unsigned char sha[32];
	char *copy;
	size_t off = 0;
	int n = 0;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	copy = malloc(size - sizeof(h) + 1);
	if (!copy)
		return 0;
	memcpy(copy, data + sizeof(h), size - sizeof(h));
	copy[size - sizeof(h)] = '\0';
	while (n < NSTR && off <= size - sizeof(h)) {
		const char *s = copy + off;
		if ((h.present[n / 8] >> (n % 8)) & 1)
			str[n] = s;
		off += strlen(s) + 1;
		n++;
	}
	memset(sha, 0xa5, sizeof(sha));

	ev = (struct record_event){
		.op = ops[h.op_via_sys & 3],
		.seq = h.seq,
		.via = vias[(h.op_via_sys >> 2) & 3],
		.call = sys[(h.op_via_sys >> 4) & 3],
		.name = str[S_NAME],
		.modinfo_name = str[S_MODINFO_NAME],
		.is_load = h.bools & 1,
		.has_file = h.bools & 2,
		.path = str[S_PATH],
		.has_dev_inode = h.bools & 4,
		.dev = h.dev,
		.inode = h.ino,
		.has_image = h.bools & 8,
		.size = (uint64_t)h.size_exit,
		.compression = "none",
		.sha256 = h.bools & 16 ? sha : NULL,
		.sig_type = "pkcs7",
		.signer = str[S_SIGNER],
		.sig_key = str[S_SIG_KEY],
		.sig_hashalgo = str[S_SIG_HASHALGO],
		.vermagic = str[S_VERMAGIC],
		.srcversion = str[S_SRCVERSION],
		.version = str[S_VERSION],
		.license = str[S_LICENSE],
		.intree = str[S_INTREE],
		.args = str[S_ARGS],
		.call_flags = (unsigned long)h.size_exit >> 3,
		.has_exit = h.bools & 32,
		.exit_known = h.bools & 64,
		.exit = (long)h.size_exit,
		.has_ppid = h.bools & 128,
		.ppid = (pid_t)h.dev,
		.comm = str[S_COMM],
		.history = str[S_HISTORY],
		.anomalies = h.anomalies,
		.exe = str[S_EXE],
		.terminal = str[S_TERMINAL],
		.success = h.success & 1,
	};
	/* op/via/call are the emitter's fixed words, never NULL in real use */
	if (ev.op == RECORD_OP_COUNT || !ev.via || !ev.call)
		goto out;

	record_build(&r, &ev);
	record_format(&r);
	CHECK(r.len <= RECORD_MAX_PAYLOAD);
	CHECK(strlen(r.payload) == r.len);

	/* the payload is exactly the included fields, in order, then the trailer */
	{
		const char *p = r.payload, *name, *val;
		size_t nlen, vlen;
		unsigned included = 0;

		for (unsigned i = 0; i < r.nfields; i++) {
			const struct record_field *f = &r.fields[i];
			if (!f->included)
				continue;
			included++;
			p = next_token(p, &name, &nlen, &val, &vlen);
			CHECK(token_is(name, nlen, f->name));
			if (f->kind == RECORD_STR) {
				check_str(val, vlen, f->value, f->len);
			} else if (f->kind == RECORD_WORD) {
				CHECK(strlen(f->value) == vlen && !memcmp(val, f->value, vlen));
			} else {
				char num[24];
				snprintf(num, sizeof(num), "%lld", f->num);
				CHECK(strlen(num) == vlen && !memcmp(val, num, vlen));
			}
		}
		CHECK(included == r.nfields || r.truncated);
		if (r.truncated) {
			p = next_token(p, &name, &nlen, &val, &vlen);
			CHECK(token_is(name, nlen, "truncated") && vlen == 3 &&
			      !memcmp(val, "yes", 3));
		}
		p = next_token(p, &name, &nlen, &val, &vlen);
		CHECK(token_is(name, nlen, "exe"));
		if (!(vlen == 3 && !memcmp(val, "\"?\"", 3)))
			check_str(val, vlen, ev.exe, ev.exe ? strlen(ev.exe) : 0);
		p = next_token(p, &name, &nlen, &val, &vlen);
		CHECK(token_is(name, nlen, "hostname"));
		p = next_token(p, &name, &nlen, &val, &vlen);
		CHECK(token_is(name, nlen, "addr"));
		p = next_token(p, &name, &nlen, &val, &vlen);
		CHECK(token_is(name, nlen, "terminal"));
		CHECK(!memchr(val, '=', vlen) && !memchr(val, '"', vlen));
		p = next_token(p, &name, &nlen, &val, &vlen);
		CHECK(token_is(name, nlen, "res"));
		CHECK(vlen == (ev.success ? 7u : 6u));
		CHECK(*p == '\0');
		/* fields are left out only when all of them would not fit */
		if (included < r.nfields) {
			size_t full = r.len + 1; /* the trailer, and at most " truncated=yes" */
			for (unsigned i = 0; i < r.nfields; i++)
				if (!r.fields[i].included)
					full += 1 + encoded_len(&r.fields[i]);
			CHECK(full > RECORD_MAX_PAYLOAD - sizeof(" truncated=yes") + 1);
		}
	}

	{
		struct timespec ts = {.tv_sec = (time_t)(h.seq % 4102444800u), .tv_nsec = 0};
		char *json = record_to_json(&r, "USER", &ts);
		if (json) {
			check_json(&r, json);
			free(json);
		}
	}
out:
	free(copy);
	return 0;
}
