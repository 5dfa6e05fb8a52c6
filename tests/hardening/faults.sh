#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults, end to end through the preload shim (kma-load, a crafted signed module): each time
# the module call must go on to the kernel (fail-open: this kernel answers ENOSYS) and the
# record must be in some sink: audit, the syslog fallback (a private listener), the JSON file;
# when the shim cannot even load its core, its own "record lost" line in syslog. In
# fail-closed mode the same faults refuse the call with EPERM before the kernel sees it, and
# syslog says why (the kernel log when there is no syslog). (tests/record/fallback.sh checks the core's sink logic alone with kma-emit;
# here it is the whole path, in a real loader.)
#
# Faults: audit disabled; no CAP_AUDIT_WRITE; the kernel never acknowledges (measured); audit
# refused (user namespace) with the syslog socket missing; the file sink on a full
# filesystem; hostile configuration files (world- and group-writable, symlink, not owned by
# root, over 64 KiB, binary, a FIFO); the core missing, garbage, or without the entry point
# (fail-closed: loads refused by the shim alone, unloads go on);
# allocation failures (tests/hardening/failmalloc.c: the Nth allocation after the first
# intercepted call fails, for N over every allocation of an unload and a sample of a load's;
# KMA_FAIL_EVERY=1 tries every N of the load too).
. "$KMODAUDIT_SRC/tests/hardening/lib.sh"
audit_setup
command -v unshare >/dev/null && unshare -U -r true 2>/dev/null || kma_skip "no user namespaces"
command -v openssl >/dev/null || kma_skip "openssl missing"

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
# No acknowledgement ever: every receive fails with EAGAIN.
NOACK=("$KMODAUDIT_BUILD/tests/kma-deny" recvfrom,recvmsg,recvmmsg:EAGAIN)
FAILMALLOC=$HBIN/libkma-failmalloc.so
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=kmodaudit fault tests" 2>/dev/null ||
	kma_skip "openssl cannot make a certificate"
KO=$dir/faultmod.ko
python3 "$KMODAUDIT_SRC/tests/hardening/mkko.py" "$KO" --name-hex "$(hex faultmod)" \
	--modinfo-hex "license=$(hex GPL)" --sign-cms "$dir/cert.pem" "$dir/key.pem" ||
	fail "cannot craft the module"
faults=0
mark=$(audit_mark)

# load LABEL [WRAPPER...] -- : finit_module of $KO through the shim with args "fault=LABEL";
# its output ("finit ret=R errno=E") in $out. The wrapper words come first (capsh, unshare).
load() {
	local label=$1
	shift
	faults=$((faults + 1))
	out=$("$@" "${SHIM_ENV[@]}" "$KMA_LOAD" finit "$KO" "fault=$label" 2>&1)
}
# went_on LABEL: the kernel got the call (this kernel: ENOSYS; a kernel with modules: anything
# but our EPERM)
went_on() {
	[[ "$out" == "finit ret=-1 errno=ENOSYS" || "$out" == "finit ret=0 errno=0" ]] ||
		fail "$1: the call did not go on: $out"
}
refused() {
	[ "$out" = "finit ret=-1 errno=EPERM" ] || fail "$1: not refused with EPERM: $out"
}
in_syslog() { syslog_wait "$dir" "$2" 3 || fail "$1: not in syslog: $2"; }
in_audit() { audit_wait_grep "$mark" "args=\"fault=$1\"" || fail "$1: record not in audit"; }
not_in_audit() {
	audit_user_records "$mark" | grep "args=\"fault=$1\"" >/dev/null && fail "$1: record in audit?"
}
conf() { conf_file "$dir/$1.conf" "${@:2}"; echo "$dir/$1.conf"; }
# rec_in_syslog LABEL: intent and result records of LABEL in syslog
rec_in_syslog() {
	in_syslog "$1" "USER ver=2 op=kmod_load_intent .*args=\"fault=$1\""
	in_syslog "$1" "USER ver=2 op=kmod_load .*args=\"fault=$1\""
}

# --- fail-open -------------------------------------------------------------------------------
sys=$(conf sys "[sinks]" "syslog_socket=$dir/log")
export KMODAUDIT_CONFIG=$sys

# 1. audit disabled: the kernel would take the record and drop it
audit_disable || fail "cannot disable audit"
load disabled
went_on disabled
rec_in_syslog disabled
KMODAUDIT_CONFIG=$(conf fc-dis "[policy]" "mode=fail-closed" "[sinks]" "fallback=none" \
	"syslog_socket=$dir/log") load fc-disabled
refused fc-disabled
in_syslog fc-disabled "fail-closed: refused finit_module .*no sink took the record"
# no syslog either: the refusal is explained in the kernel log
if dmesg >/dev/null 2>&1; then
	out=$(KMODAUDIT_CONFIG=$(conf fc-dis-nolog "[policy]" "mode=fail-closed" "[sinks]" \
		"fallback=none" "syslog_socket=$dir/nosuch") sh -c 'echo "$$"; exec "$@"' sh \
		"${SHIM_ENV[@]}" "$KMA_LOAD" finit "$KO" fault=fc-dis-nolog 2>&1)
	faults=$((faults + 1))
	pid=$(head -1 <<<"$out")
	out=$(tail -n +2 <<<"$out")
	refused fc-dis-nolog
	dmesg | grep "kmodaudit\[$pid\]: fail-closed: refused finit_module" >/dev/null ||
		fail "fc-dis-nolog: the refusal is not in the kernel log"
fi
audit_enable
not_in_audit disabled

# 2. no CAP_AUDIT_WRITE
nocap() { capsh --drop=cap_audit_write -- -c 'exec "$0" "$@"' "$@"; }
if command -v capsh >/dev/null; then
	load nocap nocap
	went_on nocap
	rec_in_syslog nocap
	KMODAUDIT_CONFIG=$(conf fc-nocap "[policy]" "mode=fail-closed" "[sinks]" "fallback=none" \
		"syslog_socket=$dir/log") load fc-nocap nocap
	refused fc-nocap
	in_syslog fc-nocap "fail-closed: refused finit_module .*audit: Operation not permitted"
else
	echo "note: capsh missing: no CAP_AUDIT_WRITE case"
fi

# 3. the kernel never acknowledges: bounded by audit_timeout_ms, per record (intent + result)
for t in 100 default; do
	c=$(conf "noack$t" "[sinks]" "syslog_socket=$dir/log" \
		$([ "$t" = default ] || echo "audit_timeout_ms=$t"))
	limit=$([ "$t" = default ] && echo 300 || echo "$t")
	start=$(date +%s%N)
	KMODAUDIT_CONFIG=$c load "noack$t" "${NOACK[@]}"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "no acknowledgement, audit_timeout_ms=$t: the call took $ms ms (2 records)"
	went_on "noack$t"
	rec_in_syslog "noack$t"
	[ "$ms" -ge $((2 * limit)) ] || fail "noack$t: $ms ms: shorter than the two waits?"
	[ "$ms" -le $((2 * limit + 3000)) ] || fail "noack$t: $ms ms: the wait is not bounded"
done
KMODAUDIT_CONFIG=$(conf fc-noack "[policy]" "mode=fail-closed" "[sinks]" "fallback=none" \
	"syslog_socket=$dir/log") load fc-noack "${NOACK[@]}"
refused fc-noack
in_syslog fc-noack "fail-closed: refused finit_module .*audit: Connection timed out"

# 4. audit refused (user namespace) and the syslog socket missing: the file sink has it
KMODAUDIT_CONFIG=$(conf nosyslog "[sinks]" "syslog_socket=$dir/nosuch" \
	"file=$dir/nosyslog.json") load nosyslog unshare -U -r
went_on nosyslog
[ "$(grep -c '"args":"fault=nosyslog"' "$dir/nosyslog.json" 2>/dev/null)" = 2 ] ||
	fail "nosyslog: the file sink does not have both records"
KMODAUDIT_CONFIG=$(conf fc-nosyslog "[policy]" "mode=fail-closed" "[sinks]" \
	"syslog_socket=$dir/nosuch") load fc-nosyslog unshare -U -r
refused fc-nosyslog

# 5. the file sink on a full filesystem: audit has the records; in a user namespace with
#    no fallback, fail-closed refuses
mkdir "$dir/full"
fullfs() { # a wrapper: run the rest in a mount namespace with a full tmpfs on $dir/full
	unshare -m --propagation private sh -c 'mount -t tmpfs -o size=16k tmpfs "$0/full" &&
		head -c 1M /dev/zero >"$0/full/fill" 2>/dev/null; exec "$@"' "$dir" "$@"
}
KMODAUDIT_CONFIG=$(conf full "[sinks]" "file=$dir/full/r.json" "fallback=none") load full fullfs
went_on full
in_audit full
KMODAUDIT_CONFIG=$(conf fc-full "[policy]" "mode=fail-closed" "[sinks]" "fallback=none" \
	"file=$dir/full/r.json" "syslog_socket=$dir/log") load fc-full fullfs unshare -U -r
refused fc-full
in_syslog fc-full "fail-closed: refused finit_module .*no sink took the record"

# 6. hostile configuration files: ignored as a whole (a warning in syslog says why), the
#    defaults apply: the record goes to audit; what the file asks (fail-closed, a file sink,
#    no fallback) does not happen. The warning goes to the default socket: a private /dev/log.
hostile() { # KIND: a config at $dir/h-KIND.conf asking for fail-closed and a file sink
	local f=$dir/h-$1.conf
	printf '[policy]\nmode=fail-closed\n[sinks]\nfallback=none\nfile=%s\n' "$dir/h-$1.json" >"$f"
	chmod 644 "$f"
	echo "$f"
}
declare -A why=([world]="writable by group or others" [group]="writable by group or others"
	[symlink]="it is a symlink" [owner]="not owned by root" [huge]="larger than 64 KiB"
	[binary]="binary content" [fifo]="not a regular file")
chmod 666 "$(hostile world)"
chmod 664 "$(hostile group)"
ln -s "$(hostile target)" "$dir/h-symlink.conf"
chown nobody "$(hostile owner)"
{ cat "$(hostile huge)"; head -c 70000 /dev/zero | tr '\0' '#'; } >"$dir/h-huge.tmp"
mv "$dir/h-huge.tmp" "$dir/h-huge.conf"
{ cat "$(hostile binary)"; printf 'x\0y\n'; } >"$dir/h-binary.tmp"
mv "$dir/h-binary.tmp" "$dir/h-binary.conf"
mkfifo "$dir/h-fifo.conf"
for k in "${!why[@]}"; do
	KMODAUDIT_CONFIG=$dir/h-$k.conf load "hostile-$k" syslog_run "$dir"
	went_on "hostile-$k"
	in_syslog "hostile-$k" "config $dir/h-$k.conf ignored: ${why[$k]}"
	[ -e "$dir/h-$k.json" ] && fail "hostile-$k: the file sink of an ignored config was used"
	in_audit "hostile-$k"
done

# 7. the core missing, garbage, or not ours. Fail-open: the call goes on; the shim's syslog
#    line says the record is lost and why. Fail-closed (the shim reads [policy] mode itself,
#    with the core's trust checks): a load is refused with EPERM before the kernel sees it
#    (this kernel would say ENOSYS) and syslog says why; an unload goes on, as in the core; an
#    untrusted fail-closed file is ignored (fail-open), and the lost-record line says so.
head -c 4096 /dev/urandom >"$dir/garbage.so"
libz=$(ldconfig -p | awk '/libz\.so\.1 .*x86-64/ && !n++ {print $NF}')
fc_core=$(conf fc-core "[policy]" "mode=fail-closed")
fc_core_ww=$(conf fc-core-ww "[policy]" "mode=fail-closed")
chmod 666 "$fc_core_ww"
# core_run LABEL CORE CONFIG KMA-LOAD-ARGS...: kma-load with the shim on core CORE; "$out"
core_run() {
	local label=$1 impl=$2 c=$3
	shift 3
	out=$(KMODAUDIT_CONFIG=$c syslog_run "$dir" env LD_PRELOAD="$SHIM_PRELOAD" \
		KMODAUDIT_IMPL="$impl" ASAN_OPTIONS=verify_asan_link_order=0 "$KMA_LOAD" "$@" 2>&1)
	faults=$((faults + 1))
}
for core in missing:"$dir/missing.so" garbage:"$dir/garbage.so" foreign:"${libz:-/nonexistent}"; do
	kind=${core%%:*} impl=${core#*:}
	label=core-$kind
	core_run "$label" "$impl" "$sys" finit "$KO" "fault=$label"
	went_on "$label"
	in_syslog "$label" "record lost: finit_module by kma-load\[[0-9]+\]: .*$impl"

	label=fc-core-$kind
	core_run "$label" "$impl" "$fc_core" finit "$KO" "fault=$label"
	refused "$label"
	in_syslog "$label" "fail-closed: refused finit_module by kma-load\[[0-9]+\] \(fd [0-9]+ $KO\): .*$impl"
	core_run "$label-init" "$impl" "$fc_core" init "$KO" "fault=$label-init"
	[ "$out" = "init ret=-1 errno=EPERM" ] || fail "$label-init: not refused with EPERM: $out"
	in_syslog "$label-init" "fail-closed: refused init_module by kma-load\[[0-9]+\] \(image of $(stat -c %s "$KO") bytes\): .*$impl"
	core_run "$label-delete" "$impl" "$fc_core" delete "fc-core-$kind-delete"
	[ "$out" = "delete ret=-1 errno=ENOSYS" ] || [ "$out" = "delete ret=0 errno=0" ] ||
		fail "$label-delete: the unload did not go on: $out"
	in_syslog "$label-delete" "record lost: delete_module by kma-load\[[0-9]+\]: .*$impl"

	label=fc-core-ww-$kind
	core_run "$label" "$impl" "$fc_core_ww" finit "$KO" "fault=$label"
	went_on "$label"
	in_syslog "$label" "record lost: finit_module by kma-load\[[0-9]+\]: .*$impl.*; config $fc_core_ww ignored: writable by group or others"
done

# 8. allocation failures. The allocator shim counts from the first intercepted call; every N
#    from 1 to the call's allocation count for an unload, a sample for a load (~5,000
#    allocations: OpenSSL). Each run: the call goes on, and either its record is in a sink or
#    the shim said in syslog that the core could not be loaded. Runs in private /dev/log
#    namespaces; one ausearch at the end.
fm_conf=$(conf fm "[sinks]" "syslog_socket=$dir/log")
fc_conf=$(conf fmc "[policy]" "mode=fail-closed" "[sinks]" "syslog_socket=$dir/log")
# The allocator shim replaces malloc: no ASan runtime in that process. The plain shim and core
# (plain in sanitized builds too) in a plain loader.
FM_SHIM=$KMODAUDIT_BUILD/shim/libkmodaudit.so
FM_IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
FM_LOAD=$KMA_LOAD
[ -x "$HBIN/kma-load-plain" ] && FM_LOAD=$HBIN/kma-load-plain
fm_run() { # OP N [fail-closed]: one run; "LABEL PID ALLOCS OUTPUT" appended to fm.results
	local op=$1 n=$2 label=fm-$1-$2 c=$fm_conf args
	if [ -n "${3:-}" ]; then
		label=fmc-$1-$2
		c=$fc_conf
	fi
	# KMA_FAIL_SIZE: only allocations of that size count (failmalloc.c)
	[ -z "${KMA_FAIL_SIZE:-}" ] || label=$label-s$KMA_FAIL_SIZE
	if [ "$op" = delete ]; then args=(delete "$label"); else args=(finit "$KO" "fault=$label"); fi
	rm -f "$dir/fl"
	out=$(KMODAUDIT_CONFIG=$c syslog_run "$dir" sh -c 'echo $$; exec "$@"' sh \
		env KMA_FAIL_NTH="$n" KMA_FAIL_LOG="$dir/fl" LD_PRELOAD="$FAILMALLOC $FM_SHIM" \
		KMODAUDIT_IMPL="$FM_IMPL" "$FM_LOAD" "${args[@]}" 2>&1)
	faults=$((faults + 1))
	allocs=$(sed -n 's/^allocs=\([0-9]*\) .*/\1/p' "$dir/fl" 2>/dev/null)
	printf '%s %s %s %s\n' "$label" "$(head -1 <<<"$out")" "${allocs:-?}" \
		"$(tail -n +2 <<<"$out" | tr '\n' ' ')" >>"$dir/fm.results"
}
: >"$dir/fm.results"
n=1
while :; do
	fm_run delete $n
	[ "${allocs:-0}" -ge $n ] || break
	n=$((n + 1))
done
delete_allocs=$((n - 1))
n=1
while :; do
	fm_run finit $n
	[ "${allocs:-0}" -ge $n ] || break
	if [ -n "${KMA_FAIL_EVERY:-}" ] || [ $n -lt 150 ]; then
		n=$((n + 1))
	else
		n=$((n + 97))
	fi
done
load_allocs=$((n - 1))
for n in 1 3 10 30 60 100 200 400 1000 2000 3000 4000; do
	fm_run finit $n fail-closed
done
# fail-closed refuses loads only: an unload goes on whichever allocation fails
for ((n = 1; n <= delete_allocs; n++)); do
	fm_run delete $n fail-closed
done
# No memory for the configuration file's buffer (shared/conf-file.h: CONF_TEXT_SIZE): the core
# cannot know [policy] mode and must not start on the defaults (fail-open); the shim reads the
# mode itself then. Fail-closed: refused; fail-open: goes on.
conf_text_size=$(($(sed -n 's/^#define CONF_MAX_SIZE (\(.*\))$/\1/p' \
	"$KMODAUDIT_SRC/src/shared/conf-file.h") + 2))
export KMA_FAIL_SIZE=$conf_text_size
fm_run finit 1 fail-closed
fm_run finit 1
unset KMA_FAIL_SIZE

# verdicts, once the listener and auditd have written everything
sleep 1
audit_user_records "$mark" >"$dir/audit.raw"
lost=0 core_msg=0 refusals=0 runs=0 degraded=0
while read -r label pid allocs rest; do
	runs=$((runs + 1))
	case $label in
	fm-delete-*) pat="name=\"$label\"" ;;
	*) pat="args=\"fault=$label\"" ;;
	esac
	if [[ $label == fmc-finit-*-s* && $rest != "finit ret=-1 errno=EPERM" ]]; then
		fail "$label: fail-closed, no memory for the configuration: not refused: '$rest'"
	fi
	if [[ $label == fmc-* && $rest == "finit ret=-1 errno=EPERM" ]]; then
		grep -aEq "kmodaudit\[$pid\]: fail-closed: refused" "$dir/messages" ||
			fail "$label: refused without saying why in syslog"
		refusals=$((refusals + 1))
		continue
	fi
	case $rest in
	"finit ret=-1 errno=ENOSYS" | "delete ret=-1 errno=ENOSYS") ;;
	*) fail "$label: the call did not go on, or the loader died: '$rest'" ;;
	esac
	# the records of this process: audit (the kernel's pid=) or syslog (kmodaudit[pid])
	recs=$(grep -a " pid=$pid uid=" "$dir/audit.raw"; grep -aE "kmodaudit\[$pid\]: USER ver=2 " "$dir/messages")
	if [ -n "$recs" ]; then
		# a value the failure made unknown is "?", never another value
		grep -q "$pat" <<<"$recs" || degraded=$((degraded + 1))
		continue
	fi
	if grep -aEq "kmodaudit\[$pid\]: record lost: " "$dir/messages"; then
		core_msg=$((core_msg + 1))
		continue
	fi
	lost=$((lost + 1))
	fail "$label: no record anywhere (pid $pid, $allocs allocations)"
done <"$dir/fm.results"
echo "allocation failures: $runs runs (unload: every N of $delete_allocs allocations; load:" \
	"$(grep -c '^fm-finit' "$dir/fm.results") values of N up to $load_allocs; fail-closed load:" \
	"12, fail-closed unload: every N, no memory for the config: 2); records lost: $lost; records with a value left unknown ('?'): $degraded;" \
	"no record but syslog says it was lost (core could not load, no memory): $core_msg;" \
	"fail-closed refusals (with the reason in syslog): $refusals"
echo "faults tried: $faults"
[ -n "${KMA_DEBUG:-}" ] && { syslog_messages "$dir"; cat "$dir/fm.results"; }
finish "every fault: the call went on and the record was kept (fail-closed: EPERM and why)"
