/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The record format's only implementation: field order, encoding, size cap, JSON form. */
#include <inttypes.h>
#include <json-c/json.h>
#include <libaudit.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "macro.h"
#include "core/record.h"
#include "core/text-encode.h"

/*
 * ausearch finds these in a user record by searching its whole text, quotes or not: in a
 * value they would become the record's result, command, executable... (`args="res=failed"`).
 */
static const char *const ausearch_keys[] = {
	"comm=",     "acct=", "hostname=", "addr=",   "cwd=",
	"terminal=", "exe=",  "res=",	   "result=", "uid=",
};

/*
 * Every key ends with its only '=': a key is in the value exactly where one ends at one of the
 * value's '='. Looked for there: a memmem() per key over every value of both records cost about
 * 15 us of a module call (bench/load-cost).
 */
static bool ausearch_key_ends_at(const char *value, size_t eq)
{
	for (size_t i = 0; i < ARRAY_SIZE(ausearch_keys); i++) {
		size_t klen = strlen(ausearch_keys[i]);

		if (eq + 1 >= klen && !memcmp(value + eq + 1 - klen, ausearch_keys[i], klen))
			return true;
	}
	return false;
}

bool record_needs_hex(const char *value, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = value[i];
		if (c == '"' || c < 0x21 || c > 0x7e)
			return true;
	}
	for (size_t i = 0; i < len; i++)
		if (value[i] == '=' && ausearch_key_ends_at(value, i))
			return true;
	return false;
}

static size_t str_encoded_len(const char *value, size_t len)
{
	if (!value)
		return 1;
	return record_needs_hex(value, len) ? 2 * len : len + 2;
}

/* Write the encoded value (no name) into p, which has room for it. */
static char *str_encode(char *p, const char *value, size_t len)
{
	if (!value) {
		*p++ = '?';
	} else if (record_needs_hex(value, len)) {
		p = text_hex_put(p, value, len, TEXT_HEX_UPPER);
	} else {
		*p++ = '"';
		memcpy(p, value, len);
		p += len;
		*p++ = '"';
	}
	return p;
}

size_t record_encode_str(char *buf, size_t size, const char *name, const char *value, size_t len)
{
	size_t nlen = strlen(name);
	size_t need = nlen + 1 + str_encoded_len(value, len);
	char *p;

	if (need + 1 > size)
		return need;
	p = mempcpy(buf, name, nlen);
	*p++ = '=';
	p = str_encode(p, value, len);
	*p = '\0';
	return need;
}

static void add_field(struct record *r, enum record_field_id id, enum record_kind kind,
		      const char *value, long long num)
{
	struct record_field *f;

	if (r->nfields >= RECORD_MAX_FIELDS)
		return; /* cannot happen: the contract has fewer fields */
	f = &r->fields[r->nfields++];
	*f = (struct record_field){
		.name = record_field_name(id), .kind = kind, .value = value, .num = num};
	if (kind == RECORD_STR && value)
		f->len = strlen(value);
	if (kind == RECORD_WORD && !value)
		f->value = "?";
}

static void add_str(struct record *r, enum record_field_id id, const char *value)
{
	add_field(r, id, RECORD_STR, value, 0);
}

static void add_word(struct record *r, enum record_field_id id, const char *word)
{
	add_field(r, id, RECORD_WORD, word, 0);
}

static void add_num(struct record *r, enum record_field_id id, long long num)
{
	add_field(r, id, RECORD_NUM, NULL, num);
}

static void add_opt_str(struct record *r, enum record_field_id id, const char *value)
{
	if (value)
		add_str(r, id, value);
}

static const char *const anomaly_names[] = {
	"name_mismatch", "unsigned",	   "sig_malformed",
	"file_changed",	 "truncated_read", "sig_unchecked",
};

static const char *anomaly_list(char *buf, size_t size, unsigned anomalies)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(anomaly_names); i++) {
		if (!(anomalies & (1u << i)))
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? "," : "", anomaly_names[i]);
	}
	return len ? buf : NULL;
}

/* "BPF program records": from prog_type to prog_tag (the common head and tail are the caller's) */
static void build_bpf(struct record *r, const struct record_event *ev)
{
	const struct record_bpf *b = ev->bpf;

	if (b->has_attr) {
		add_word(r, RF_PROG_TYPE, b->prog_type);
		add_str(r, RF_PROG_NAME, b->prog_name);
		add_num(r, RF_INSN_CNT, b->insn_cnt);
	} else {
		add_word(r, RF_PROG_TYPE, NULL);
		add_str(r, RF_PROG_NAME, NULL);
		add_word(r, RF_INSN_CNT, NULL);
	}
	add_word(r, RF_INSNS_SHA256,
		 b->insns_sha256 ? text_hex(r->sha_buf, b->insns_sha256, 32, TEXT_HEX_UPPER)
				 : NULL);
	add_str(r, RF_LICENSE, b->license);
	if (b->has_attr && b->attach_type)
		add_word(r, RF_ATTACH_TYPE, b->attach_type);
	if (b->has_attr && b->attach_btf_id)
		add_num(r, RF_ATTACH_BTF_ID, b->attach_btf_id);
	if (b->has_attr) {
		snprintf(r->flags_buf, sizeof(r->flags_buf), "0x%" PRIx32, b->prog_flags);
		add_word(r, RF_PROG_FLAGS, r->flags_buf);
	} else {
		add_word(r, RF_PROG_FLAGS, NULL);
	}
	if (ev->has_exit) {
		if (ev->exit_known)
			add_num(r, RF_EXIT, ev->exit);
		else
			add_word(r, RF_EXIT, NULL);
		if (b->has_prog) {
			add_num(r, RF_PROG_ID, b->prog_id);
			add_word(r, RF_PROG_TAG, b->prog_tag);
		}
	}
}

void record_build(struct record *r, const struct record_event *ev)
{
	r->nfields = 0;
	r->truncated = false;
	r->len = 0;
	r->payload[0] = '\0';

	add_num(r, RF_VER, RECORD_VERSION);
	add_word(r, RF_OP, record_op_name(ev->op));
	add_num(r, RF_SEQ, (long long)ev->seq);
	add_word(r, RF_VIA, ev->via);
	add_word(r, RF_CALL, ev->call);
	if (ev->bpf) {
		build_bpf(r, ev);
		goto tail;
	}
	add_str(r, RF_NAME, ev->name);
	if (ev->is_load && ev->modinfo_name && (!ev->name || strcmp(ev->modinfo_name, ev->name)))
		add_str(r, RF_MODINFO_NAME, ev->modinfo_name);
	if (ev->is_load && ev->has_file) {
		add_str(r, RF_PATH, ev->path);
		if (ev->has_dev_inode) {
			/* as the kernel's PATH record writes it (audit_log_name: %02x:%02x) */
			snprintf(r->dev_buf, sizeof(r->dev_buf), "%02x:%02x", major(ev->dev),
				 minor(ev->dev));
			add_word(r, RF_DEV, r->dev_buf);
			add_num(r, RF_INODE, (long long)ev->inode);
		} else {
			add_word(r, RF_DEV, NULL);
			add_word(r, RF_INODE, NULL);
		}
	}
	if (ev->is_load) {
		if (ev->has_image || ev->has_size)
			add_num(r, RF_SIZE, (long long)ev->size);
		else
			add_word(r, RF_SIZE, NULL);
		add_word(r, RF_COMPRESSION, ev->has_image ? ev->compression : NULL);
		if (ev->has_image && ev->sha256) {
			add_word(r, RF_SHA256,
				 text_hex(r->sha_buf, ev->sha256, 32, TEXT_HEX_UPPER));
		} else {
			add_word(r, RF_SHA256, NULL);
		}
		add_word(r, RF_SIG_TYPE, ev->has_image ? ev->sig_type : NULL);
		add_opt_str(r, RF_SIGNER, ev->signer);
		add_opt_str(r, RF_SIG_KEY, ev->sig_key);
		add_opt_str(r, RF_SIG_HASHALGO, ev->sig_hashalgo);
		add_opt_str(r, RF_VERMAGIC, ev->vermagic);
		add_opt_str(r, RF_SRCVERSION, ev->srcversion);
		add_opt_str(r, RF_VERSION, ev->version);
		add_opt_str(r, RF_LICENSE, ev->license);
		add_opt_str(r, RF_INTREE, ev->intree);
		add_str(r, RF_ARGS, ev->args);
	}
	snprintf(r->flags_buf, sizeof(r->flags_buf), "0x%lx", ev->call_flags);
	add_word(r, RF_CALL_FLAGS, r->flags_buf);
	if (ev->has_exit) {
		if (ev->exit_known)
			add_num(r, RF_EXIT, ev->exit);
		else
			add_word(r, RF_EXIT, NULL);
	}
tail:
	if (ev->has_ppid)
		add_num(r, RF_PPID, ev->ppid);
	else
		add_word(r, RF_PPID, NULL);
	add_str(r, RF_COMM, ev->comm);
	add_str(r, RF_HISTORY, ev->history);
	if (anomaly_list(r->anomaly_buf, sizeof(r->anomaly_buf), ev->anomalies))
		add_word(r, RF_ANOMALY, r->anomaly_buf);

	r->exe = ev->exe;
	r->terminal = ev->terminal;
	r->success = ev->success;
}

static size_t field_len(const struct record_field *f)
{
	char num[24];
	size_t len = strlen(f->name) + 1;

	switch (f->kind) {
	case RECORD_STR:
		return len + str_encoded_len(f->value, f->len);
	case RECORD_WORD:
		return len + strlen(f->value);
	case RECORD_NUM:
		return len + snprintf(num, sizeof(num), "%lld", f->num);
	}
	return len;
}

static char *field_write(char *p, const struct record_field *f)
{
	p = stpcpy(p, f->name);
	*p++ = '=';
	switch (f->kind) {
	case RECORD_STR:
		return str_encode(p, f->value, f->len);
	case RECORD_WORD:
		return stpcpy(p, f->value);
	case RECORD_NUM:
		return p + sprintf(p, "%lld", f->num);
	}
	return p;
}

/* A terminal name is written bare by libaudit: only when it cannot break the structure. */
static const char *safe_terminal(const char *t)
{
	if (!t || !*t || strlen(t) > 64 || record_needs_hex(t, strlen(t)) || strchr(t, '='))
		return "?";
	return t;
}

/* " name=" of field ID at p */
static char *name_write(char *p, enum record_field_id id)
{
	*p++ = ' ';
	p = stpcpy(p, record_field_name(id));
	*p++ = '=';
	return p;
}

void record_format(struct record *r)
{
	char trailer[RECORD_MAX_EXE_ENCODED + 160], truncated[32];
	size_t exe_len = r->exe ? strlen(r->exe) : 0;
	size_t total = 0, limit, tlen, trunc_len;
	char *p = trailer;

	/* exe= as libaudit's _get_exename() writes it: hex, quoted, or "?" when unknown/too long */
	p = name_write(p, RF_EXE);
	if (r->exe && str_encoded_len(r->exe, exe_len) <= RECORD_MAX_EXE_ENCODED) {
		p = str_encode(p, r->exe, exe_len);
	} else {
		if (r->exe)
			r->truncated = true;
		p = stpcpy(p, "\"?\"");
	}
	p = stpcpy(name_write(p, RF_HOSTNAME), "?");
	p = stpcpy(name_write(p, RF_ADDR), "?");
	p = stpcpy(name_write(p, RF_TERMINAL), safe_terminal(r->terminal));
	p = stpcpy(name_write(p, RF_RES), r->success ? "success" : "failed");
	tlen = p - trailer;
	trunc_len = stpcpy(name_write(truncated, RF_TRUNCATED), "yes") - truncated;

	for (unsigned i = 0; i < r->nfields; i++)
		total += (i ? 1 : 0) + field_len(&r->fields[i]);
	limit = RECORD_MAX_PAYLOAD - tlen;
	if (r->truncated || total > limit)
		limit -= trunc_len;

	p = r->payload;
	for (unsigned i = 0; i < r->nfields; i++) {
		struct record_field *f = &r->fields[i];
		size_t need = (p != r->payload ? 1 : 0) + field_len(f);

		f->included = (size_t)(p - r->payload) + need <= limit;
		if (!f->included) {
			r->truncated = true;
			continue;
		}
		if (p != r->payload)
			*p++ = ' ';
		p = field_write(p, f);
	}
	if (r->truncated)
		p = mempcpy(p, truncated, trunc_len);
	p = mempcpy(p, trailer, tlen);
	*p = '\0';
	r->len = p - r->payload;
}

void record_type_name(int type, char *buf, size_t size)
{
	const char *name = audit_msg_type_to_name(type);

	if (name)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "UNKNOWN[%d]", type);
}

/*
 * Adds key: value to obj. value NULL is JSON null when null_ok (an unknown value), else an
 * allocation that failed. Returns false when the object is not what the record says: then no
 * line is written at all rather than one with a value missing.
 */
static bool json_put(json_object *obj, const char *key, json_object *value, bool null_ok)
{
	if (!value && !null_ok)
		return false;
	if (json_object_object_add(obj, key, value) < 0) {
		json_object_put(value);
		return false;
	}
	return true;
}

char *record_to_json(const struct record *r, const char *type_name, const struct timespec *ts)
{
	json_object *obj = json_object_new_object();
	json_object *hex = json_object_new_array();
	const char *text;
	char tbuf[64];
	struct tm tm;
	char *out = NULL;
	bool ok;

	if (!obj || !hex)
		goto out;
	gmtime_r(&ts->tv_sec, &tm);
	snprintf(tbuf, sizeof(tbuf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 ts->tv_nsec / 1000000);
	ok = json_put(obj, "type", json_object_new_string(type_name), false) &&
	     json_put(obj, "time", json_object_new_string(tbuf), false);
	for (unsigned i = 0; ok && i < r->nfields; i++) {
		const struct record_field *f = &r->fields[i];

		if (!f->included)
			continue;
		switch (f->kind) {
		case RECORD_STR:
			ok = text_json_add_str(obj, f->name, f->value, f->len, hex) == 0;
			break;
		case RECORD_WORD:
			ok = strcmp(f->value, "?")
				     ? json_put(obj, f->name, json_object_new_string(f->value),
						false)
				     : json_put(obj, f->name, NULL, true);
			break;
		case RECORD_NUM:
			ok = json_put(obj, f->name, json_object_new_int64(f->num), false);
			break;
		}
	}
	if (ok && r->truncated)
		ok = json_put(obj, record_field_name(RF_TRUNCATED), json_object_new_string("yes"),
			      false);
	ok = ok &&
	     text_json_add_str(obj, record_field_name(RF_EXE), r->exe, r->exe ? strlen(r->exe) : 0,
			       hex) == 0 &&
	     json_put(obj, record_field_name(RF_HOSTNAME), NULL, true) &&
	     json_put(obj, record_field_name(RF_ADDR), NULL, true) &&
	     (strcmp(safe_terminal(r->terminal), "?")
		      ? json_put(obj, record_field_name(RF_TERMINAL),
				 json_object_new_string(r->terminal), false)
		      : json_put(obj, record_field_name(RF_TERMINAL), NULL, true)) &&
	     json_put(obj, record_field_name(RF_RES),
		      json_object_new_string(r->success ? "success" : "failed"), false);
	if (!ok)
		goto out;
	if (json_object_array_length(hex) > 0) {
		if (json_object_object_add(obj, "hex", hex) < 0)
			goto out;
		hex = NULL;
	}
	text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text)
		out = strdup(text);
out:
	json_object_put(hex);
	json_object_put(obj);
	return out;
}
