#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The front end's records, read back from the real auditd: every module syscall that our
# insmod, modprobe and rmmod make (counted independently with strace) has exactly one intent
# (loads) and one result record, via=kmod, whose fields match the file (sha256sum, stat, kmod's
# modinfo). With the preload shim also loaded, the count stays the same: nothing is recorded
# twice; the install command's child (busybox insmod) is recorded by the shim.
. "$KMODAUDIT_SRC/tests/wrappers/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"

# Here the kernel has no module support and answers ENOSYS: nothing gets loaded. A kernel that
# loads modules would really load these: that belongs to the qemu test bed.
[ -e /proc/modules ] && wr_skip "this kernel loads modules: run in the qemu test bed"
command -v strace >/dev/null || wr_skip "strace not installed"
audit_setup
wr_setup

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

FAT=$M/kernel/fs/fat/fat.ko
VFAT=$M/kernel/fs/fat/vfat.ko
LOOP=$M/kernel/drivers/block/loop.ko
cp "$FAT" "$T/renamed.ko"

# run_traced NAME TOOL ARGS...: run our TOOL under strace; PID and the number of module
# syscalls it made (NCALLS, NLOADS) are what the records are checked against.
run_traced() {
	local name=$1 tool=$2
	shift 2
	strace -f -qq -s 65536 -o "$T/$name.strace" -e trace=init_module,finit_module,delete_module \
		-e signal=none bash -c 'cd "$0" && exec -a "$1" "$2" "${@:3}"' \
		"$T" "$tool" "$OUR_DIR/$tool" "$@" >"$T/$name.out" 2>&1
	python3 "$KMODAUDIT_SRC/tests/wrappers/strace-calls.py" "$T/$name.strace" >"$T/$name.calls"
	PID=$(head -1 "$T/$name.calls" | cut -d$'\x1f' -f1)
	NCALLS=$(awk -F'\037' -v p="$PID" '$1 == p' "$T/$name.calls" | wc -l)
	NLOADS=$(awk -F'\037' -v p="$PID" '$1 == p && $2 != "delete_module"' "$T/$name.calls" | wc -l)
}

# check_calls NAME RECORDS: the n-th call of the process (strace) against the result record
# seq=n: same syscall, same parameter string or name, same answer from the kernel.
check_calls() {
	local name=$1 recs=$2 n=0 pid sys str ret line field
	while IFS=$'\x1f' read -r pid sys str ret; do
		[ "$pid" = "$PID" ] || continue
		n=$((n + 1))
		line=$(printf '%s\n' "$recs" | grep -E " op=kmod_(load|unload) seq=$n ")
		[ -n "$line" ] || { fail "$name: no result record seq=$n"; continue; }
		[ "$(audit_field "$line" call)" = "$sys" ] || fail "$name: seq=$n call"
		[ "$sys" = delete_module ] && field=name || field=args
		[ "$(audit_field "$line" $field)" = "$str" ] ||
			fail "$name: seq=$n $field: kernel got '$str', record '$(audit_field "$line" $field)'"
		[ "$(audit_field "$line" exit)" = "$ret" ] || fail "$name: seq=$n exit: kernel $ret"
	done <"$T/$name.calls"
}

# check_counts NAME RECORDS: one result per syscall, one intent per load, all via=kmod.
check_counts() {
	local name=$1 recs=$2 results intents other
	results=$(printf '%s\n' "$recs" | grep -c " op=kmod_load seq=\| op=kmod_unload seq=")
	intents=$(printf '%s\n' "$recs" | grep -c " op=kmod_load_intent seq=")
	other=$(printf '%s\n' "$recs" | grep -vc " via=kmod ")
	[ "$NCALLS" -gt 0 ] || fail "$name: no module syscall made"
	[ "$results" = "$NCALLS" ] || fail "$name: $NCALLS syscalls, $results result records"
	[ "$intents" = "$NLOADS" ] || fail "$name: $NLOADS loads, $intents intent records"
	[ "$other" = 0 ] || fail "$name: $other records not via=kmod"
}

# check_load_fields NAME LINE FILE: the fields of a load record against the file.
check_load_fields() {
	local name=$1 line=$2 file=$3 f want got
	[ "$(audit_field "$line" sha256)" = "$(sha256sum "$file" | cut -d' ' -f1 | tr a-f A-F)" ] ||
		fail "$name: sha256"
	[ "$(audit_field "$line" size)" = "$(stat -c %s "$file")" ] || fail "$name: size"
	[ "$(audit_field "$line" name)" = "$(modinfo -F name "$file")" ] || fail "$name: name"
	for f in vermagic srcversion license intree signer sig_key sig_hashalgo; do
		want=$(modinfo -F "$f" "$file" | tr -d '\n')
		got=$(audit_field "$line" "$f" | tr -d '\n')
		[ "$want" = "$got" ] || fail "$name: $f: modinfo '$want', record '$got'"
	done
}

# records_of NAME: wait for the records of PID (2 per load, 1 per unload).
records_of() {
	audit_wait_records "$mark" $((NCALLS + NLOADS)) -p "$PID" || true
}

mark=$(audit_mark)

# insmod: finit_module (ENOSYS here), then libkmod's fallback init_module with the image.
run_traced insmod insmod "$FAT" codepage=437 'iocharset=utf8'
recs=$(records_of insmod)
check_counts insmod "$recs"
check_calls insmod "$recs"
while IFS= read -r line; do
	check_load_fields insmod "$line" "$FAT"
	[ "$(audit_field "$line" comm)" = insmod ] || fail "insmod: comm"
	case "$(audit_field "$line" call)" in
	finit_module) [ "$(audit_field "$line" path)" = "$FAT" ] || fail "insmod: path" ;;
	init_module) ;;
	*) fail "insmod: call $(audit_field "$line" call)" ;;
	esac
done <<<"$recs"
# intent and result of one call share seq
for s in $(printf '%s\n' "$recs" | sed -n 's/.* op=kmod_load_intent seq=\([0-9]*\) .*/\1/p'); do
	grep -q " op=kmod_load seq=$s " <<<"$recs" || fail "insmod: intent seq=$s has no result"
done

# insmod of a renamed file: the name the user gave differs from the module's.
run_traced renamed insmod "$T/renamed.ko"
recs=$(records_of renamed)
check_counts renamed "$recs"
check_calls renamed "$recs"
grep -q ' anomaly="\?[a-z_,]*name_mismatch' <<<"$recs" ||
	fail "renamed: no name_mismatch anomaly"

# modprobe: dependencies first (fat fails, so vfat is not tried), options from modprobe.d and
# the command line.
run_traced modprobe modprobe -C "$CONF" -d "$ROOT" -S "$KVER" vfat
recs=$(records_of modprobe)
check_counts modprobe "$recs"
check_calls modprobe "$recs"
while IFS= read -r line; do
	check_load_fields modprobe "$line" "$FAT"
	[ "$(audit_field "$line" comm)" = modprobe ] || fail "modprobe: comm"
done <<<"$recs"
grep -q 'anomaly=.*name_mismatch' <<<"$recs" && fail "modprobe: name_mismatch for fat"

run_traced modprobe2 modprobe -d "$ROOT" -S "$KVER" loop max_loop=2 'x=a b'
recs=$(records_of modprobe2)
check_counts modprobe2 "$recs"
check_calls modprobe2 "$recs"
while IFS= read -r line; do
	check_load_fields modprobe2 "$line" "$LOOP"
done <<<"$recs"

# A compressed module: libkmod 30 decompresses it and passes the image to init_module; the
# record describes the bytes the kernel got, the decompressed ones.
if command -v xz >/dev/null; then
	xz -c --check=crc32 "$LOOP" >"$T/loop.ko.xz"
	run_traced xz insmod "$T/loop.ko.xz"
	recs=$(records_of xz)
	check_counts xz "$recs"
	check_calls xz "$recs"
	while IFS= read -r line; do
		[ "$(audit_field "$line" call)" = init_module ] || fail "xz: $(audit_field "$line" call)"
		[ "$(audit_field "$line" sha256)" = "$(xz -dc "$T/loop.ko.xz" | sha256sum | cut -d' ' -f1 | tr a-f A-F)" ] ||
			fail "xz: sha256 is not the decompressed image's"
		[ "$(audit_field "$line" size)" = "$(xz -dc "$T/loop.ko.xz" | wc -c)" ] || fail "xz: size"
		[ "$(audit_field "$line" name)" = loop ] || fail "xz: name"
	done <<<"$recs"
fi

# rmmod -f: straight to delete_module (O_NONBLOCK|O_TRUNC as kmod passes them).
run_traced rmmod rmmod -f vfat
recs=$(records_of rmmod)
check_counts rmmod "$recs"
check_calls rmmod "$recs"
line=$(printf '%s\n' "$recs" | grep ' op=kmod_unload ')
[ "$(audit_field "$line" name)" = vfat ] || fail "rmmod: name"
[ "$(audit_field "$line" call)" = delete_module ] || fail "rmmod: call"
want_flags=0
for f in $(grep -o 'O_[A-Z_|]*' "$T/rmmod.strace" | sed -n 1p | tr '|' ' '); do
	case $f in
	O_NONBLOCK) want_flags=$((want_flags | 0x800)) ;;
	O_TRUNC) want_flags=$((want_flags | 0x200)) ;;
	*) fail "rmmod: unexpected flag $f" ;;
	esac
done
[ "$(audit_field "$line" call_flags)" = "$(printf '0x%x' "$want_flags")" ] || fail "rmmod: call_flags"

# With the shim preloaded: still exactly one record per call, all from us (via=kmod); the
# install command's child, a busybox insmod, is recorded by the shim (via=preload).
SHIM=${KMA_SHIM:-$KMODAUDIT_BUILD/shim/libkmodaudit.so}
IMPL=${KMA_IMPL:-$KMODAUDIT_BUILD/src/libkmodaudit-impl.so}
if [ -f "$SHIM" ] && [ -f "$IMPL" ]; then
	export LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL
	run_traced shim-insmod insmod "$FAT"
	recs=$(records_of shim-insmod)
	check_counts shim-insmod "$recs"
	check_calls shim-insmod "$recs"
	run_traced shim-modprobe modprobe -C "$CONF" -d "$ROOT" -S "$KVER" vfat
	recs=$(records_of shim-modprobe)
	check_counts shim-modprobe "$recs"
	check_calls shim-modprobe "$recs"
	run_traced shim-rmmod rmmod -f vfat
	recs=$(records_of shim-rmmod)
	check_counts shim-rmmod "$recs"
	check_calls shim-rmmod "$recs"

	if [ -x "${BUSYBOX:-}" ]; then
		echo "install loop $BUSYBOX insmod $LOOP" >"$CONF/child.conf"
		run_traced shim-child modprobe -C "$CONF" -d "$ROOT" -S "$KVER" loop
		child=$(cut -d$'\x1f' -f1 "$T/shim-child.calls" | sort -u | sed -n 1p)
		if [ -n "$child" ]; then
			crecs=$(audit_wait_records "$mark" 2 -p "$child" || true)
			grep -q ' via=preload .*name="loop"' <<<"$crecs" ||
				fail "install command child $child: no via=preload record: $(cat "$T/shim-child.calls")"
		else
			fail "install command child made no module call"
		fi
	fi
	unset LD_PRELOAD KMODAUDIT_IMPL
else
	echo "note: shim not built, preload part not run"
fi

[ "$fails" -eq 0 ] && echo "records of insmod, modprobe, rmmod: OK"
[ "$fails" -eq 0 ]
