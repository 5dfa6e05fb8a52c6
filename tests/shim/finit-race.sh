# SPDX-License-Identifier: LGPL-2.1-or-later
# finit_module while another thread dup2()s files onto the caller's fd (finit-race.c): the
# kernel must get the file the record describes. strace -y (an observer outside the shim) shows
# which file the kernel got on each call; the file sink says which one each record describes.
# The kernel must never get the caller's fd number (which the other thread can repoint), and
# every call's file must be its record's.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
command -v strace >/dev/null || kma_skip "strace missing"
[ "$(id -u)" = 0 ] || kma_skip "needs root (the configuration file must be root's)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
head -c 5000 /dev/urandom >"$tmp/a.ko"
head -c 7000 /dev/urandom >"$tmp/b.ko"
printf '[sinks]\nfile=%s\nfallback=none\n[record]\nintent=no\n' "$tmp/records.json" >"$tmp/conf"
chmod 644 "$tmp/conf"
count=300

# LeakSanitizer (ASan builds) cannot run under ptrace
caller_fd=$(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL KMODAUDIT_CONFIG=$tmp/conf \
	strace -f -qq -y -e trace=finit_module -e signal=none -o "$tmp/strace" \
	"$TESTS_BIN/finit-race" "$tmp/a.ko" "$tmp/b.ko" $count)
# 1234 finit_module(5</tmp/x/a.ko>, "", 0) = -1 ENOSYS (...)
sed -nE 's/^[0-9]+ +finit_module\(([0-9]+)<([^>]*)>.*/\1 \2/p' "$tmp/strace" >"$tmp/kernel"
[ "$(wc -l <"$tmp/kernel")" = $count ] || { cat "$tmp/strace" >&2; fail "strace saw $(wc -l <"$tmp/kernel") of $count calls"; }
python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("op") == "kmod_load":
        print(r.get("path", "?"))
' "$tmp/records.json" >"$tmp/recorded"
[ "$(wc -l <"$tmp/recorded")" = $count ] || fail "$(wc -l <"$tmp/recorded") records of $count calls"

if awk -v fd="$caller_fd" '$1 == fd { found = 1 } END { exit !found }' "$tmp/kernel"; then
	fail "the kernel got the caller's fd number $caller_fd (another thread can repoint it)"
fi
paste -d' ' <(cut -d' ' -f2 "$tmp/kernel") "$tmp/recorded" >"$tmp/pairs"
mismatches=$(awk '$1 != $2' "$tmp/pairs" | wc -l)
[ "$mismatches" = 0 ] || { awk '$1 != $2' "$tmp/pairs" | sed -n 1,5p >&2; fail "$mismatches of $count calls: the kernel got another file than the record says"; }
echo "b.ko calls: $(grep -c 'b\.ko$' "$tmp/recorded" || true) of $count; all recorded as the kernel got them"
echo PASS
