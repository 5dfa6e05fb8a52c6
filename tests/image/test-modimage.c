/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module image analysis on crafted images. The ELF objects are written here byte by byte
 * (32/64-bit, either byte order); signatures are made by the openssl CLI with a key it creates
 * and appended in the kernel's trailer format; compressed copies come from the xz, zstd and
 * gzip CLIs. Every expected value comes from the bytes written here or from those tools.
 */
#include <endian.h>
#include <fcntl.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "core/modimage.h"

/* ---- the test's own ELF writer ---------------------------------------------------------- */

#define SHT_PROGBITS_ 1
#define SHT_STRTAB_ 3
#define SHT_NOBITS_ 8
#define SHF_WRITE_ 1
#define SHF_ALLOC_ 2
#define SHF_EXECINSTR_ 4

struct sec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	const void *data;
	size_t size;
	uint64_t fake_offset, fake_size; /* written instead of the real ones when non-zero */
};

struct elf_spec {
	bool is64, big;
	uint16_t type; /* e_type, 0 = ET_REL */
	struct sec secs[8];
	size_t n;
};

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

static void buf_int(struct buf *b, uint64_t v, size_t width, bool big)
{
	unsigned char bytes[8];

	for (size_t i = 0; i < width; i++)
		bytes[big ? width - 1 - i : i] = (unsigned char)(v >> (8 * i));
	buf_put(b, bytes, width);
}

static void buf_align(struct buf *b, size_t a)
{
	while (b->len % a)
		buf_put(b, NULL, 1);
}

/* ehdr, section contents, .shstrtab, section headers (null, the given ones, .shstrtab). */
static unsigned char *build_elf(const struct elf_spec *s, size_t *len)
{
	size_t w = s->is64 ? 8 : 4, ehsize = s->is64 ? 64 : 52, shentsize = s->is64 ? 64 : 40;
	struct buf b = {0}, strtab = {0}, eh = {0};
	size_t name_off[9], data_off[9], strtab_off, shoff;
	bool big = s->big;

	buf_put(&b, NULL, ehsize);
	buf_put(&strtab, "", 1);
	for (size_t i = 0; i < s->n; i++) {
		name_off[i] = strtab.len;
		buf_put(&strtab, s->secs[i].name, strlen(s->secs[i].name) + 1);
		buf_align(&b, 8);
		data_off[i] = b.len;
		if (s->secs[i].type != SHT_NOBITS_)
			buf_put(&b, s->secs[i].data, s->secs[i].size);
	}
	name_off[s->n] = strtab.len;
	buf_put(&strtab, ".shstrtab", sizeof(".shstrtab"));
	strtab_off = b.len;
	buf_put(&b, strtab.p, strtab.len);
	buf_align(&b, 8);
	shoff = b.len;

	buf_put(&b, NULL, shentsize); /* SHN_UNDEF */
	for (size_t i = 0; i <= s->n; i++) {
		bool is_strtab = i == s->n;
		const struct sec *sec = is_strtab ? NULL : &s->secs[i];

		buf_int(&b, name_off[i], 4, big);
		buf_int(&b, is_strtab ? SHT_STRTAB_ : sec->type, 4, big);
		buf_int(&b, is_strtab ? 0 : sec->flags, w, big);
		buf_int(&b, 0, w, big); /* sh_addr */
		buf_int(&b, is_strtab ? strtab_off : sec->fake_offset ?: data_off[i], w, big);
		buf_int(&b, is_strtab ? strtab.len : sec->fake_size ?: sec->size, w, big);
		buf_int(&b, 0, 4, big); /* sh_link */
		buf_int(&b, 0, 4, big); /* sh_info */
		buf_int(&b, is_strtab ? 1 : 8, w, big);
		buf_int(&b, 0, w, big); /* sh_entsize */
	}

	buf_put(&eh,
		"\x7f"
		"ELF",
		4);
	buf_int(&eh, s->is64 ? 2 : 1, 1, big); /* EI_CLASS */
	buf_int(&eh, big ? 2 : 1, 1, big);     /* EI_DATA */
	buf_int(&eh, 1, 1, big);	       /* EI_VERSION */
	buf_put(&eh, NULL, 9);
	buf_int(&eh, s->type ? s->type : 1, 2, big); /* e_type: ET_REL */
	buf_int(&eh, s->is64 ? (big ? 43 : 62) : (big ? 8 : 3), 2,
		big); /* sparcv9/x86-64/mips/386 */
	buf_int(&eh, 1, 4, big);
	buf_int(&eh, 0, w, big);	 /* e_entry */
	buf_int(&eh, 0, w, big);	 /* e_phoff */
	buf_int(&eh, shoff, w, big);	 /* e_shoff */
	buf_int(&eh, 0, 4, big);	 /* e_flags */
	buf_int(&eh, ehsize, 2, big);	 /* e_ehsize */
	buf_int(&eh, 0, 2, big);	 /* e_phentsize */
	buf_int(&eh, 0, 2, big);	 /* e_phnum */
	buf_int(&eh, shentsize, 2, big); /* e_shentsize */
	buf_int(&eh, s->n + 2, 2, big);	 /* e_shnum */
	buf_int(&eh, s->n + 1, 2, big);	 /* e_shstrndx */
	assert_int_equal(eh.len, ehsize);
	memcpy(b.p, eh.p, ehsize);
	free(eh.p);
	free(strtab.p);
	*len = b.len;
	return b.p;
}

/* ---- the crafted module ----------------------------------------------------------------- */

#define REAL_NAME "crafted_real"
#define MODINFO_NAME "crafted"
#define VERMAGIC "6.1.0-test SMP preempt mod_unload modversions "
#define SRCVERSION "0123456789ABCDEF012345"

/* Padding between entries, an entry without '=', a second name=, a last one unterminated. */
static const char modinfo_bytes[] = "license=GPL\0\0\0vermagic=" VERMAGIC "\0name=" MODINFO_NAME
				    "\0intree=Y\0srcversion=" SRCVERSION "\0version=1.2.3\0"
				    "depends=\0noequals\0name=second\0alias=unterminated";
static const struct {
	const char *key, *value;
} modinfo_entries[] = {
	{"license", "GPL"},	   {"vermagic", VERMAGIC},     {"name", MODINFO_NAME},
	{"intree", "Y"},	   {"srcversion", SRCVERSION}, {"version", "1.2.3"},
	{"depends", ""},	   {"noequals", ""},	       {"name", "second"},
	{"alias", "unterminated"},
};

/* struct module: state and list filled with 0xAA so that a wrong name offset shows. */
static unsigned char this_module[2][0x200];
static unsigned char text[64 * 1024]; /* zeros: compresses well (for the cap test) */

static void set_module_name(bool is64, const char *name, size_t len)
{
	unsigned char *m = this_module[is64];
	size_t off = is64 ? 24 : 12;

	memset(m, 0, sizeof(this_module[0]));
	memset(m, 0xaa, off);
	memcpy(m + off, name, len);
}

enum variant {
	V_FULL,
	V_NO_MODINFO,
	V_NO_THIS_MODULE,
	V_THIS_MODULE_NOBITS,
	V_MODINFO_NOBITS,
	V_THIS_MODULE_SMALL,
	V_THIS_MODULE_OUT_OF_BOUNDS,
	V_THIS_MODULE_HUGE,
};

static unsigned char *craft(bool is64, bool big, enum variant v, size_t *len)
{
	struct elf_spec s = {.is64 = is64, .big = big};
	struct sec modinfo = {
		".modinfo", SHT_PROGBITS_, SHF_ALLOC_, modinfo_bytes, sizeof(modinfo_bytes) - 1, 0,
		0};
	struct sec mod = {".gnu.linkonce.this_module",
			  SHT_PROGBITS_,
			  SHF_ALLOC_ | SHF_WRITE_,
			  this_module[is64],
			  sizeof(this_module[0]),
			  0,
			  0};

	s.secs[s.n++] = (struct sec){
		".text", SHT_PROGBITS_, SHF_ALLOC_ | SHF_EXECINSTR_, text, sizeof(text), 0, 0};
	/* A non-allocated section of the same name first: the loader looks past it. */
	s.secs[s.n++] = (struct sec){".gnu.linkonce.this_module", SHT_PROGBITS_, 0, "x", 1, 0, 0};
	if (v == V_MODINFO_NOBITS)
		modinfo.type = SHT_NOBITS_;
	if (v == V_THIS_MODULE_NOBITS)
		mod.type = SHT_NOBITS_;
	if (v == V_THIS_MODULE_SMALL)
		mod.size = is64 ? 24 : 12;
	if (v == V_THIS_MODULE_OUT_OF_BOUNDS)
		mod.fake_offset = 1 << 30;
	if (v == V_THIS_MODULE_HUGE)
		mod.fake_size = UINT64_MAX - 16;
	if (v != V_NO_MODINFO)
		s.secs[s.n++] = modinfo;
	if (v != V_NO_THIS_MODULE)
		s.secs[s.n++] = mod;
	return build_elf(&s, len);
}

static unsigned char *craft_default(size_t *len)
{
	set_module_name(true, REAL_NAME, sizeof(REAL_NAME));
	return craft(true, false, V_FULL, len);
}

/* ---- helpers: files, commands, the trailer ---------------------------------------------- */

static char tmpdir[] = "/tmp/kmodaudit-test-modimage.XXXXXX";
static char expect_signer[256], expect_sig_key[256];

_printf_(1, 2) static void run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

_printf_(3, 4) static void run_output(char *out, size_t size, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	if (pclose(p) != 0)
		fail_msg("command failed: %s", cmd);
}

static char *path_of(const char *name)
{
	static char path[8][512];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	if (len)
		assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	unsigned char chunk[65536];
	size_t n;

	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_put(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return b.p ? b.p : calloc(1, 1);
}

/* The digest sha256sum gives for these bytes. */
static void assert_sha256sum(const unsigned char *data, size_t len, const unsigned char got[32])
{
	char out[256], hex[65];

	write_file(path_of("digest.bin"), data, len);
	run_output(out, sizeof(out), "sha256sum '%s'", path_of("digest.bin"));
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", got[i]);
	assert_memory_equal(out, hex, 64);
}

#define SIG_MAGIC "~Module signature appended~\n"

/* Append [signer][key id][sig][struct module_signature][magic] as scripts/sign-file does. */
static unsigned char *append_trailer(const unsigned char *img, size_t len, const void *signer,
				     size_t signer_len, const void *key_id, size_t key_id_len,
				     const void *sig, size_t sig_len, const uint8_t hdr[5],
				     size_t *out_len)
{
	struct buf b = {0};
	uint32_t be_len = htobe32((uint32_t)sig_len);

	buf_put(&b, img, len);
	buf_put(&b, signer, signer_len);
	buf_put(&b, key_id, key_id_len);
	buf_put(&b, sig, sig_len);
	buf_put(&b, hdr, 5); /* algo, hash, id_type, signer_len, key_id_len */
	buf_put(&b, NULL, 3);
	buf_put(&b, &be_len, 4);
	buf_put(&b, SIG_MAGIC, strlen(SIG_MAGIC));
	*out_len = b.len;
	return b.p;
}

/* Sign with the test key like the kernel's sign-file: detached CMS, no certs, no attributes. */
static unsigned char *sign(const unsigned char *img, size_t len, const char *md, size_t *out_len)
{
	static const uint8_t pkcs7_hdr[5] = {0, 0, 2, 0, 0};
	_cleanup_free_ unsigned char *sig = NULL;
	size_t sig_len;

	write_file(path_of("unsigned.ko"), img, len);
	run("openssl cms -sign -binary -noattr -nocerts -md %s -in '%s' -signer '%s' -inkey '%s' "
	    "-outform DER -out '%s'",
	    md, path_of("unsigned.ko"), path_of("cert.pem"), path_of("key.pem"),
	    path_of("sig.p7s"));
	sig = read_file(path_of("sig.p7s"), &sig_len);
	return append_trailer(img, len, NULL, 0, NULL, 0, sig, sig_len, pkcs7_hdr, out_len);
}

static struct modimage *open_mem(const void *data, size_t len)
{
	struct modimage *img = NULL;

	assert_int_equal(modimage_open_memory(data, len, NULL, &img), 0);
	assert_non_null(img);
	return img;
}

static void assert_usable(const struct modimage_info *info)
{
	if (info->error)
		fail_msg("unexpected error %d: %s", info->error, info->error_msg);
	assert_null(info->error_msg);
}

static void assert_error(const struct modimage_info *info, int err, const char *msg)
{
	assert_int_equal(info->error, err);
	assert_non_null(info->error_msg);
	assert_string_equal(info->error_msg, msg);
}

static void assert_crafted_fields(const struct modimage_info *info)
{
	assert_string_equal(info->name, REAL_NAME);
	assert_string_equal(info->modinfo_name, MODINFO_NAME);
	assert_string_equal(info->vermagic, VERMAGIC);
	assert_string_equal(info->srcversion, SRCVERSION);
	assert_string_equal(info->version, "1.2.3");
	assert_string_equal(info->license, "GPL");
	assert_string_equal(info->intree, "Y");
}

static void assert_unsigned(const struct modimage_info *info)
{
	assert_int_equal(info->sig, MODIMAGE_SIG_NONE);
	assert_null(info->sig_id);
	assert_null(info->signer);
	assert_null(info->sig_key);
	assert_null(info->sig_hashalgo);
}

static void assert_no_sig_fields(const struct modimage_info *info)
{
	assert_null(info->signer);
	assert_null(info->sig_key);
	assert_null(info->sig_hashalgo);
}

/* ---- setup: a signing key made by the openssl CLI --------------------------------------- */

static int group_setup(void **state)
{
	char out[1024], *p, *end;

	if (!mkdtemp(tmpdir))
		return -1;
	/* Organisation first: the signer is the CN, wherever it stands. */
	run("openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
	    "-keyout '%s' -out '%s' -days 2 -set_serial 0x1F2E3D4C5B6A79880102030405060708090A0B0C "
	    "-subj '/O=kmodaudit tests/CN=kmodaudit crafted signing key' 2>/dev/null",
	    path_of("key.pem"), path_of("cert.pem"));

	/* What the kernel and modinfo show comes from the issuer: ask openssl what it is. */
	run_output(out, sizeof(out), "openssl x509 -in '%s' -noout -issuer -nameopt RFC2253",
		   path_of("cert.pem"));
	p = strstr(out, "CN=");
	if (!p)
		return -1;
	p += 3;
	end = p + strcspn(p, ",\n");
	snprintf(expect_signer, sizeof(expect_signer), "%.*s", (int)(end - p), p);

	/* "serial=1F2E..." -> "1F:2E:...", the form modinfo prints. */
	run_output(out, sizeof(out), "openssl x509 -in '%s' -noout -serial", path_of("cert.pem"));
	p = strchr(out, '=');
	if (!p)
		return -1;
	p++;
	end = p + strcspn(p, "\n");
	expect_sig_key[0] = '\0';
	for (char *q = p; q + 1 < end; q += 2) {
		size_t l = strlen(expect_sig_key);

		snprintf(expect_sig_key + l, sizeof(expect_sig_key) - l, "%s%c%c",
			 q == p ? "" : ":", q[0], q[1]);
	}
	return 0;
}

static int group_teardown(void **state)
{
	run("rm -rf '%s'", tmpdir);
	return 0;
}

/* ---- the tests -------------------------------------------------------------------------- */

struct collected {
	size_t n;
	bool ok;
};

static int check_entry(const char *key, const char *value, void *data)
{
	struct collected *c = data;

	if (c->n >= ARRAY_SIZE(modinfo_entries) || strcmp(key, modinfo_entries[c->n].key) ||
	    strcmp(value, modinfo_entries[c->n].value))
		c->ok = false;
	c->n++;
	return 0;
}

static void test_unsigned(void **state)
{
	size_t len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_modimage_ struct modimage *img = open_mem(elf, len);
	const struct modimage_info *info = modimage_get_info(img);
	struct collected c = {.ok = true};

	assert_usable(info);
	assert_crafted_fields(info);
	assert_unsigned(info);
	assert_int_equal(info->compression, MODIMAGE_COMP_NONE);
	assert_int_equal(info->size, len);
	assert_false(info->truncated_read);
	assert_sha256sum(elf, len, info->sha256);

	assert_int_equal(modimage_foreach_modinfo(img, check_entry, &c), 0);
	assert_true(c.ok);
	assert_int_equal(c.n, ARRAY_SIZE(modinfo_entries));
}

static int stop_at_second(const char *key, const char *value, void *data)
{
	return ++*(int *)data == 2 ? 42 : 0;
}

static void test_foreach_stops(void **state)
{
	size_t len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_modimage_ struct modimage *img = open_mem(elf, len);
	int calls = 0;

	assert_int_equal(modimage_foreach_modinfo(img, stop_at_second, &calls), 42);
	assert_int_equal(calls, 2);
}

/* 32/64-bit, little/big endian: the name sits at offset 12 or 24 of struct module. */
static void test_layouts(void **state)
{
	for (int is64 = 0; is64 <= 1; is64++) {
		for (int big = 0; big <= 1; big++) {
			size_t len;
			_cleanup_free_ unsigned char *elf = NULL;
			_cleanup_modimage_ struct modimage *img = NULL;
			const struct modimage_info *info;

			set_module_name(is64, REAL_NAME, sizeof(REAL_NAME));
			elf = craft(is64, big, V_FULL, &len);
			img = open_mem(elf, len);
			info = modimage_get_info(img);
			assert_usable(info);
			assert_crafted_fields(info);
			assert_unsigned(info);
		}
	}
}

/* MODULE_NAME_LEN is 56 on 64-bit and 60 on 32-bit, the NUL included. */
static void test_name_length(void **state)
{
	char name[80];

	memset(name, 'n', sizeof(name));
	for (int is64 = 0; is64 <= 1; is64++) {
		size_t max = is64 ? 56 : 60;

		for (size_t l = max - 1; l <= max; l++) {
			size_t len;
			_cleanup_free_ unsigned char *elf = NULL;
			_cleanup_modimage_ struct modimage *img = NULL;
			const struct modimage_info *info;

			set_module_name(is64, name, l); /* NUL follows at offset l */
			elf = craft(is64, true, V_FULL, &len);
			img = open_mem(elf, len);
			info = modimage_get_info(img);
			if (l < max) {
				assert_usable(info);
				assert_int_equal(strlen(info->name), l);
				assert_memory_equal(info->name, name, l);
			} else {
				assert_error(info, -ENOEXEC, "module name is not NUL-terminated");
				assert_null(info->name);
				assert_string_equal(info->modinfo_name, MODINFO_NAME);
			}
		}
	}
}

static void test_missing_sections(void **state)
{
	static const struct {
		enum variant v;
		const char *msg;
		bool has_name, has_modinfo;
	} cases[] = {
		{V_NO_MODINFO, "no .modinfo section", true, false},
		{V_MODINFO_NOBITS, ".modinfo section has no data", true, false},
		{V_NO_THIS_MODULE, "no .gnu.linkonce.this_module section", false, true},
		{V_THIS_MODULE_NOBITS, ".gnu.linkonce.this_module section has no data", false,
		 true},
		{V_THIS_MODULE_SMALL, ".gnu.linkonce.this_module section is too small", false,
		 true},
		{V_THIS_MODULE_OUT_OF_BOUNDS,
		 ".gnu.linkonce.this_module section is out of the file's bounds", false, true},
		{V_THIS_MODULE_HUGE,
		 ".gnu.linkonce.this_module section is out of the file's bounds", false, true},
	};

	for (int is64 = 0; is64 <= 1; is64++) {
		for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
			size_t len;
			_cleanup_free_ unsigned char *elf = NULL;
			_cleanup_modimage_ struct modimage *img = NULL;
			const struct modimage_info *info;
			int entries = 0;

			set_module_name(is64, REAL_NAME, sizeof(REAL_NAME));
			elf = craft(is64, !is64, cases[i].v, &len);
			img = open_mem(elf, len);
			info = modimage_get_info(img);
			assert_error(info, -ENOEXEC, cases[i].msg);
			if (cases[i].has_name)
				assert_string_equal(info->name, REAL_NAME);
			else
				assert_null(info->name);
			if (cases[i].has_modinfo) {
				assert_string_equal(info->modinfo_name, MODINFO_NAME);
			} else {
				assert_null(info->modinfo_name);
				assert_null(info->vermagic);
				assert_int_equal(
					modimage_foreach_modinfo(img, stop_at_second, &entries), 0);
				assert_int_equal(entries, 0);
			}
			assert_int_equal(info->size, len);
			assert_sha256sum(elf, len, info->sha256);
		}
	}
}

static void test_not_elf(void **state)
{
	size_t len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	struct elf_spec exec = {.is64 = true, .type = 2};
	_cleanup_free_ unsigned char *exec_elf = NULL;
	size_t exec_len;
	struct {
		const void *data;
		size_t len;
		const char *msg;
	} cases[] = {
		{"", 0, "not an ELF object"},
		{"hello, world\n", 13, "not an ELF object"},
		{elf, 40, "not an ELF object"}, /* cut inside the ELF header */
		{NULL, 0, "not a relocatable ELF object (type 2)"},
	};

	exec.secs[exec.n++] = (struct sec){".text", SHT_PROGBITS_, SHF_ALLOC_, "\xc3", 1, 0, 0};
	exec_elf = build_elf(&exec, &exec_len);
	cases[3].data = exec_elf;
	cases[3].len = exec_len;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_modimage_ struct modimage *img = open_mem(cases[i].data, cases[i].len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_error(info, -ENOEXEC, cases[i].msg);
		assert_null(info->name);
		assert_int_equal(info->size, cases[i].len);
		assert_sha256sum(cases[i].data, cases[i].len, info->sha256);
	}
}

static void test_signed_pkcs7(void **state)
{
	static const char *const digests[] = {"sha256", "sha512", "sha1"};

	for (size_t i = 0; i < ARRAY_SIZE(digests); i++) {
		size_t len, signed_len;
		_cleanup_free_ unsigned char *elf = craft_default(&len);
		_cleanup_free_ unsigned char *ko = sign(elf, len, digests[i], &signed_len);
		_cleanup_modimage_ struct modimage *img = open_mem(ko, signed_len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, MODIMAGE_SIG_PKCS7);
		assert_string_equal(info->sig_id, "PKCS#7");
		assert_string_equal(info->signer, expect_signer);
		assert_string_equal(info->sig_key, expect_sig_key);
		assert_string_equal(info->sig_hashalgo, digests[i]);
		assert_int_equal(info->size, signed_len);
		assert_sha256sum(ko, signed_len, info->sha256);
	}
	/* The values the CLI gave are the ones the key was made with. */
	assert_string_equal(expect_signer, "kmodaudit crafted signing key");
	assert_string_equal(expect_sig_key, "1F:2E:3D:4C:5B:6A:79:88:01:02:03:04:05:06:07:08:09:"
					    "0A:0B:0C");
}

/* The kernel refuses a PKCS#7 trailer with other fields set; modinfo still prints them. */
static void test_pkcs7_nonzero_trailer_fields(void **state)
{
	static const uint8_t hdr[5] = {0, 0, 2, 3, 0};
	size_t len, signed_len, sig_len, out_len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_free_ unsigned char *ko = sign(elf, len, "sha256", &signed_len);
	_cleanup_free_ unsigned char *sig = read_file(path_of("sig.p7s"), &sig_len);
	_cleanup_free_ unsigned char *odd =
		append_trailer(elf, len, "abc", 3, NULL, 0, sig, sig_len, hdr, &out_len);
	_cleanup_modimage_ struct modimage *img = open_mem(odd, out_len);
	const struct modimage_info *info = modimage_get_info(img);

	assert_usable(info);
	assert_crafted_fields(info);
	assert_int_equal(info->sig, MODIMAGE_SIG_MALFORMED);
	assert_string_equal(info->sig_id, "PKCS#7");
	assert_string_equal(info->signer, expect_signer);
	assert_string_equal(info->sig_key, expect_sig_key);
	assert_string_equal(info->sig_hashalgo, "sha256");
}

/* Old id types: signer and key id are the trailer's own bytes. */
static void test_old_id_types(void **state)
{
	static const unsigned char key_id[] = {0xde, 0xad, 0x0b, 0xef, 0x00};
	static const struct {
		uint8_t hdr[5];
		enum modimage_sig sig;
		const char *sig_id, *hashalgo;
	} cases[] = {
		{{1, 2, 1, 10, 5}, MODIMAGE_SIG_X509, "X509", "sha1"},
		{{0, 4, 0, 10, 5}, MODIMAGE_SIG_PGP, "PGP", "sha256"},
		{{1, 8, 1, 10, 5}, MODIMAGE_SIG_X509, "X509", "sm3"},
		{{1, 3, 0, 10, 5}, MODIMAGE_SIG_PGP, "PGP", "rmd160"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t len, out_len;
		_cleanup_free_ unsigned char *elf = craft_default(&len);
		_cleanup_free_ unsigned char *ko =
			append_trailer(elf, len, "Old Signer", 10, key_id, sizeof(key_id),
				       "SIGNATURE", 9, cases[i].hdr, &out_len);
		_cleanup_modimage_ struct modimage *img = open_mem(ko, out_len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, cases[i].sig);
		assert_string_equal(info->sig_id, cases[i].sig_id);
		assert_string_equal(info->signer, "Old Signer");
		assert_string_equal(info->sig_key, "DE:AD:0B:EF:00");
		assert_string_equal(info->sig_hashalgo, cases[i].hashalgo);
	}
}

/* A trailer that claims a signature but is cut short or out of range: malformed, usable. */
static void test_bad_trailers(void **state)
{
	size_t len, signed_len, sig_len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_free_ unsigned char *ko = sign(elf, len, "sha256", &signed_len);
	_cleanup_free_ unsigned char *sig = read_file(path_of("sig.p7s"), &sig_len);
	static const uint8_t bad_hdrs[][5] = {
		{2, 0, 2, 0, 0}, /* algo out of range */
		{0, 9, 2, 0, 0}, /* hash out of range */
		{0, 0, 3, 0, 0}, /* id_type out of range */
	};

	/* Magic only, no room for struct module_signature. */
	{
		struct buf b = {0};
		_cleanup_modimage_ struct modimage *img = NULL;

		buf_put(&b, "short", 5);
		buf_put(&b, SIG_MAGIC, strlen(SIG_MAGIC));
		img = open_mem(b.p, b.len);
		assert_int_equal(modimage_get_info(img)->sig, MODIMAGE_SIG_MALFORMED);
		assert_no_sig_fields(modimage_get_info(img));
		assert_error(modimage_get_info(img), -ENOEXEC, "not an ELF object");
		free(b.p);
	}
	/* The module with its signature blob cut out: sig_len reaches past the start. */
	{
		size_t trailer = 12 + strlen(SIG_MAGIC);
		struct buf b = {0};
		_cleanup_modimage_ struct modimage *img = NULL;

		buf_put(&b, ko + signed_len - trailer - 100, trailer + 100);
		img = open_mem(b.p, b.len);
		assert_int_equal(modimage_get_info(img)->sig, MODIMAGE_SIG_MALFORMED);
		assert_no_sig_fields(modimage_get_info(img));
		free(b.p);
	}
	/* The module with its last byte cut: no magic, no signature; the ELF is still fine. */
	{
		_cleanup_modimage_ struct modimage *img = open_mem(ko, signed_len - 1);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_unsigned(info);
	}
	/* sig_len 0, and fields out of range. */
	{
		static const uint8_t hdr[5] = {0, 0, 2, 0, 0};
		size_t out_len;
		_cleanup_free_ unsigned char *z =
			append_trailer(elf, len, NULL, 0, NULL, 0, NULL, 0, hdr, &out_len);
		_cleanup_modimage_ struct modimage *img = open_mem(z, out_len);

		assert_usable(modimage_get_info(img));
		assert_int_equal(modimage_get_info(img)->sig, MODIMAGE_SIG_MALFORMED);
		assert_no_sig_fields(modimage_get_info(img));
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad_hdrs); i++) {
		size_t out_len;
		_cleanup_free_ unsigned char *z = append_trailer(elf, len, NULL, 0, NULL, 0, sig,
								 sig_len, bad_hdrs[i], &out_len);
		_cleanup_modimage_ struct modimage *img = open_mem(z, out_len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, MODIMAGE_SIG_MALFORMED);
		assert_null(info->sig_id);
		assert_no_sig_fields(info);
	}
}

/* Not PKCS#7 where PKCS#7 should be: random bytes, a certificate, a cut blob. */
static void test_garbage_pkcs7(void **state)
{
	static const uint8_t hdr[5] = {0, 0, 2, 0, 0};
	size_t len, cert_len, sig_len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_free_ unsigned char *cert = NULL, *sig = NULL, *signed_ko = NULL;
	unsigned char random_bytes[300];
	size_t signed_len;

	srand(7);
	for (size_t i = 0; i < sizeof(random_bytes); i++)
		random_bytes[i] = (unsigned char)rand();
	run("openssl x509 -in '%s' -outform DER -out '%s'", path_of("cert.pem"),
	    path_of("cert.der"));
	cert = read_file(path_of("cert.der"), &cert_len);
	signed_ko = sign(elf, len, "sha256", &signed_len);
	sig = read_file(path_of("sig.p7s"), &sig_len);

	struct {
		const void *blob;
		size_t len;
	} blobs[] = {
		{random_bytes, sizeof(random_bytes)},
		{cert, cert_len},
		{sig, sig_len / 2},
		{"\x30\x80", 2},
	};
	for (size_t i = 0; i < ARRAY_SIZE(blobs); i++) {
		size_t out_len;
		_cleanup_free_ unsigned char *ko = append_trailer(
			elf, len, NULL, 0, NULL, 0, blobs[i].blob, blobs[i].len, hdr, &out_len);
		_cleanup_modimage_ struct modimage *img = open_mem(ko, out_len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, MODIMAGE_SIG_MALFORMED);
		assert_null(info->sig_id);
		assert_no_sig_fields(info);
	}
}

static const struct {
	enum modimage_compression c;
	const char *name, *cmd, *suffix;
} compressors[] = {
	{MODIMAGE_COMP_XZ, "xz", "xz --check=crc32 --lzma2=dict=1MiB -c", ".xz"},
	{MODIMAGE_COMP_ZSTD, "zstd", "zstd -q -c", ".zst"},
	{MODIMAGE_COMP_GZIP, "gzip", "gzip -n -c", ".gz"},
};

static unsigned char *compress_with(size_t k, const void *data, size_t len, size_t *out_len)
{
	write_file(path_of("plain.ko"), data, len);
	run("%s '%s' > '%s'", compressors[k].cmd, path_of("plain.ko"), path_of("packed"));
	return read_file(path_of("packed"), out_len);
}

/* Each compression, of a signed module: same fields, size and digest of the packed bytes. */
static void test_compressed(void **state)
{
	size_t len, signed_len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_free_ unsigned char *ko = sign(elf, len, "sha256", &signed_len);

	for (size_t k = 0; k < ARRAY_SIZE(compressors); k++) {
		size_t packed_len;
		_cleanup_free_ unsigned char *packed =
			compress_with(k, ko, signed_len, &packed_len);
		_cleanup_modimage_ struct modimage *img = open_mem(packed, packed_len);
		_cleanup_modimage_ struct modimage *by_path = NULL;
		const struct modimage_info *info = modimage_get_info(img);

		assert_true(packed_len < signed_len);
		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->compression, compressors[k].c);
		assert_string_equal(modimage_compression_name(info->compression),
				    compressors[k].name);
		assert_int_equal(info->sig, MODIMAGE_SIG_PKCS7);
		assert_string_equal(info->signer, expect_signer);
		assert_string_equal(info->sig_key, expect_sig_key);
		assert_int_equal(info->size, packed_len);
		assert_sha256sum(packed, packed_len, info->sha256);

		assert_int_equal(modimage_open_path(path_of("packed"), NULL, &by_path), 0);
		assert_int_equal(modimage_get_info(by_path)->compression, compressors[k].c);
		assert_memory_equal(modimage_get_info(by_path)->sha256, info->sha256, 32);
		assert_string_equal(modimage_get_info(by_path)->name, REAL_NAME);
	}
}

/* A cut or corrupted stream is an error of the image, never a crash. */
static void test_corrupt_streams(void **state)
{
	size_t len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);

	for (size_t k = 0; k < ARRAY_SIZE(compressors); k++) {
		size_t packed_len;
		_cleanup_free_ unsigned char *packed = compress_with(k, elf, len, &packed_len);
		char msg[64];

		/*
		 * Cut in half. The kernel's zstd loop takes a cut frame for its end (what was
		 * decoded is the module: here no ELF object); xz and gzip it refuses.
		 */
		{
			_cleanup_modimage_ struct modimage *img = open_mem(packed, packed_len / 2);
			const struct modimage_info *info = modimage_get_info(img);

			snprintf(msg, sizeof(msg), "%s stream: truncated", compressors[k].name);
			if (compressors[k].c == MODIMAGE_COMP_ZSTD)
				assert_int_equal(info->error, -ENOEXEC);
			else
				assert_error(info, -EBADMSG, msg);
			assert_int_equal(info->compression, compressors[k].c);
			assert_int_equal(info->size, packed_len / 2);
			assert_sha256sum(packed, packed_len / 2, info->sha256);
			assert_null(info->name);
		}
		/* Bytes flipped after the header. */
		{
			_cleanup_free_ unsigned char *bad = malloc(packed_len);
			_cleanup_modimage_ struct modimage *img = NULL;
			const struct modimage_info *info;

			memcpy(bad, packed, packed_len);
			for (size_t i = 24; i < packed_len - 16; i += 7)
				bad[i] ^= 0x5a;
			img = open_mem(bad, packed_len);
			info = modimage_get_info(img);
			assert_int_equal(info->error, -EBADMSG);
			snprintf(msg, sizeof(msg), "%s stream: ", compressors[k].name);
			assert_non_null(info->error_msg);
			assert_memory_equal(info->error_msg, msg, strlen(msg));
			assert_null(info->name);
		}
	}
}

/* The cap: on the input (open fails) and on the output (the image says why). */
static void test_size_cap(void **state)
{
	size_t len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);

	for (size_t k = 0; k < ARRAY_SIZE(compressors); k++) {
		size_t packed_len;
		_cleanup_free_ unsigned char *packed = compress_with(k, elf, len, &packed_len);
		struct modimage_opts opts = {.max_size = packed_len + 100};
		_cleanup_modimage_ struct modimage *img = NULL;
		struct modimage *none = NULL;
		char msg[80];

		assert_true(opts.max_size < len);
		assert_int_equal(modimage_open_memory(packed, packed_len, &opts, &img), 0);
		snprintf(msg, sizeof(msg), "%s stream: decompressed size over the cap",
			 compressors[k].name);
		assert_error(modimage_get_info(img), -EFBIG, msg);
		assert_sha256sum(packed, packed_len, modimage_get_info(img)->sha256);

		/* Exactly at the cap is fine, one byte over is not. */
		for (size_t cap = len - 1; cap <= len; cap++) {
			_cleanup_modimage_ struct modimage *at = NULL;

			opts.max_size = cap;
			assert_int_equal(modimage_open_memory(packed, packed_len, &opts, &at), 0);
			if (cap == len) {
				assert_usable(modimage_get_info(at));
				assert_crafted_fields(modimage_get_info(at));
			} else {
				assert_error(modimage_get_info(at), -EFBIG, msg);
			}
		}

		opts.max_size = packed_len - 1;
		assert_int_equal(modimage_open_memory(packed, packed_len, &opts, &none), -EFBIG);
		assert_null(none);
		assert_int_equal(modimage_open_path(path_of("packed"), &opts, &none), -EFBIG);
		assert_null(none);
	}
}

/* pread only: the fd's offset does not move; only regular files. */
static void test_open_fd(void **state)
{
	size_t len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_close_ int fd = -1, dir = -1, devnull = -1;
	_cleanup_modimage_ struct modimage *img = NULL, *mem = NULL;
	struct modimage *none = NULL;
	int pipefd[2];

	write_file(path_of("fd.ko"), elf, len);
	fd = open(path_of("fd.ko"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 123, SEEK_SET), 123);
	assert_int_equal(modimage_open_fd(fd, NULL, &img), 0);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 123);
	assert_usable(modimage_get_info(img));
	assert_crafted_fields(modimage_get_info(img));
	assert_false(modimage_get_info(img)->truncated_read);
	mem = open_mem(elf, len);
	assert_memory_equal(modimage_get_info(img)->sha256, modimage_get_info(mem)->sha256, 32);
	assert_int_equal(modimage_get_info(img)->size, len);

	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(write(pipefd[1], elf, 100), 100);
	assert_int_equal(modimage_open_fd(pipefd[0], NULL, &none), -EINVAL);
	assert_null(none);
	close(pipefd[0]);
	close(pipefd[1]);

	devnull = open("/dev/null", O_RDONLY);
	assert_int_equal(modimage_open_fd(devnull, NULL, &none), -EINVAL);
	dir = open(tmpdir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(modimage_open_fd(dir, NULL, &none), -EINVAL);
	assert_int_equal(modimage_open_fd(-1, NULL, &none), -EBADF);
	assert_int_equal(modimage_open_fd(999, NULL, &none), -EBADF);
	assert_int_equal(modimage_open_path(tmpdir, NULL, &none), -EINVAL);
	assert_int_equal(modimage_open_path(path_of("does-not-exist"), NULL, &none), -ENOENT);
	assert_null(none);

	/* An empty file is read (and hashed), then found not to be a module. */
	write_file(path_of("empty.ko"), "", 0);
	{
		_cleanup_modimage_ struct modimage *empty = NULL;

		assert_int_equal(modimage_open_path(path_of("empty.ko"), NULL, &empty), 0);
		assert_error(modimage_get_info(empty), -ENOEXEC, "not an ELF object");
		assert_sha256sum(NULL, 0, modimage_get_info(empty)->sha256);
	}
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * A module file is read as a stream (issue 13): the peak memory of reading a 16 MiB module is
 * far below its size, and what it says is what the whole image in memory says. In a child: a
 * process's peak RSS never goes down.
 */
static void test_open_fd_streams(void **state)
{
	const size_t big = 16 << 20;
	_cleanup_free_ unsigned char *elf = NULL;
	size_t len;
	pid_t pid;
	int status;

	{
		struct elf_spec s = {.is64 = true};
		_cleanup_free_ unsigned char *zeros = calloc(1, big);

		assert_non_null(zeros);
		set_module_name(true, REAL_NAME, sizeof(REAL_NAME));
		s.secs[s.n++] = (struct sec){
			".text", SHT_PROGBITS_, SHF_ALLOC_ | SHF_EXECINSTR_, zeros, big, 0, 0};
		s.secs[s.n++] = (struct sec){".modinfo",
					     SHT_PROGBITS_,
					     SHF_ALLOC_,
					     modinfo_bytes,
					     sizeof(modinfo_bytes) - 1,
					     0,
					     0};
		s.secs[s.n++] = (struct sec){".gnu.linkonce.this_module",
					     SHT_PROGBITS_,
					     SHF_ALLOC_ | SHF_WRITE_,
					     this_module[1],
					     sizeof(this_module[0]),
					     0,
					     0};
		elf = build_elf(&s, &len);
	}
	{
		_cleanup_free_ unsigned char *signed_elf = sign(elf, len, "sha256", &len);

		write_file(path_of("big.ko"), signed_elf, len);
	}
	free(TAKE_PTR(elf)); /* the child's peak starts low */

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		_cleanup_modimage_ struct modimage *img = NULL, *mem = NULL;
		_cleanup_free_ unsigned char *bytes = NULL;
		_cleanup_close_ int fd = open(path_of("big.ko"), O_RDONLY);
		long before = peak_rss_kib(), added;
		const struct modimage_info *info;
		size_t n;

		if (fd < 0 || modimage_open_fd(fd, NULL, &img) < 0)
			_exit(2);
		added = peak_rss_kib() - before;
		info = modimage_get_info(img);
		if (info->error || strcmp(info->name, REAL_NAME) ||
		    info->sig != MODIMAGE_SIG_PKCS7 || strcmp(info->modinfo_name, MODINFO_NAME) ||
		    strcmp(info->vermagic, VERMAGIC))
			_exit(3);
		if (added > 2048) {
			fprintf(stderr, "reading a %zu-byte module added %ld KiB of peak RSS\n",
				(size_t)info->size, added);
			_exit(4);
		}
		/* the same hash as the whole file's */
		bytes = read_file(path_of("big.ko"), &n);
		if (modimage_open_memory(bytes, n, NULL, &mem) < 0)
			_exit(5);
		_exit(memcmp(modimage_get_info(mem)->sha256, info->sha256, 32) ? 6 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * pread as the core calls it, with a hook: the file at hook_path becomes hook_bytes right after
 * the hook_after'th pread of hook_fd (a writer racing the reader, at a chosen point).
 */
static int hook_fd = -1, hook_calls, hook_after;
static const char *hook_path;
static const unsigned char *hook_bytes;
static size_t hook_len;

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	if (fd == hook_fd && hook_calls++ == hook_after) {
		int w = open(hook_path, O_WRONLY | O_CLOEXEC);

		if (w < 0 || pwrite(w, hook_bytes, hook_len, 0) != (ssize_t)hook_len)
			abort();
		close(w);
	}
	return syscall(SYS_pread64, fd, buf, n, off);
}

/*
 * The stream keeps the ranges its plan found in the file's headers. A file rewritten between
 * plan and stream (same size, another layout, another module) must not be described by the
 * planned ranges of the new bytes: every field and the hash are the new file's, as read whole.
 */
static void test_stream_file_changed(void **state)
{
	const struct modimage_opts opts = {.stream_small = true};
	_cleanup_free_ unsigned char *a = NULL, *b = NULL;
	_cleanup_modimage_ struct modimage *img = NULL, *want = NULL;
	_cleanup_close_ int fd = -1;
	size_t alen, blen, len;
	static unsigned char pad[8192];

	/* a: the crafted module; b: another name, and a section in front that moves the rest */
	set_module_name(true, "first_module", sizeof("first_module"));
	a = craft(true, false, V_FULL, &alen);
	{
		struct elf_spec s = {.is64 = true};

		set_module_name(true, REAL_NAME, sizeof(REAL_NAME));
		s.secs[s.n++] =
			(struct sec){".pad", SHT_PROGBITS_, SHF_ALLOC_, pad, sizeof(pad), 0, 0};
		s.secs[s.n++] = (struct sec){".text", SHT_PROGBITS_, SHF_ALLOC_ | SHF_EXECINSTR_,
					     text,    sizeof(text),  0,
					     0};
		s.secs[s.n++] = (struct sec){".modinfo",
					     SHT_PROGBITS_,
					     SHF_ALLOC_,
					     modinfo_bytes,
					     sizeof(modinfo_bytes) - 1,
					     0,
					     0};
		s.secs[s.n++] = (struct sec){".gnu.linkonce.this_module",
					     SHT_PROGBITS_,
					     SHF_ALLOC_ | SHF_WRITE_,
					     this_module[1],
					     sizeof(this_module[0]),
					     0,
					     0};
		b = build_elf(&s, &blen);
	}
	/* the same size: zeros after the shorter one (no trailer: unsigned) */
	len = alen > blen ? alen : blen;
	a = realloc(a, len);
	b = realloc(b, len);
	assert_non_null(a);
	assert_non_null(b);
	memset(a + alen, 0, len - alen);
	memset(b + blen, 0, len - blen);

	assert_true(len > 65536);
	for (int after = 0; after < 5; after++) {
		/*
		 * After the 1st..4th of the plan's preads: the stream reads b whole, and so must
		 * the answer. After the stream's first 64 KiB: it read a's first 64 KiB and b's
		 * rest, and the answer is that of exactly those bytes (as of a whole read then).
		 */
		_cleanup_free_ unsigned char *seen = malloc(len);

		assert_non_null(seen);
		memcpy(seen, b, len);
		if (after == 4)
			memcpy(seen, a, 65536);
		write_file(path_of("racing.ko"), a, len);
		fd = open(path_of("racing.ko"), O_RDONLY);
		assert_true(fd >= 0);
		hook_fd = fd, hook_calls = 0, hook_after = after + 1;
		hook_path = path_of("racing.ko"), hook_bytes = b, hook_len = len;
		assert_int_equal(modimage_open_fd(fd, &opts, &img), 0);
		hook_fd = -1;
		want = open_mem(seen, len);
		if (after < 4) {
			assert_usable(modimage_get_info(img));
			assert_crafted_fields(modimage_get_info(img));
		}
		assert_int_equal(modimage_get_info(img)->error, modimage_get_info(want)->error);
		if (modimage_get_info(want)->error_msg)
			assert_string_equal(modimage_get_info(img)->error_msg,
					    modimage_get_info(want)->error_msg);
		assert_memory_equal(modimage_get_info(img)->sha256, modimage_get_info(want)->sha256,
				    32);
		modimage_free(TAKE_PTR(img));
		modimage_free(TAKE_PTR(want));
		close(TAKE_FD(fd));
	}
}

/* ---- compressed files streamed, on Debian's own modules ---------------------------------- */

static int collect(const char *key, const char *value, void *data)
{
	struct buf *b = data;

	buf_put(b, key, strlen(key) + 1);
	buf_put(b, value, strlen(value) + 1);
	return 0;
}

/* Every field and every .modinfo entry the same. */
static void assert_same_image(const struct modimage *a, const struct modimage *b)
{
	const struct modimage_info *x = modimage_get_info(a), *y = modimage_get_info(b);
	const char *sx[] = {x->error_msg,  x->name,    x->modinfo_name, x->vermagic,
			    x->srcversion, x->version, x->license,	x->intree,
			    x->sig_id,	   x->signer,  x->sig_key,	x->sig_hashalgo};
	const char *sy[] = {y->error_msg,  y->name,    y->modinfo_name, y->vermagic,
			    y->srcversion, y->version, y->license,	y->intree,
			    y->sig_id,	   y->signer,  y->sig_key,	y->sig_hashalgo};
	struct buf ma = {0}, mb = {0};

	assert_int_equal(x->error, y->error);
	assert_int_equal(x->size, y->size);
	assert_int_equal(x->compression, y->compression);
	assert_memory_equal(x->sha256, y->sha256, 32);
	assert_int_equal(x->truncated_read, y->truncated_read);
	assert_int_equal(x->sig, y->sig);
	assert_int_equal(x->sig_unchecked, y->sig_unchecked);
	for (size_t i = 0; i < ARRAY_SIZE(sx); i++) {
		assert_int_equal(!sx[i], !sy[i]);
		if (sx[i])
			assert_string_equal(sx[i], sy[i]);
	}
	assert_int_equal(modimage_foreach_modinfo(a, collect, &ma), 0);
	assert_int_equal(modimage_foreach_modinfo(b, collect, &mb), 0);
	assert_int_equal(ma.len, mb.len);
	if (ma.len)
		assert_memory_equal(ma.p, mb.p, ma.len);
	free(ma.p);
	free(mb.p);
}

/* Which decompressor's library is missing (the shim's core loads them late): none by default. */
static enum modimage_compression missing_lib = MODIMAGE_COMP_NONE;

/* The core's is weak (src/core/modimage-internal.h): this one takes its place. */
const char *modimage_decompressor_missing(enum modimage_compression c);
const char *modimage_decompressor_missing(enum modimage_compression c)
{
	return c != MODIMAGE_COMP_NONE && c == missing_lib ? "cannot load the test's library"
							   : NULL;
}

/* The file at path streamed and the same bytes in memory: the same answer, field for field. */
static void assert_stream_is_whole(const char *path, const struct modimage_opts *opts, int err)
{
	struct modimage_opts o = *opts;
	_cleanup_modimage_ struct modimage *file = NULL, *mem = NULL;
	_cleanup_free_ unsigned char *bytes = NULL;
	size_t len;

	o.stream_small = true;
	assert_int_equal(modimage_open_path(path, &o, &file), 0);
	bytes = read_file(path, &len);
	assert_int_equal(modimage_open_memory(bytes, len, &o, &mem), 0);
	assert_int_equal(modimage_get_info(mem)->error, err);
	assert_same_image(file, mem);
}

/*
 * A compressed file streamed gives the whole read's answer when the stream cannot be read too:
 * cut, corrupt, over the cap on its output (-EFBIG in the image) or its input (open fails),
 * its decompressor's library missing (-ENOPKG).
 */
static void test_stream_compressed_errors(void **state)
{
	size_t len, signed_len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_free_ unsigned char *ko = sign(elf, len, "sha256", &signed_len);

	for (size_t k = 0; k < ARRAY_SIZE(compressors); k++) {
		size_t packed_len;
		_cleanup_free_ unsigned char *packed =
			compress_with(k, ko, signed_len, &packed_len);
		_cleanup_free_ unsigned char *bad = malloc(packed_len);
		struct modimage_opts opts = {0};
		struct modimage *none = NULL;

		write_file(path_of("s.packed"), packed, packed_len);
		assert_stream_is_whole(path_of("s.packed"), &opts, 0);
		/* cut: zstd's is what was decoded (no ELF object), the others' an error */
		write_file(path_of("s.packed"), packed, packed_len / 2);
		assert_stream_is_whole(path_of("s.packed"), &opts,
				       compressors[k].c == MODIMAGE_COMP_ZSTD ? -ENOEXEC
									      : -EBADMSG);
		memcpy(bad, packed, packed_len);
		for (size_t i = 24; i < packed_len - 16; i += 7)
			bad[i] ^= 0x5a;
		write_file(path_of("s.packed"), bad, packed_len);
		assert_stream_is_whole(path_of("s.packed"), &opts, -EBADMSG);
		/* bytes after the stream's end (or its error), chunks of them: hashed, never
		 * decoded */
		{
			const size_t pad = 300 * 1024;
			_cleanup_free_ unsigned char *padded = calloc(1, packed_len + pad);

			assert_non_null(padded);
			memcpy(padded, packed, packed_len);
			write_file(path_of("s.packed"), padded, packed_len + pad);
			assert_stream_is_whole(path_of("s.packed"), &opts, 0);
			memcpy(padded, bad, packed_len);
			write_file(path_of("s.packed"), padded, packed_len + pad);
			assert_stream_is_whole(path_of("s.packed"), &opts, -EBADMSG);
		}

		write_file(path_of("s.packed"), packed, packed_len);
		opts.max_size = signed_len - 1;
		assert_stream_is_whole(path_of("s.packed"), &opts, -EFBIG);
		opts.max_size = signed_len;
		assert_stream_is_whole(path_of("s.packed"), &opts, 0);
		opts.max_size = packed_len - 1;
		opts.stream_small = true;
		assert_int_equal(modimage_open_path(path_of("s.packed"), &opts, &none), -EFBIG);
		assert_null(none);

		opts = (struct modimage_opts){0};
		missing_lib = compressors[k].c;
		assert_stream_is_whole(path_of("s.packed"), &opts, -ENOPKG);
		missing_lib = MODIMAGE_COMP_NONE;
	}
}

/* The fixtures' module tree (tests/fixtures/fetch-debs), or false. */
static bool fixture_moddir(char *dir, size_t size)
{
	const char *cache = getenv("KMODAUDIT_CACHE");
	char path[1024], line[1024], kpkg[1024] = "", kver[1024] = "";
	struct stat st;
	FILE *f;

	if (!cache)
		return false;
	snprintf(path, sizeof(path), "%s/env", cache);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "MODDIR=", 7) && stat(line + 7, &st) == 0)
			snprintf(dir, size, "%s", line + 7);
		else if (!strncmp(line, "KPKG=", 5))
			snprintf(kpkg, sizeof(kpkg), "%s", line + 5);
		else if (!strncmp(line, "KVER=", 5))
			snprintf(kver, sizeof(kver), "%s", line + 5);
	}
	fclose(f);
	if (stat(dir, &st) == 0)
		return true;
	/* env names the tree where it was fetched; the cache may have moved since */
	snprintf(dir, size, "%s/%s/lib/modules/%s", cache, kpkg, kver);
	return *kpkg && *kver && stat(dir, &st) == 0;
}

/* The fixtures' module tree, or SKIP (a failure under CI, which always has them). */
static void need_fixtures(char *dir, size_t size)
{
	const char *ci = getenv("CI");

	if (fixture_moddir(dir, size))
		return;
	if (ci && !strcmp(ci, "true"))
		fail_msg("no fixtures ($KMODAUDIT_CACHE/env) under CI");
	fprintf(stderr, "SKIP: no fixtures ($KMODAUDIT_CACHE/env: tests/fixtures/fetch-debs)\n");
	skip();
}

/* The kernel's own ways of compressing modules (scripts/Makefile.modinst), xz made faster. */
static const char *const real_compressors[] = {
	"xz --check=crc32 --lzma2=preset=0,dict=1MiB -T1 -c",
	"zstd -q -c",
	"gzip -n -1 -c",
};

static struct modimage *open_streamed_file(const char *path)
{
	const struct modimage_opts opts = {.stream_small = true};
	struct modimage *img = NULL;

	assert_int_equal(modimage_open_path(path, &opts, &img), 0);
	return img;
}

/*
 * A compressed file is streamed in two passes (issue 13): what it says is what the whole
 * decompressed image in memory says, field for field, for real modules of every size class.
 */
static void test_stream_compressed_real(void **state)
{
	char dir[1024] = "", list[4096], *save = NULL;

	need_fixtures(dir, sizeof(dir));
	/* small, middling and large modules; sed, not head (no reader that stops early) */
	run_output(list, sizeof(list),
		   "find '%s' -name '*.ko' \\( -size -20k -o -size +300k -size -2M \\) | sort | "
		   "sed -n '1p;700p;1400p;2100p;2800p;3500p'",
		   dir);
	for (char *ko = strtok_r(list, "\n", &save); ko; ko = strtok_r(NULL, "\n", &save)) {
		for (size_t k = 0; k < ARRAY_SIZE(real_compressors); k++) {
			_cleanup_modimage_ struct modimage *file = NULL, *mem = NULL;
			_cleanup_free_ unsigned char *bytes = NULL;
			size_t len;

			run("%s '%s' > '%s'", real_compressors[k], ko, path_of("real.packed"));
			file = open_streamed_file(path_of("real.packed"));
			bytes = read_file(path_of("real.packed"), &len);
			mem = open_mem(bytes, len);
			assert_usable(modimage_get_info(mem));
			assert_int_equal(modimage_get_info(mem)->compression, compressors[k].c);
			assert_int_equal(modimage_get_info(mem)->sig, MODIMAGE_SIG_PKCS7);
			assert_same_image(file, mem);
		}
	}
}

/*
 * Peak RSS from now on: the heap a fork inherited freed but resident is given back, and the
 * peak (VmHWM) reset to the current RSS, so that what follows counts every page it touches.
 */
static void peak_hwm_reset(void)
{
	int fd;

	malloc_trim(0);
	fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "5", 1) != 1)
		_exit(5);
	close(fd);
}

static long peak_hwm_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			kib = atol(line + 6);
	fclose(f);
	return kib;
}

/*
 * The largest Debian module (amdgpu.ko, 19 MB) compressed each way: opening the file adds at
 * most 4 MiB of peak RSS (the decoder's window: 1 MiB for xz as the kernel compresses, 2 MiB
 * for zstd's default level; 32 KiB for gzip) and says what the whole image says. In a child
 * per compression, the core already warmed up on a small module, the peak reset before.
 */
static void test_stream_compressed_rss(void **state)
{
	char dir[1024] = "", ko[1200], small[1200];
	const char *san = getenv("KMODAUDIT_SANITIZE");
	/* ASan keeps freed memory in quarantine: the first pass's decoder stays resident */
	const bool sanitized = san && (!strcasecmp(san, "ON") || !strcasecmp(san, "1") ||
				       !strcasecmp(san, "TRUE") || !strcasecmp(san, "YES"));
	const long bound = sanitized ? 2 * 4096 : 4096;

	need_fixtures(dir, sizeof(dir));
	run_output(ko, sizeof(ko), "find '%s' -name amdgpu.ko | sed -n 1p", dir);
	run_output(small, sizeof(small), "find '%s' -name dummy.ko | sed -n 1p", dir);
	ko[strcspn(ko, "\n")] = '\0';
	small[strcspn(small, "\n")] = '\0';
	assert_true(*ko && *small);
	for (size_t k = 0; k < ARRAY_SIZE(real_compressors); k++) {
		pid_t pid;
		int status;

		run("%s '%s' > '%s'", real_compressors[k], ko, path_of("big.packed"));
		run("%s '%s' > '%s'", real_compressors[k], small, path_of("small.packed"));
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct modimage *warm = NULL, *img = NULL;
			const struct modimage_opts o = {.stream_small = true};
			long before, added;

			if (modimage_open_path(path_of("small.packed"), &o, &warm) < 0)
				_exit(2);
			peak_hwm_reset();
			before = peak_hwm_kib();
			if (modimage_open_path(path_of("big.packed"), NULL, &img) < 0)
				_exit(2);
			added = peak_hwm_kib() - before;
			fprintf(stderr, "%s of amdgpu.ko (%llu bytes): %ld KiB of peak RSS added\n",
				compressors[k].name,
				(unsigned long long)modimage_get_info(img)->size, added);
			if (added > bound)
				fprintf(stderr, "over the bound of %ld KiB\n", bound);
			if (modimage_get_info(img)->error ||
			    strcmp(modimage_get_info(img)->name, "amdgpu"))
				_exit(3);
			_exit(added > bound ? 4 : 0);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		/* and what it says is what the whole image says */
		{
			_cleanup_modimage_ struct modimage *img = NULL, *mem = NULL;
			_cleanup_free_ unsigned char *bytes = NULL;
			size_t n;

			assert_int_equal(modimage_open_path(path_of("big.packed"), NULL, &img), 0);
			bytes = read_file(path_of("big.packed"), &n);
			mem = open_mem(bytes, n);
			assert_usable(modimage_get_info(mem));
			assert_same_image(img, mem);
		}
	}
}

/*
 * The answer for a file rewritten (a -> b) while it was read: that of exactly the bytes hashed,
 * which are those of a whole read of a's first 64 KiB chunks and b's rest (any number of them:
 * a pass may have read any part of either) with the same digest. Returns that number.
 */
static size_t assert_answer_of_bytes_hashed(const struct modimage *img, const unsigned char *a,
					    const unsigned char *b, size_t len)
{
	_cleanup_free_ unsigned char *seen = malloc(len);

	assert_non_null(seen);
	for (size_t from_a = 0;; from_a += 65536) {
		_cleanup_modimage_ struct modimage *want = NULL;

		if (from_a > len)
			from_a = len;
		memcpy(seen, a, from_a);
		memcpy(seen + from_a, b + from_a, len - from_a);
		want = open_mem(seen, len);
		if (!memcmp(modimage_get_info(want)->sha256, modimage_get_info(img)->sha256, 32)) {
			assert_same_image(img, want);
			return from_a;
		}
		if (from_a == len)
			fail_msg("the digest is of none of the files the passes could have read");
	}
}

/*
 * A compressed file rewritten while it is streamed (another module, the same size; compressed
 * another way or not at all): before the first pass, in it, between the passes, in the second.
 * Whatever the point, the answer is a fact about exactly the bytes hashed; a rewrite after the
 * first pass read it all is b's, read whole (the second pass must see the first one's bytes).
 */
static void test_stream_compressed_changed(void **state)
{
	char dir[1024] = "", list[4096], *save = NULL, *ka, *kb;
	const struct modimage_opts opts = {.stream_small = true};
	/* a's and b's ways: each compression to itself, and compressed <-> not */
	static const struct {
		const char *a, *b;
	} ways[] = {
		{"xz --check=crc32 --lzma2=preset=0,dict=1MiB -T1 -c", NULL},
		{"zstd -q -c", NULL},
		{"gzip -n -1 -c", NULL},
		{"xz --check=crc32 --lzma2=preset=0,dict=1MiB -T1 -c", "cat"},
		{"cat", "zstd -q -c"},
	};

	need_fixtures(dir, sizeof(dir));
	/* two modules that compress to a few 64 KiB chunks */
	run_output(list, sizeof(list),
		   "find '%s' -name '*.ko' -size +600k -size -900k | sort | sed -n '1p;2p'", dir);
	ka = strtok_r(list, "\n", &save);
	kb = strtok_r(NULL, "\n", &save);
	assert_non_null(ka);
	assert_non_null(kb);
	for (size_t w = 0; w < ARRAY_SIZE(ways); w++) {
		_cleanup_free_ unsigned char *a = NULL, *b = NULL;
		size_t alen, blen, len, chunks, a_chunks;

		run("%s '%s' > '%s'", ways[w].a, ka, path_of("a.packed"));
		run("%s '%s' > '%s'", ways[w].b ? ways[w].b : ways[w].a, kb, path_of("b.packed"));
		a = read_file(path_of("a.packed"), &alen);
		b = read_file(path_of("b.packed"), &blen);
		/* the same size: zeros after the shorter one, which no decoder reads */
		len = alen > blen ? alen : blen;
		a = realloc(a, len);
		b = realloc(b, len);
		assert_non_null(a);
		assert_non_null(b);
		memset(a + alen, 0, len - alen);
		memset(b + blen, 0, len - blen);
		chunks = (len + 65535) / 65536;
		a_chunks = 0;
		assert_true(chunks >= 3);
		/*
		 * preads: the first bytes, then each pass's chunks (an uncompressed file: the
		 * plan's three, then the stream's); the hook rewrites the file before the one
		 * numbered.
		 */
		const size_t points[] = {1, 2, 4, chunks + 1, chunks + 2};
		for (size_t i = 0; i < ARRAY_SIZE(points); i++) {
			_cleanup_modimage_ struct modimage *img = NULL, *want_b = NULL;
			_cleanup_close_ int fd = -1;
			size_t from_a;

			write_file(path_of("racing.packed"), a, len);
			fd = open(path_of("racing.packed"), O_RDONLY);
			assert_true(fd >= 0);
			hook_fd = fd, hook_calls = 0, hook_after = (int)points[i];
			hook_path = path_of("racing.packed"), hook_bytes = b, hook_len = len;
			assert_int_equal(modimage_open_fd(fd, &opts, &img), 0);
			hook_fd = -1;
			assert_true(hook_calls > (int)points[i]); /* the file was rewritten */
			from_a = assert_answer_of_bytes_hashed(img, a, b, len);
			want_b = open_mem(b, len);
			if (from_a == 0) {
				assert_usable(modimage_get_info(img));
				assert_same_image(img, want_b);
			}
			a_chunks += from_a / 65536;
			/* compressed a read whole by the first pass: its answer is b's (read again)
			 */
			if (strcmp(ways[w].a, "cat") && points[i] > chunks)
				assert_int_equal(from_a, 0);
		}
		/* some answers were of a's bytes, in part: the rewrites came mid-read */
		assert_true(a_chunks > 0);
	}
}

static void assert_strings_terminated(const struct modimage *img)
{
	const struct modimage_info *info = modimage_get_info(img);
	const char *s[] = {info->error_msg,  info->name,    info->modinfo_name, info->vermagic,
			   info->srcversion, info->version, info->license,	info->intree,
			   info->sig_id,     info->signer,  info->sig_key,	info->sig_hashalgo};

	for (size_t i = 0; i < ARRAY_SIZE(s); i++)
		if (s[i])
			assert_true(strlen(s[i]) < 1 << 20);
	assert_true(info->error <= 0);
	assert_true((info->error == 0) == (info->error_msg == NULL));
}

/* Random byte flips in every part of signed images: always an answer, never a crash. */
static void test_mutations(void **state)
{
	size_t len, signed_len;
	_cleanup_free_ unsigned char *elf = NULL, *ko = NULL, *copy = NULL;

	set_module_name(false, REAL_NAME, sizeof(REAL_NAME));
	elf = craft(false, true, V_FULL, &len);
	ko = sign(elf, len, "sha256", &signed_len);
	copy = malloc(signed_len);
	srand(1234);
	for (int round = 0; round < 3000; round++) {
		_cleanup_modimage_ struct modimage *img = NULL;
		int flips = 1 + rand() % 4;

		memcpy(copy, ko, signed_len);
		for (int f = 0; f < flips; f++) {
			size_t at;

			switch (rand() % 3) {
			case 0: /* the ELF header */
				at = (size_t)rand() % 52;
				break;
			case 1: /* the trailer, the signature and the section headers before it */
				at = signed_len - 1 - (size_t)rand() % 2048;
				break;
			default:
				at = (size_t)rand() % signed_len;
				break;
			}
			copy[at] = (unsigned char)rand();
		}
		assert_int_equal(modimage_open_memory(copy, signed_len, NULL, &img), 0);
		assert_strings_terminated(img);
	}
}

/* ---- what the kernel checks, and what it decompresses ---------------------------------- */

static struct modimage *open_flags(const void *data, size_t len, unsigned int load_flags)
{
	struct modimage_opts opts = {.load_flags = load_flags};
	struct modimage *img = NULL;

	assert_int_equal(modimage_open_memory(data, len, &opts, &img), 0);
	assert_non_null(img);
	return img;
}

/*
 * kernel/module/signing.c checks a PKCS#7 trailer only, and none at all on a load forced past
 * modversions or vermagic (finit_module's MODULE_INIT_IGNORE_MODVERSIONS = 1,
 * MODULE_INIT_IGNORE_VERMAGIC = 2): those are sig_unchecked, whatever signer they name.
 */
static void test_sig_unchecked(void **state)
{
	static const unsigned char key_id[] = {0xde, 0xad, 0x0b, 0xef, 0x00};
	static const uint8_t x509[5] = {1, 4, 1, 10, 5}, pgp[5] = {0, 4, 0, 10, 5},
			     unknown_id[5] = {1, 4, 7, 0, 0};
	size_t len, signed_len, out_len;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	_cleanup_free_ unsigned char *ko = sign(elf, len, "sha256", &signed_len);
	_cleanup_free_ unsigned char *old = NULL, *old_pgp = NULL, *odd = NULL;

	/* Signed with PKCS#7: checked on a plain load (COMPRESSED_FILE = 4 changes nothing). */
	for (unsigned int flags = 0; flags < 8; flags++) {
		_cleanup_modimage_ struct modimage *img = open_flags(ko, signed_len, flags);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, MODIMAGE_SIG_PKCS7);
		assert_string_equal(info->signer, expect_signer);
		assert_int_equal(info->sig_unchecked, (flags & 3) != 0);
	}
	/* Unsigned: nothing to check, forced or not. */
	for (unsigned int flags = 0; flags < 4; flags++) {
		_cleanup_modimage_ struct modimage *img = open_flags(elf, len, flags);

		assert_unsigned(modimage_get_info(img));
		assert_false(modimage_get_info(img)->sig_unchecked);
	}
	/* X509 and PGP trailers: their signer and key id are any bytes; never checked. */
	old = append_trailer(elf, len, "Old Signer", 10, key_id, sizeof(key_id), "SIGNATURE", 9,
			     x509, &out_len);
	{
		_cleanup_modimage_ struct modimage *img = open_mem(old, out_len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, MODIMAGE_SIG_X509);
		assert_string_equal(info->signer, "Old Signer");
		assert_true(info->sig_unchecked);
	}
	old_pgp = append_trailer(elf, len, "Old Signer", 10, key_id, sizeof(key_id), "SIGNATURE", 9,
				 pgp, &out_len);
	{
		_cleanup_modimage_ struct modimage *img = open_mem(old_pgp, out_len);

		assert_int_equal(modimage_get_info(img)->sig, MODIMAGE_SIG_PGP);
		assert_true(modimage_get_info(img)->sig_unchecked);
	}
	/* An id type nobody knows: malformed to modinfo, -ENOPKG (loaded unchecked) to the kernel.
	 */
	odd = append_trailer(elf, len, NULL, 0, NULL, 0, "SIGNATURE", 9, unknown_id, &out_len);
	{
		_cleanup_modimage_ struct modimage *img = open_mem(odd, out_len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_int_equal(info->sig, MODIMAGE_SIG_MALFORMED);
		assert_true(info->sig_unchecked);
	}
	/* sig_len past the start: the kernel refuses the module (EBADMSG), nothing loads. */
	{
		struct buf b = {0};
		uint32_t huge = htobe32(1u << 30);
		_cleanup_modimage_ struct modimage *img = NULL;

		buf_put(&b, elf, len);
		buf_put(&b, x509, 5);
		buf_put(&b, NULL, 3);
		buf_put(&b, &huge, 4);
		buf_put(&b, SIG_MAGIC, strlen(SIG_MAGIC));
		img = open_mem(b.p, b.len);
		assert_int_equal(modimage_get_info(img)->sig, MODIMAGE_SIG_MALFORMED);
		assert_false(modimage_get_info(img)->sig_unchecked);
		free(b.p);
	}
}

/*
 * When the kernel does not check the trailer it does not cut it off either: the ELF object it
 * parses runs to the magic (or to the end). Here the section headers are the "signature" of an
 * X509 trailer: modinfo's view has no section headers, the kernel's has them.
 */
static void test_unchecked_trailer_is_elf(void **state)
{
	static const uint8_t x509[5] = {1, 4, 1, 0, 0};
	size_t len, shoff;
	_cleanup_free_ unsigned char *elf = craft_default(&len);
	struct buf b = {0};
	uint32_t be;

	memcpy(&shoff, elf + 0x28, sizeof(shoff)); /* e_shoff, 64-bit little-endian */
	assert_true(shoff < len);
	be = htobe32((uint32_t)(len - shoff));
	buf_put(&b, elf, len);
	buf_put(&b, x509, 5);
	buf_put(&b, NULL, 3);
	buf_put(&b, &be, 4);
	buf_put(&b, SIG_MAGIC, strlen(SIG_MAGIC));
	for (unsigned int flags = 0; flags < 4; flags += 3) {
		_cleanup_modimage_ struct modimage *img = open_flags(b.p, b.len, flags);
		const struct modimage_info *info = modimage_get_info(img);

		assert_usable(info);
		assert_crafted_fields(info);
		assert_true(info->sig_unchecked);
	}
	free(b.p);
}

/* Two modules: A (the kernel's view) unsigned, named kernel_sees; B the signed crafted one. */
#define KERNEL_SEES "kernel_sees"

static unsigned char *craft_named(const char *name, size_t *len)
{
	set_module_name(true, name, strlen(name) + 1);
	return craft(true, false, V_FULL, len);
}

static void assert_kernel_sees(const struct modimage_info *info)
{
	assert_usable(info);
	assert_string_equal(info->name, KERNEL_SEES);
	assert_unsigned(info);
	assert_false(info->sig_unchecked);
}

/* The userspace tool's view of a compressed file, for the record: it differs from the kernel's. */
static void assert_tool_reads(const char *tool, const void *packed, size_t packed_len,
			      const void *want, size_t want_len)
{
	size_t got_len;
	_cleanup_free_ unsigned char *got = NULL;

	write_file(path_of("tool.in"), packed, packed_len);
	run("%s -dc < '%s' > '%s' 2>/dev/null || true", tool, path_of("tool.in"),
	    path_of("tool.out"));
	got = read_file(path_of("tool.out"), &got_len);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);
}

/*
 * zstd: the kernel decodes the first frame only. Frame 1 an unsigned module, frame 2 the trailer
 * of a signed copy of it: zstd -d gives the signed module, the kernel loads the unsigned one.
 */
static void test_zstd_first_frame(void **state)
{
	size_t a_len, signed_len, f1_len, f2_len;
	_cleanup_free_ unsigned char *a = craft_named(KERNEL_SEES, &a_len);
	_cleanup_free_ unsigned char *ko = sign(a, a_len, "sha256", &signed_len);
	_cleanup_free_ unsigned char *f1 = NULL, *f2 = NULL;
	struct buf b = {0};

	f1 = compress_with(1, a, a_len, &f1_len);
	f2 = compress_with(1, ko + a_len, signed_len - a_len, &f2_len);
	buf_put(&b, f1, f1_len);
	buf_put(&b, f2, f2_len);
	{
		_cleanup_modimage_ struct modimage *img = open_mem(b.p, b.len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_int_equal(info->compression, MODIMAGE_COMP_ZSTD);
		assert_kernel_sees(info);
		assert_int_equal(info->size, b.len);
	}
	assert_tool_reads("zstd -q", b.p, b.len, ko, signed_len);
	/* Anything at all after the first frame: never read. */
	buf_put(&b, "\x28\xb5\x2f\xfd garbage", 12);
	{
		_cleanup_modimage_ struct modimage *img = open_mem(b.p, b.len);

		assert_kernel_sees(modimage_get_info(img));
	}
	free(b.p);
}

/* The gzip CLI's output for data, as (header, raw deflate, CRC32 and size) parts. */
static unsigned char *gzip_parts(const void *data, size_t len, size_t *raw_off, size_t *raw_len,
				 size_t *total)
{
	unsigned char *gz = compress_with(2, data, len, total);

	/* gzip -n: a bare 10-byte header (no FNAME), then deflate, then 8 bytes of trailer */
	assert_int_equal(gz[3], 0);
	*raw_off = 10;
	*raw_len = *total - 18;
	return gz;
}

/*
 * gzip: the kernel skips a FNAME, nothing else. A FEXTRA field whose bytes are themselves a
 * deflate stream hides module A from zlib (which skips the field and inflates B after it);
 * the kernel inflates the field's bytes: A.
 */
static void test_gzip_fextra(void **state)
{
	size_t a_len, b_len, signed_len, ga_len, gb_len, a_off, a_raw, b_off, b_raw;
	_cleanup_free_ unsigned char *a = craft_named(KERNEL_SEES, &a_len);
	_cleanup_free_ unsigned char *b = craft_named(REAL_NAME, &b_len);
	_cleanup_free_ unsigned char *ko = sign(b, b_len, "sha256", &signed_len);
	_cleanup_free_ unsigned char *ga = gzip_parts(a, a_len, &a_off, &a_raw, &ga_len);
	_cleanup_free_ unsigned char *gb = gzip_parts(ko, signed_len, &b_off, &b_raw, &gb_len);
	/*
	 * FEXTRA and FNAME set. zlib: XLEN, the extra field, a file name, deflate (B). The kernel
	 * takes XLEN and what follows for the file name, up to the first NUL (the extra field's
	 * first byte), and inflates from there: A, which zlib skipped as extra data.
	 */
	static const unsigned char hdr[10] = {0x1f, 0x8b, 0x08, 0x04 | 0x08, 0, 0, 0, 0, 0, 3};
	const size_t xlen = 0x4141; /* "AA" */
	struct buf f = {0};

	buf_put(&f, hdr, sizeof(hdr));
	buf_put(&f, "AA", 2);
	buf_put(&f, NULL, 1);		/* the kernel's end of the file name */
	buf_put(&f, ga + a_off, a_raw); /* module A, final block: the kernel ends here */
	assert_true(f.len <= 12 + xlen);
	buf_put(&f, NULL, 12 + xlen - f.len);	 /* the rest of the extra field */
	buf_put(&f, "b.ko", 5);			 /* zlib's file name */
	buf_put(&f, gb + b_off, gb_len - b_off); /* module B with its CRC32 and size */
	{
		_cleanup_modimage_ struct modimage *img = open_mem(f.p, f.len);
		const struct modimage_info *info = modimage_get_info(img);

		assert_int_equal(info->compression, MODIMAGE_COMP_GZIP);
		assert_kernel_sees(info);
	}
	assert_tool_reads("gzip", f.p, f.len, ko, signed_len);
	free(f.p);

	/* FNAME is skipped: the same module either way. */
	{
		struct buf g = {0};
		_cleanup_modimage_ struct modimage *img = NULL;

		buf_put(&g, ga, 10);
		g.p[3] = 0x08;
		buf_put(&g, "name.ko", 8);
		buf_put(&g, ga + a_off, ga_len - a_off);
		img = open_mem(g.p, g.len);
		assert_kernel_sees(modimage_get_info(img));
		free(g.p);
	}
	/* CRC32 and size are not read: cut off or wrong, the module is the same. */
	{
		_cleanup_modimage_ struct modimage *cut = open_mem(ga, ga_len - 8);
		_cleanup_free_ unsigned char *bad = malloc(ga_len);
		_cleanup_modimage_ struct modimage *img = NULL;

		assert_kernel_sees(modimage_get_info(cut));
		memcpy(bad, ga, ga_len);
		bad[ga_len - 5] ^= 0xff;
		img = open_mem(bad, ga_len);
		assert_kernel_sees(modimage_get_info(img));
	}
	/* Not deflate (method byte 08): the kernel refuses it. */
	{
		_cleanup_free_ unsigned char *bad = malloc(ga_len);
		_cleanup_modimage_ struct modimage *img = NULL;

		memcpy(bad, ga, ga_len);
		bad[2] = 0x07;
		img = open_mem(bad, ga_len);
		assert_error(modimage_get_info(img), -EBADMSG, "gzip stream: bad header");
	}
}

/* xz: the first stream only, with no or a CRC32 check (lib/xz refuses CRC64 and SHA-256). */
static void test_xz_kernel(void **state)
{
	size_t a_len, signed_len, s1_len, s2_len;
	_cleanup_free_ unsigned char *a = craft_named(KERNEL_SEES, &a_len);
	_cleanup_free_ unsigned char *ko = sign(a, a_len, "sha256", &signed_len);
	_cleanup_free_ unsigned char *s1 = compress_with(0, a, a_len, &s1_len);
	_cleanup_free_ unsigned char *s2 =
		compress_with(0, ko + a_len, signed_len - a_len, &s2_len);
	struct buf b = {0};

	buf_put(&b, s1, s1_len);
	buf_put(&b, s2, s2_len);
	{
		_cleanup_modimage_ struct modimage *img = open_mem(b.p, b.len);

		assert_kernel_sees(modimage_get_info(img));
	}
	assert_tool_reads("xz", b.p, b.len, ko, signed_len);
	free(b.p);

	static const char *const checks[] = {"crc64", "sha256"};
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		size_t packed_len;
		_cleanup_free_ unsigned char *packed = NULL;
		_cleanup_modimage_ struct modimage *img = NULL;

		write_file(path_of("plain.ko"), a, a_len);
		run("xz -c --check=%s '%s' > '%s'", checks[i], path_of("plain.ko"),
		    path_of("packed"));
		packed = read_file(path_of("packed"), &packed_len);
		img = open_mem(packed, packed_len);
		assert_error(modimage_get_info(img), -EBADMSG,
			     "xz stream: integrity check the kernel does not support");
		assert_null(modimage_get_info(img)->name);
	}
}

static void test_names(void **state)
{
	assert_string_equal(modimage_compression_name(MODIMAGE_COMP_NONE), "none");
	assert_string_equal(modimage_compression_name(MODIMAGE_COMP_XZ), "xz");
	assert_string_equal(modimage_compression_name(MODIMAGE_COMP_ZSTD), "zstd");
	assert_string_equal(modimage_compression_name(MODIMAGE_COMP_GZIP), "gzip");
	assert_string_equal(modimage_sig_name(MODIMAGE_SIG_NONE), "none");
	assert_string_equal(modimage_sig_name(MODIMAGE_SIG_PKCS7), "pkcs7");
	assert_string_equal(modimage_sig_name(MODIMAGE_SIG_X509), "x509");
	assert_string_equal(modimage_sig_name(MODIMAGE_SIG_PGP), "pgp");
	assert_string_equal(modimage_sig_name(MODIMAGE_SIG_MALFORMED), "malformed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_foreach_stops),
		cmocka_unit_test(test_layouts),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_missing_sections),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_signed_pkcs7),
		cmocka_unit_test(test_pkcs7_nonzero_trailer_fields),
		cmocka_unit_test(test_old_id_types),
		cmocka_unit_test(test_bad_trailers),
		cmocka_unit_test(test_garbage_pkcs7),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_corrupt_streams),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_open_fd),
		cmocka_unit_test(test_open_fd_streams),
		cmocka_unit_test(test_stream_file_changed),
		cmocka_unit_test(test_stream_compressed_errors),
		cmocka_unit_test(test_stream_compressed_real),
		cmocka_unit_test(test_stream_compressed_rss),
		cmocka_unit_test(test_stream_compressed_changed),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_sig_unchecked),
		cmocka_unit_test(test_unchecked_trailer_is_elf),
		cmocka_unit_test(test_zstd_first_frame),
		cmocka_unit_test(test_gzip_fextra),
		cmocka_unit_test(test_xz_kernel),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
