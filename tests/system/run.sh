#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole-system test bed (issue 16): a Debian 12 root (debootstrap, cached by system-root)
# with systemd, udev, auditd, Debian's kernel and the project's .debs (built by
# packaging/build-deb from the committed tree) installed with dpkg; an ext4 image made with
# `mke2fs -d` (no loop mount); the kernel and the initramfs the root generated itself. Booted
# three times under qemu (TCG): first boot configures as an administrator would (kma-firstboot:
# rules --install, preload enable, a modules-load.d entry) and reboots; the second boot is the
# configured system, whose results (kma-collect) come back as a tar on a second virtio disk; it
# reinstalls the packages, loads a module and purges them at its end; the third boot
# (kma-purged) must come up clean without them.
# check.py holds them to what the issue asks.
# Usage: run.sh [--break WHAT]   (WHAT: preload, a deliberate break the checker must catch)
# Environment: KMODAUDIT_BUILD, KMODAUDIT_SRC, KMODAUDIT_CACHE (set by ctest), KMA_SYS_TIMEOUT
# (seconds per boot, default 600 for the first, which makes an initramfs, 360 for the second,
# 300 for the third),
# KEEP=1 keeps the work directory's images, and configured.img: the root as the first boot left
# it configured (shim enabled), before the second boot purges the packages (bench/boot-overhead).
set -euo pipefail

brk=
while [ $# -gt 0 ]; do
	case "$1" in
	--break) brk=$2; shift 2 ;;
	-h | --help) sed -n '3,17p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

here=$(cd "$(dirname "$0")" && pwd)
export KMODAUDIT_SRC=${KMODAUDIT_SRC:-$(cd "$here/../.." && pwd)}
export KMODAUDIT_BUILD=${KMODAUDIT_BUILD:-$KMODAUDIT_SRC/build}
export KMODAUDIT_CACHE=${KMODAUDIT_CACHE:-$KMODAUDIT_BUILD/cache}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (chroot, mounts)"
[ -s "$KMODAUDIT_CACHE/env" ] || skip "no fixtures in $KMODAUDIT_CACHE (run tests/fixtures/fetch-debs)"
# shellcheck disable=SC1091
. "$KMODAUDIT_CACHE/env"
for t in qemu-system-x86_64 mke2fs debugfs debootstrap dpkg-buildpackage python3 unshare tar; do
	command -v $t >/dev/null || skip "$t not installed"
done
ls "$KMODAUDIT_CACHE"/debs/"$KPKG"_*.deb >/dev/null 2>&1 || skip "no $KPKG .deb in $KMODAUDIT_CACHE/debs"

sys=$KMODAUDIT_BUILD/system
mkdir -p "$sys"
# One run at a time per build tree.
exec {lock}>"$sys/lock"
flock "$lock"
t0=$SECONDS
stamp() { echo "system: $* ($((SECONDS - t0)) s)"; }

# The .debs of the committed tree, rebuilt when HEAD moves.
head=$(git -C "$KMODAUDIT_SRC" rev-parse HEAD 2>/dev/null) ||
	skip "$KMODAUDIT_SRC is not a git tree (packaging/build-deb builds the committed tree)"
debdir=$sys/debs
if [ "$(cat "$debdir/.commit" 2>/dev/null)" != "$head" ]; then
	bash "$KMODAUDIT_SRC/packaging/build-deb" "$debdir" >/dev/null
	echo "$head" >"$debdir/.commit"
	stamp "built the .debs of $head"
fi
root=$(bash "$here/system-root" "$KMODAUDIT_CACHE" "$debdir")
stamp "root ready: $root"

W=$sys/run
rm -rf "$W"
mkdir -p "$W/upper" "$W/work" "$W/merged" "$W/boot"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$W/root.img" "$W/upper" "$W/work"' EXIT
cp "$debdir"/kmodaudit_*.deb "$debdir"/kmodaudit-kmod_*.deb "$debdir"/libkmodaudit_*_amd64.deb "$W/"

# Configure a copy (an overlay) of the cached root: the packages, the test's units, the
# initramfs the root makes itself; then the image from the merged tree.
unshare -m --propagation private bash -s "$W" "$root" "$here/guest" "$KVER" "$brk" <<'EOF_NS' >"$W/prepare.log" 2>&1 ||
set -ex
W=$1 root=$2 guest=$3 kver=$4 brk=$5
m=$W/merged
mount -t overlay overlay -o "lowerdir=$root,upperdir=$W/upper,workdir=$W/work" "$m"
mount -t proc proc "$m/proc"
mount --rbind /sys "$m/sys"
mount --rbind /dev "$m/dev"
in_root() { chroot "$m" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$W"/*kmodaudit*.deb "$m/tmp/"
in_root sh -c 'dpkg -i /tmp/kmodaudit_*.deb /tmp/kmodaudit-kmod_*.deb /tmp/libkmodaudit_*.deb'
mkdir -p "$m/kma-test/debs"
mv "$m"/tmp/*kmodaudit*.deb "$m/kma-test/debs/" # the second boot reinstalls them
echo kma-sys >"$m/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$m/etc/fstab"
install -m 0755 "$guest/kma-firstboot" "$guest/kma-collect" "$guest/kma-purged" "$m/usr/local/sbin/"
install -m 0644 "$guest"/*.service "$m/etc/systemd/system/"
install -m 0755 "$guest/kma-initramfs-modules" "$m/etc/initramfs-tools/scripts/init-bottom/"
mkdir -p "$m/kma-test"
[ -z "$brk" ] || touch "$m/kma-test/break-$brk"
in_root systemctl enable kma-firstboot.service
in_root update-initramfs -u -k "$kver"
# The first boot's update-initramfs (rules --install --initramfs) runs under TCG: only the
# modules this machine needs (detected there: virtio, ext4), fast compression; 30 MB at
# MODULES=most took over 3 minutes there.
printf 'MODULES=dep\nCOMPRESSLEVEL=1\n' >"$m/etc/initramfs-tools/conf.d/kma-test"
cp "$m/boot/vmlinuz-$kver" "$W/boot/vmlinuz"
cp "$m/boot/initrd.img-$kver" "$W/boot/initrd.img"
umount -R "$m/sys" "$m/dev" "$m/proc" 2>/dev/null || umount -l "$m/sys" "$m/dev"
size=$(du -sm -x "$m" | cut -f1)
mke2fs -q -t ext4 -L root -d "$m" "$W/root.img" "$((size * 13 / 10 + 256))M"
EOF_NS
	{ tail -n 30 "$W/prepare.log"; echo "FAIL: preparing the image"; exit 1; }
stamp "image made: $(du -h --apparent-size "$W/root.img" | cut -f1), initramfs $(du -h "$W/boot/initrd.img" | cut -f1)"

qpid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null || true
		sleep 1
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$W/root.img" "$W/upper" "$W/work"
}
trap cleanup EXIT INT TERM

# boot N: one qemu run; its results disk is untarred into $W/outN. -no-reboot: the first boot's
# reboot ends qemu, and the next run boots the same image again.
boot() {
	local n=$1 limit=$2 rc=0 tb=$SECONDS
	truncate -s 0 "$W/results$n.img"
	truncate -s 64M "$W/results$n.img"
	timeout --kill-after=10 "$limit" qemu-system-x86_64 \
		-accel tcg -m 1024 -smp 1 -nographic -no-reboot -nodefaults \
		-serial "file:$W/console$n.log" \
		-drive "file=$W/root.img,if=virtio,format=raw" \
		-drive "file=$W/results$n.img,if=virtio,format=raw" \
		-kernel "$W/boot/vmlinuz" -initrd "$W/boot/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 audit=1 audit_backlog_limit=8192 panic=-1" \
		</dev/null >"$W/qemu$n.out" 2>&1 &
	qpid=$!
	wait "$qpid" || rc=$?
	qpid=
	stamp "boot $n: qemu ran $((SECONDS - tb)) s, exit $rc"
	mkdir -p "$W/out$n"
	tar -C "$W/out$n" -xf "$W/results$n.img" 2>/dev/null || true
	echo "$rc" >"$W/out$n/qemu-exit"
	echo "----- console, boot $n -----"
	tr -d '\r' <"$W/console$n.log" || true
	echo "----- end of console, boot $n -----"
}
# The boots take the qemu test bed's lock too: two TCG guests on two cores would each take
# twice as long.
mkdir -p "$KMODAUDIT_BUILD/vm"
exec {vmlock}>"$KMODAUDIT_BUILD/vm/lock"
flock "$vmlock"
boot 1 "${KMA_SYS_TIMEOUT:-600}"
echo "----- first boot's configuration log -----"
cat "$W/out1/firstboot.log" 2>/dev/null || echo "(none: the first boot did not write its results)"
# The second boot uses the initramfs the first one made (rules --install --initramfs ran
# update-initramfs -u inside): read from the image, no mount.
debugfs -R "dump /boot/initrd.img-$KVER $W/boot/initrd.img" "$W/root.img" >/dev/null 2>&1 ||
	{ echo "FAIL: no /boot/initrd.img-$KVER in the image after the first boot"; exit 1; }
stamp "the first boot's initramfs: $(du -h "$W/boot/initrd.img" | cut -f1)"
[ -z "${KEEP:-}" ] || cp --sparse=always "$W/root.img" "$W/configured.img"
boot 2 "${KMA_SYS_TIMEOUT:-360}"
# The third boot: the packages were purged at the end of the second.
boot 3 "${KMA_SYS_TIMEOUT:-300}"
exec {vmlock}>&-

rc=0
python3 "$here/check.py" "$W" || rc=1
stamp "done, exit $rc"
exit $rc
