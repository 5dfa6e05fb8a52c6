#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit preload enable|disable|status against real files and real libraries, and proof that
# no failure path leaves a broken ld.so.preload: missing or unloadable library, unsafe owner or
# mode, read-only /etc, full disk, symlinked file, concurrent enable/disable.
# This host's /etc/ld.so.preload is never touched: every case works on a --root directory, and
# the default-root case runs in a private mount namespace with an overlay over /etc. The test
# checks at the end that the host file is exactly as it was.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mount namespaces, chown)"; exit 77; }
command -v unshare >/dev/null || { echo "SKIP: unshare (util-linux) missing"; exit 77; }

B=${KMODAUDIT_BUILD:?}
K=$B/src/kmodaudit
LIBDIR=$B/tests/preload
[ -x "$K" ] || { echo "FAIL: $K not built"; exit 1; }

host_before=$(sha256sum /etc/ld.so.preload 2>/dev/null || echo absent)

W=$(mktemp -d "$B/preload-test.XXXXXX")
trap 'rm -rf "$W"' EXIT
chmod 0755 "$W"

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }

# The library as listed in ld.so.preload, inside every test root.
LIB=/usr/lib/kmodaudit-test/libpreload-test-ok.so
# newroot: a fresh root with our test libraries under /usr/lib/kmodaudit-test; prints its path.
newroot() {
	local r
	r=$(mktemp -d "$W/root.XXXXXX")
	chmod 0755 "$r"
	mkdir -p "$r/etc" "$r/usr/lib/kmodaudit-test"
	cp "$LIBDIR"/libpreload-test-*.so "$r/usr/lib/kmodaudit-test/"
	chmod 0644 "$r"/usr/lib/kmodaudit-test/*.so
	echo "$r"
}
ka() { "$K" preload "$@"; }

# snapshot ROOT: content hash, inode, mode, owner of ROOT/etc/ld.so.preload and the names in
# ROOT/etc (so a leftover temp file shows).
snapshot() {
	local f=$1/etc/ld.so.preload
	if [ -e "$f" ] || [ -L "$f" ]; then
		stat -c '%i %a %u:%g %F' "$f"
		sha256sum <"$f"
	else
		echo absent
	fi
	ls -A "$1/etc"
}

# expect_unchanged WHAT ROOT BEFORE CMD...: CMD must fail and leave ROOT/etc as BEFORE.
expect_fail_unchanged() {
	local what=$1 root=$2 before=$3
	shift 3
	if "$@" >"$W/out" 2>&1; then
		fail "$what: succeeded"
		cat "$W/out"
	elif [ "$(snapshot "$root")" != "$before" ]; then
		fail "$what: ld.so.preload or /etc changed"
		diff <(echo "$before") <(snapshot "$root") || true
	else
		pass "$what: refused ($(head -n1 "$W/out")), nothing changed"
	fi
}

# --- enable on a root without the file; idempotent; status; disable removes what it created
r=$(newroot)
if ka status -r "$r" -l $LIB >/dev/null; then rc=0; else rc=$?; fi
[ $rc = 3 ] && pass "status: not listed -> 3" || fail "status not listed: exit $rc"
ka enable -q -r "$r" -l $LIB
printf '%s\n' $LIB >"$W/want"
cmp -s "$W/want" "$r/etc/ld.so.preload" && pass "enable creates the file with our line" ||
	fail "enable: content $(cat -A "$r/etc/ld.so.preload")"
[ "$(stat -c '%a %u:%g' "$r/etc/ld.so.preload")" = "644 0:0" ] && pass "new file is 0644 root:root" ||
	fail "new file mode/owner $(stat -c '%a %u:%g' "$r/etc/ld.so.preload")"
before=$(snapshot "$r")
ka enable -q -r "$r" -l $LIB
[ "$(snapshot "$r")" = "$before" ] && pass "enable twice: same file, same inode" ||
	fail "second enable rewrote the file"
if ka status -r "$r" -l $LIB >/dev/null; then rc=0; else rc=$?; fi
[ $rc = 0 ] && pass "status: listed and loads -> 0" || fail "status listed: exit $rc"
ka status -r "$r" -l $LIB --json >"$W/json"
python3 - "$W/json" <<'EOF' && pass "status --json" || fail "status --json: $(cat "$W/json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["listed"] is True and j["library_loads"] is True and j["library_safe"] is True, j
assert j["file_exists"] is True and j["missing_entries"] == [], j
EOF
# A constructor that closes stderr and then hangs: EOF on stderr is not the end of the probe;
# enable and status must give up at their own deadline. timeout(1) only guards against a hang
# (exit 124), it times nothing.
MUTE=/usr/lib/kmodaudit-test/libpreload-test-mutehang.so
expect_fail_unchanged "constructor: closes stderr, hangs" "$r" "$before" \
	timeout -s KILL 60 "$K" preload enable -r "$r" -l $MUTE
grep -q 'did not finish' "$W/out" || fail "mutehang enable: $(cat "$W/out")"
r2=$(newroot)
echo $MUTE >"$r2/etc/ld.so.preload"
if timeout -s KILL 60 "$K" preload status -r "$r2" -l $MUTE >"$W/out" 2>&1; then rc=0; else rc=$?; fi
[ $rc = 1 ] && grep -q 'did not finish' "$W/out" && pass "status: listed, closes stderr and hangs -> 1" ||
	{ fail "status mutehang: exit $rc (137: hung)"; cat "$W/out"; }
chmod 0666 "$r$LIB"
if ka status -r "$r" -l $LIB >"$W/out"; then rc=0; else rc=$?; fi
[ $rc = 1 ] && grep -q 'unsafe' "$W/out" && pass "status: listed but writable by others -> 1, warns" ||
	{ fail "status listed+unsafe: exit $rc"; cat "$W/out"; }
chmod 0644 "$r$LIB"
mv "$r$LIB" "$r$LIB.away"
if ka status -r "$r" -l $LIB >"$W/out"; then rc=0; else rc=$?; fi
[ $rc = 1 ] && grep -q 'does not exist' "$W/out" && pass "status: listed but missing -> 1, warns" ||
	{ fail "status listed+missing: exit $rc"; cat "$W/out"; }
# disable must work when the library is already gone (the package removal path).
ka disable -q -r "$r" -l $LIB
[ ! -e "$r/etc/ld.so.preload" ] && pass "disable removes a file that held only our entry" ||
	fail "disable left $(cat -A "$r/etc/ld.so.preload")"
ka disable -q -r "$r" -l $LIB && pass "disable when not listed: success, nothing to do" ||
	fail "disable when not listed failed"
mv "$r$LIB.away" "$r$LIB"

# --- other content is kept byte for byte, mode and owner too
r=$(newroot)
orig=$'# local preloads\n/usr/lib/other.so\n\n   /usr/lib/a.so:/usr/lib/b.so\t# trailing comment\n'
printf '%s' "$orig" >"$r/etc/ld.so.preload"
chmod 0640 "$r/etc/ld.so.preload"
chown 0:4 "$r/etc/ld.so.preload"
ka enable -q -r "$r" -l $LIB
printf '%s%s\n' "$orig" $LIB >"$W/want"
cmp -s "$W/want" "$r/etc/ld.so.preload" && pass "enable appends one line, keeps the rest" ||
	fail "enable with content: $(cat -A "$r/etc/ld.so.preload")"
[ "$(stat -c '%a %u:%g' "$r/etc/ld.so.preload")" = "640 0:4" ] && pass "enable keeps mode and owner" ||
	fail "mode/owner now $(stat -c '%a %u:%g' "$r/etc/ld.so.preload")"
ka disable -q -r "$r" -l $LIB
printf '%s' "$orig" >"$W/want"
cmp -s "$W/want" "$r/etc/ld.so.preload" && pass "disable restores the original byte for byte" ||
	fail "disable: $(cat -A "$r/etc/ld.so.preload")"
ka status -r "$r" -l $LIB >"$W/out" || true
grep -q '/usr/lib/other.so does not exist' "$W/out" && pass "status warns about other missing entries" ||
	fail "status did not warn: $(cat "$W/out")"
# Our entry in a line with others: only our entry goes.
printf '/usr/lib/a.so %s:/usr/lib/b.so\n' $LIB >"$r/etc/ld.so.preload"
ka disable -q -r "$r" -l $LIB
[ "$(tr ': \t' '\n\n\n' <"$r/etc/ld.so.preload" | grep .)" = $'/usr/lib/a.so\n/usr/lib/b.so' ] &&
	pass "disable takes our entry out of a shared line" ||
	fail "shared line: $(cat -A "$r/etc/ld.so.preload")"
# Another spelling of the same file (usrmerge-style symlinked directory) is the same entry.
ln -s usr/lib "$r/lib"
printf '/lib/kmodaudit-test/libpreload-test-ok.so\n' >"$r/etc/ld.so.preload"
before=$(snapshot "$r")
ka enable -q -r "$r" -l $LIB
[ "$(snapshot "$r")" = "$before" ] && pass "enable: same file under another path is already listed" ||
	fail "enable added a second spelling"
ka disable -q -r "$r" -l $LIB
[ ! -e "$r/etc/ld.so.preload" ] && pass "disable removes the other spelling of our library" ||
	fail "other spelling left: $(cat -A "$r/etc/ld.so.preload")"

# --- refusals: the library is unfit; nothing may change, no temp file may remain
r=$(newroot)
printf '# keep me\n/usr/lib/other.so\n' >"$r/etc/ld.so.preload"
before=$(snapshot "$r")
expect_fail_unchanged "missing library" "$r" "$before" ka enable -r "$r" -l /usr/lib/nope.so
printf 'not an ELF file' >"$r/usr/lib/kmodaudit-test/garbage.so"
expect_fail_unchanged "garbage library" "$r" "$before" ka enable -r "$r" -l /usr/lib/kmodaudit-test/garbage.so
cp /bin/true "$r/usr/lib/kmodaudit-test/exe.so"
expect_fail_unchanged "executable as library" "$r" "$before" ka enable -r "$r" -l /usr/lib/kmodaudit-test/exe.so
for kind in exit crash noisy hang; do
	expect_fail_unchanged "constructor: $kind" "$r" "$before" \
		ka enable -r "$r" -l /usr/lib/kmodaudit-test/libpreload-test-$kind.so
done
chmod 0666 "$r$LIB"
expect_fail_unchanged "library writable by others" "$r" "$before" ka enable -r "$r" -l $LIB
chmod 0644 "$r$LIB"
chown 65534 "$r$LIB"
expect_fail_unchanged "library not owned by root" "$r" "$before" ka enable -r "$r" -l $LIB
chown 0 "$r$LIB"
chmod 0775 "$r/usr/lib/kmodaudit-test"
expect_fail_unchanged "directory writable by group" "$r" "$before" ka enable -r "$r" -l $LIB
chmod 0755 "$r/usr/lib/kmodaudit-test"
expect_fail_unchanged "relative library path" "$r" "$before" ka enable -r "$r" -l libpreload-test-ok.so
expect_fail_unchanged "library path with a blank" "$r" "$before" ka enable -r "$r" -l "/usr/lib/a b.so"

# --- symlinks resolve inside the root, as on that system, never out to this host's files. The
# host side of each absolute link is a real scratch file or directory here, watched for changes.
H=$(mktemp -d /tmp/kmodaudit-preload-host.XXXXXX)
trap 'rm -rf "$W" "$H"' EXIT
host_state() { find "$H" -printf '%p %i %m %s %T@\n' | sort; find "$H" -type f -exec sha256sum {} + | sort; }
printf '# host file: must not change\n' >"$H/preload"
host_was=$(host_state)
# etc/ld.so.preload -> $H/preload (absolute): the file is <root>$H/preload.
r=$(newroot)
mkdir -p "$r$H"
printf '/usr/lib/other.so\n' >"$r$H/preload"
ln -s "$H/preload" "$r/etc/ld.so.preload"
ka enable -q -r "$r" -l $LIB || fail "absolute ld.so.preload link: enable failed"
[ "$(host_state)" = "$host_was" ] && pass "absolute link: the host file is untouched by enable" ||
	fail "absolute link: enable changed the host's $H"
printf '/usr/lib/other.so\n%s\n' $LIB >"$W/want"
cmp -s "$W/want" "$r$H/preload" && pass "absolute link: the tree's file got the line" ||
	fail "absolute link: tree file $(cat -A "$r$H/preload")"
[ "$(readlink "$r/etc/ld.so.preload")" = "$H/preload" ] && pass "absolute link: the link stays" ||
	fail "absolute link replaced: $(ls -l "$r/etc/ld.so.preload")"
ka status -r "$r" -l $LIB >"$W/out" && grep -q "^$r$H/preload: lists the library" "$W/out" &&
	pass "absolute link: status reads the tree's file" || fail "status: $(cat "$W/out")"
ka disable -q -r "$r" -l $LIB || fail "absolute ld.so.preload link: disable failed"
[ "$(host_state)" = "$host_was" ] && pass "absolute link: the host file is untouched by disable" ||
	fail "absolute link: disable changed the host's $H"
[ "$(cat "$r$H/preload")" = /usr/lib/other.so ] && [ -L "$r/etc/ld.so.preload" ] &&
	pass "absolute link: disable took the line out of the tree's file" ||
	fail "absolute link: disable left $(cat -A "$r$H/preload")"
# Nothing else left: through a link the file is emptied, not removed (the link would dangle).
printf '%s\n' $LIB >"$r$H/preload"
ka disable -q -r "$r" -l $LIB || true
[ -f "$r$H/preload" ] && [ ! -s "$r$H/preload" ] && [ "$(host_state)" = "$host_was" ] &&
	pass "link: last entry out, target emptied, link valid" || fail "link: last entry out"
# A relative link: the same.
r=$(newroot)
printf '/usr/lib/other.so\n' >"$r/etc/real-preload"
ln -s real-preload "$r/etc/ld.so.preload"
ka enable -q -r "$r" -l $LIB || true
printf '/usr/lib/other.so\n%s\n' $LIB >"$W/want"
cmp -s "$W/want" "$r/etc/real-preload" && [ -L "$r/etc/ld.so.preload" ] &&
	pass "relative link: its target got the line" || fail "relative link: $(cat -A "$r/etc/real-preload")"
# A dangling link: where the file should be is unknown: refuse, change nothing.
r=$(newroot)
ln -s "$H/missing" "$r/etc/ld.so.preload"
before=$(snapshot "$r")
expect_fail_unchanged "dangling ld.so.preload link (enable)" "$r" "$before" ka enable -r "$r" -l $LIB
[ "$(host_state)" = "$host_was" ] || fail "dangling link: the host's $H changed"
# etc itself an absolute link -> $H/etc: <root>$H/etc on that system, not this host's $H/etc.
mkdir "$H/etc"
host_was=$(host_state)
r=$(newroot)
rm -r "$r/etc"
mkdir -p "$r$H/etc"
ln -s "$H/etc" "$r/etc"
ka enable -q -r "$r" -l $LIB || fail "absolute etc link: enable failed"
printf '%s\n' $LIB >"$W/want"
cmp -s "$W/want" "$r$H/etc/ld.so.preload" && pass "absolute etc link: the tree's etc got the file" ||
	fail "absolute etc link: tree has $(ls -A "$r$H/etc")"
[ "$(host_state)" = "$host_was" ] && pass "absolute etc link: the host's $H/etc untouched" ||
	fail "absolute etc link: enable wrote to the host's $H/etc: $(ls -A "$H/etc")"
ka disable -q -r "$r" -l $LIB || true
[ ! -e "$r$H/etc/ld.so.preload" ] && [ "$(host_state)" = "$host_was" ] &&
	pass "absolute etc link: disable removed the tree's file only" || fail "absolute etc link: disable"
# And the library: an absolute link inside the tree to a host path that is not fit is followed
# inside the tree (the tree's copy is fine), not to the host.
r=$(newroot)
mkdir -p "$r$H/lib"
cp "$LIBDIR/libpreload-test-ok.so" "$r$H/lib/"
chmod 0755 "$r$H" "$r$H/lib"
chmod 0644 "$r$H/lib/libpreload-test-ok.so"
mkdir "$H/lib"
cp "$LIBDIR/libpreload-test-exit.so" "$H/lib/libpreload-test-ok.so"
ln -s "$H/lib/libpreload-test-ok.so" "$r/usr/lib/kmodaudit-test/linked.so"
ka enable -q -r "$r" -l /usr/lib/kmodaudit-test/linked.so &&
	pass "absolute library link: resolved inside the tree" ||
	fail "absolute library link: enable refused"

# --- read-only /etc (bind mount, read-only, in a private mount namespace)
r=$(newroot)
printf '/usr/lib/other.so\n' >"$r/etc/ld.so.preload"
before=$(snapshot "$r")
unshare -m --propagation private bash -c '
	set -e
	mount --bind "$1/etc" "$1/etc"
	mount -o remount,bind,ro "$1/etc"
	touch "$1/etc/probe" 2>/dev/null && { echo "etc still writable"; exit 1; }
	"$2" preload enable -r "$1" -l "$3" && exit 1
	exit 0' _ "$r" "$K" $LIB >"$W/out" 2>&1 &&
	[ "$(snapshot "$r")" = "$before" ] && pass "read-only /etc: enable fails, file untouched ($(grep -m1 preload "$W/out"))" ||
	{ fail "read-only /etc enable"; cat "$W/out"; }
printf '/usr/lib/other.so\n%s\n' $LIB >"$r/etc/ld.so.preload"
before=$(snapshot "$r")
unshare -m --propagation private bash -c '
	set -e
	mount --bind "$1/etc" "$1/etc"
	mount -o remount,bind,ro "$1/etc"
	"$2" preload disable -r "$1" -l "$3" && exit 1
	exit 0' _ "$r" "$K" $LIB >"$W/out" 2>&1 &&
	[ "$(snapshot "$r")" = "$before" ] && pass "read-only /etc: disable fails, file untouched" ||
	{ fail "read-only /etc disable"; cat "$W/out"; }

# --- full disk: a small tmpfs as /etc, filled up
r=$(newroot)
unshare -m --propagation private bash -c '
	set -e
	r=$1 K=$2 LIB=$3
	mount -t tmpfs -o size=64k,mode=0755 tmpfs "$r/etc"
	printf "# full disk\n/usr/lib/other.so\n" >"$r/etc/ld.so.preload"
	dd if=/dev/zero of="$r/etc/filler" bs=4k 2>/dev/null || true
	before_enable=$(sha256sum <"$r/etc/ld.so.preload"; ls -A "$r/etc")
	if "$K" preload enable -r "$r" -l "$LIB"; then echo "enable succeeded on a full disk"; exit 1; fi
	[ "$(sha256sum <"$r/etc/ld.so.preload"; ls -A "$r/etc")" = "$before_enable" ] ||
		{ echo "enable on full disk changed /etc"; exit 1; }
	# Make room, enable, fill again: disable must fail cleanly too.
	rm "$r/etc/filler"
	"$K" preload enable -q -r "$r" -l "$LIB"
	dd if=/dev/zero of="$r/etc/filler" bs=4k 2>/dev/null || true
	before_disable=$(sha256sum <"$r/etc/ld.so.preload"; ls -A "$r/etc")
	if "$K" preload disable -r "$r" -l "$LIB"; then echo "disable succeeded on a full disk"; exit 1; fi
	[ "$(sha256sum <"$r/etc/ld.so.preload"; ls -A "$r/etc")" = "$before_disable" ] ||
		{ echo "disable on full disk changed /etc"; exit 1; }
	grep -qx "$LIB" "$r/etc/ld.so.preload"
	' _ "$r" "$K" $LIB >"$W/out" 2>&1 &&
	pass "full disk: enable and disable fail, file untouched, no temp file ($(grep -m1 'No space' "$W/out"))" ||
	{ fail "full disk"; cat "$W/out"; }

# --- concurrent enable/disable: every reader sees a complete file, the end state is well-formed
race() {
	local r=$1 orig=$2 i
	printf '%s' "$orig" >"$W/orig"
	printf '%s%s\n' "$orig" $LIB >"$W/with"
	[ -n "$orig" ] && cp "$W/orig" "$r/etc/ld.so.preload"
	# Reader: every snapshot is the original (or no file, when there was none) or original+ours.
	(
		bad=0
		while [ ! -e "$W/stop" ]; do
			if [ -e "$r/etc/ld.so.preload" ]; then
				cat "$r/etc/ld.so.preload" >"$W/seen" 2>/dev/null || continue
				cmp -s "$W/seen" "$W/with" || cmp -s "$W/seen" "$W/orig" ||
					{ bad=1; cp "$W/seen" "$W/bad"; }
			elif [ -n "$orig" ]; then
				bad=1
			fi
		done
		exit $bad
	) &
	local reader=$!
	local pids=()
	for i in $(seq 1 24); do
		(
			for _ in 1 2 3; do
				if [ $((RANDOM % 2)) = 0 ]; then
					"$K" preload enable -q -r "$r" -l $LIB
				else
					"$K" preload disable -q -r "$r" -l $LIB
				fi
			done
		) &
		pids+=($!)
	done
	local rc=0
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	touch "$W/stop"
	wait $reader || rc=2
	rm -f "$W/stop"
	if [ -e "$r/etc/ld.so.preload" ]; then
		cmp -s "$r/etc/ld.so.preload" "$W/with" || cmp -s "$r/etc/ld.so.preload" "$W/orig" || rc=3
	elif [ -n "$orig" ]; then
		rc=4
	fi
	"$K" preload enable -q -r "$r" -l $LIB
	cmp -s "$r/etc/ld.so.preload" "$W/with" || rc=5
	[ "$(ls -A "$r/etc")" = ld.so.preload ] || rc=6
	return $rc
}
r=$(newroot)
if race "$r" $'# others\n/usr/lib/other.so\n'; then
	pass "72 concurrent enable/disable with other entries: always complete, ends well-formed"
else
	fail "race with other entries: code $? $(cat -A "$W/bad" 2>/dev/null)"
fi
r=$(newroot)
if race "$r" ""; then
	pass "72 concurrent enable/disable on a missing file: always complete, ends well-formed"
else
	fail "race on missing file: code $? $(cat -A "$W/bad" 2>/dev/null)"
fi

# --- the default root: /etc itself, in a private mount namespace with an overlay over /etc,
# so the writes land in $W/upper. ld.so must really preload the library in new processes.
mkdir -p "$W/upper" "$W/work"
# enable refuses a library below a group/world-writable directory (the build tree may well be
# under /tmp), so this case preloads a copy from a root-owned directory under /run.
safe_dir=$(mktemp -d -p /run kmodaudit-preload-test.XXXXXX)
chmod 0755 "$safe_dir"
cp "$LIBDIR/libpreload-test-ok.so" "$safe_dir/"
chmod 0644 "$safe_dir/libpreload-test-ok.so"
ok_lib=$safe_dir/libpreload-test-ok.so
if unshare -m --propagation private bash -c '
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc || exit 77
	set -e
	"$2" preload enable -q -l "$3"
	"$2" preload status -l "$3" >/dev/null
	PRELOAD_TEST_MARK=$1/mark /bin/true
	[ -s "$1/mark" ] || { echo "library not preloaded by ld.so"; exit 1; }
	"$2" preload disable -q -l "$3"
	[ ! -e /etc/ld.so.preload ] || [ -n "$4" ]
	rm "$1/mark"
	PRELOAD_TEST_MARK=$1/mark /bin/true
	[ ! -e "$1/mark" ] || { echo "still preloaded after disable"; exit 1; }
	' _ "$W" "$K" "$ok_lib" "$([ "$host_before" = absent ] || echo host-has-one)" >"$W/out" 2>&1; then
	pass "default root (/etc via overlay): enable -> ld.so preloads it; disable -> gone"
else
	rc=$?
	if [ $rc = 77 ]; then
		echo "note: overlayfs unavailable, default-root case skipped"
	else
		fail "default root: exit $rc"
		cat "$W/out"
	fi
fi
rm -rf "$safe_dir"

# --- a FIFO in place of ld.so.preload or of the library: nothing ever writes to it, so a blocking
# open would wait forever (and ld.so in the load probe until the probe's 10 s deadline): every
# action must answer at once (the guard's 8 s is below that deadline), naming the file.
r=$(newroot)
mkfifo "$r/etc/ld.so.preload"
for action in status enable disable; do
	if timeout 8 "$K" preload $action -r "$r" -l $LIB >"$W/out" 2>&1; then rc=0; else rc=$?; fi
	[ $rc = 1 ] && grep -qF "$r/etc/ld.so.preload is neither a regular file" "$W/out" &&
		pass "ld.so.preload a FIFO: $action -> 1 at once, names it" ||
		{ fail "ld.so.preload a FIFO: $action: exit $rc (124: hung)"; cat "$W/out"; }
done
r=$(newroot)
FIFOLIB=/usr/lib/kmodaudit-test/libfifo.so
mkfifo "$r$FIFOLIB"
printf '%s\n' $FIFOLIB >"$r/etc/ld.so.preload"
if timeout 8 "$K" preload status -r "$r" -l $FIFOLIB >"$W/out" 2>&1; then rc=0; else rc=$?; fi
[ $rc = 1 ] && grep -qxF "problem: $r$FIFOLIB: not a regular file" "$W/out" &&
	pass "library a FIFO: status -> 1 at once, names it" ||
	{ fail "library a FIFO: status: exit $rc (124: hung)"; cat "$W/out"; }
before=$(snapshot "$r")
expect_fail_unchanged "library a FIFO: enable" "$r" "$before" timeout 8 "$K" preload enable -r "$r" -l $FIFOLIB
grep -qF "$r$FIFOLIB: not a regular file" "$W/out" || fail "library a FIFO: enable does not name it: $(cat "$W/out")"

# --- the library deleted by hand, listed under other spellings of its path that ld.so resolves
# to the same file (merged /usr: /lib -> usr/lib; "//", "/./"), on a line with another entry:
# status still sees it listed, disable takes out exactly those entries (not the same name in
# another directory, not a path through a missing directory's "..", not a comment).
r=$(newroot)
ln -s usr/lib "$r/lib"
rm "$r$LIB"
printf '%s /usr/lib/other.so\n%s\n#%s\n/usr/lib/other2.so:%s\n%s\n' \
	/lib/kmodaudit-test//./libpreload-test-ok.so /usr/lib/elsewhere/libpreload-test-ok.so \
	/lib/kmodaudit-test/libpreload-test-ok.so /usr//lib/./kmodaudit-test/libpreload-test-ok.so \
	/usr/lib/nope/../kmodaudit-test/libpreload-test-ok.so >"$r/etc/ld.so.preload"
if ka status -r "$r" -l $LIB >"$W/out"; then rc=0; else rc=$?; fi
[ $rc = 1 ] && grep -q 'lists the library' "$W/out" &&
	pass "library gone, listed as /lib/...//./...: status -> 1, listed" ||
	{ fail "alias status: exit $rc"; cat "$W/out"; }
ka disable -q -r "$r" -l $LIB
printf '%s\n%s\n#%s\n%s\n%s\n' /usr/lib/other.so /usr/lib/elsewhere/libpreload-test-ok.so \
	/lib/kmodaudit-test/libpreload-test-ok.so /usr/lib/other2.so \
	/usr/lib/nope/../kmodaudit-test/libpreload-test-ok.so >"$W/want"
cmp -s "$W/want" "$r/etc/ld.so.preload" &&
	pass "library gone: disable drops its /lib and // /./ spellings, keeps the rest" ||
	{ fail "alias disable left:"; cat -A "$r/etc/ld.so.preload"; }

# --- comments as ld.so reads them: rtld blanks only the first comments of a file (a budget that
# shrinks each round; preload-list.c). For each layout, the entries status reports missing (all
# of them are) must be exactly those ld.so itself fails to preload from the same file, in a
# private mount namespace with the file on an overlay over /etc.
n=0
E=/n/e1/libkmodaudit.so
for layout in '# /n/a0.so\n# /n/a1.so\n# /n/a2.so\n' '/n/b0.so # /n/b1.so\n# /n/b2.so\n#/n/b3.so\n' \
	'# a long comment line with words /n/c0.so\n/n/c1.so\n# /n/c2.so x\n' '#x\n#y\n#z\n#w /n/d0.so\n' \
	"# $E\n#$E\n/n/e0.so # $E\n" '/n/f0.so # one comment, nothing after it\n'; do
	n=$((n + 1))
	r=$(newroot)
	# shellcheck disable=SC2059 # the layouts are printf formats
	printf "$layout" >"$r/etc/ld.so.preload"
	ka status -r "$r" -l /n/none.so --json >"$W/json" || true
	ours=$(python3 -c 'import json, sys; print(" ".join(sorted(json.load(open(sys.argv[1]))["missing_entries"])))' "$W/json")
	mkdir -p "$W/c$n/upper" "$W/c$n/work"
	cp "$r/etc/ld.so.preload" "$W/c$n/upper/"
	rc=0
	unshare -m --propagation private sh -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$1/upper,workdir=$1/work" /etc || exit 77
		/bin/true' _ "$W/c$n" 2>"$W/ldso" || rc=$?
	[ $rc = 77 ] && { echo "note: overlayfs unavailable, comment layouts not held against ld.so"; break; }
	ldso=$(sed -n "s/^ERROR: ld.so: object '\(.*\)' from \/etc\/ld.so.preload cannot be preloaded.*/\1/p" "$W/ldso" |
		sort | tr '\n' ' ' | sed 's/ $//')
	[ -n "$ldso" ] && [ "$ours" = "$ldso" ] && pass "comments, layout $n: status sees what ld.so loads: $ours" ||
		fail "comments, layout $n: status [$ours], ld.so [$ldso]"
done

# --- an edit that changes what ld.so reads besides our entry (a comment's words, read as entries
# or not depending on the file's length) is made, and says so on stderr.
r=$(newroot)
printf '# comment\n\n/usr/lib/other.so\t# trailing\n\n' >"$r/etc/ld.so.preload"
cp "$r/etc/ld.so.preload" "$W/orig"
ka enable -q -r "$r" -l $LIB 2>"$W/err" && grep -q 'now reads other entries' "$W/err" &&
	pass "enable: warns that ld.so now reads other entries (a comment's words)" ||
	{ fail "enable: no warning about the comment"; cat "$W/err"; }
ka disable -q -r "$r" -l $LIB 2>"$W/err" && grep -q 'now reads other entries' "$W/err" &&
	cmp -s "$W/orig" "$r/etc/ld.so.preload" &&
	pass "disable: the file back byte for byte, and the warning" ||
	{ fail "disable: no warning, or not byte for byte"; cat "$W/err"; }
r=$(newroot)
printf '# comment\n/usr/lib/other.so\n' >"$r/etc/ld.so.preload"
ka enable -q -r "$r" -l $LIB 2>"$W/err" && [ ! -s "$W/err" ] && ka disable -q -r "$r" -l $LIB 2>"$W/err" &&
	[ ! -s "$W/err" ] && pass "enable, disable with one comment: no warning" ||
	{ fail "a warning with one comment"; cat "$W/err"; }

# --- the real shim, once it is built: it must pass the same checks enable makes
shim=$B/shim/libkmodaudit.so
if [ -e "$shim" ]; then
	r=$(newroot)
	mkdir -p "$r/usr/lib/shimtest"
	cp "$shim" "$r/usr/lib/shimtest/libkmodaudit.so"
	chmod 0644 "$r/usr/lib/shimtest/libkmodaudit.so"
	ka enable -q -r "$r" -l /usr/lib/shimtest/libkmodaudit.so &&
		ka status -r "$r" -l /usr/lib/shimtest/libkmodaudit.so >/dev/null &&
		pass "the built shim passes enable's checks" || fail "the built shim fails enable's checks"
else
	echo "note: $shim not built yet; real-shim case skipped"
fi

host_after=$(sha256sum /etc/ld.so.preload 2>/dev/null || echo absent)
[ "$host_before" = "$host_after" ] && pass "this host's /etc/ld.so.preload untouched" ||
	fail "HOST /etc/ld.so.preload CHANGED"

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all preload checks passed"
