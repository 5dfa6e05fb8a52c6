/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core as the shim loads it maps only what every module call needs (libcrypto, libelf,
 * libaudit, libinih): each call of a new process pays for every library mapped. The
 * decompressors are needed only for a compressed image, json-c only for the file sink: here the
 * functions the core calls of them are defined as small forwarders that dlopen the library at
 * their first call. The impl is linked --as-needed, so those libraries are no DT_NEEDED of it.
 * The core's source is unchanged (the command and the tests link the libraries directly).
 *
 * A library that cannot be loaded (a broken installation) makes its functions fail as on an
 * allocation failure; modimage_decompressor_missing() lets image analysis say which library
 * it was instead.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include <json-c/json.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "core/modimage-internal.h"

struct lazy_lib {
	const char *soname;
	pthread_once_t once;
	void *handle;
	char error[160];
};

#define LAZY_LIB(id, so)                                                                           \
	static struct lazy_lib id = {.soname = so, .once = PTHREAD_ONCE_INIT};                     \
	static void id##_open(void)                                                                \
	{                                                                                          \
		id.handle = dlopen(id.soname, RTLD_NOW | RTLD_LOCAL);                              \
		if (!id.handle)                                                                    \
			snprintf(id.error, sizeof(id.error), "cannot load %s: %s", id.soname,      \
				 dlerror() ?: "?");                                                \
	}                                                                                          \
	static void *id##_sym(const char *name)                                                    \
	{                                                                                          \
		pthread_once(&id.once, id##_open);                                                 \
		return id.handle ? dlsym(id.handle, name) : NULL;                                  \
	}

/* The SONAMEs the build links against (tests/image and tests/record call through these). */
LAZY_LIB(lib_lzma, "liblzma.so.5")
LAZY_LIB(lib_zstd, "libzstd.so.1")
LAZY_LIB(lib_z, "libz.so.1")
LAZY_LIB(lib_json, "libjson-c.so.5")

/* name's own prototype from its header; fail is what a call returns without the library. */
#define LAZY_FN(lib, ret, fail, name, params, args)                                                \
	ret name params                                                                            \
	{                                                                                          \
		static typeof(&name) fn;                                                           \
		typeof(&name) f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);                          \
                                                                                                   \
		if (!f) {                                                                          \
			f = (typeof(&name))lib##_sym(#name);                                       \
			if (!f)                                                                    \
				return fail;                                                       \
			__atomic_store_n(&fn, f, __ATOMIC_RELEASE);                                \
		}                                                                                  \
		return f args;                                                                     \
	}
#define LAZY_VOID(lib, name, params, args)                                                         \
	void name params                                                                           \
	{                                                                                          \
		static typeof(&name) fn;                                                           \
		typeof(&name) f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);                          \
                                                                                                   \
		if (!f) {                                                                          \
			f = (typeof(&name))lib##_sym(#name);                                       \
			if (!f)                                                                    \
				return;                                                            \
			__atomic_store_n(&fn, f, __ATOMIC_RELEASE);                                \
		}                                                                                  \
		f args;                                                                            \
	}

LAZY_FN(lib_lzma, lzma_ret, LZMA_MEM_ERROR, lzma_stream_decoder,
	(lzma_stream * strm, uint64_t memlimit, uint32_t flags), (strm, memlimit, flags))
LAZY_FN(lib_lzma, lzma_ret, LZMA_PROG_ERROR, lzma_code, (lzma_stream * strm, lzma_action action),
	(strm, action))
LAZY_VOID(lib_lzma, lzma_end, (lzma_stream * strm), (strm))

LAZY_FN(lib_zstd, ZSTD_bounds, ((ZSTD_bounds){.error = (size_t)-1}), ZSTD_dParam_getBounds,
	(ZSTD_dParameter dParam), (dParam))
LAZY_FN(lib_zstd, unsigned long long, ZSTD_CONTENTSIZE_ERROR, ZSTD_getFrameContentSize,
	(const void *src, size_t srcSize), (src, srcSize))
LAZY_FN(lib_zstd, unsigned, 1, ZSTD_isError, (size_t code), (code))
LAZY_FN(lib_zstd, const char *, "cannot load libzstd", ZSTD_getErrorName, (size_t code), (code))
LAZY_FN(lib_zstd, ZSTD_DStream *, NULL, ZSTD_createDStream, (void), ())
LAZY_FN(lib_zstd, size_t, 0, ZSTD_freeDStream, (ZSTD_DStream * zds), (zds))
LAZY_FN(lib_zstd, size_t, (size_t)-1, ZSTD_DCtx_setParameter,
	(ZSTD_DCtx * dctx, ZSTD_dParameter param, int value), (dctx, param, value))
LAZY_FN(lib_zstd, size_t, (size_t)-1, ZSTD_decompressStream,
	(ZSTD_DStream * zds, ZSTD_outBuffer *output, ZSTD_inBuffer *input), (zds, output, input))

LAZY_FN(lib_z, int, Z_MEM_ERROR, inflateInit2_,
	(z_streamp strm, int windowBits, const char *version, int stream_size),
	(strm, windowBits, version, stream_size))
LAZY_FN(lib_z, int, Z_STREAM_ERROR, inflate, (z_streamp strm, int flush), (strm, flush))
LAZY_FN(lib_z, int, Z_STREAM_ERROR, inflateEnd, (z_streamp strm), (strm))

LAZY_FN(lib_json, json_object *, NULL, json_object_new_object, (void), ())
LAZY_FN(lib_json, json_object *, NULL, json_object_new_array, (void), ())
LAZY_FN(lib_json, json_object *, NULL, json_object_new_string, (const char *s), (s))
LAZY_FN(lib_json, json_object *, NULL, json_object_new_string_len, (const char *s, const int len),
	(s, len))
LAZY_FN(lib_json, json_object *, NULL, json_object_new_int64, (int64_t i), (i))
LAZY_FN(lib_json, int, -1, json_object_object_add,
	(json_object * obj, const char *key, json_object *const val), (obj, key, val))
LAZY_FN(lib_json, int, -1, json_object_array_add, (json_object * obj, json_object *val), (obj, val))
LAZY_FN(lib_json, json_bool, 0, json_object_object_get_ex,
	(const json_object *obj, const char *key, json_object **value), (obj, key, value))
LAZY_FN(lib_json, size_t, 0, json_object_array_length, (const json_object *obj), (obj))
LAZY_FN(lib_json, const char *, NULL, json_object_to_json_string_ext,
	(json_object * obj, int flags), (obj, flags))
LAZY_FN(lib_json, int, 0, json_object_put, (json_object * obj), (obj))

const char *modimage_decompressor_missing(enum modimage_compression c)
{
	struct lazy_lib *lib;

	switch (c) {
	case MODIMAGE_COMP_XZ:
		lib = &lib_lzma;
		lib_lzma_sym("lzma_code");
		break;
	case MODIMAGE_COMP_ZSTD:
		lib = &lib_zstd;
		lib_zstd_sym("ZSTD_decompressStream");
		break;
	case MODIMAGE_COMP_GZIP:
		lib = &lib_z;
		lib_z_sym("inflate");
		break;
	default:
		return NULL;
	}
	return lib->handle ? NULL : lib->error;
}
