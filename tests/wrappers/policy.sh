#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The front end under the configured policy when no sink takes the intent record (a user
# namespace: the audit socket refuses; the syslog socket does not exist): fail-closed refuses the
# load before any module syscall (strace sees none) and the tool says "Operation not permitted",
# as for a refused load; fail-open makes the call anyway; unloads are never held back.
. "$KMODAUDIT_SRC/tests/wrappers/lib.sh"
[ "$(id -u)" = 0 ] || wr_skip "needs root (root-owned config, user namespace)"
command -v strace >/dev/null || wr_skip "strace not installed"
unshare -U -r true 2>/dev/null || wr_skip "no user namespaces"
wr_setup

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# run_policy MODE TOOL ARGS...: sets CALLS (module syscalls made), OUT (messages) and RC.
run_policy() {
	local mode=$1 tool=$2
	shift 2
	printf '[policy]\nmode=%s\n[record]\nintent=yes\n[sinks]\nsyslog_socket=%s\n' \
		"$mode" "$T/no-such-dir/log" >"$T/$mode.conf"
	chmod 600 "$T/$mode.conf"
	RC=0
	KMODAUDIT_CONFIG=$T/$mode.conf unshare -U -r strace -f -qq -o "$T/strace" \
		-e trace=init_module,finit_module,delete_module \
		bash -c 'exec -a "$0" "$@"' "$tool" "$OUR_DIR/$tool" "$@" >"$T/out" 2>&1 || RC=$?
	CALLS=$(grep -Ec '^[0-9]+ +(f?init|delete)_module\(' "$T/strace")
	OUT=$(cat "$T/out")
}

FAT=$M/kernel/fs/fat/fat.ko
for cmd in "insmod $FAT" "modprobe -d $ROOT -S $KVER vfat"; do
	# shellcheck disable=SC2086 # the words of cmd
	run_policy fail-closed $cmd
	[ "$CALLS" = 0 ] || fail "fail-closed $cmd: $CALLS module syscalls made"
	[ "$RC" = 1 ] || fail "fail-closed $cmd: exit $RC"
	[[ "$OUT" == *"Operation not permitted"* ]] || fail "fail-closed $cmd: said '$OUT'"
	# shellcheck disable=SC2086
	run_policy fail-open $cmd
	[ "$CALLS" -gt 0 ] || fail "fail-open $cmd: no module syscall made"
	[[ "$OUT" != *"Operation not permitted"* ]] || fail "fail-open $cmd: refused: '$OUT'"
done

# Unloads have no intent record (record-format.md): the policy does not hold them back.
run_policy fail-closed rmmod -f vfat
[ "$CALLS" = 1 ] || fail "fail-closed rmmod -f: $CALLS module syscalls made"

[ "$fails" -eq 0 ] && echo "fail-closed refuses, fail-open goes on: OK"
[ "$fails" -eq 0 ]
