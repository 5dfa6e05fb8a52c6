# SPDX-License-Identifier: LGPL-2.1-or-later
# syscall() with junk in the upper half of the number (syscall-nr.c): the kernel reads only the
# low 32 bits, so these are module calls; the shim must record each one, and answer as without it.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (the configuration file must be root's)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
head -c 3000 /dev/urandom >"$tmp/m.ko"
printf '[sinks]\nfile=%s\nfallback=none\n' "$tmp/rec.json" >"$tmp/conf"
chmod 644 "$tmp/conf"

"$TESTS_BIN/syscall-nr" "$tmp/m.ko" >"$tmp/plain"
LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL KMODAUDIT_CONFIG=$tmp/conf "$TESTS_BIN/syscall-nr" "$tmp/m.ko" >"$tmp/shim"
diff -u "$tmp/plain" "$tmp/shim" || fail "the shim changed an answer"
want_sha=$(sha256sum "$tmp/m.ko" | awk '{print toupper($1)}')
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"] != "kmod_load_intent":
        print(r["call"], r.get("args", r.get("name")), r.get("sha256", "-"))
' "$tmp/rec.json" >"$tmp/got" 2>/dev/null || true
printf 'init_module a=1 %s\nfinit_module b=2 %s\ndelete_module kmatest_nr -\n' "$want_sha" "$want_sha" >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "module calls with a high syscall number went unrecorded"
echo PASS
