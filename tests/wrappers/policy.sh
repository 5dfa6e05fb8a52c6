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

# run_policy MODE TOOL ARGS...: sets CALLS (module syscalls made), OUT (messages) and RC. The
# tool runs with WR_PRELOAD, when set, as LD_PRELOAD. $T/strace also has what it sent (syslog
# lines: sendto; the kernel log's: write).
run_policy() {
	local mode=$1 tool=$2
	shift 2
	printf '[policy]\nmode=%s\n[record]\nintent=yes\n[sinks]\nsyslog_socket=%s\n' \
		"$mode" "$T/no-such-dir/log" >"$T/$mode.conf"
	chmod 600 "$T/$mode.conf"
	RC=0
	KMODAUDIT_CONFIG=$T/$mode.conf unshare -U -r strace -f -qq -o "$T/strace" \
		-e trace=init_module,finit_module,delete_module,sendto,write -s 400 \
		bash -c '[ -z "${WR_PRELOAD:-}" ] || export LD_PRELOAD=$WR_PRELOAD; exec -a "$0" "$@"' \
		"$tool" "$OUR_DIR/$tool" "$@" >"$T/out" 2>&1 || RC=$?
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

# No core context at all (no memory for the configuration file's buffer, shared/conf-file.h:
# CONF_TEXT_SIZE): the mode is read as the shim reads it without the core. Fail-closed refuses
# loads, fail-open goes on, unloads go on. The allocation failure injector replaces malloc, which
# an ASan-instrumented front end cannot take.
FAILMALLOC=$KMODAUDIT_BUILD/tests/hardening/libkma-failmalloc.so
if [ "${KMODAUDIT_SANITIZE:-OFF}" = ON ]; then
	echo "note: no allocation failure injection into an ASan build: no-context cases not run"
elif [ ! -e "$FAILMALLOC" ]; then
	fail "not built: $FAILMALLOC"
else
	conf_text_size=$(($(sed -n 's/^#define CONF_MAX_SIZE (\(.*\))$/\1/p' \
		"$KMODAUDIT_SRC/src/shared/conf-file.h") + 2))
	nomem() {
		rm -f "$T/failmalloc.log"
		KMA_FAIL_ARMED=1 KMA_FAIL_SIZE=$conf_text_size KMA_FAIL_NTH=1 \
			KMA_FAIL_LOG=$T/failmalloc.log WR_PRELOAD=$FAILMALLOC run_policy "$@"
		grep -qx "allocs=1 failed=1" "$T/failmalloc.log" ||
			fail "no context $*: the configuration buffer was not refused once"
	}
	# the lost-record line, as the shim words it (src/shared/lost-line.h), one per call
	lost_line() { # VERDICT: the line of this run's load, in syslog's or the kernel log's datagram
		grep -E "(sendto|write)\(.*kmodaudit\[[0-9]+\]: $1 f?init_module by insmod\[[0-9]+\]: the core cannot start \(Cannot allocate memory\)" \
			"$T/strace" >/dev/null
	}
	nomem fail-closed insmod "$FAT"
	lost_line "fail-closed: refused" || fail "no context, fail-closed insmod: no refusal line"
	[[ "$OUT" == *"not recorded: Cannot allocate memory; fail-closed"* ]] ||
		fail "no context, fail-closed insmod: no warning: '$OUT'"
	[ "$CALLS" = 0 ] || fail "no context, fail-closed insmod: $CALLS module syscalls made"
	[ "$RC" = 1 ] || fail "no context, fail-closed insmod: exit $RC"
	[[ "$OUT" == *"Operation not permitted"* ]] ||
		fail "no context, fail-closed insmod: said '$OUT'"
	nomem fail-open insmod "$FAT"
	lost_line "record lost:" || fail "no context, fail-open insmod: no lost-record line"
	[ "$CALLS" -gt 0 ] || fail "no context, fail-open insmod: no module syscall made"
	[[ "$OUT" != *"Operation not permitted"* ]] ||
		fail "no context, fail-open insmod: refused: '$OUT'"
	nomem fail-closed rmmod -f vfat
	[ "$CALLS" = 1 ] || fail "no context, fail-closed rmmod -f: $CALLS module syscalls made"
fi

[ "$fails" -eq 0 ] && echo "fail-closed refuses, fail-open goes on: OK"
[ "$fails" -eq 0 ]
