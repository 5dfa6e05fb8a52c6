#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Option parity: our insmod/rmmod/modprobe against Debian's kmod on the same module tree and
# modprobe.d. For every command line, stdout, stderr and the exit code must be byte for byte
# equal. On this machine the module syscalls fail (ENOSYS): both say so the same way.
. "$KMODAUDIT_SRC/tests/wrappers/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh" # syslog listener
wr_setup

# Our records go to a file of this test, not to the host's audit trail. The core trusts only a
# root-owned config that others cannot write.
cat >"$T/kmodaudit.conf" <<EOF
[sinks]
file=$T/records.jsonl
fallback=none
EOF
chmod 600 "$T/kmodaudit.conf"
export KMODAUDIT_CONFIG=$T/kmodaudit.conf

fails=0 total=0

# check TOOL ARGS...: run both, compare.
check() {
	local ref_out ref_err ref_rc
	total=$((total + 1))
	wr_run ref "$@"
	ref_out=$WR_OUT ref_err=$WR_ERR ref_rc=$WR_RC
	wr_run ours "$@"
	if [ "$ref_out" == "$WR_OUT" ] && [ "$ref_err" == "$WR_ERR" ] && [ "$ref_rc" == "$WR_RC" ]; then
		return 0
	fi
	fails=$((fails + 1))
	echo "FAIL: $*"
	[ "$ref_rc" == "$WR_RC" ] || echo "  exit: kmod $ref_rc, ours $WR_RC"
	[ "$ref_out" == "$WR_OUT" ] || diff <(printf '%s' "$ref_out") <(printf '%s' "$WR_OUT") |
		sed 's/^/  stdout: /' | sed -n 1,20p
	[ "$ref_err" == "$WR_ERR" ] || diff <(printf '%s' "$ref_err") <(printf '%s' "$WR_ERR") |
		sed 's/^/  stderr: /' | sed -n 1,20p
}

# check_env VAR=VALUE TOOL ARGS...: the same with one more variable in the environment.
check_env() {
	local assignment=$1
	shift
	export "${assignment?}"
	check "$@"
	unset "${assignment%%=*}"
}

D=(-d "$ROOT" -S "$KVER")
DC=(-C "$CONF" -d "$ROOT" -S "$KVER")
FAT=$M/kernel/fs/fat/fat.ko
VFAT=$M/kernel/fs/fat/vfat.ko
# A module the kernel has built in (modules.builtin of the tree).
BUILTIN=$(sed -n 's|.*/\([^/]*\)\.ko$|\1|p' "$M/modules.builtin" | sed -n 1p)

# --- modprobe: queries ---
check modprobe "${D[@]}" -c
check modprobe "${DC[@]}" -c
check modprobe "${DC[@]}" --showconfig
check modprobe "${DC[@]}" -R myalias
check modprobe "${DC[@]}" -R two-mods
check modprobe "${DC[@]}" -R blk
check modprobe "${DC[@]}" -b -R blk
check modprobe "${D[@]}" -R fs-vfat
check modprobe "${D[@]}" -R nonexistent
check modprobe "${D[@]}" --show-exports "$FAT"
check modprobe "${D[@]}" --show-exports "$VFAT"
check modprobe "${D[@]}" --show-exports "$T/nonexistent.ko"
check modprobe "${D[@]}" --dump-modversions "$VFAT"
check modprobe "${D[@]}" --show-modversions "$FAT"
check modprobe "${D[@]}" --dump-modversions "$T/nonexistent.ko"
check modprobe "${D[@]}" --dump-modversions /etc/hostname
check modprobe -D "${D[@]}" vfat
check modprobe "${DC[@]}" -D vfat
check modprobe "${DC[@]}" -D vfat x=1 'y=a b' "z='c d'"
check modprobe "${DC[@]}" -D af_key
check modprobe "${DC[@]}" -D vsock_loopback
check modprobe "${DC[@]}" --show-depends xfrm4_tunnel
check modprobe "${DC[@]}" -D myalias
check modprobe "${DC[@]}" -D -b loop
check modprobe "${DC[@]}" -D -i tunnel4
check modprobe "${D[@]}" -D "$BUILTIN"
check modprobe "${D[@]}" -D nonexistent

# --- modprobe: dry runs ---
check modprobe "${D[@]}" -n vfat
check modprobe "${DC[@]}" -n -v vfat
check modprobe "${DC[@]}" --dry-run --verbose myalias
check modprobe "${DC[@]}" -n -v blk
check modprobe "${DC[@]}" -n -v -b blk
check modprobe "${DC[@]}" -n -v -b loop
check modprobe "${DC[@]}" -n -v loop
check modprobe "${DC[@]}" -n -v tunnel4 a=1
check modprobe "${DC[@]}" -n -v -i tunnel4 a=1
check modprobe "${DC[@]}" -n -v -a vfat loop af_key
check modprobe "${DC[@]}" -n -v -a vfat nonexistent loop
check modprobe "${DC[@]}" -n -v -r tunnel4
check modprobe "${DC[@]}" -n -v -r -i tunnel4
check modprobe "${DC[@]}" -n -v -r vfat
check modprobe "${DC[@]}" -n -v -r --remove-holders vfat

# --- modprobe: loads and unloads (the kernel answers ENOSYS here) ---
check modprobe "${D[@]}" vfat
check modprobe "${DC[@]}" vfat
check modprobe "${DC[@]}" -v vfat
check modprobe "${DC[@]}" -q vfat
check modprobe "${DC[@]}" -f vfat
check modprobe "${DC[@]}" --force-vermagic --force-modversion loop
check modprobe "${DC[@]}" --first-time vfat
check modprobe "${DC[@]}" -a vfat loop
check modprobe "${DC[@]}" -a nonexistent vfat
check modprobe "${DC[@]}" tunnel4 a=1 'b=x y'
check modprobe "${DC[@]}" xfrm4_tunnel
check modprobe "${DC[@]}" xfrm_algo
check modprobe "${DC[@]}" vsock
check modprobe "${DC[@]}" -v vsock_loopback
check modprobe "${DC[@]}" blk
check modprobe "${DC[@]}" -b loop
check modprobe "${D[@]}" nonexistent
check modprobe "${D[@]}" -q nonexistent
check modprobe "${D[@]}" "$BUILTIN"
check modprobe "${D[@]}" --first-time "$BUILTIN"
check modprobe "${D[@]}" -r vfat
check modprobe "${D[@]}" -r nonexistent
check modprobe "${D[@]}" -r nonexistent vfat
check modprobe "${D[@]}" -q -r nonexistent vfat
check modprobe "${D[@]}" -r -a nonexistent vfat
check modprobe "${D[@]}" --first-time -r vfat
check modprobe "${D[@]}" -r "$BUILTIN"
check modprobe "${D[@]}" --first-time -r "$BUILTIN"
check modprobe "${DC[@]}" -r tunnel4
check modprobe "${DC[@]}" -r xfrm_algo
check modprobe "${DC[@]}" -r -w 100 vfat
check modprobe "${D[@]}" -r -w 10x vfat
check modprobe "${D[@]}" -w 100 -r --remove-dependencies vfat

# --- modprobe: the command line itself ---
check modprobe "${D[@]}"
check modprobe
check modprobe -x vfat
check modprobe --no-such-option
check modprobe -C
check modprobe -d "$ROOT" -S "$KVER" -S "$KVER" -n vfat
check modprobe -d "$T/nowhere" -S "$KVER" vfat
check modprobe -S 0.0-nonexistent vfat
check_env MODPROBE_OPTIONS="-n -v" modprobe "${DC[@]}" vfat
check_env MODPROBE_OPTIONS="-C $CONF -q" modprobe -d "$ROOT" -S "$KVER" nonexistent
check_env MODPROBE_OPTIONS="-n  -v" modprobe "${DC[@]}" vfat
check_env MODPROBE_OPTIONS="'-n' \"-v\"" modprobe "${DC[@]}" vfat
check_env MODPROBE_OPTIONS="-n \"-v\"x" modprobe "${DC[@]}" vfat
check_env MODPROBE_OPTIONS="-n -v" modprobe "${DC[@]}" tunnel4 'p="x y"' "q='z'"
check_env MODPROBE_OPTIONS="-n -v 'unclosed" modprobe "${DC[@]}" vfat

check modprobe "${D[@]}" -q -- vfat
check modprobe "${D[@]}" -q -- nonexistent

# -V: the first two lines ("kmod version N", the build features libkmod has) as kmod's; a third
# names kmodaudit.
for tool in insmod rmmod modprobe; do
	total=$((total + 1))
	wr_run ref "$tool" -V
	ref_head=$(sed -n 1,2p <<<"$WR_OUT")
	wr_run ours "$tool" -V
	our_head=$(sed -n 1,2p <<<"$WR_OUT")
	if [ "$ref_head" != "$our_head" ] || [ "$WR_RC" != 0 ] ||
		! grep '^kmodaudit [0-9.]*: ' <<<"$WR_OUT" >/dev/null; then
		fails=$((fails + 1))
		echo "FAIL: $tool -V: kmod '$ref_head', ours '$WR_OUT' (exit $WR_RC)"
	fi
done
# kmodaudit-kmod by its own name: --help and --version succeed, on stdout; no tool name fails.
for arg in --help --version; do
	total=$((total + 1))
	out=$("$KMODAUDIT_BUILD/wrappers/kmodaudit-kmod" "$arg" 2>/dev/null) && [ -n "$out" ] ||
		{ fails=$((fails + 1)); echo "FAIL: kmodaudit-kmod $arg: exit $? or no output"; }
done
total=$((total + 1))
if "$KMODAUDIT_BUILD/wrappers/kmodaudit-kmod" >/dev/null 2>&1; then
	fails=$((fails + 1))
	echo "FAIL: kmodaudit-kmod without a tool name succeeded"
fi

# --- insmod ---
check insmod
check insmod "$FAT"
check insmod "$FAT" a=1 b=2
check insmod -f "$VFAT"
check insmod -s "$FAT"
check insmod -p "$FAT"
check insmod "$T/nonexistent.ko"
check insmod -
check insmod /etc/hostname
check insmod -x "$FAT"
check insmod -v "$FAT"
check insmod "$FAT" -f

# --- rmmod ---
check rmmod
check rmmod vfat
check rmmod vfat loop
check rmmod -v vfat
check rmmod -f vfat
check rmmod -f vfat fat
check rmmod "$FAT"
check rmmod "$BUILTIN"
check rmmod -w vfat
check rmmod -x vfat
check rmmod -s vfat

# --- modules the kernel has: loaded, in use, held, builtin (a made-up /sys/module) ---
# fake_module NAME STATE REFCNT [HOLDERS...]; STATE "builtin" makes a bare directory.
fake_module() {
	local d=$T/sysmodule/$1 h
	mkdir -p "$d"
	[ "$2" = builtin ] && return
	echo "$2" >"$d/initstate"
	echo "$3" >"$d/refcnt"
	mkdir -p "$d/holders"
	for h in "${@:4}"; do
		ln -s "../../$h" "$d/holders/$h"
	done
}
can_fake_sysfs() {
	mkdir -p "$T/probe/x" && echo live >"$T/probe/x/initstate" &&
		unshare -m --propagation private bash -c \
			'mount --bind "$0" /sys/module && [ -f /sys/module/x/initstate ]' "$T/probe" \
			2>/dev/null
}
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && can_fake_sysfs; then
	fake_module vfat live 0
	fake_module fat live 1 vfat
	fake_module loop live 2
	fake_module tunnel4 live 0
	fake_module xfrm4_tunnel coming 0
	fake_module "$BUILTIN" builtin
	export WR_SYSMODULE=$T/sysmodule

	check modprobe "${DC[@]}" vfat
	check modprobe "${DC[@]}" --first-time vfat
	check modprobe "${DC[@]}" -a --first-time vfat loop
	check modprobe "${DC[@]}" -n -v vfat
	check modprobe "${DC[@]}" -D vfat
	check modprobe "${DC[@]}" -v xfrm4_tunnel
	check modprobe "${DC[@]}" vsock_loopback
	check modprobe "${DC[@]}" "$BUILTIN"
	check modprobe "${DC[@]}" -r vfat
	check modprobe "${DC[@]}" -r -v vfat
	check modprobe "${DC[@]}" -r -n -v vfat
	check modprobe "${DC[@]}" -r fat
	check modprobe "${DC[@]}" -r -a fat loop
	check modprobe "${DC[@]}" -r --remove-holders fat
	check modprobe "${DC[@]}" -r -n -v --remove-holders fat
	check modprobe "${DC[@]}" -r loop
	check modprobe "${DC[@]}" -r -w 50 loop
	check modprobe "${DC[@]}" -r -f vfat
	check modprobe "${DC[@]}" -r --first-time vfat
	check modprobe "${DC[@]}" -r tunnel4
	check modprobe "${DC[@]}" -r -i tunnel4
	check modprobe "${DC[@]}" -r "$BUILTIN"
	check rmmod vfat
	check rmmod fat
	check rmmod loop
	check rmmod -f loop
	check rmmod -v vfat fat loop
	check rmmod "$BUILTIN"
	check rmmod "$FAT"
	check insmod "$VFAT"
	unset WR_SYSMODULE
else
	echo "note: no private mount namespace here: loaded modules not simulated"
fi

# --- messages to syslog (-s, or modprobe without a stderr): same text, same priority ---
# check_syslog STDERR TOOL ARGS...: STDERR "closed" runs the tool with fd 2 closed.
check_syslog() {
	local how=$1 which dir got=()
	shift
	total=$((total + 1))
	for which in ref ours; do
		dir=$T/syslog-$which
		mkdir -p "$dir"
		syslog_listen "$dir" || { fails=$((fails + 1)); echo "FAIL: syslog listener"; return; }
		[ "$which" = ref ] && WR_DIR=$REF_DIR || WR_DIR=$OUR_DIR
		if [ "$how" = closed ]; then
			syslog_run "$dir" bash -c 'cd "$0" && exec -a "$1" "$2" "${@:3}" 2>&-' \
				"$T" "$1" "$WR_DIR/$1" "${@:2}" >/dev/null
		else
			syslog_run "$dir" bash -c 'cd "$0" && exec -a "$1" "$2" "${@:3}"' \
				"$T" "$1" "$WR_DIR/$1" "${@:2}" >/dev/null 2>&1
		fi
		syslog_wait "$dir" . 2 || true
		sleep 0.2
		syslog_stop "$dir"
		# "<prio>Mmm dd hh:mm:ss ident: text": the time differs between the runs.
		got+=("$(sed -E 's/^(<[0-9]+>)[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} /\1/' "$dir/messages")")
	done
	if [ -z "${got[0]}" ]; then
		fails=$((fails + 1))
		echo "FAIL: syslog $*: kmod sent nothing to syslog, nothing compared"
	elif [ "${got[0]}" != "${got[1]}" ]; then
		fails=$((fails + 1))
		echo "FAIL: syslog $*"
		diff <(printf '%s\n' "${got[0]}") <(printf '%s\n' "${got[1]}") | sed 's/^/  syslog: /'
	fi
}

can_private_syslog() {
	mkdir -p "$T/probe-syslog" && syslog_listen "$T/probe-syslog" >/dev/null 2>&1 &&
		syslog_run "$T/probe-syslog" logger -u /dev/log probe >/dev/null 2>&1
	local r=$?
	syslog_stop "$T/probe-syslog"
	return $r
}
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && can_private_syslog; then
	check_syslog open rmmod -s vfat
	check_syslog open rmmod -s -f vfat
	check_syslog open modprobe -s "${D[@]}" nonexistent
	check_syslog open modprobe -s "${DC[@]}" vfat
	check_syslog open modprobe -s "${DC[@]}" xfrm_algo
	check_syslog closed modprobe "${D[@]}" nonexistent
	check_syslog closed modprobe "${DC[@]}" -r --first-time vfat
else
	echo "note: no private /dev/log here: syslog messages not compared"
fi

echo "$((total - fails))/$total command lines behave as kmod's"
[ "$fails" -eq 0 ]
