#!/usr/bin/env bash
# kmodaudit trace run by an unprivileged user (nobody): without CAP_SYS_ADMIN the kernel takes
# the seccomp filter only under no_new_privs, which the tracer sets when the first load fails
# with EACCES. (libseccomp 2.5 reported ECANCELED for every kernel error unless asked for the
# raw one, and the fallback never ran: tracing as non-root always failed.)
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to switch to nobody"
command -v setpriv > /dev/null || skip "no setpriv"
shared=$work/nobody
mkdir -m 0777 "$shared"
chmod 0755 "$work"
chmod 0644 "$KMODAUDIT_CONFIG"
out=$shared/out.jsonl
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- "$@"
}
# nobody runs copies: the build tree may sit below a directory only root can enter (a clone
# in a mktemp -d folder, say).
install -m 0755 "$kmodaudit" "$loader" "$shared/"
kmodaudit=$shared/kmodaudit
loader=$shared/$(basename "$loader")
as_nobody test -x "$kmodaudit" || skip "nobody cannot run $kmodaudit"

status=0
as_nobody "$kmodaudit" trace -o "$out" -- "$loader" delete kma_nobody > "$work/log" 2>&1 ||
	status=$?
cat "$work/log"
expect "kmodaudit trace as nobody: exit status" "$status" 0
pid=$(pid_of "$work/log")
expect "records of nobody's call" \
	"$(records "$out" pid="$pid" op=kmod_unload -- via name exit)" \
	"$(printf 'trace\tkma_nobody\t%s' "$(ret_of "$work/log")")"

# A traced process cannot touch the tracer's memory (the copies it hashes, the records it sends):
# the tracer is not dumpable, and the tracee has no CAP_SYS_PTRACE. The tracer is nobody's too,
# so without that a same-user process could read and write /proc/TRACER/mem.
# (stdout only: the tracer may warn on stderr that no sink can take nobody's records)
as_nobody "$kmodaudit" trace -- sh -c \
	'head -c 1 /proc/$PPID/environ > /dev/null 2>&1 && echo readable || echo refused' \
	> "$work/mem.log" 2>"$work/mem.err" || true
expect "a tracee reading its tracer's memory" "$(cat "$work/mem.log")" refused
