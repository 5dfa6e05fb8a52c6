#!/usr/bin/env bash
# A traced program cannot hide a module call behind a seccomp user notification of its own
# (SECCOMP_RET_USER_NOTIF outranks the tracer's RET_TRACE; a thread of the program answering
# FLAG_CONTINUE would let the call run with the tracer never stopped): under kmodaudit trace the
# listener is refused (EPERM) and the call is recorded. The control run, untraced, shows the
# program does get its listener and sees its own call, so the traced run tests the filter.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
notif=$KMODAUDIT_BUILD/tests/kma-trace-notif-loader
out=$work/out.jsonl
name=kma_notif_test

"$notif" "$name" > "$work/control"
grep -qx 'listener=ok' "$work/control" || skip "no seccomp user notification here: $(cat "$work/control")"
grep -qx 'notified=1' "$work/control" || fail "control: the program's own thread did not see the call"
echo "ok: untraced, the program gets a listener and sees its own call"

"$kmodaudit" trace -o "$out" -- "$notif" "$name" > "$work/log"
cat "$work/log"
expect "listener under trace" "$(sed -n 's/^listener=//p' "$work/log")" "-1"
grep -q '^notified=' "$work/log" && fail "the program's thread saw its own call under trace"
pid=$(pid_of "$work/log")
expect "delete_module records" "$(count "$out" pid="$pid" op=kmod_unload via=trace name="$name")" 1
