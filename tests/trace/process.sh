#!/usr/bin/env bash
# kmodaudit trace as a process wrapper: CMD's exit status (128+N for signal N) is ours, its
# stdin/stdout/stderr and fds are its own, Ctrl-C (SIGINT to the foreground process group)
# reaches CMD while the tracer goes on, Ctrl-Z and fg work, SIGTERM to the tracer is passed on to CMD, and nothing
# is left stopped, traced or unreaped: without --follow the trace ends with CMD and its
# descendants run on untraced; with --follow the tracer stays until they have exited; a killed
# tracer takes CMD with it.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
ulimit -c 0
tag=kma-trace-$$

status_of() {
	local rc=0
	"$@" || rc=$?
	echo "$rc"
}

expect "exit 0" "$(status_of "$kmodaudit" trace -- true)" 0
expect "exit 7" "$(status_of "$kmodaudit" trace -- sh -c 'exit 7')" 7
expect "killed by SIGTERM" "$(status_of "$kmodaudit" trace -- sh -c 'kill -TERM $$')" 143
expect "killed by SIGSEGV" "$(status_of "$kmodaudit" trace -- sh -c 'kill -SEGV $$')" 139
expect "command not found" "$(status_of "$kmodaudit" trace -- /nonexistent/cmd 2>/dev/null)" 127
expect "no command" "$(status_of "$kmodaudit" trace 2>/dev/null)" 2
# An -o file that cannot be written: the tracer fails before CMD runs.
expect "-o unwritable" "$(status_of "$kmodaudit" trace -o "$work/no/such/dir/x.jsonl" -- \
	touch "$work/ran" 2>/dev/null)" 125
[ ! -e "$work/ran" ] || fail "CMD ran although -o could not be written"

# stdio: stdin, stdout and stderr pass straight through
expect "stdin to stdout" "$(echo through | "$kmodaudit" trace -- cat)" through
expect "stderr" "$("$kmodaudit" trace -- sh -c 'echo err >&2' 2>&1 >/dev/null)" err
# CMD sees exactly the fds it would see without the tracer: none of the tracer's leak in
plain=$(bash -c 'ls /proc/self/fd' 3</dev/null | tr '\n' ' ')
traced=$("$kmodaudit" trace -- bash -c 'ls /proc/self/fd' 3</dev/null | tr '\n' ' ')
expect "CMD's fds" "$traced" "$plain"

# A signal CMD receives is delivered to it (and handled there), the tracer goes on.
expect "SIGUSR1 handled by CMD" \
	"$(status_of "$kmodaudit" trace -- bash -c 'trap "exit 42" USR1; kill -USR1 $$; sleep 5')" 42

# Ctrl-C: SIGINT to the whole foreground process group, tracer and CMD. The tracer starts with
# SIGINT at its default (a background job of a script inherits it ignored); CMD handles it and
# exits 42; a tracer that died of SIGINT would make the status 130.
python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execv(sys.argv[1], sys.argv[1:])' "$kmodaudit" trace -- python3 -c 'import signal, sys, time
signal.signal(signal.SIGINT, lambda *a: sys.exit(42))
print("ready", flush=True)
time.sleep(30)' > "$work/int.out" &
group=$!
for ((i = 0; i < 100; i++)); do grep -q ready "$work/int.out" 2>/dev/null && break; sleep 0.05; done
kill -INT -- -"$group"
rc=0
wait "$group" || rc=$?
expect "Ctrl-C: CMD's status" "$rc" 42

# SIGTERM to the tracer is passed on to CMD.
"$kmodaudit" trace -- bash -c 'trap "kill \$!; exit 43" TERM; echo ready; sleep 30 & wait' > "$work/term.out" &
tracer=$!
for ((i = 0; i < 100; i++)); do grep -q ready "$work/term.out" 2>/dev/null && break; sleep 0.05; done
kill -TERM "$tracer"
rc=0
wait "$tracer" || rc=$?
expect "SIGTERM passed on to CMD" "$rc" 43

# Job control: CMD stops itself (group-stop) and goes on after SIGCONT. (A traced process in
# group-stop shows as "t", the tracer having let it stay stopped with PTRACE_LISTEN.)
"$kmodaudit" trace -- bash -c 'kill -STOP $$; exit 5' &
tracer=$!
for ((i = 0; i < 100; i++)); do
	cmd=$(pgrep -P "$tracer" || true)
	[ -n "$cmd" ] && [[ "$(ps -o stat= -p "$cmd")" == [Tt]* ]] && break
	sleep 0.05
done
[[ "$(ps -o stat= -p "$cmd")" == [Tt]* ]] || fail "CMD did not stop"
kill -CONT "$cmd"
rc=0
wait "$tracer" || rc=$?
expect "stopped and continued CMD's status" "$rc" 5

# Ctrl-Z and fg in an interactive shell on a pseudo-terminal.
python3 "$KMODAUDIT_SRC/tests/trace/job-control.py" "$kmodaudit" || fail "job control"

# proc_state PID: "STATE TRACERPID" from /proc/PID/status
proc_state() {
	awk '/^State:/ { s = $2 } /^TracerPid:/ { t = $2 } END { print s, t }' "/proc/$1/status"
}

# Without --follow: the tracer exits with CMD; a background descendant runs on, untraced and
# not stopped, and is its parent's to reap, not a zombie of ours.
start=$(date +%s%N)
"$kmodaudit" trace -- bash -c "exec -a $tag-bg sleep 3 & echo \$! > $work/bg.pid; exit 3" || rc=$?
expect "CMD's status while a descendant runs on" "$rc" 3
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -lt 2500 ] || fail "the tracer waited for the descendant without --follow"
bg=$(cat "$work/bg.pid")
expect "descendant state after the trace ended" "$(proc_state "$bg")" "S 0"
kill "$bg"

# With --follow: the tracer stays until the descendant has exited.
rc=0
"$kmodaudit" trace --follow -- bash -c "exec -a $tag-follow sleep 1 & echo \$! > $work/fg.pid; exit 4" || rc=$?
expect "--follow: CMD's status" "$rc" 4
# gone, or a zombie for its new parent (CMD is gone) to reap: not running any more
fg_state=$(awk '/^State:/ { print $2 }' "/proc/$(cat "$work/fg.pid")/status" 2>/dev/null || true)
[ -z "$fg_state" ] || [ "$fg_state" = Z ] ||
	fail "--follow returned before the descendant exited (state $fg_state)"
echo "ok: --follow waited for the descendant"

# The tracer killed outright (SIGKILL): its tracees die with it (PTRACE_O_EXITKILL), so none is
# left stopped, and none can slip a module call through unrecorded.
"$kmodaudit" trace -- bash -c "exec -a $tag-kill sleep 30" &
tracer=$!
for ((i = 0; i < 100; i++)); do
	cmd=$(pgrep -f "^$tag-kill" || true)
	[ -n "$cmd" ] && break
	sleep 0.05
done
[ -n "$cmd" ] || fail "CMD did not start"
kill -KILL "$tracer"
wait "$tracer" 2>/dev/null || true
for ((i = 0; i < 50; i++)); do
	state=$(awk '/^State:/ { print $2 }' "/proc/$cmd/status" 2>/dev/null || true)
	[ -z "$state" ] || [ "$state" = Z ] && break
	sleep 0.05
done
[ -z "$state" ] || [ "$state" = Z ] || fail "CMD outlived its killed tracer (state $state)"
echo "ok: CMD died with its killed tracer"

# Nothing of ours is left stopped or a zombie.
sleep 0.2
left=$(ps -eo stat=,args= | awk -v tag="$tag" '$2 ~ "^" tag && $1 ~ /^[TtZ]/' || true)
[ -z "$left" ] || fail "left stopped or zombie: $left"
echo "ok: nothing left stopped or unreaped"
