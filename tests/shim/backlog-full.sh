# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel's audit backlog full (the daemon stopped, the queue at its limit): a record sent
# now would be queued and its sender held, uninterruptibly, until kauditd next drains the queue
# or for backlog_wait_time (60 s by default). The shim must not send it: the load gets the
# kernel's answer and its records go to the syslog fallback (the result too, unless the queue
# drained meanwhile). backlog_wait_time is lowered to a sixth for the test, so that a
# regression cannot stall it long; 5 s is the hang guard.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
audit_setup
fixtures
ko=$MODDIR/kernel/drivers/net/dummy.ko
backlog=("$KMA_PYTHON" "$KMODAUDIT_SRC/tests/shim/audit-backlog.py")
dir=$(mktemp -d)
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
conf=$dir/kmodaudit.conf
printf '[sinks]\nsyslog_socket = %s/log\n' "$dir" >"$conf"
chmod 0644 "$conf"

kma_lock -x "$_kma_lock_fd"
daemon=$(audit_daemon_pid) || kma_skip "no audit daemon to stop"
status=$(auditctl -s)
old_limit=$(awk '$1 == "backlog_limit" {print $2}' <<<"$status")
old_wait=$(awk '$1 == "backlog_wait_time" {print $2}' <<<"$status")
[ "${old_wait:-0}" -gt 0 ] || kma_skip "backlog_wait_time is 0: the kernel holds no sender"
# Undone last registered first: the limit (the queue is then below it, so auditctl itself is
# not held), the wait time, then the daemon drains the queue.
kma_on_exit "kill -CONT $daemon"
kma_on_exit "auditctl --backlog_wait_time $old_wait >/dev/null"
kma_on_exit "auditctl -b $old_limit >/dev/null"
auditctl --backlog_wait_time $((old_wait / 6)) >/dev/null
kill -STOP "$daemon"

tag=bf$$
rc=0
out=$("${backlog[@]}" run-at-limit timeout -s KILL 5 env LD_PRELOAD="$SHIM" \
	KMODAUDIT_IMPL="$IMPL" KMODAUDIT_CONFIG="$conf" "$KMA_LOAD" finit "$ko" "kmatag=$tag" \
	2>"$dir/backlog.txt") || rc=$?
cat "$dir/backlog.txt"
[ "$rc" != 77 ] || kma_skip "the kernel's audit queue could not be filled"
[ "$rc" != 78 ] || fail "the audit queue went past its limit before the load"
[ "$rc" != 137 ] || fail "finit_module was held for more than 5 s"
[ "$out" = "finit ret=-1 errno=ENOSYS" ] || fail "finit_module answered: $out (exit $rc)"
syslog_wait "$dir" "op=kmod_load_intent .*args=\"kmatag=$tag\"" 5 || {
	syslog_messages "$dir"
	fail "no kmod_load_intent record in syslog: the shim sent it to a full audit backlog"
}
# kauditd drains the queue on its own now and then even with the daemon stopped: on a loaded
# host the call can outlast the full queue, and the result record then rightly goes to audit.
# A record sent to a full queue would have held the loader for backlog_wait_time (above).
if ! syslog_wait "$dir" "op=kmod_load .*args=\"kmatag=$tag\"" 5; then
	after=$(sed -n 's/.* took [0-9]* ms; then //p' "$dir/backlog.txt")
	limit=$(grep -o 'backlog_limit=[0-9]*' <<<"$after" | cut -d= -f2)
	queue=$(grep -o ' backlog=[0-9]*' <<<"$after" | cut -d= -f2)
	[ -n "$queue" ] && [ -n "$limit" ] && [ "$queue" -lt "$limit" ] || {
		syslog_messages "$dir"
		fail "no kmod_load record in syslog, and the queue was still full after the call"
	}
	echo "note: the queue drained during the call ($queue of $limit after it): result not in syslog"
fi
echo "backlog full: finit_module answered ENOSYS, not held; the intent record in syslog"
echo PASS
