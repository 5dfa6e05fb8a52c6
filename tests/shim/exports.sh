# SPDX-License-Identifier: LGPL-2.1-or-later
# libkmodaudit.so exports exactly the four interposed symbols, needs nothing but libc, has no
# constructor, and really takes the bindings of a program's syscall/init_module/delete_module.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
# check_shim SHIM LOADER: the checks on one build of the shim, with a loader of its class.
check_shim() {
	local SHIM=$1 KMA_LOAD=$2 exports needed init_sz bindings sym

	exports=$(nm -D --defined-only "$SHIM" | awk '{print $3}' | sort | tr '\n' ' ')
	[ "$exports" = "delete_module finit_module init_module syscall " ] ||
		fail "exports are: $exports"
	# No symbol version: a caller's syscall@GLIBC_2.2.5 (i386: @GLIBC_2.0) can only bind to an
	# unversioned definition.
	if readelf -V "$SHIM" | grep 'Version definition' >/dev/null; then
		fail "the shim defines symbol versions"
	fi

	needed=$(readelf -d "$SHIM" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	[ "$needed" = "libc.so.6 " ] || fail "DT_NEEDED: $needed"

	# Nothing runs at load time (exec-overhead): no constructors besides the toolchain's.
	if readelf -d "$SHIM" | grep -Eq '\((INIT_ARRAY|PREINIT_ARRAY)\)'; then
		init_sz=$(readelf -d "$SHIM" | sed -n 's/.*(INIT_ARRAYSZ) *\([0-9]*\).*/\1/p')
		[ "${init_sz:-0}" -le 8 ] || fail "the shim has constructors (INIT_ARRAYSZ=$init_sz)"
	fi

	# The dynamic linker binds a real program's calls to the shim.
	bindings=$(LD_DEBUG=bindings LD_PRELOAD=$SHIM KMODAUDIT_IMPL=/nonexistent \
		"$KMA_LOAD" delete-syscall kmatest_none 2>&1 >/dev/null || true)
	for sym in syscall; do
		grep -Eq "binding file $KMA_LOAD .* to $SHIM .*: normal symbol \`$sym'" <<<"$bindings" ||
			fail "$sym of kma-load does not bind to the shim"
	done
	bindings=$(LD_BIND_NOW=1 LD_DEBUG=bindings LD_PRELOAD=$SHIM KMODAUDIT_IMPL=/nonexistent \
		"$KMA_LOAD" delete kmatest_none 2>&1 >/dev/null || true)
	for sym in init_module delete_module; do
		grep -Eq "binding file $KMA_LOAD .* to $SHIM .*: normal symbol \`$sym'" <<<"$bindings" ||
			fail "$sym of kma-load does not bind to the shim"
	done
	echo "ok: $SHIM: exports $exports; needs $needed; bindings taken"
}

check_shim "$SHIM" "$KMA_LOAD"
# The i386 build (cmake/i386.cmake), with the -m32 kma-load, when there is one.
if [ -f "$KMODAUDIT_BUILD/i386/shim/libkmodaudit.so" ] && [ -x "$TESTS_BIN/kma-load32" ]; then
	check_shim "$KMODAUDIT_BUILD/i386/shim/libkmodaudit.so" "$TESTS_BIN/kma-load32"
else
	echo "SKIP (part): no i386 build of the shim (shim-i386 says why)"
fi
echo PASS
