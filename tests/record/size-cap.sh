# SPDX-License-Identifier: LGPL-2.1-or-later
# [limits] max_image_size: an image over the cap is neither read nor hashed; the record says
# truncated_read, sha256=? and the size the kernel is given (the file's size from stat, the
# caller's len). Under the cap, or with the default cap, the image is analysed in full.
# Through kma-emit (the emit lifecycle) into the JSON-lines file sink; references: stat,
# sha256sum.
set -euo pipefail
: "${KMODAUDIT_BUILD:?run through ctest}"
EMIT=$KMODAUDIT_BUILD/tests/record/kma-emit
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the configuration file must be root's)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
head -c 100000 /dev/urandom >"$tmp/big.ko"
size=$(stat -c %s "$tmp/big.ko")
sha=$(sha256sum "$tmp/big.ko" | awk '{print toupper($1)}')

# run NAME CAP-LINE OP: one call; prints "size sha256 anomaly" of the result record
run() {
	printf '[sinks]\nfallback=none\nfile=%s\n%s\n' "$tmp/$1.json" "$2" >"$tmp/$1.conf"
	chmod 644 "$tmp/$1.conf"
	"$EMIT" --config "$tmp/$1.conf" "$3" "$tmp/big.ko" >/dev/null
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"] == "kmod_load":
        print(r.get("size"), r.get("sha256"), r.get("anomaly"))
' "$tmp/$1.json"
}
for op in finit init; do
	got=$(run "$op-capped" $'[limits]\nmax_image_size=64K' $op)
	[ "$got" = "$size None truncated_read" ] ||
		fail "$op over a 64K cap: '$got', expected size $size, no sha256, truncated_read"
	got=$(run "$op-large" $'[limits]\nmax_image_size=1M' $op)
	[ "$got" = "$size $sha unsigned" ] || fail "$op under a 1M cap: '$got'"
	got=$(run "$op-default" "" $op)
	[ "$got" = "$size $sha unsigned" ] || fail "$op with the default cap: '$got'"
done
# out of range (the cap is 64K..1G): the line is ignored, the default applies
got=$(run bad $'[limits]\nmax_image_size=2G' finit)
[ "$got" = "$size $sha unsigned" ] || fail "2G (out of range) was not ignored: '$got'"
echo PASS
