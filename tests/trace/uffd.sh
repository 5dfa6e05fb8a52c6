#!/usr/bin/env bash
# Issue 11, item 2: an init_module image served by a userfaultfd (kma-trace-uffd-loader): its
# handler, a forked process, serves module A to the first reader and B to the next. The tracer
# must not read it (its read would state A while the kernel copies B, and a handler held still
# would never answer): the record says truncated_read and states no name or sha256, and the
# handler goes on (no hang). Here the kernel answers ENOSYS without copying.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
uffd_loader=$KMODAUDIT_BUILD/tests/kma-trace-uffd-loader
other=$MODDIR/kernel/lib/crc7.ko
out=$work/out.jsonl

# The control, untraced: userfaultfd works here (root; the handler serves the first reader).
"$uffd_loader" "$module" "$other" > "$work/control" 2>&1 || true
grep -q '^served_a=' "$work/control" || skip "no userfaultfd here: $(cat "$work/control")"

timeout -k 5 30 "$kmodaudit" trace -o "$out" -- "$uffd_loader" "$module" "$other" > "$work/log" ||
	fail "under trace: status $? (hang?)"
cat "$work/log"
pid=$(pid_of "$work/log")
expect "the call's record" "$(records "$out" pid="$pid" op=kmod_load -- call exit anomaly)" \
	"$(printf 'init_module\t%s\ttruncated_read' "$(ret_of "$work/log")")"
expect "stated name, sha256" "$(records "$out" pid="$pid" op=kmod_load -- name sha256)" \
	"$(printf -- '-\t-')"
expect "intent's sha256" "$(records "$out" pid="$pid" op=kmod_load_intent -- sha256)" -
expect "pages the tracer read" "$(sed -n 's/^served_a=\([0-9]*\) .*/\1/p' "$work/log")" 0
