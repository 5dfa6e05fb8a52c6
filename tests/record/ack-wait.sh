#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel never acknowledges (every recvfrom/recvmsg of the process fails with EAGAIN under a
# seccomp filter): the audit sink must give up after audit_timeout_ms, not after libaudit's
# 40 s, and the record must then be in syslog. Prints the measured wait for several settings.
# The bound checked is loose (timeout + 3 s): it proves the wait is bounded, it is no benchmark.
set -uo pipefail
. "$KMODAUDIT_SRC/tests/lib/audit.sh"

EMIT=$KMODAUDIT_BUILD/tests/record/kma-emit
[ -x "$EMIT" ] || { echo "FAIL: build kma-emit first"; exit 1; }
audit_setup

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in 50 300 1000 default; do
	c=$dir/$t.conf
	if [ "$t" = default ]; then
		printf '[sinks]\nsyslog_socket=%s\n' "$dir/log" >"$c"
		limit=300
	else
		printf '[sinks]\nsyslog_socket=%s\naudit_timeout_ms=%s\n' "$dir/log" "$t" >"$c"
		limit=$t
	fi
	chmod 644 "$c"
	start=$(date +%s%N)
	out=$(KMODAUDIT_CONFIG=$c timeout 60 "$EMIT" --no-ack --args "t$t" delete "noack_$t")
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	[ $rc = 0 ] || fail "timeout=$t: kma-emit rc=$rc"
	# delete_module has one record: one wait
	echo "audit_timeout_ms=$t: call took ${ms} ms in all ($out)"
	[ "$ms" -ge "$limit" ] || fail "timeout=$t: returned after $ms ms, before the timeout: no wait?"
	[ "$ms" -le $((limit + 3000)) ] || fail "timeout=$t: $ms ms: the wait is not bounded"
	syslog_wait "$dir" "op=kmod_unload .* name=\"noack_$t\"" ||
		fail "timeout=$t: record not in syslog after the timeout"
done

# The status reply late (the kernel sends AUDIT_GET's answer from a kernel thread that a loaded
# host schedules late; kma-emit --late-status discards it): the record is not kept from audit,
# which acknowledges it at once, and a copy goes to syslog, since audit may have been disabled.
c=$dir/late.conf
printf '[sinks]\nsyslog_socket=%s\naudit_timeout_ms=200\n' "$dir/log" >"$c"
chmod 644 "$c"
mark=$(audit_mark)
fails_before=$fails
out=$(KMODAUDIT_CONFIG=$c timeout 60 "$EMIT" --late-status delete "late_$$")
[[ "$out" == "begin=0 "* ]] || fail "late status: $out"
audit_wait_grep "$mark" "op=kmod_unload .* name=\"late_$$\"" ||
	fail "late status: the record did not reach audit"
syslog_wait "$dir" "op=kmod_unload .* name=\"late_$$\"" ||
	fail "late status: no copy in syslog"
[ "$fails" = "$fails_before" ] && echo "late status reply: record in audit and a copy in syslog"

if [ "$fails" -gt 0 ]; then
	echo "FAIL: $fails checks"
	exit 1
fi
echo "PASS: the acknowledgement wait is bounded by audit_timeout_ms; records went to syslog"
