# SPDX-License-Identifier: LGPL-2.1-or-later
# init_module's copy of a big image (issue 13): the shim copies 16 MiB in a few page faults (huge
# pages), not one a page (4,096), and the call still answers as without the shim.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (the configuration file must be root's)"
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo "[never]")
grep '\[never\]' >/dev/null <<<"$thp" && kma_skip "transparent huge pages are off here ($thp)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf=$(file_sink_conf "$tmp")
head -c $((16 << 20)) /dev/urandom >"$tmp/big.ko"

plain=$("$KMA_LOAD" init "$tmp/big.ko" || true)
# the second call: the core is loaded and warm
out=$(KMODAUDIT_CONFIG=$conf shim_run "$KMA_LOAD" -f -c 2 init "$tmp/big.ko" || true)
second=$(sed -n 2p <<<"$out")
[ "${second% minflt=*}" = "$plain" ] || fail "the call answered '$second', without the shim '$plain'"
faults=${second##*minflt=}
echo "init_module of 16 MiB under the shim: $faults minor faults"
[ "$faults" -lt 1024 ] || fail "the copy took $faults page faults (one a page: 4096)"
grep '"call":"init_module"' "$tmp/records.json" >/dev/null || fail "no record"
echo PASS
