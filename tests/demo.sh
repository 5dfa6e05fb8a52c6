#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `make demo`: real kmod insmod, modprobe and rmmod on a real Debian module, under the preload
# shim, and the audit records they leave, as `ausearch -i` prints them.
#	tests/demo.sh BUILD-DIR     (the Makefile has built it and fetched the fixtures)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$src/build}")
shim=$build/shim/libkmodaudit.so
impl=$build/src/libkmodaudit-impl.so
for f in "$shim" "$impl" "$build/cache/env"; do
	[ -e "$f" ] || { echo "demo: $f missing: run 'make demo'" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it starts auditd and enables audit)" >&2; exit 1; }
. "$build/cache/env"
. "$src/tests/lib/audit.sh"
# audit_setup starts auditd when it is not running and enables audit (or says why it cannot).
(audit_setup) || { echo "demo: cannot get a working audit subsystem here" >&2; exit 1; }
audit_setup

ko=$MODDIR/kernel/drivers/net/dummy.ko
tmp=$(mktemp -d)
kma_on_exit "rm -rf '$tmp'"
root=$tmp/root
mkdir -p "$root/lib/modules/$KVER/kernel/drivers/net" "$tmp/modprobe.d"
cp "$ko" "$root/lib/modules/$KVER/kernel/drivers/net/"
depmod -b "$root" "$KVER" 2>/dev/null

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
pids=()
under_shim() { # CMD...: run CMD with the shim preloaded, remember its pid
	env LD_PRELOAD="$shim" KMODAUDIT_IMPL="$impl" "$@" &
	pids+=($!)
	wait $! || true
}

echo "kmodaudit demo: kernel $(uname -r); module $(basename "$ko") from Debian's $KPKG"
echo "The shim is preloaded into each command: LD_PRELOAD=$shim"
mark=$(audit_mark)
step insmod "$ko" numdummies=2
under_shim /usr/sbin/insmod "$ko" numdummies=2
step modprobe -d "$root" -S "$KVER" dummy numdummies=3 "   # a temporary tree made by depmod -b"
under_shim /usr/sbin/modprobe -C "$tmp/modprobe.d" -d "$root" -S "$KVER" dummy numdummies=3
step rmmod -f dummy "   # -f: without it, rmmod sees no /sys/module/dummy and never asks the kernel"
under_shim /usr/sbin/rmmod -f dummy

want=9 # insmod and modprobe: finit_module then init_module, intent + result each; rmmod: 1
args=()
for p in "${pids[@]}"; do args+=(-p "$p"); done
KMA_AUDIT_WAIT=10 audit_wait_records "$mark" "$want" >/dev/null || true
step ausearch -i --start "$mark" -m USER "(our three commands)"
for p in "${pids[@]}"; do
	LC_ALL=C ausearch -i --input-logs --start $mark -m USER -p "$p" 2>/dev/null | grep -a 'op=kmod_' || true
done
step ausearch --format raw "(the first of them, as written)"
audit_user_records "$mark" -p "${pids[0]}" | sed -n 1p

got=$(audit_user_records "$mark" | grep -a -c -E "^type=[A-Z_]+ msg=audit\([0-9.:]+\): pid=($(IFS='|'; echo "${pids[*]}")) " || true)

cat <<EOT

What the records show ($got records from the three commands):
- This kernel has no module support: every module system call answers ENOSYS (exit=-38,
  res=failed), so kmod's insmod and modprobe first try finit_module and then fall back to
  init_module with the file's bytes: two loads each, each recorded twice, an intent record
  (op=kmod_load_intent, sent before the call) and a result record (op=kmod_load, with exit=),
  paired by seq=.
- The module fields (name, signer, sig_key, sig_hashalgo, vermagic, license, intree) are read
  from the very bytes handed to the kernel, and sha256= is their digest; compare with
  'modinfo $ko' and 'sha256sum $ko'.
- finit_module records name the file (path=, dev= and inode= as the kernel's PATH record
  writes them); init_module records cannot, the kernel gets a memory buffer. args= is the
  parameter string the kernel got.
- rmmod's delete_module is an unload record (op=kmod_unload) with its call_flags (0xa00:
  O_NONBLOCK|O_TRUNC for -f). history= is the chain of parent processes.
- ausearch -i shows each field as written (record format version 2): it decodes only name=,
  path=, comm= and exe= (quoted or hex in the raw line above) and names the errno of exit=.
On a kernel with modules the same commands load and unload dummy, and exit=0 res=success.
EOT
