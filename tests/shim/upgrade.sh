#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A package upgrade under a running process (issue 16): systemd-udevd maps the shim of version N
# for days and may make its first module call after version N+1's core was installed. The loader
# here is python3's ctypes calling libc's syscall() (a loader nobody here wrote), started with the
# shim preloaded, its core file then replaced as dpkg replaces files (a new file renamed over the
# old one) by a core of another layout (abi-core.c, the struct sizes changed) or removed:
#  - before the first call: the new core is refused (no call into it), the call goes on and
#    syslog says the record is lost and why;
#  - after a first call: the core already mapped keeps recording (the old inode), no crash;
#  - the core removed before the first call: the call goes on, the loss is said.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (syslog namespace)"
other=$TESTS_BIN/shim/libkma-abi-call-size.so
[ -e "$other" ] || fail "$other not built"
dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
printf 'not a module\n' >"$dir/m.ko"
printf '[sinks]\nfallback = none\nfile = %s/rec.json\n' "$dir" >"$dir/open.conf"
chmod 644 "$dir"/*.conf "$dir/m.ko"

# The loader: one finit_module per line read from its FIFO, "ret errno" written after each.
cat >"$dir/loader.py" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fifo, out, image = sys.argv[1:4]
with open(fifo) as commands, open(out, "a", buffering=1) as answers:
    for line in commands:
        fd = os.open(image, os.O_RDONLY)
        ret = libc.syscall(313, fd, b"", 0)  # finit_module
        err = ctypes.get_errno()
        os.close(fd)
        answers.write(f"{ret} {err}\n")
PY

# start CASE: the loader running with the shim preloaded and the core at DIR/CASE.so (a copy of
# the build's core); its FIFO held open on fd 7.
start() {
	cp "$IMPL" "$dir/$1.so"
	rm -f "$dir/$1.fifo" "$dir/$1.out"
	mkfifo "$dir/$1.fifo"
	syslog_run "$dir" env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$dir/$1.so" \
		KMODAUDIT_CONFIG="$dir/open.conf" "$KMA_PYTHON" "$dir/loader.py" "$dir/$1.fifo" \
		"$dir/$1.out" "$dir/m.ko" &
	loader=$!
	exec 7>"$dir/$1.fifo"
}
# call CASE N: one call; waits for the Nth answer.
call() {
	local i
	echo load >&7
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l <"$dir/$1.out" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "$1: no answer to call $2"
}
# finish CASE: the loader ends on EOF and exits 0 (a crash would not).
finish() {
	exec 7>&-
	wait "$loader" || fail "$1: the loader exited $?"
}
# dpkg-style replacement of DIR/CASE.so by FILE
replace() {
	cp "$2" "$dir/$1.so.dpkg-new"
	mv -f "$dir/$1.so.dpkg-new" "$dir/$1.so"
}
records() { # the result records of finit_module in the file sink
	[ -e "$dir/rec.json" ] || { echo 0; return; }
	grep -c '"op":"kmod_load".*"call":"finit_module"' "$dir/rec.json" || true
}

# 1. Upgraded before the first call: refused, the call goes on (ENOSYS here, 38), the loss said.
start before
replace before "$other"
call before 1
[ "$(cat "$dir/before.out")" = "-1 38" ] || fail "before: the call did not go on: $(cat "$dir/before.out")"
syslog_wait "$dir" "record lost: finit_module by python3\[[0-9]+\]: the core $dir/before.so is ABI [0-9]+ with other sizes" ||
	fail "before: no lost-record line naming the new core: $(syslog_messages "$dir")"
finish before
[ "$(records)" = 0 ] || fail "before: a refused core wrote records"
echo "ok: a core of another layout installed before the first call is refused, the loss said"

# 2. Upgraded after a first call: the mapped core goes on recording; no crash.
start after
call after 1
[ "$(records)" = 1 ] || fail "after: the first call has no record ($(records))"
replace after "$other"
call after 2
[ "$(sed -n 2p "$dir/after.out")" = "-1 38" ] || fail "after: second call: $(cat "$dir/after.out")"
[ "$(records)" = 2 ] || fail "after: the mapped core did not record the second call ($(records))"
finish after
echo "ok: after the first call the mapped core keeps recording across the upgrade"

# 3. Removed (package removal) before the first call: the call goes on, the loss said.
start removed
rm -f "$dir/removed.so"
call removed 1
[ "$(cat "$dir/removed.out")" = "-1 38" ] || fail "removed: the call did not go on"
syslog_wait "$dir" "record lost: finit_module by python3\[[0-9]+\]: .*$dir/removed.so" ||
	fail "removed: no lost-record line naming the missing core: $(syslog_messages "$dir")"
finish removed
echo "PASS: upgrades and removal under a running loader"
