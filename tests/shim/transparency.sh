# SPDX-License-Identifier: LGPL-2.1-or-later
# The transparency matrix (transparency.c): every case gives the same return value, errno and
# file offset with and without the shim, with the core loaded and with the core missing; no
# case crashes. Once with the built-in image, once with a real Debian module when the fixtures
# are there.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
MATRIX=$TESTS_BIN/transparency
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

check() { # LABEL MATRIX-ARGS...
	local label=$1 n
	shift
	"$MATRIX" "$@" >"$out/plain"
	n=$(wc -l <"$out/plain")
	[ "$n" -ge 40 ] || fail "$label: only $n cases"
	! grep -E ' (crashed|died) ' "$out/plain" || fail "$label: the matrix itself crashed without the shim"
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL "$MATRIX" "$@" >"$out/shim"
	diff -u "$out/plain" "$out/shim" || fail "$label: the shim changed an answer"
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=/nonexistent/libkmodaudit-impl.so "$MATRIX" "$@" >"$out/nocore"
	diff -u "$out/plain" "$out/nocore" || fail "$label: the shim without its core changed an answer"
	echo "$label: $n cases identical (plain, shim, shim without core)"
}

check built-in-image
if [ -s "$KMODAUDIT_CACHE/env" ]; then
	. "$KMODAUDIT_CACHE/env"
	ko=$(find "$MODDIR/kernel/net" -name 'af_key.ko*' | head -1)
	[ -n "$ko" ] && check "real module $(basename "$ko")" -m "$ko" -n af_key
fi
echo PASS
