# SPDX-License-Identifier: LGPL-2.1-or-later
# The core loads a decompressor only for a compressed image, and json-c only for the file sink
# (issue 13: each library mapped is paid by every new process's first module call).
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (the configuration file must be root's)"
fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
printf '[sinks]\nfallback = none\n' >"$tmp/nofile.conf"
filesink=$(file_sink_conf "$tmp")
chmod 644 "$tmp/nofile.conf"
ko=$(find "$MODDIR" -name 'dummy.ko' | sed -n 1p)
[ -f "$ko" ] || kma_skip "no dummy.ko among the fixtures"
cp "$ko" "$tmp/dummy.ko"
xz -k -C crc32 "$tmp/dummy.ko"
zstd -q -k "$tmp/dummy.ko"
run() { # CONF FILE
	KMODAUDIT_CONFIG=$1 shim_run "$TESTS_BIN/lazy-core" finit "$2"
}
mapped() { grep -o "$1" <<<"$2" >/dev/null; }

out=$(run "$tmp/nofile.conf" "$tmp/dummy.ko") || fail "the calls answered differently: $out"
mapped libkmodaudit-impl "$out" || fail "finit_module did not map the core: $out"
# (zlib is not among them: libelf itself needs it)
for lib in liblzma libzstd libjson-c; do
	! mapped "$lib" "$out" || fail "an uncompressed module, no file sink: $lib mapped: $out"
done
echo "uncompressed, no file sink: no decompressor, no json-c"

out=$(run "$tmp/nofile.conf" "$tmp/dummy.ko.xz") || fail "the calls answered differently: $out"
mapped liblzma "$out" || fail "an xz module did not map liblzma: $out"
! mapped libzstd "$out" || fail "an xz module mapped libzstd: $out"
echo "xz: liblzma only"

out=$(run "$filesink" "$tmp/dummy.ko.zst") || fail "the calls answered differently: $out"
mapped libzstd "$out" || fail "a zstd module did not map libzstd: $out"
mapped libjson-c "$out" || fail "the file sink did not map json-c: $out"
! mapped liblzma "$out" || fail "a zstd module mapped liblzma: $out"
# the libraries loaded late did their work: the record has the module's own fields
grep '"compression":"zstd"' "$tmp/records.json" | grep '"name":"dummy"' >/dev/null ||
	fail "the zstd module's record lacks its fields: $(cat "$tmp/records.json")"
echo "zstd with the file sink: libzstd and json-c, the record complete"
echo PASS
