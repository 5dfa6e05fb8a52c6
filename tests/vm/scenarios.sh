#!/bin/busybox sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The scenarios of the qemu test bed, run by /init with audit on and the shim (when built) in
# /etc/ld.so.preload. Each scenario is framed by two audit USER records sent with `auditctl -m`
# ("kmodaudit-vm scenario=NAME begin|end"): the host's checker attributes every record between
# them to the scenario and holds the kernel's records against ours there. /out/scenarios lists
# "NAME run|skip EMITTER|WHY" for the checker.
# shellcheck disable=SC1091
. /kma/env
mods=/lib/modules/$KVER/kernel
# busybox sh runs its own applets for bare names: kmod's tools are called by path.
has() { grep -q "^$1 yes" /kma/components; }
why() { sed -n "s/^$1 no //p" /kma/components; }

# begin NAME EMITTER: EMITTER (shim, trace, frontend, none) is the component whose records the
# checker expects for every kernel event of the scenario; when it is not built, the scenario
# still runs and only the kernel's side is checked.
begin() {
	scenario=$1
	emitter=$2
	if [ "$emitter" != none ] && ! has "$emitter"; then
		echo "SKIP scenario $scenario records: $emitter not built ($(why "$emitter")); kernel side only"
		emitter="none($emitter not built)"
	fi
	echo "scenario $scenario run $emitter" >>/out/scenarios
	echo "=== scenario $scenario (records expected from: $emitter)"
	auditctl -m "kmodaudit-vm scenario=$scenario begin"
}
end() {
	auditctl -m "kmodaudit-vm scenario=$scenario end"
}
# skip NAME COMPONENT: the scenario cannot run at all without COMPONENT.
skip() {
	echo "SKIP scenario $1: $2 not built ($(why "$2"))"
	echo "scenario $1 skip $2 not built" >>/out/scenarios
}
# run CMD...: run, show the exit status (failures are expected in some scenarios).
run() {
	"$@"
	echo "  [exit $?] $*"
}

begin modprobe-deps shim
run /sbin/modprobe af_key
end

begin eexist shim
run /sbin/insmod "$mods"/net/key/af_key.ko
end

begin modprobe-remove shim
run /sbin/modprobe -r af_key
end

begin renamed shim
run /sbin/insmod "$mods"/net/xfrm/xfrm_algo.ko
run /sbin/insmod /kma/mods/innocent.ko
end

begin rmmod shim
run /sbin/rmmod af_key
run /sbin/rmmod xfrm_algo
end

begin corrupt shim
run /sbin/insmod /kma/mods/badsig.ko
run /sbin/insmod /kma/mods/truncated.ko
end

# Signatures the kernel does not check (kernel/module/signing.c): Debian's signed lru_cache loaded
# plainly, then with insmod -f (finit_module flags MODULE_INIT_IGNORE_MODVERSIONS|IGNORE_VERMAGIC:
# the signature is not looked at); bch with an X509-type trailer naming Debian's key. After each
# load the module's taint (/sys/module/NAME/taint: E when the kernel did not verify a signature)
# goes to /out/taint-SCENARIO.txt: the checker holds our sig_unchecked against it.
taint() {
	echo "$1 $(cat /sys/module/"$1"/taint)" >>/out/taint-"$scenario".txt
}
begin sig-forced shim
run /sbin/insmod /kma/mods/forced/lru_cache.ko
taint lru_cache
run /sbin/rmmod lru_cache
run /sbin/insmod -f /kma/mods/forced/lru_cache.ko
taint lru_cache
run /sbin/rmmod lru_cache
end

begin sig-x509 shim
run /sbin/insmod /kma/mods/x509/bch.ko
taint bch
run /sbin/rmmod bch
end

begin xz shim
run /sbin/modprobe dummy
run /sbin/modprobe -r dummy
end

# vrf has no exit function: the kernel refuses to unload it (EBUSY), kmod's rmmod asks anyway.
begin busy shim
run /sbin/modprobe vrf
run /sbin/rmmod vrf
end

if has loader; then
	begin loader shim
	run /kma/bin/kma-load init "$mods"/lib/ts_kmp.ko
	run /kma/bin/kma-load delete-syscall ts_kmp
	end
else
	skip loader loader
fi

# 32-bit programs (issue 16): an i386 dynamically linked loader under ld.so.preload. enable of the
# shim's multiarch copy lists PREFIX/$LIB/libkmodaudit.so (its i386 build beside it); the i386
# shim records the loader's syscall(finit_module), syscall(delete_module), init_module and
# delete_module; ld.so prints nothing (stderr to /out/shim-i386.err, the file listed to
# /out/shim-i386-preload.txt: check.py reads both). Then the VM's usual entry comes back.
if has shim32 && has preload; then
	kmodaudit preload disable -q
	kmodaudit preload enable -q -l "$SHIM64_MULTIARCH" 2>/out/shim-i386-enable.err
	cp /etc/ld.so.preload /out/shim-i386-preload.txt
	: >/out/shim-i386.err
	begin shim-i386 shim
	run /kma/bin/kma-load32 finit "$mods"/lib/crc64.ko 2>>/out/shim-i386.err
	run /kma/bin/kma-load32 delete-syscall crc64 2>>/out/shim-i386.err
	run /kma/bin/kma-load32 init "$mods"/lib/crc64.ko 2>>/out/shim-i386.err
	run /kma/bin/kma-load32 delete crc64 2>>/out/shim-i386.err
	end
	kmodaudit preload disable -q -l "$SHIM64_MULTIARCH"
	kmodaudit preload enable -q || echo "$SHIM" >/etc/ld.so.preload
else
	skip shim-i386 shim32
fi

# A static loader the shim cannot see: the kernel's records alone (report's kernel-only case).
begin static-unseen none
run busybox insmod "$mods"/lib/crc7.ko
run busybox rmmod crc7
end

if has trace; then
	begin trace-busybox trace
	run kmodaudit trace -- busybox insmod "$mods"/lib/crc7.ko
	run kmodaudit trace -- busybox rmmod crc7
	run kmodaudit trace -- busybox rmmod crc7
	end
else
	skip trace-busybox trace
fi

# kmod (dynamic, shim preloaded) under the tracer: each call recorded once, by the tracer (the
# shim leaves its record to kmodaudit trace; see src/core/traced.h).
if has trace; then
	begin trace-and-shim trace
	run kmodaudit trace -- /sbin/insmod "$mods"/lib/crc8.ko
	run kmodaudit trace -- /sbin/rmmod crc8
	end
else
	skip trace-and-shim trace
fi

# Two threads, one buffer: the main thread calls init_module on it 8 times while the other keeps
# rewriting it between crc16's signed bytes (A) and their complement (B: no ELF magic, so the
# kernel answers ENOEXEC). kmodaudit trace holds the writer still from its copy of the image until
# the call returns: each record's sha256 must be A's exactly when the kernel loaded crc16 (or
# answered EEXIST), B's exactly when it answered ENOEXEC. The loader's own account goes to
# /out/trace-race.txt. Then crc16 is unloaded (ENOENT if no call ever got A).
if has trace && has mt-loader; then
	begin trace-race trace
	run kmodaudit trace -- /kma/bin/kma-trace-mt-loader "$mods"/lib/crc16.ko 8 >/out/trace-race.txt
	run kmodaudit trace -- busybox rmmod crc16
	end
else
	skip trace-race mt-loader
fi

# A static i386 loader (int $0x80: init_module 128, delete_module 129, finit_module 350) under the
# tracer: the kernel's SYSCALL records say arch=i386; ours must match them as for x86_64 calls.
if has trace && has loader32; then
	begin trace-i386 trace
	{
		run kmodaudit trace -- /kma/bin/kma-trace-loader32 init "$mods"/lib/crc64.ko
		run kmodaudit trace -- /kma/bin/kma-trace-loader32 delete crc64
		run kmodaudit trace -- /kma/bin/kma-trace-loader32 finit "$mods"/lib/crc64.ko
		run kmodaudit trace -- /kma/bin/kma-trace-loader32 delete crc64
	} >/out/trace-i386.txt
	end
else
	skip trace-i386 loader32
fi

# Adversaries inside the trace (issue 11). Each record must name and hash what the kernel
# loaded, or the load must be refused.
# wait_done FILE: a leftover that outlives `kmodaudit trace` wrote its last line (done=1).
wait_done() {
	i=0
	until grep -qx done=1 "$1" 2>/dev/null || [ $i -gt 300 ]; do
		i=$((i + 1))
		sleep 0.1
	done
}

# trace-escape: CMD leaves a process behind that has a helper PTRACE_SEIZE it with
# PTRACE_O_TRACESECCOMP (with such a tracer the kernel runs a RET_TRACE call) and then calls
# finit_module. Without --follow the leftover is let go refusing module calls: crc7 is refused
# (EPERM, no kernel event). With --follow it first sends SIGTERM to the tracer, which must not end
# the trace: its load of crc8 is recorded. Accounts in /out/trace-escape-{leftover,follow}.txt.
if has trace && has escape; then
	begin trace-escape trace
	run kmodaudit trace -- /kma/bin/kma-trace-escape leftover /out/trace-escape-leftover.txt \
		"$mods"/lib/crc7.ko
	wait_done /out/trace-escape-leftover.txt
	run kmodaudit trace --follow -- /kma/bin/kma-trace-escape follow /out/trace-escape-follow.txt \
		"$mods"/lib/crc8.ko
	wait_done /out/trace-escape-follow.txt
	run kmodaudit trace -- busybox rmmod crc8
	end
else
	skip trace-escape escape
fi

# trace-race-fork: as trace-race, but the writer is a forked process sharing only the memfd
# behind the image, not the caller's address space.
if has trace && has mt-loader; then
	begin trace-race-fork trace
	run kmodaudit trace -- /kma/bin/kma-trace-mt-loader "$mods"/lib/crc16.ko 8 fork \
		>/out/trace-race-fork.txt
	run kmodaudit trace -- busybox rmmod crc16
	end
else
	skip trace-race-fork mt-loader
fi

# trace-race-outside: the writer runs outside the trace (started before it), rewriting a tmpfs
# file the traced loader maps as its image: no hold can stop it, so the tracer's copy may be
# any mix. The kernel reads the tracer's own copy (a private mapping in the caller): our record
# hashes state A exactly when the kernel took A, anything else only when it refused.
if has trace && has mt-loader; then
	begin trace-race-outside trace
	rm -f /tmp/race-image
	/kma/bin/kma-trace-mt-loader "$mods"/lib/crc16.ko 8 writer /tmp/race-image &
	writer=$!
	i=0
	until [ -s /tmp/race-image ] || [ $i -gt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	run kmodaudit trace -- /kma/bin/kma-trace-mt-loader "$mods"/lib/crc16.ko 8 reader \
		/tmp/race-image >/out/trace-race-outside.txt
	wait "$writer"
	run kmodaudit trace -- busybox rmmod crc16
	end
else
	skip trace-race-outside mt-loader
fi

# trace-uffd: the image is served by a userfaultfd whose handler (a forked process) gives the
# first reader crc64 and the next crc7 (both zero-padded to one length). The tracer must not read
# it: the kernel gets crc64 and our record states no contents (truncated_read).
if has trace && has uffd-loader; then
	begin trace-uffd trace
	run kmodaudit trace -- /kma/bin/kma-trace-uffd-loader "$mods"/lib/crc64.ko "$mods"/lib/crc7.ko \
		>/out/trace-uffd.txt
	run kmodaudit trace -- busybox rmmod crc64
	end
else
	skip trace-uffd uffd-loader
fi

if has frontend; then
	begin frontend frontend
	run /kma/fe/modprobe ts_bm
	run /kma/fe/insmod "$mods"/lib/crc-itu-t.ko
	run /kma/fe/insmod "$mods"/lib/crc-itu-t.ko
	run /kma/fe/rmmod crc_itu_t
	run /kma/fe/modprobe -r ts_bm
	end
else
	skip frontend frontend
fi

# Issue 11: another thread rewrites the caller's memory at the system call itself, after the
# shim read and recorded it (kma-race: the caller stopped by a seccomp user notification, the
# kernel let go on afterwards). shim-partial-image: init_module of an image whose last page is
# unreadable, ts_bm in the readable prefix, bch put in place at the stop; the kernel reads the
# caller's memory and loads bch: our records must state nothing of the prefix (check.py).
# shim-unload-race: delete_module of 55 'X' (the longest name the kernel looks up), then of 63
# (longer than it reads), rewritten to "bch" at the stop: the kernel must get the name our record
# gives (ENOENT; bch is unloaded by rmmod after).
if has race; then
	begin shim-partial-image shim
	run /kma/bin/kma-race init "$mods"/lib/ts_bm.ko "$mods"/lib/bch.ko >/out/shim-partial-image.txt
	end
	begin shim-unload-race shim
	run /kma/bin/kma-race unload bch >/out/shim-unload-race.txt
	run /kma/bin/kma-race unload bch 63 >>/out/shim-unload-race.txt
	run /sbin/rmmod bch
	end
else
	skip shim-partial-image race
	skip shim-unload-race race
fi

# syscall() looked up by dlsym(): in the global scope the shim's (recorded); through a handle of
# libc itself libc's own, which the shim does not see (README: the rule); the kernel does, and so
# does kmodaudit trace.
if has dlsym; then
	begin shim-dlsym-global shim
	run /kma/bin/kma-dlsym default finit "$mods"/lib/lru_cache.ko
	run /kma/bin/kma-dlsym default delete lru_cache
	end
	begin shim-dlsym-libc none
	run /kma/bin/kma-dlsym libc finit "$mods"/lib/lru_cache.ko
	run /kma/bin/kma-dlsym libc delete lru_cache
	end
	if has trace; then
		begin shim-dlsym-libc-trace trace
		run kmodaudit trace -- /kma/bin/kma-dlsym libc finit "$mods"/lib/lru_cache.ko
		run kmodaudit trace -- /kma/bin/kma-dlsym libc delete lru_cache
		end
	else
		skip shim-dlsym-libc-trace trace
	fi
else
	skip shim-dlsym dlsym
fi

if has transparency; then
	begin transparency-shim shim
	run /kma/bin/transparency -m "$mods"/lib/ts_fsm.ko -n ts_fsm >/out/transparency-shim.txt
	# EBUSY: vrf, loaded by the busy scenario, has no exit function
	has loader && run /kma/bin/kma-load delete vrf >>/out/transparency-shim.txt
	end
	mv /etc/ld.so.preload /tmp/ld.so.preload.off 2>/dev/null
	begin transparency-plain none
	run /kma/bin/transparency -m "$mods"/lib/ts_fsm.ko -n ts_fsm >/out/transparency-plain.txt
	has loader && run /kma/bin/kma-load delete vrf >>/out/transparency-plain.txt
	end
	mv /tmp/ld.so.preload.off /etc/ld.so.preload 2>/dev/null
else
	skip transparency transparency
fi
# BPF program loads (issue 14): each kernel AUDIT_BPF LOAD of these loaders has exactly one result
# record of ours with its prog id (check.py's check_bpf), from the emitter the scenario names; the
# static loader alone is the kernel's record only.
if has bpf-dyn; then
	begin bpf-shim shim
	run /kma/bin/bpf-dyn-load kma_vm_shim
	end
else
	skip bpf-shim bpf-dyn
fi
if has bpf-static && has trace; then
	begin bpf-trace trace
	run kmodaudit trace -- /kma/bin/bpf-static-load kma_vm_trace
	end
else
	skip bpf-trace bpf-static
fi
if has bpf-static; then
	begin bpf-unseen none
	run /kma/bin/bpf-static-load kma_vm_bare
	end
else
	skip bpf-unseen bpf-static
fi

echo "=== scenarios done; loaded now:"
cat /proc/modules
