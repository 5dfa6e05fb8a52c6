# SPDX-License-Identifier: LGPL-2.1-or-later
# A process that makes only ordinary syscall() calls (lazy-core.c), some with junk in the upper
# half of the number, never maps the shim's core or libcrypto; one module call maps the core.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (the configuration file must be root's)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
printf '[sinks]\nfile=%s\nfallback=none\n' "$tmp/rec.json" >"$tmp/conf"
chmod 644 "$tmp/conf"
run() {
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL KMODAUDIT_CONFIG=$tmp/conf "$TESTS_BIN/lazy-core" "$@"
}

out=$(run) || fail "syscall() answered differently under the shim: $out"
[ "$out" = "calls ok" ] || fail "ordinary syscall() calls mapped the core or libcrypto: $out"
echo "ordinary syscall() calls: nothing mapped"

out=$(run module) || fail "syscall() answered differently under the shim: $out"
grep -q "/libkmodaudit-impl\.so$" <<<"$out" || fail "a module call did not map the core: $out"
# the core's libcrypto (PKCS#7) shows too: the first check would have seen it
grep -q "/libcrypto\.so" <<<"$out" || fail "the core mapped without libcrypto: $out"
grep -q '"call":"delete_module"' "$tmp/rec.json" || fail "the module call was not recorded"
echo "one module call: the core mapped, the call recorded"
echo PASS
