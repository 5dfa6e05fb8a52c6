# SPDX-License-Identifier: LGPL-2.1-or-later
# 8 threads x 500 module calls with forks in between (threads-fork.c) under the shim: nothing
# hangs (bounded by timeout), and auditd holds exactly the records of every call: an intent and
# a result per load, a result per unload, in the parent and in the forked children.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
audit_setup
# Thousands of records in a few seconds keep auditd and the kernel's audit control mutex busy:
# other tests' records would be delayed (their status replies late, sink-audit.c) and their
# waits would time out. This one runs alone (exclusive hold of the audit-state lock).
kma_lock -x "$_kma_lock_fd"
fixtures
ko=$MODDIR/kernel/drivers/net/dummy.ko
# The kernel drops user records beyond its backlog (64 when no rules were loaded): make room.
limit=$(auditctl -s | awk '$1 == "backlog_limit" {print $2}')
[ "${limit:-0}" -ge 8192 ] || auditctl -b 8192 >/dev/null
lost0=$(auditctl -s | awk '$1 == "lost" {print $2}')

tag=tf$$
mark=$(audit_mark)
out=$(timeout 240 env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" \
	"$TESTS_BIN/threads-fork" "$tag" "$ko") || fail "threads-fork failed or hung (status $?)"
eval "$out" # loads= unloads=
[ "$loads" -gt 0 ] && [ "$unloads" -gt 0 ] || fail "threads-fork said: $out"
want=$((2 * loads + unloads))

# All records of this run carry the tag, in a name (unloads) or in the parameters (loads).
count() {
	audit_user_records "$mark" -m USER | grep -a -c -e "name=\"kmtc\?_${tag}_" \
		-e "args=\"kmatag=${tag}_" || true
}
got=0
for ((i = 0; i < 60; i++)); do
	got=$(count)
	[ "$got" -ge "$want" ] && break
	sleep 1
done
lost1=$(auditctl -s | awk '$1 == "lost" {print $2}')
records=$(audit_user_records "$mark" -m USER)
intents=$(grep -a -c -e "op=kmod_load_intent .*args=\"kmatag=${tag}_" <<<"$records" || true)
results=$(grep -a -c -e "op=kmod_load .*args=\"kmatag=${tag}_" <<<"$records" || true)
unl=$(grep -a -c -e "op=kmod_unload .*name=\"kmtc\?_${tag}_" <<<"$records" || true)
echo "calls: $loads loads, $unloads unloads; records: $intents intents, $results load results," \
	"$unl unload results ($got of $want); kernel lost $((lost1 - lost0))"
[ "$intents" -eq "$loads" ] && [ "$results" -eq "$loads" ] && [ "$unl" -eq "$unloads" ] ||
	fail "records missing or extra"
echo PASS
