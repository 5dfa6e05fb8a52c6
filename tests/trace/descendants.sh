#!/usr/bin/env bash
# Module calls of descendants: a loader that forks and execs another loader (x86_64, and an
# i386 one when gcc-multilib could build it), two levels down, and a shell running loaders in
# the background and through a pipe. Each call is recorded once, attributed to the process
# that made it (history's first item is the loader's own pid as it printed it).
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
out=$work/out.jsonl

# check_call LOG SYSCALL: the call the loader printed in LOG has its one result record.
check_call() {
	local pid ret op=kmod_load
	pid=$(pid_of "$1")
	ret=$(ret_of "$1")
	[ -n "$pid" ] || fail "$2: the loader printed nothing"
	[ "$2" = delete_module ] && op=kmod_unload
	expect "$2 by pid $pid" "$(records "$out" pid="$pid" op=$op -- via call exit)" \
		"$(printf 'trace\t%s\t%s' "$2" "$ret")"
}

# fork + exec, two levels: loader -> loader -> loader finit
"$kmodaudit" trace -o "$out" -- "$loader" spawn "$loader" spawn "$loader" finit "$module" \
	> "$work/fork.log"
check_call "$work/fork.log" finit_module
history=$(records "$out" pid="$(pid_of "$work/fork.log")" op=kmod_load -- history)
[[ $history == kma-trace-loade\[*\]\<kma-trace-loade\[*\]\<kma-trace-loade\[*\]\<kmodaudit\[* ]] ||
	fail "history does not show the fork chain: $history"
echo "ok: history $history"

# i386: the compat syscall numbers (128, 350, 129) under an arch check. Whether i386 programs
# run is the running kernel's choice (CONFIG_IA32_EMULATION, ia32_emulation=), not the
# compiler's: where they cannot, the qemu bed's trace-i386 scenario covers these calls.
i386_runs=no
if [ -x "$loader32" ] && "$loader32" getppid 1 >/dev/null 2>&1; then
	i386_runs=yes
elif [ -x "$loader32" ]; then
	echo "note: this kernel does not run i386 programs: i386 calls are covered by vm-kernel-records (trace-i386)"
fi
if [ $i386_runs = yes ]; then
	for call in "init_module init $module a=1" "finit_module finit $module" \
		"delete_module delete $module_name"; do
		set -- $call
		syscall=$1
		shift
		"$kmodaudit" trace -o "$out" -- "$loader" spawn "$loader32" "$@" > "$work/32.log"
		check_call "$work/32.log" "$syscall"
	done
	expect "i386 init_module sha256" \
		"$(records "$out" comm=kma-trace-loade call=init_module op=kmod_load args=a=1 -- sha256)" \
		"$(upper <<< "$module_sha")"
else
	echo "note: no i386 loader (gcc-multilib missing): i386 calls not tested"
fi

# A shell: background jobs (fork), command substitution, a pipeline.
rm -f "$out"
"$kmodaudit" trace -o "$out" -- bash -c '
	"$1" delete one > "$2/bg.log" &
	x=$("$1" delete two)
	echo "$x" > "$2/subst.log"
	"$1" delete three | cat > "$2/pipe.log"
	wait' sh "$loader" "$work"
check_call "$work/bg.log" delete_module
check_call "$work/subst.log" delete_module
check_call "$work/pipe.log" delete_module
expect "records in all" "$(count "$out")" 3

# Memory sharers that are not threads: a posix_spawn (CLONE_VFORK) child, and a vfork child
# making the call itself while its parent waits (and a spinning thread of the parent is held).
rm -f "$out"
timeout -k 5 60 "$kmodaudit" trace -o "$out" -- "$KMODAUDIT_BUILD/tests/kma-trace-vfork-loader" \
	"$loader" kma > "$work/vfork.log" || fail "vfork loader under trace: status $?"
expect "posix_spawn child's record" "$(records "$out" name=kma-spawned -- via exit)" \
	"$(printf 'trace\t%s' "$(ret_of "$work/vfork.log")")"
tail -1 "$work/vfork.log" > "$work/vfork-child.log" # the vfork child's answer, by its parent
check_call "$work/vfork-child.log" delete_module
expect "vfork child's record" "$(records "$out" name=kma-vfork -- via comm)" \
	"$(printf 'trace\tkma-trace-vfork')"

# A vfork parent the tracer would see no vfork event of (CLONE_UNTRACED child) could not stop
# while its child waits for the very call that is held. Under trace that clone is refused
# (EPERM; the filter keeps every thread traced): no hang, the call is recorded. The control shows
# the clone is made without the tracer.
"$KMODAUDIT_BUILD/tests/kma-trace-vfork-loader" --untraced kma > "$work/control.log" ||
	fail "untraced vfork child without trace: status $?"
expect "CLONE_UNTRACED vfork without trace" "$(sed -n 's/^untraced_clone=//p' "$work/control.log")" ok
rm -f "$out"
timeout -k 5 30 "$kmodaudit" trace -o "$out" -- "$KMODAUDIT_BUILD/tests/kma-trace-vfork-loader" \
	--untraced kma > "$work/untraced.log" || fail "untraced vfork child under trace: status $?"
expect "CLONE_UNTRACED vfork under trace" "$(sed -n 's/^untraced_clone=//p' "$work/untraced.log")" -1
check_call "$work/untraced.log" delete_module

[ -x "$loader32" ] || skip "i386 loader not built (gcc-multilib missing)"
