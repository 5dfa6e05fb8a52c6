#!/usr/bin/env bash
# Issue 11, item 1: no process of the trace makes a module call past it once CMD is gone.
# kma-trace-escape: CMD forks a leftover L and exits; L has a helper PTRACE_SEIZE it with
# PTRACE_O_TRACESECCOMP (with such a tracer the kernel runs a RET_TRACE call instead of
# answering ENOSYS) and calls finit_module. Without --follow L is let go when CMD exits, but
# only after it took a second filter refusing module calls (EPERM): the call fails whoever
# traces it. With --follow L first sends SIGTERM to the tracer: a signal from a tracee does not
# end the trace, so L stays traced and its call is recorded. Inside the trace ptrace attach is
# refused (EPERM). This kernel has no module support (ENOSYS): what is asserted is what the
# tracer and the filters did.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
escape=$KMODAUDIT_BUILD/tests/kma-trace-escape
out=$work/out.jsonl

# wait_done FILE: the leftover's account is complete
wait_done() {
	for _ in $(seq 300); do grep -qx 'done=1' "$1" 2>/dev/null && return 0; sleep 0.05; done
	fail "the leftover did not finish: $(cat "$1" 2>/dev/null)"
}
value() { sed -n "s/^$2=//p" "$1" | sed -n 1p; }

# Without --follow: the tracer exits with CMD; L is let go refusing module calls.
"$kmodaudit" trace -o "$out" -- "$escape" leftover "$work/l.log" "$module"
wait_done "$work/l.log"
cat "$work/l.log"
expect "leftover let go (TracerPid)" "$(value "$work/l.log" tracer)" 0
expect "helper's PTRACE_SEIZE of the leftover" "$(value "$work/l.log" seize)" -1
expect "leftover's finit_module" "$(ret_of "$work/l.log")" -1
expect "records of the leftover's call" "$(count "$out" pid="$(pid_of "$work/l.log")")" 0

# With --follow: SIGTERM from L does not end the trace; L's call is recorded (its tracer is us).
rm -f "$out"
timeout -k 5 30 "$kmodaudit" trace --follow -o "$out" -- "$escape" follow "$work/f.log" "$module" \
	2> "$work/f.err" || fail "--follow: status $?: $(cat "$work/f.err")"
wait_done "$work/f.log"
cat "$work/f.log" "$work/f.err"
[ "$(value "$work/f.log" sigterm_to)" -gt 0 ] || fail "L found no tracer to signal"
[ "$(value "$work/f.log" tracer)" -gt 0 ] || fail "--follow: L was let go after its SIGTERM"
expect "--follow: helper's PTRACE_SEIZE" "$(value "$work/f.log" seize)" -1
pid=$(pid_of "$work/f.log")
expect "--follow: L's finit_module recorded" \
	"$(records "$out" pid="$pid" op=kmod_load -- via call exit)" \
	"$(printf 'trace\tfinit_module\t%s' "$(ret_of "$work/f.log")")"
grep -q "signal 15 from traced process" "$work/f.err" || fail "the tracer did not say it ignored L's SIGTERM"

# The leftover let go goes on as if nothing happened: one blocked in read() (interrupted for the
# injection, the read restarted) gets its line, a sleep sleeps on, and it carries two filters.
mkfifo "$work/fifo"
"$kmodaudit" trace -- bash -c 'exec 3<>"$1"
	(read -r x <&3; echo "got=$x"; sleep 0.2; echo "slept=$?"; echo done=1) > "$2/read.log" &
	echo $! > "$2/read.pid"' sh "$work/fifo" "$work"
rpid=$(cat "$work/read.pid")
for _ in $(seq 100); do
	[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$rpid/status")" = 0 ] && break
	sleep 0.05
done
expect "leftover's seccomp filters" "$(awk '/^Seccomp_filters:/ { print $2 }' "/proc/$rpid/status")" 2
echo hello > "$work/fifo"
wait_done "$work/read.log"
expect "leftover's read after it was let go" "$(value "$work/read.log" got)" hello
expect "leftover's sleep" "$(value "$work/read.log" slept)" 0

# A leftover no filter can be put into (its own filter fails seccomp() with EACCES) is never let
# go: it stays traced until it exits (the tracer waits, and says so), and its call is recorded.
rm -f "$out"
timeout -k 5 30 "$kmodaudit" trace -o "$out" -- "$escape" stubborn "$work/s.log" "$module" \
	2> "$work/s.err" || fail "stubborn: status $?: $(cat "$work/s.err")"
wait_done "$work/s.log"
cat "$work/s.log" "$work/s.err"
expect "stubborn: its own filter" "$(value "$work/s.log" own_filter)" 0
[ "$(value "$work/s.log" tracer)" -gt 0 ] || fail "stubborn: let go able to load"
grep -q "stays traced until it exits" "$work/s.err" || fail "stubborn: the tracer did not say why it waits"
expect "stubborn: its finit_module recorded" \
	"$(records "$out" pid="$(pid_of "$work/s.log")" op=kmod_load -- via exit)" \
	"$(printf 'trace\t%s' "$(ret_of "$work/s.log")")"
