#!/usr/bin/env bash
# Through the real audit system: kmodaudit trace's records reach auditd (AUDIT_USER, via=trace,
# the kernel's answer), and the kernel's own SYSCALL record of the call, made by an audit rule
# on the module syscalls, names the traced loader's pid, not the tracer's: the kernel ran the
# call in the tracee (seccomp RET_TRACE + ptrace, not a supervisor making it on its behalf).
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
# shellcheck disable=SC1091
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
load_fixtures
audit_setup
# Our rule changes the audit state: no other test runs beside it (tests/lib/audit.sh's lock).
kma_lock -x "$_kma_lock_fd"
key=kma-trace-$$
rule=(always,exit -F arch=b64 -S init_module -S finit_module -S delete_module -F "key=$key")
auditctl -a "${rule[@]}" >/dev/null || kma_skip "cannot add an audit rule"
kma_on_exit "auditctl -d ${rule[*]} >/dev/null 2>&1"
mark=$(audit_mark)

"$kmodaudit" trace -- "$loader" finit "$module" "k=v" > "$work/log" &
tracer=$!
wait "$tracer"
pid=$(pid_of "$work/log")
ret=$(ret_of "$work/log")

# Our records: sent by the tracer (the kernel's pid= prefix is the sender's).
lines=$(audit_wait_records "$mark" 2 -p "$tracer") || fail "no records of the tracer in the audit log"
result=$(grep -a "op=kmod_load " <<< "$lines" | sed -n 1p)
[ -n "$result" ] || fail "no result record: $lines"
expect "audit record via" "$(audit_field "$result" via)" trace
expect "audit record call" "$(audit_field "$result" call)" finit_module
expect "audit record name" "$(audit_field "$result" name)" "$module_name"
expect "audit record args" "$(audit_field "$result" args)" "k=v"
expect "audit record exit" "$(audit_field "$result" exit)" "$ret"
expect "audit record comm" "$(audit_field "$result" comm)" kma-trace-loade

# The kernel's own record of the call. The rule matches every process: other tests running
# beside this one make module calls too, so look for the loader's record and the tracer's.
syscall_nr=$(ausyscall x86_64 finit_module --exact)
for ((i = 0; i < 50; i++)); do
	all=$(LC_ALL=C ausearch --input-logs --start $mark -k "$key" --format raw 2>/dev/null |
		grep -a "type=SYSCALL" | grep -a " syscall=$syscall_nr " || true)
	kernel=$(grep -a " pid=$pid " <<< "$all" || true)
	[ -n "$kernel" ] && break
	sleep 0.2
done
[ -n "$all" ] || fail "no kernel SYSCALL record for finit_module"
[ -n "$kernel" ] || fail "no kernel SYSCALL record of the loader $pid (the tracer is $tracer): $all"
! grep -aq " pid=$tracer " <<< "$all" || fail "the kernel attributes a finit_module to the tracer $tracer"
echo "ok: kernel SYSCALL record pid = $pid (the loader, not the tracer $tracer)"
kexit=$(grep -o ' exit=-\?[0-9]*' <<< "$kernel" | sed -n 1p | cut -d= -f2)
expect "kernel SYSCALL record exit" "$kexit" "$ret"

# init_module: the kernel reads the tracer's own copy of the image, placed in a fresh private
# mapping of the loader for the call, not the loader's buffer (which anything could rewrite
# meanwhile): the kernel's SYSCALL record's a0 is another address than the one the loader
# passed (the previous code: the same).
mark=$(audit_mark)
"$kmodaudit" trace -- "$loader" init "$module" > "$work/init.log"
pid=$(pid_of "$work/init.log")
image=$(sed -n 's/^image=//p' "$work/init.log")
[ -n "$image" ] || fail "the loader printed no image address"
syscall_nr=$(ausyscall x86_64 init_module --exact)
for ((i = 0; i < 50; i++)); do
	kernel=$(LC_ALL=C ausearch --input-logs --start $mark -k "$key" --format raw 2>/dev/null |
		grep -a "type=SYSCALL" | grep -a " syscall=$syscall_nr " | grep -a " pid=$pid " || true)
	[ -n "$kernel" ] && break
	sleep 0.2
done
[ -n "$kernel" ] || fail "no kernel SYSCALL record of the loader's init_module"
a0=$(grep -o ' a0=[0-9a-f]*' <<< "$kernel" | sed -n 1p | cut -d= -f2)
a1=$(grep -o ' a1=[0-9a-f]*' <<< "$kernel" | sed -n 1p | cut -d= -f2)
expect "kernel SYSCALL record init_module a1 (length)" "$((16#$a1))" "$module_size"
[ "$a0" != "$image" ] || fail "the kernel read the loader's own buffer ($image), not a private copy"
echo "ok: the kernel read the image at $a0, the loader's buffer is at $image"
expect "the loader's answer" "$(ret_of "$work/init.log")" "$(grep -o ' exit=-\?[0-9]*' <<< "$kernel" | sed -n 1p | cut -d= -f2)"
