# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit check on a live system whose preloaded shim hangs in its constructor (tests/preload's
# `hang` library): check must finish, report "shim loadable" FAIL with the reason, and leave no
# probe behind. Runs in a private mount namespace with an overlay over /etc, never on this
# host's /etc/ld.so.preload.
#
# Every process started there preloads what ld.so.preload lists, check included; so the list
# first names a harmless library (`ok`, which opens PRELOAD_TEST_MARK, a FIFO, and waits there),
# and only once check's loader has mapped it does the list name the hanging shim.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || kma_skip "needs root (mount namespaces)"
command -v unshare >/dev/null || kma_skip "unshare (util-linux) missing"
LIBDIR=$KMODAUDIT_BUILD/tests/preload
W=$(mktemp -d /tmp/kmodaudit-check-hang.XXXXXX)
chmod 0755 "$W"
mkdir -m 0755 "$W/upper" "$W/work" "$W/lib"
# Shim: the name check looks for. Gate: the harmless library check starts with.
SHIM=$W/lib/libkmodaudit.so
GATE=$W/lib/gate.so
install -m 0644 "$LIBDIR/libpreload-test-hang.so" "$SHIM"
install -m 0644 "$LIBDIR/libpreload-test-ok.so" "$GATE"
mkfifo "$W/mark"
printf '%s\n' "$GATE" >"$W/list"
ln -s "$W/list" "$W/upper/ld.so.preload"

# Whatever still has either library mapped when the test ends was started by this test.
ours() { grep -ls -e "$SHIM" -e "$GATE" /proc/[0-9]*/maps 2>/dev/null | cut -d/ -f3 || true; }
kma_on_exit 'for p in $(ours); do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$W"'

timeout 120 unshare -m --propagation private sh -c '
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc || exit 77
	PRELOAD_TEST_MARK=$1/mark COLUMNS=4000 exec "$2" check' sh "$W" "$KMA" >"$W/out" 2>&1 &
bg=$!
for _ in $(seq 500); do
	[ -n "$(ours)" ] && break
	kill -0 $bg 2>/dev/null || break
	sleep 0.02
done
if [ -z "$(ours)" ]; then
	wait $bg && rc=0 || rc=$?
	[ "$rc" = 77 ] && kma_skip "overlayfs unavailable"
	cat "$W/out"
	fail "check never started with the gate library preloaded (exit $rc)"
fi
printf '%s\n' "$SHIM" >"$W/list.new"
mv "$W/list.new" "$W/list"
cat "$W/mark" >/dev/null # lets check go on
wait $bg && rc=0 || rc=$?
cat "$W/out"
[ "$rc" = 124 ] && fail "check hung (killed by the guard)"
[ "$rc" = 1 ] || fail "exit $rc, want 1 (a FAIL)"
grep -q "^FAIL  kmodaudit shim loadable: .*$SHIM.* did not finish within [0-9]* s" "$W/out" ||
	fail "no FAIL with the time-out for the hanging shim"
[ -z "$(ours)" ] || fail "left running: $(ours)"
echo "ok: hanging shim: check finished, FAIL with the reason, nothing left running"
