#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build the qemu test bed's initramfs from real parts: Debian's busybox-static, this host's kmod
# and auditd (with the shared libraries ldd says they need), a small module tree out of Debian's
# kernel package with modules.dep made by `depmod -b`, and whatever of the project's build exists.
#
# Usage: mkimage.sh OUTDIR      (reads KMODAUDIT_BUILD, KMODAUDIT_SRC, KMODAUDIT_CACHE/env)
# Writes OUTDIR/initramfs.cpio.gz, OUTDIR/files.tsv (VM path <TAB> host file, for the checker)
# and OUTDIR/components (one "NAME yes|no WHY" line per project component).
set -euo pipefail

out=$(realpath -m "$1")
build=${KMODAUDIT_BUILD:?}
src=${KMODAUDIT_SRC:?}
# shellcheck disable=SC1091
. "${KMODAUDIT_CACHE:?}/env"

root=$out/root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,var/log/audit}
mkdir -p "$root"/etc/audit/{rules.d,plugins.d} "$root"/etc/modprobe.d "$root"/kma/mods
: >"$out/files.tsv"
: >"$out/names.tsv" # module name -> the file whose bytes init_module gets (decompressed)

# Paths inside the VM where the project's build goes: the install paths config.h fixes.
conf_path() { sed -n "s/^#define $1 \"\(.*\)\"$/\1/p" "$build/config.h"; }
shim_path=$(conf_path KMODAUDIT_SHIM_PATH)
impl_path=$(conf_path KMODAUDIT_IMPL_PATH)

# copy_lib FILE: FILE at the same path in the image (symlinks resolved).
copy_lib() {
	[ -e "$root$1" ] && return 0
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

# install_bin HOSTFILE VMPATH: the file and every shared library ldd resolves for it.
install_bin() {
	local lib
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	while read -r lib; do
		copy_lib "$lib"
	done < <(ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p')
}

# The shell and tools: busybox-static, applets linked where busybox says, never over a real file.
cp "$BUSYBOX_STATIC" "$root/bin/busybox"
while read -r applet; do
	case "${applet##*/}" in
	insmod | rmmod | modprobe | lsmod | modinfo | depmod) continue ;; # kmod's, below
	esac
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done < <("$root/bin/busybox" --list-full)

# kmod as Debian installs it: one binary, the tools as links to it.
install_bin "$(readlink -f "$(command -v kmod)")" /bin/kmod
ln -s /bin/kmod "$root/usr/bin/kmod"
for t in insmod rmmod modprobe lsmod modinfo depmod; do
	ln -s /bin/kmod "$root/sbin/$t"
done

# The audit collector: Debian's auditd and auditctl.
install_bin /usr/sbin/auditd /sbin/auditd
install_bin /usr/sbin/auditctl /sbin/auditctl
cat >"$root/etc/audit/auditd.conf" <<'EOF'
local_events = yes
write_logs = yes
log_file = /var/log/audit/audit.log
log_group = root
log_format = ENRICHED
flush = SYNC
freq = 0
max_log_file = 0
max_log_file_action = IGNORE
num_logs = 0
priority_boost = 0
name_format = HOSTNAME
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = SYSLOG
use_libwrap = no
transport = TCP
distribute_network = no
q_depth = 4000
overflow_action = SYSLOG
max_restarts = 10
plugin_dir = /etc/audit/plugins.d
end_of_event_timeout = 2
EOF
chmod 0640 "$root/etc/audit/auditd.conf"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nadm:x:4:\n' >"$root/etc/group"
printf 'kma-vm\n' >"$root/etc/hostname"

# The module tree: a few real signed modules, an xz-compressed one, and two broken ones.
kmods=$root/lib/modules/$KVER
mkdir -p "$kmods/kernel"
add_module() { # RELPATH under kernel/
	mkdir -p "$kmods/kernel/$(dirname "$1")"
	cp "$MODDIR/kernel/$1" "$kmods/kernel/$1"
	printf '%s\t%s\n' "/lib/modules/$KVER/kernel/$1" "$MODDIR/kernel/$1" >>"$out/files.tsv"
	printf '%s\t%s\n' "$(basename "${1%.ko}" | tr - _)" "$MODDIR/kernel/$1" >>"$out/names.tsv"
}
for m in net/key/af_key.ko net/xfrm/xfrm_algo.ko lib/crc7.ko lib/crc-itu-t.ko \
	lib/ts_kmp.ko lib/ts_bm.ko lib/ts_fsm.ko lib/crc8.ko lib/crc16.ko lib/crc64.ko \
	drivers/net/vrf.ko lib/bch.ko lib/lru_cache.ko; do
	add_module "$m"
done
# dummy ships uncompressed; the tree holds it xz-compressed (CRC32, as the kernel's own
# Makefile compresses modules) and kmod must decompress it.
mkdir -p "$kmods/kernel/drivers/net"
xz --check=crc32 -c "$MODDIR/kernel/drivers/net/dummy.ko" >"$out/dummy.ko.xz"
cp "$out/dummy.ko.xz" "$kmods/kernel/drivers/net/dummy.ko.xz"
printf '%s\t%s\n' "/lib/modules/$KVER/kernel/drivers/net/dummy.ko.xz" "$out/dummy.ko.xz" \
	>>"$out/files.tsv"
printf 'dummy\t%s\n' "$MODDIR/kernel/drivers/net/dummy.ko" >>"$out/names.tsv"
cp "$MODDIR"/modules.order "$MODDIR"/modules.builtin "$MODDIR"/modules.builtin.modinfo "$kmods/"
depmod -b "$root" "$KVER"

# Out of the tree, in /kma/mods: the renamed copy, a signed module with one byte of its code
# changed (the signature no longer verifies), an unsigned truncated ELF (not a valid module).
cp "$MODDIR/kernel/net/key/af_key.ko" "$root/kma/mods/innocent.ko"
printf '%s\t%s\n' /kma/mods/innocent.ko "$MODDIR/kernel/net/key/af_key.ko" >>"$out/files.tsv"
cp "$MODDIR/kernel/lib/crc8.ko" "$out/badsig.ko"
printf '\x5a' | dd of="$out/badsig.ko" bs=1 seek=1000 conv=notrunc status=none
cp "$out/badsig.ko" "$root/kma/mods/badsig.ko"
printf '%s\t%s\n' /kma/mods/badsig.ko "$out/badsig.ko" >>"$out/files.tsv"
head -c 4096 "$MODDIR/kernel/lib/crc16.ko" >"$out/truncated.ko"
cp "$out/truncated.ko" "$root/kma/mods/truncated.ko"
printf '%s\t%s\n' /kma/mods/truncated.ko "$out/truncated.ko" >>"$out/files.tsv"
# Signatures the kernel does not check: Debian's signed lru_cache as it is (loaded with insmod -f
# in the VM), and bch with its PKCS#7 trailer swapped for an X509-type one that names Debian's
# signer and key id (the kernel loads it unchecked: -ENOPKG, signatures not enforced).
mkdir -p "$root/kma/mods/forced" "$root/kma/mods/x509" "$out/x509"
cp "$MODDIR/kernel/lib/lru_cache.ko" "$root/kma/mods/forced/lru_cache.ko"
printf '%s\t%s\n' /kma/mods/forced/lru_cache.ko "$MODDIR/kernel/lib/lru_cache.ko" >>"$out/files.tsv"
python3 - "$MODDIR/kernel/lib/bch.ko" "$out/x509/bch.ko" <<'EOT'
import struct, subprocess, sys
src, dst = sys.argv[1:]
info = lambda k: subprocess.run(["modinfo", "-F", k, src], capture_output=True, text=True,
                                check=True).stdout.strip()
signer, key = info("signer").encode(), bytes.fromhex(info("sig_key").replace(":", ""))
magic = b"~Module signature appended~\n"
data = open(src, "rb").read()
assert data.endswith(magic) and signer and key
sig_len = struct.unpack(">I", data[-32:-28])[0]
ms = struct.pack(">BBBBBxxxI", 1, 4, 1, len(signer), len(key), 8)
open(dst, "wb").write(data[:-40 - sig_len] + signer + key + b"SIGNATUR" + ms + magic)
EOT
cp "$out/x509/bch.ko" "$root/kma/mods/x509/bch.ko"
printf '%s\t%s\n' /kma/mods/x509/bch.ko "$out/x509/bch.ko" >>"$out/files.tsv"

# The project's build: whatever exists now. Each missing piece is a scenario the VM skips.
: >"$out/components"
component() { # NAME yes|no WHY
	printf '%s %s %s\n' "$1" "$2" "$3" >>"$out/components"
}
# A subcommand that is still a stub answers "not implemented" (exit 2).
subcommand_works() {
	local err
	err=$("$build/src/kmodaudit" "$@" 2>&1 >/dev/null) && return 0
	! grep -qi 'not implemented' <<<"$err"
}
if [ -x "$build/src/kmodaudit" ]; then
	install_bin "$build/src/kmodaudit" /usr/local/sbin/kmodaudit
	ln -s /usr/local/sbin/kmodaudit "$root/sbin/kmodaudit"
	component kmodaudit yes "$build/src/kmodaudit"
	if subcommand_works rules --no-auid-filter; then
		component rules yes "kmodaudit rules"
	else
		component rules no "kmodaudit rules not implemented"
	fi
	if subcommand_works trace -- /bin/true; then
		component trace yes "kmodaudit trace"
	else
		component trace no "kmodaudit trace not implemented"
	fi
	if subcommand_works preload status; then
		component preload yes "kmodaudit preload"
	else
		component preload no "kmodaudit preload not implemented"
	fi
else
	for c in kmodaudit rules trace preload; do component $c no "$build/src/kmodaudit not built"; done
fi
if [ -f "$build/shim/libkmodaudit.so" ] && [ -f "$build/src/libkmodaudit-impl.so" ]; then
	install_bin "$build/shim/libkmodaudit.so" "$shim_path"
	install_bin "$build/src/libkmodaudit-impl.so" "$impl_path"
	component shim yes "$shim_path"
else
	component shim no "$build/shim/libkmodaudit.so or $build/src/libkmodaudit-impl.so not built"
fi
# 32-bit programs (README "32-bit programs"): the i386 build of the shim and its core at the paths
# it was built for, the 64-bit shim also in the multiarch directory beside it (so that one
# PREFIX/$LIB entry names both), the -m32 kma-load with its libc, and that libc where the
# probe of `kmodaudit preload enable` runs it (merged /usr on a real system).
i386_impl_path=$(sed -n 's/^#define KMODAUDIT_IMPL_PATH "\(.*\)"$/\1/p' "$build/i386/config.h" 2>/dev/null || true)
if [ -f "$build/i386/shim/libkmodaudit.so" ] && [ -f "$build/i386/src/libkmodaudit-impl.so" ] &&
	[ -x "$build/tests/kma-load32" ] && [ -n "$i386_impl_path" ] && [ -f "$build/shim/libkmodaudit.so" ]; then
	i386_dir=$(dirname "$(dirname "$i386_impl_path")") # PREFIX/lib/i386-linux-gnu
	amd64_dir=$(dirname "$i386_dir")/x86_64-linux-gnu
	install_bin "$build/i386/shim/libkmodaudit.so" "$i386_dir/libkmodaudit.so"
	install_bin "$build/i386/src/libkmodaudit-impl.so" "$i386_impl_path"
	install_bin "$build/shim/libkmodaudit.so" "$amd64_dir/libkmodaudit.so"
	install_bin "$build/tests/kma-load32" /kma/bin/kma-load32
	mkdir -p "$root/usr/lib/i386-linux-gnu"
	ln -sf /lib/i386-linux-gnu/libc.so.6 "$root/usr/lib/i386-linux-gnu/libc.so.6"
	printf 'SHIM64_MULTIARCH=%s\n' "$amd64_dir/libkmodaudit.so" >"$out/env32"
	component shim32 yes "$i386_dir/libkmodaudit.so"
else
	: >"$out/env32"
	component shim32 no "no i386 build in $build/i386 or no $build/tests/kma-load32"
fi
if [ -x "$build/wrappers/kmodaudit-kmod" ]; then
	install_bin "$build/wrappers/kmodaudit-kmod" /usr/local/sbin/kmodaudit-kmod
	mkdir -p "$root/kma/fe"
	for t in insmod rmmod modprobe; do ln -s /usr/local/sbin/kmodaudit-kmod "$root/kma/fe/$t"; done
	component frontend yes "$build/wrappers/kmodaudit-kmod"
else
	component frontend no "$build/wrappers/kmodaudit-kmod not built"
fi
# Test programs: tests/<area>/tests.cmake files are included by tests/, so they land there.
test_program() { # COMPONENT NAME AREA
	local f
	for f in "$build/tests/$2" "$build/tests/$3/$2"; do
		if [ -x "$f" ]; then
			install_bin "$f" "/kma/bin/$2"
			component "$1" yes "$f"
			return
		fi
	done
	component "$1" no "$build/tests/$2 not built"
}
test_program loader kma-load loaders
test_program transparency transparency shim
test_program mt-loader kma-trace-mt-loader trace
test_program loader32 kma-trace-loader32 trace
test_program race kma-race shim
test_program dlsym kma-dlsym shim
test_program escape kma-trace-escape trace
test_program uffd-loader kma-trace-uffd-loader trace
test_program bpf-static bpf-static-load bpf
test_program bpf-dyn bpf-dyn-load bpf
cp "$out/components" "$root/kma/components"
{ printf 'KVER=%s\nSHIM=%s\n' "$KVER" "$shim_path"; cat "$out/env32"; } >"$root/kma/env"

ldconfig -r "$root" 2>/dev/null || true
install -m 0755 "$src/tests/vm/init" "$root/init"
install -m 0755 "$src/tests/vm/scenarios.sh" "$root/kma/scenarios.sh"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) |
	gzip -1 >"$out/initramfs.cpio.gz.tmp"
mv "$out/initramfs.cpio.gz.tmp" "$out/initramfs.cpio.gz"
