# SPDX-License-Identifier: LGPL-2.1-or-later
# Audit disabled: the records of a load and an unload arrive in syslog (our own /dev/log
# listener) and each call still gets the kernel's own answer (ENOSYS here). The core missing:
# the shim says in syslog that the record was lost, and the call still goes through.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
audit_setup
fixtures
ko=$MODDIR/kernel/drivers/net/dummy.ko
dir=$(mktemp -d)
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"

audit_disable
tag=sl$$
out=$(syslog_run "$dir" env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" \
	"$KMA_LOAD" finit "$ko" "kmatag=$tag" 2>&1) || true
[ "$out" = "finit ret=-1 errno=ENOSYS" ] || fail "finit_module answered: $out"
out=$(syslog_run "$dir" env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" \
	"$KMA_LOAD" delete "kmt_$tag" 2>&1) || true
[ "$out" = "delete ret=-1 errno=ENOSYS" ] || fail "delete_module answered: $out"
audit_enable

syslog_wait "$dir" "op=kmod_unload .*name=\"kmt_$tag\"" 5 || {
	syslog_messages "$dir"
	fail "no unload record in syslog"
}
msgs=$(syslog_messages "$dir")
for op in kmod_load_intent kmod_load; do
	grep -aq "op=$op .*call=finit_module name=\"dummy\".*args=\"kmatag=$tag\"" <<<"$msgs" ||
		fail "no $op record in syslog: $msgs"
done
grep -aq "op=kmod_load .*args=\"kmatag=$tag\".* exit=-38 " <<<"$msgs" ||
	fail "the load result does not say exit=-38: $msgs"
echo "audit disabled: records in syslog, calls answered ENOSYS"

# No core: fail open, one line per lost record.
out=$(syslog_run "$dir" env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$dir/missing-impl.so" \
	"$KMA_LOAD" delete "kmt_${tag}_nocore" 2>&1) || true
[ "$out" = "delete ret=-1 errno=ENOSYS" ] || fail "without the core delete_module answered: $out"
syslog_wait "$dir" "kmodaudit\[[0-9]+\]: record lost: delete_module by kma-load\[[0-9]+\]: cannot load the core: .*missing-impl.so" 5 || {
	syslog_messages "$dir"
	fail "no lost-record line in syslog"
}
echo "core missing: call answered ENOSYS, record loss reported in syslog"

# Fail-closed, audit disabled and no fallback: no sink takes the intent record, so the shim
# refuses the load with EPERM before the kernel sees it; an unload is never refused.
conf=$dir/kmodaudit.conf
printf '[sinks]\nfallback = none\n[policy]\nmode = fail-closed\n' >"$conf"
chmod 0644 "$conf"
audit_disable
out=$(env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" KMODAUDIT_CONFIG="$conf" \
	"$KMA_LOAD" init "$ko" 2>&1) || true
out2=$(env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" KMODAUDIT_CONFIG="$conf" \
	"$KMA_LOAD" delete "kmt_${tag}_fc" 2>&1) || true
audit_enable
[ "$out" = "init ret=-1 errno=EPERM" ] || fail "fail-closed init_module answered: $out"
[ "$out2" = "delete ret=-1 errno=ENOSYS" ] || fail "fail-closed delete_module answered: $out2"
echo "fail-closed without a sink: load refused with EPERM, unload made"
echo PASS
