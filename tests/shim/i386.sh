# SPDX-License-Identifier: LGPL-2.1-or-later
# 32-bit programs on this amd64 host. One ld.so.preload entry serves both classes only as
# PREFIX/$LIB/libkmodaudit.so, each loader opening its own build: an i386 dynamically linked
# loader (kma-load32) then gets the i386 shim, its syscall(finit_module) and init_module are
# recorded (read back from auditd; ENOSYS here), and ld.so prints nothing. First through
# LD_PRELOAD, then through a real /etc/ld.so.preload written by `kmodaudit preload enable` in a
# private mount namespace (an overlay over /etc; this host's file is never touched), with
# `preload status` and `check` reporting each class, and enable going back to the 64-bit path
# once the i386 build is gone.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
SHIM32=$KMODAUDIT_BUILD/i386/shim/libkmodaudit.so
IMPL32=$KMODAUDIT_BUILD/i386/src/libkmodaudit-impl.so
LOAD32=$TESTS_BIN/kma-load32
K=$KMODAUDIT_BUILD/src/kmodaudit
[ -f "$SHIM32" ] && [ -f "$IMPL32" ] && [ -x "$LOAD32" ] ||
	kma_skip "no i386 build of the shim (cmake printed why: gcc-multilib and the -dev:i386 packages of .ci/install-deps)"
# Whether this kernel runs i386 programs at all: kma-load32 without arguments prints its usage.
rc=0
"$LOAD32" >/dev/null 2>&1 || rc=$?
if [ $rc != 2 ]; then
	# The running kernel's choice (CONFIG_IA32_EMULATION, ia32_emulation=), as in
	# trace-descendants: the qemu bed's shim-i386 scenario (vm-kernel-records) runs these calls.
	echo "note: this kernel runs no i386 programs (kma-load32 exited $rc): covered by vm-kernel-records (shim-i386)"
	exit 0
fi
command -v unshare >/dev/null || kma_skip "unshare (util-linux) missing"
audit_setup
fixtures
ko=$MODDIR/kernel/drivers/net/dummy.ko
[ -f "$ko" ] || fail "no dummy.ko in $MODDIR"
want_sha=$(sha256sum "$ko" | awk '{print toupper($1)}')

# An installed-like tree, root-owned and not writable by others (enable insists).
D=$(mktemp -d -p /run kmodaudit-i386.XXXXXX)
kma_on_exit "rm -rf '$D'"
chmod 755 "$D"
install -D -m 644 "$SHIM" "$D/lib/x86_64-linux-gnu/libkmodaudit.so"
install -D -m 644 "$IMPL" "$D/lib/x86_64-linux-gnu/kmodaudit/libkmodaudit-impl.so"
install -D -m 644 "$SHIM32" "$D/lib/i386-linux-gnu/libkmodaudit.so"
install -D -m 644 "$IMPL32" "$D/lib/i386-linux-gnu/kmodaudit/libkmodaudit-impl.so"
CORE64=$D/lib/x86_64-linux-gnu/kmodaudit/libkmodaudit-impl.so
CORE32=$D/lib/i386-linux-gnu/kmodaudit/libkmodaudit-impl.so
LIB64=$D/lib/x86_64-linux-gnu/libkmodaudit.so
ENTRY="$D/\$LIB/libkmodaudit.so"
failures=0
bad() {
	echo "  FAILED: $*" >&2
	failures=$((failures + 1))
}

# check_records LABEL PID EXE CALL: one call of kma-load on dummy.ko, its intent and result.
check_records() {
	local label=$1 pid=$2 exe=$3 call=$4 out line i=0
	out=$(audit_wait_records "$mark" 2 -p "$pid") || true
	mapfile -t r <<<"$out"
	[ "${#r[@]}" = 2 ] && [ -n "${r[0]}" ] || { bad "$label: ${#r[@]} records, expected 2"$'\n'"$out"; return; }
	for line in "${r[@]}"; do
		[ "$(audit_field "$line" via)" = preload ] || bad "$label: via $(audit_field "$line" via)"
		[ "$(audit_field "$line" call)" = "$call" ] || bad "$label: call $(audit_field "$line" call), want $call"
		[ "$(audit_field "$line" name)" = dummy ] || bad "$label: name"
		[ "$(audit_field "$line" sha256)" = "$want_sha" ] || bad "$label: sha256"
		[ "$(audit_field "$line" exe)" = "$(realpath "$exe")" ] || bad "$label: exe $(audit_field "$line" exe)"
		[ "$(audit_field "$line" args)" = "kmatag=$label" ] || bad "$label: args $(audit_field "$line" args)"
		[ "$call" != finit_module ] || [ "$(audit_field "$line" path)" = "$(realpath "$ko")" ] ||
			bad "$label: path $(audit_field "$line" path)"
		case $i in
		0) [ "$(audit_field "$line" op)" = kmod_load_intent ] || bad "$label: op" ;;
		1) [ "$(audit_field "$line" op)" = kmod_load ] && [ "$(audit_field "$line" exit)" = -38 ] ||
			bad "$label: op/exit $(audit_field "$line" op) $(audit_field "$line" exit)" ;;
		esac
		i=$((i + 1))
	done
}

# load LABEL OP PROGRAM CORE [PRELOAD]: PROGRAM makes OP (finit: syscall(), init: libc's
# init_module) on dummy.ko; its pid in $pid, stderr kept apart and empty.
load() {
	local label=$1 op=$2 prog=$3 core=$4 preload=${5-}
	env ${preload:+LD_PRELOAD="$preload"} KMODAUDIT_IMPL="$core" \
		"$prog" "$op" "$ko" "kmatag=$label" >"$D/$label.out" 2>"$D/$label.err" &
	pid=$!
	wait $pid || true
	[ -s "$D/$label.err" ] && bad "$label: stderr: $(cat "$D/$label.err")"
	grep "^$op ret=-1 errno=ENOSYS" "$D/$label.out" >/dev/null || bad "$label: $(cat "$D/$label.out")"
}

# --- What every i386 program did with a 64-bit path preloaded: ld.so's error, no record.
LD_PRELOAD=$LIB64 "$LOAD32" delete kmatest_i386 >/dev/null 2>"$D/wrong.err" || true
grep 'wrong ELF class: ELFCLASS64' "$D/wrong.err" >/dev/null ||
	bad "the 64-bit shim preloaded into an i386 program: $(cat "$D/wrong.err")"

# --- PREFIX/$LIB through LD_PRELOAD: each class loads its own build, both are recorded.
mark=$(audit_mark)
for class in 32 64; do
	prog=$LOAD32 core=$CORE32
	[ $class = 64 ] && prog=$KMA_LOAD core=$CORE64
	load finit$class finit "$prog" "$core" "$ENTRY"
	check_records finit$class $pid "$prog" finit_module
	load init$class init "$prog" "$core" "$ENTRY"
	check_records init$class $pid "$prog" init_module
done
echo "ok: LD_PRELOAD=$ENTRY: i386 and x86-64 loaders recorded, ld.so silent"

# --- A real ld.so.preload, in a private mount namespace with an overlay over /etc.
mkdir -p "$D/upper" "$D/work"
mark=$(audit_mark)
unshare -m --propagation private bash -c '
	set -u
	D=$1 K=$2 LIB64=$3 LOAD32=$4 CORE32=$5 ko=$6 ENTRY=$7
	fails=0
	no() { echo "  FAILED: $*"; fails=$((fails + 1)); }
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$D/upper,workdir=$D/work" /etc || exit 77
	rm -f /etc/ld.so.preload
	"$K" preload enable -l "$LIB64" >"$D/enable.out" 2>&1 || no "enable: $(cat "$D/enable.out")"
	[ "$(cat /etc/ld.so.preload)" = "$ENTRY" ] || no "enable wrote: $(cat /etc/ld.so.preload)"
	"$K" preload status -l "$LIB64" >"$D/status.out" 2>&1 || no "status exit $?: $(cat "$D/status.out")"
	grep "^i386 programs: $D/lib/i386-linux-gnu/libkmodaudit.so: present, loads" "$D/status.out" >/dev/null ||
		no "status: $(cat "$D/status.out")"
	COLUMNS=1000 "$K" check >"$D/check.out" 2>&1
	grep "^PASS  kmodaudit shim loadable: $LIB64 loads" "$D/check.out" >/dev/null &&
		grep "^PASS  kmodaudit shim for i386 programs: $D/lib/i386-linux-gnu/libkmodaudit.so loads" "$D/check.out" >/dev/null ||
		no "check: $(grep shim "$D/check.out")"
	# The i386 loader under the real file: recorded (checked outside), nothing on stderr.
	KMODAUDIT_IMPL=$CORE32 "$LOAD32" finit "$ko" kmatag=etc32 >"$D/etc32.out" 2>"$D/etc32.err"
	[ -s "$D/etc32.err" ] && no "i386 under ld.so.preload: stderr: $(cat "$D/etc32.err")"
	grep "ret=-1 errno=ENOSYS" "$D/etc32.out" >/dev/null || no "i386 loader: $(cat "$D/etc32.out")"
	/bin/true 2>"$D/true.err"; [ -s "$D/true.err" ] && no "/bin/true: $(cat "$D/true.err")"
	# The i386 build gone: status says that class breaks; enable goes back to the 64-bit path.
	mv "$D/lib/i386-linux-gnu/libkmodaudit.so" "$D/shim32.away"
	"$K" preload status -l "$LIB64" >"$D/status2.out" 2>&1 && no "status with the i386 build gone: exit 0"
	grep "^warning: listed through \$LIB but unfit: every i386 program" "$D/status2.out" >/dev/null ||
		no "status2: $(cat "$D/status2.out")"
	"$K" preload enable -l "$LIB64" >"$D/enable2.out" 2>&1 || no "enable2: $(cat "$D/enable2.out")"
	[ "$(cat /etc/ld.so.preload)" = "$LIB64" ] || no "enable2 wrote: $(cat /etc/ld.so.preload)"
	grep "warning: i386 programs are not covered" "$D/enable2.out" >/dev/null || no "enable2: no warning"
	COLUMNS=1000 "$K" check >"$D/check2.out" 2>&1
	grep "^WARN  kmodaudit shim for i386 programs: $LIB64 serves 64-bit programs only" "$D/check2.out" >/dev/null ||
		no "check2: $(grep shim "$D/check2.out")"
	mv "$D/shim32.away" "$D/lib/i386-linux-gnu/libkmodaudit.so"
	# The i386 build back (libkmodaudit:i386 installed after amd64) while the 64-bit path is
	# listed, whose wrong-ELF-class line every i386 probe hears: enable lists $ENTRY again.
	"$K" preload status -l "$LIB64" >"$D/status3.out" 2>&1 || no "status3 exit $?: $(cat "$D/status3.out")"
	grep "^note: i386 programs are not covered yet" "$D/status3.out" >/dev/null ||
		no "status3: $(cat "$D/status3.out")"
	"$K" preload enable -l "$LIB64" >"$D/enable3.out" 2>&1 || no "enable3: $(cat "$D/enable3.out")"
	[ "$(cat /etc/ld.so.preload)" = "$ENTRY" ] || no "enable3 wrote: $(cat /etc/ld.so.preload): $(cat "$D/enable3.out")"
	"$K" preload disable -q -l "$LIB64" || no "disable"
	[ ! -e /etc/ld.so.preload ] || no "disable left: $(cat /etc/ld.so.preload)"
	exit $((fails > 0))
' _ "$D" "$K" "$LIB64" "$LOAD32" "$CORE32" "$ko" "$ENTRY" >"$D/ns.out" 2>&1 || {
	rc=$?
	[ $rc = 77 ] && kma_skip "no overlayfs for /etc in a mount namespace"
	bad "the ld.so.preload part:"$'\n'"$(cat "$D/ns.out")"
}
out=$(audit_wait_records "$mark" 2 -c kma-load32) || true
grep "kmatag=etc32\|6B6D61746167" <<<"$out" >/dev/null ||
	bad "no record of the i386 loader under /etc/ld.so.preload:"$'\n'"$out"
[ "$failures" = 0 ] || fail "$failures failures"
echo "ok: /etc/ld.so.preload by kmodaudit preload enable: \$LIB with both builds, the 64-bit path without, and back"
echo PASS
