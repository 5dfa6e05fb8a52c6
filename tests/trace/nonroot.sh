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
