#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A core of another ABI (abi-core.c: the previous version, or this version with other struct
# sizes) is refused by the shim as a core it cannot load: no entry of it is called (each
# aborts), the call goes on in fail-open mode and is refused with EPERM in fail-closed mode,
# and syslog hears which core and why. Before the sizes crossed the boundary, the same-version
# cores were taken and their entries called (the load aborted).
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (syslog namespace, root's configuration)"
dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
printf 'not a module\n' >"$dir/m.ko"
printf '[sinks]\nfallback = none\nfile = %s/rec.json\n' "$dir" >"$dir/open.conf"
printf '[sinks]\nfallback = none\n[policy]\nmode = fail-closed\n' >"$dir/closed.conf"
chmod 644 "$dir"/*.conf

# run CORE CONF ARGS...: kma-load with the shim on CORE; prints its answer line
run() {
	local core=$1 conf=$2
	shift 2
	syslog_run "$dir" env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$core" KMODAUDIT_CONFIG="$conf" \
		ASAN_OPTIONS=verify_asan_link_order=0 "$KMA_LOAD" "$@" 2>&1 || true
}

n=0
for kind in old call-size opts-size table-size; do
	core=$TESTS_BIN/shim/libkma-abi-$kind.so
	[ -e "$core" ] || fail "$core not built"
	why="the core $core is (not ABI [0-9]+ \(kmodaudit_impl_get found, abi [0-9]+\)|ABI [0-9]+ with other sizes \(table/call/opts [0-9/]+, the shim's [0-9/]+\))"

	out=$(run "$core" "$dir/open.conf" finit "$dir/m.ko" "abi=$kind")
	[[ "$out" == "finit ret="* && "$out" != *EPERM* ]] || fail "$kind, fail-open: $out"
	syslog_wait "$dir" "kmodaudit\[[0-9]+\]: record lost: finit_module by kma-load\[[0-9]+\]: $why" ||
		fail "$kind, fail-open: no lost-record line: $(syslog_messages "$dir")"

	out=$(run "$core" "$dir/closed.conf" init "$dir/m.ko" "abi=$kind")
	[ "$out" = "init ret=-1 errno=EPERM" ] || fail "$kind, fail-closed: not refused: $out"
	syslog_wait "$dir" "fail-closed: refused init_module by kma-load\[[0-9]+\] \(image of 13 bytes\): $why" ||
		fail "$kind, fail-closed: no refusal line: $(syslog_messages "$dir")"

	out=$(run "$core" "$dir/closed.conf" delete "abi_$kind")
	[[ "$out" == "delete ret="* && "$out" != *EPERM* ]] || fail "$kind, unload: $out"
	n=$((n + 1))
	echo "core $kind: refused; loads go on (fail-open) or are refused (fail-closed), syslog says why"
done
# the line names the difference: the previous version, or the sizes
grep -aE "is not ABI [0-9]+ \(kmodaudit_impl_get found, abi [0-9]+\)" "$dir/messages" >/dev/null ||
	fail "the previous version's core is not named as such"
grep -aE "is ABI [0-9]+ with other sizes \(table/call/opts [0-9]+/[0-9]+/[0-9]+" "$dir/messages" >/dev/null ||
	fail "a core of other sizes is not named as such"
[ -s "$dir/rec.json" ] && fail "a refused core wrote records: $(cat "$dir/rec.json")"
# the build's own core is taken (what differs is the test cores' tables)
out=$(run "$IMPL" "$dir/open.conf" delete abi_ok)
[[ "$out" == "delete ret="* ]] || fail "the build's core: $out"
grep '"name":"abi_ok"' "$dir/rec.json" >/dev/null || fail "the build's own core did not record"
echo "PASS: $n cores of another ABI refused without a call into them"
