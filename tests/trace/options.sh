#!/usr/bin/env bash
# kmodaudit trace's setup errors and warnings, all before CMD starts: -o naming a directory or
# a path that cannot be written (exit 125, CMD never runs), configuration warnings on the
# terminal's stderr (not only syslog), and, as a user whose records no sink can take (not root,
# no syslog socket, no file sink), a warning saying so.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
marker=$work/cmd-ran

# setup_error WHAT -o PATH: exit 125, the message naming PATH, CMD not run.
setup_error() {
	local what=$1 path=$2 status=0
	rm -f "$marker"
	"$kmodaudit" trace -o "$path" -- touch "$marker" >"$work/log" 2>&1 || status=$?
	expect "$what: exit status" "$status" 125
	grep -F "kmodaudit trace: cannot write $path: " "$work/log" >/dev/null ||
		fail "$what: no message naming $path: $(cat "$work/log")"
	[ ! -e "$marker" ] || fail "$what: CMD ran"
}
mkdir "$work/dir"
setup_error "-o a directory" "$work/dir"
setup_error "-o in a missing directory" "$work/missing/out.jsonl"
mkfifo "$work/fifo"
setup_error "-o a FIFO" "$work/fifo"

# Warnings about the built-in configuration file (not named: the command goes on) reach stderr,
# FILE:LINE, before CMD's output; a private mount namespace puts a file there.
conf_path=$(sed -n 's/^#define KMODAUDIT_CONFIG_PATH "\(.*\)"$/\1/p' "$KMODAUDIT_BUILD/config.h")
[ -n "$conf_path" ] || fail "no KMODAUDIT_CONFIG_PATH in config.h"
[ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
status=0
env -u KMODAUDIT_CONFIG unshare -m --propagation private sh -c '
	mkdir -p "$(dirname "$1")" && mount -t tmpfs tmpfs "$(dirname "$1")" || exit 77
	printf "[record]\nnosuchkey = 1\n" >"$1"
	exec "$2" trace -- echo CMD-OUTPUT' sh "$conf_path" "$kmodaudit" >"$work/log" 2>&1 || status=$?
[ "$status" != 77 ] || skip "cannot mount a tmpfs over $(dirname "$conf_path")"
expect "built-in config: exit status" "$status" 0
expect "config warning first" "$(sed -n 1p "$work/log")" \
	"kmodaudit trace: $conf_path:2: unknown key [record] nosuchkey, ignored"
grep -x CMD-OUTPUT "$work/log" >/dev/null || fail "CMD did not run: $(cat "$work/log")"

# No sink for a non-root user: said before CMD runs.
[ "$(id -u)" = 0 ] || skip "needs root to switch to nobody"
command -v setpriv >/dev/null || skip "no setpriv"
chmod 0755 "$work"
printf '[sinks]\nsyslog_socket = /nonexistent/kmodaudit-test.sock\n' >"$KMODAUDIT_CONFIG"
chmod 0644 "$KMODAUDIT_CONFIG"
install -m 0755 "$kmodaudit" "$work/kmodaudit"
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- "$@"
}
as_nobody test -x "$work/kmodaudit" || skip "nobody cannot run $work/kmodaudit"
as_nobody "$work/kmodaudit" trace -- echo CMD-OUTPUT >"$work/log" 2>&1 || true
grep -n . "$work/log"
expect "no-sink warning first" "$(sed -n 1p "$work/log")" \
	"kmodaudit trace: warning: no sink can take the records: not root (no audit), no syslog socket, no file sink; use -o FILE"
# with -o, the file takes them: no warning
as_nobody "$work/kmodaudit" trace -o /tmp/kmodaudit-test-$$.jsonl -- echo CMD-OUTPUT >"$work/log" 2>&1 || true
rm -f /tmp/kmodaudit-test-$$.jsonl
grep -F "no sink" "$work/log" >/dev/null && fail "a warning although -o takes the records"
echo PASS
