/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness, differential: a module image read from a file (modimage_open_fd, which
 * streams the usual module through a small buffer and keeps only what the parsers need) must
 * say exactly what the same bytes say from memory (modimage_open_memory, the whole image).
 * Any difference aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "macro.h"
#include "core/modimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct modinfo_list {
	char *text;
	size_t len;
};

static int append(const char *key, const char *value, void *data)
{
	struct modinfo_list *l = data;
	size_t k = strlen(key), v = strlen(value);
	char *n = realloc(l->text, l->len + k + v + 2);

	if (!n)
		abort();
	memcpy(n + l->len, key, k + 1);
	memcpy(n + l->len + k + 1, value, v + 1);
	l->text = n;
	l->len += k + v + 2;
	return 0;
}

static void same_str(const char *what, const char *a, const char *b)
{
	if ((!a) != (!b) || (a && strcmp(a, b))) {
		fprintf(stderr, "fuzz-modimage-stream: %s differs: '%s' vs '%s'\n", what,
			a ? a : "(null)", b ? b : "(null)");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct modimage_opts opts = {.max_size = 64 << 20, .stream_small = true};
	_cleanup_modimage_ struct modimage *mem = NULL, *file = NULL;
	_cleanup_close_ int fd = memfd_create("fuzz", MFD_CLOEXEC);
	struct modinfo_list lm = {NULL, 0}, lf = {NULL, 0};
	const struct modimage_info *a, *b;
	size_t done = 0;
	int rm, rf;

	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	rm = modimage_open_memory(data, size, &opts, &mem);
	rf = modimage_open_fd(fd, &opts, &file);
	if (rm != rf) {
		fprintf(stderr, "fuzz-modimage-stream: open %d vs %d\n", rm, rf);
		abort();
	}
	if (rm < 0)
		return 0;
	a = modimage_get_info(mem);
	b = modimage_get_info(file);
	if (a->error != b->error || a->size != b->size || a->compression != b->compression ||
	    memcmp(a->sha256, b->sha256, 32) || a->truncated_read != b->truncated_read ||
	    a->sig != b->sig || a->sig_unchecked != b->sig_unchecked) {
		fprintf(stderr,
			"fuzz-modimage-stream: info differs (error %d vs %d, sig %d vs %d)\n",
			a->error, b->error, a->sig, b->sig);
		abort();
	}
	const char *names[] = {"error_msg",  "name",	"modinfo_name", "vermagic",
			       "srcversion", "version", "license",	"intree",
			       "sig_id",     "signer",	"sig_key",	"sig_hashalgo"};
	const char *sa[] = {a->error_msg,  a->name,    a->modinfo_name, a->vermagic,
			    a->srcversion, a->version, a->license,	a->intree,
			    a->sig_id,	   a->signer,  a->sig_key,	a->sig_hashalgo};
	const char *sb[] = {b->error_msg,  b->name,    b->modinfo_name, b->vermagic,
			    b->srcversion, b->version, b->license,	b->intree,
			    b->sig_id,	   b->signer,  b->sig_key,	b->sig_hashalgo};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		same_str(names[i], sa[i], sb[i]);
	modimage_foreach_modinfo(mem, append, &lm);
	modimage_foreach_modinfo(file, append, &lf);
	if (lm.len != lf.len || (lm.len && memcmp(lm.text, lf.text, lm.len))) {
		fprintf(stderr, "fuzz-modimage-stream: .modinfo entries differ\n");
		abort();
	}
	free(lm.text);
	free(lf.text);
	return 0;
}
