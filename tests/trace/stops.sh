#!/usr/bin/env bash
# Only the module syscalls stop a traced program: 100,000 getppid calls under kmodaudit trace
# must not wake the tracer (each stop would switch it out and in again: at least 100,000 context
# switches, as a filter whose default action were TRACE would give). The loader counts its
# parent's (the tracer's) context switches in /proc around its loop.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
calls=100000
"$kmodaudit" trace -- "$loader" getppid "$calls" > "$work/log"
switches=$(sed -n 's/^parent_switches=//p' "$work/log")
[ -n "$switches" ] || fail "the loader printed nothing"
# a few switches of its own (timer, other load) are fine; one per call is not
[ "$switches" -lt $((calls / 100)) ] || fail "the tracer was switched $switches times for $calls getppid calls"
echo "ok: the tracer was switched $switches times during $calls getppid calls"
