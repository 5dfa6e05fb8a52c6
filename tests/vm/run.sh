#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The qemu test bed: boot Debian's own kernel once under qemu (TCG), run every
# scenario inside, and hold the kernel's KERN_MODULE/SYSCALL records against ours.
#
# Usage: run.sh [--write-fixture DIR] [--keep]
#   --write-fixture DIR  also copy the run's audit log to DIR/vm-audit.log (real kernel records
#                        for `kmodaudit report`'s tests)
# Environment: KMODAUDIT_BUILD, KMODAUDIT_SRC, KMODAUDIT_CACHE (set by ctest), KMA_VM_TIMEOUT
# (seconds for the whole boot, default 480).
set -euo pipefail

fixture_dir=
while [ $# -gt 0 ]; do
	case "$1" in
	--write-fixture) fixture_dir=$(realpath -m "$2"); shift 2 ;;
	-h | --help) sed -n '3,10p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
export KMODAUDIT_SRC=${KMODAUDIT_SRC:-$(cd "$here/../.." && pwd)}
export KMODAUDIT_BUILD=${KMODAUDIT_BUILD:-$KMODAUDIT_SRC/build}
export KMODAUDIT_CACHE=${KMODAUDIT_CACHE:-$KMODAUDIT_BUILD/cache}

skip() { echo "SKIP: $*"; exit 77; }
[ -s "$KMODAUDIT_CACHE/env" ] || skip "no fixtures in $KMODAUDIT_CACHE (run tests/fixtures/fetch-debs)"
# shellcheck disable=SC1091
. "$KMODAUDIT_CACHE/env"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
for t in cpio depmod auditd auditctl xz python3; do
	command -v $t >/dev/null || skip "$t not installed"
done
[ -r "$VMLINUZ" ] || skip "no kernel image $VMLINUZ"

vm=$KMODAUDIT_BUILD/vm
mkdir -p "$vm"
# One run at a time per build tree (make check runs tests in parallel).
exec {lock}>"$vm/lock"
flock "$lock"

t0=$(date +%s.%N)
bash "$here/mkimage.sh" "$vm"
t1=$(date +%s.%N)
echo "vm: image built in $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}")s ($(du -h "$vm/initramfs.cpio.gz" | cut -f1))"
sed 's/^/vm: component /' "$vm/components"

rm -f "$vm/console.log" "$vm/ttyS1.out"
qpid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || true
		sleep 1
		kill -KILL "$qpid" 2>/dev/null || true
	fi
}
trap cleanup EXIT INT TERM

# KVM hangs on this machine: TCG only. No disk: the initramfs is the root file system.
timeout --kill-after=10 "${KMA_VM_TIMEOUT:-480}" qemu-system-x86_64 \
	-accel tcg -m 1024 -smp 1 -nographic -no-reboot -nodefaults \
	-serial "file:$vm/console.log" -serial "file:$vm/ttyS1.out" \
	-kernel "$VMLINUZ" -initrd "$vm/initramfs.cpio.gz" \
	-append "console=ttyS0 audit=1 audit_backlog_limit=8192 panic=-1 quiet" \
	</dev/null >"$vm/qemu.out" 2>&1 &
qpid=$!
rc=0
wait "$qpid" || rc=$?
qpid=
t2=$(date +%s.%N)
echo "vm: qemu ran $(awk "BEGIN{printf \"%.1f\", $t2 - $t1}")s (exit $rc)"
echo "----- VM console -----"
tr -d '\r' <"$vm/console.log" || true
echo "----- end of VM console -----"
cat "$vm/qemu.out"
[ "$rc" = 124 ] || [ "$rc" = 137 ] && { echo "FAIL: the VM did not power off within the timeout"; exit 1; }

# Split the second serial port's stream into its files.
rm -rf "$vm/out"
mkdir -p "$vm/out"
python3 - "$vm/ttyS1.out" "$vm/out" <<'EOF'
import sys, os
data = open(sys.argv[1], 'rb').read().replace(b'\r\n', b'\n')
if b'===KMA-DONE===' not in data:
	sys.exit('FAIL: the VM did not send its files (no ===KMA-DONE=== on ttyS1)')
cur = None
for line in data.split(b'\n'):
	if line.startswith(b'===KMA-FILE ') and line.endswith(b'==='):
		cur = open(os.path.join(sys.argv[2], line[12:-3].decode()), 'wb')
	elif line == b'===KMA-END===' and cur:
		cur.close(); cur = None
	elif cur:
		cur.write(line + b'\n')
EOF

if [ -n "$fixture_dir" ]; then
	mkdir -p "$fixture_dir"
	cp "$vm/out/audit.log" "$fixture_dir/vm-audit.log"
	echo "vm: wrote $fixture_dir/vm-audit.log"
fi

rc=0
python3 "$here/check.py" --vm "$vm" --build "$KMODAUDIT_BUILD" || rc=1
echo "----- checker self-test: mutated copies of this run's log must fail -----"
python3 "$here/check.py" --vm "$vm" --build "$KMODAUDIT_BUILD" --self-test || rc=1
exit $rc
