# SPDX-License-Identifier: LGPL-2.1-or-later
# The transparency matrix (transparency.c): every case gives the same return value, errno and
# file offset with and without the shim, with the core loaded and with the core missing; no
# case crashes. Once with the built-in image, once with a real Debian module when the fixtures
# are there. And once more where process_vm_readv is denied (seccomp, as in some containers):
# the shim's fallback copy must stop where the kernel's would (a PROT_NONE page), so the answers
# and the records (size, hash, anomalies) are the same as with process_vm_readv.
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
	[ "$(id -u)" = 0 ] || { echo "$label: not root, no config of our own: no denied run"; return; }
	rm -f "$out/rec.json" "$out/rec-denied.json"
	printf '[sinks]\nfile=%s\nfallback=none\n' "$out/rec.json" >"$out/conf"
	printf '[sinks]\nfile=%s\nfallback=none\n' "$out/rec-denied.json" >"$out/conf-denied"
	chmod 644 "$out/conf" "$out/conf-denied"
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL KMODAUDIT_CONFIG=$out/conf "$MATRIX" "$@" >"$out/shim"
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL KMODAUDIT_CONFIG=$out/conf-denied \
		"$TESTS_BIN/kma-deny" process_vm_readv "$MATRIX" "$@" >"$out/denied"
	diff -u "$out/plain" "$out/denied" ||
		fail "$label: the shim changed an answer where process_vm_readv is denied"
	fields "$out/rec.json" >"$out/fields"
	fields "$out/rec-denied.json" >"$out/fields-denied"
	[ -s "$out/fields" ] || fail "$label: no records"
	diff -u "$out/fields" "$out/fields-denied" ||
		fail "$label: other records where process_vm_readv is denied"
	echo "$label: $n cases, $(wc -l <"$out/fields") records identical with process_vm_readv denied"
}

# What a record says of the call (not of the process, which differs from run to run).
fields() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(" ".join("%s=%s" % (k, r.get(k)) for k in
          ("op", "call", "name", "size", "sha256", "sig_type", "args", "call_flags", "exit",
           "anomaly")))
' "$1"
}

check built-in-image
if [ -s "$KMODAUDIT_CACHE/env" ]; then
	. "$KMODAUDIT_CACHE/env"
	ko=$(find "$MODDIR/kernel/net" -name 'af_key.ko*' | sed -n 1p)
	[ -n "$ko" ] && check "real module $(basename "$ko")" -m "$ko" -n af_key
fi
echo PASS
