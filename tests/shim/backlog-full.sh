# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel's audit backlog full (the daemon stopped, the queue at its limit): a record sent
# now would be queued and its sender held, uninterruptibly, until kauditd next drains the queue
# or for backlog_wait_time (60 s by default). The shim must not send it: the load gets the
# kernel's answer and both records go to the syslog fallback. backlog_wait_time is lowered to
# a sixth for the test, so that a regression cannot stall it long; 5 s is the hang guard.
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
	KMODAUDIT_IMPL="$IMPL" KMODAUDIT_CONFIG="$conf" "$KMA_LOAD" finit "$ko" "kmatag=$tag") ||
	rc=$?
[ "$rc" != 77 ] || kma_skip "the kernel's audit queue could not be filled"
[ "$rc" != 78 ] || fail "the audit queue went past its limit before the load"
[ "$rc" != 137 ] || fail "finit_module was held for more than 5 s"
[ "$out" = "finit ret=-1 errno=ENOSYS" ] || fail "finit_module answered: $out (exit $rc)"
for op in kmod_load_intent kmod_load; do
	syslog_wait "$dir" "op=$op .*args=\"kmatag=$tag\"" 5 || {
		syslog_messages "$dir"
		fail "no $op record in syslog: the shim sent it to a full audit backlog"
	}
done
echo "backlog full: finit_module answered ENOSYS, both records in syslog"
echo PASS
