#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Secure execution: a setuid-root program (tests/hardening/kma-secure) run by an unprivileged
# user runs with AT_SECURE; the shim it loads must then ignore KMODAUDIT_IMPL and
# KMODAUDIT_CONFIG from the caller's environment and use the built-in paths. In a private
# mount namespace the built-in paths (config.h: KMODAUDIT_IMPL_PATH, KMODAUDIT_CONFIG_PATH)
# hold this build's core and a config whose file sink is builtin.json; the environment points
# at the same core under another name and a config whose file sink is env.json. The same
# program without the setuid bit is the control: there the environment must win.
. "$KMODAUDIT_SRC/tests/hardening/lib.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root (setuid root program, mount namespace)"
command -v setpriv >/dev/null || kma_skip "setpriv missing"
id nobody >/dev/null 2>&1 || kma_skip "no user nobody"
SECURE=$HBIN/kma-secure
[ -x "$SECURE" ] || { echo "FAIL: kma-secure not built"; exit 1; }
PLAIN_SHIM=$KMODAUDIT_BUILD/shim/libkmodaudit.so
PLAIN_IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
cfg() { sed -n "s/^#define $1 \"\\(.*\\)\"$/\\1/p" "$KMODAUDIT_BUILD/config.h"; }
IMPL_PATH=$(cfg KMODAUDIT_IMPL_PATH)
CONFIG_PATH=$(cfg KMODAUDIT_CONFIG_PATH)
[ -n "$IMPL_PATH" ] && [ -n "$CONFIG_PATH" ] || { echo "FAIL: no paths in config.h"; exit 1; }
# A tmpfs goes over the directory of each built-in path (or over its parent when the
# directory does not exist yet): never over a directory the system's own libraries live in.
mount_point() {
	local d
	d=$(dirname "$1")
	[ -d "$d" ] || d=$(dirname "$d")
	case $d in
	/ | /usr | /usr/lib | /usr/lib64 | /lib | /lib64 | /usr/lib/*-linux-gnu | /lib/*-linux-gnu | /etc)
		kma_skip "built-in path $1: would hide $d (configure with the default /usr/local prefix)" ;;
	esac
	[ -d "$d" ] || kma_skip "built-in path $1: neither its directory nor the parent exists"
	echo "$d"
}
impl_mnt=$(mount_point "$IMPL_PATH")
conf_mnt=$(mount_point "$CONFIG_PATH")

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
mkdir -m 1777 "$dir/out"
cp "$PLAIN_IMPL" "$dir/env-impl.so"
cp "$PLAIN_SHIM" "$dir/shim.so"
chmod 755 "$dir/env-impl.so" "$dir/shim.so"
conf_file "$dir/env.conf" "[sinks]" "fallback=none" "file=$dir/out/env.json"
conf_file "$dir/builtin.conf" "[sinks]" "fallback=none" "file=$dir/out/builtin.json"
cp "$SECURE" "$dir/kma-secure-suid"
chmod 4755 "$dir/kma-secure-suid"
cp "$SECURE" "$dir/kma-secure-plain"
chmod 755 "$dir/kma-secure-plain"

# run PROGRAM NAME: as nobody, in a namespace where the built-in paths hold our core and config
run() {
	unshare -m --propagation private sh -c '
		set -e
		mount -t tmpfs -o mode=755 tmpfs "$1"
		[ "$2" = "$1" ] || mount -t tmpfs -o mode=755 tmpfs "$2"
		mkdir -p "$(dirname "$3")" "$(dirname "$5")"
		cp "$4" "$3" && chmod 644 "$3"
		cp "$6" "$5" && chmod 644 "$5"
		shift 6
		exec "$@"' sh "$impl_mnt" "$conf_mnt" "$IMPL_PATH" "$dir/env-impl.so" "$CONFIG_PATH" \
		"$dir/builtin.conf" setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env KMODAUDIT_IMPL="$dir/env-impl.so" KMODAUDIT_CONFIG="$dir/env.conf" \
		"$1" "$dir/shim.so" "$2"
}
count() { cat "$dir/out/$1.json" 2>/dev/null | grep -c "\"name\":\"$2\""; }

out=$(run "$dir/kma-secure-plain" control_mod 2>&1)
[[ "$out" == "at_secure=0 ret=-1 errno="* ]] || fail "control: $out"
[ "$(count env control_mod)" = 1 ] || fail "control: the environment's config was not used"
[ "$(count builtin control_mod)" = 0 ] || fail "control: the built-in config was used"

out=$(run "$dir/kma-secure-suid" secure_mod 2>&1)
case $out in
"at_secure=1 ret=-1 errno="*) ;;
"at_secure=0 "*) kma_skip "setuid bit not honoured here (nosuid mount?)" ;;
*) fail "setuid: $out" ;;
esac
[ "$(count builtin secure_mod)" = 1 ] ||
	fail "AT_SECURE: no record through the built-in core and config ($(cat "$dir"/out/*.json 2>/dev/null))"
[ "$(count env secure_mod)" = 0 ] || fail "AT_SECURE: KMODAUDIT_CONFIG was obeyed"
# the built-in core was the one loaded: without it the record is lost, however the env points
run_nocore() {
	unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=755 tmpfs "$1" && mount -t tmpfs -o mode=755 tmpfs "$2" &&
		mkdir -p "$(dirname "$4")" && cp "$3" "$4" && chmod 644 "$4" && shift 4 && exec "$@"' \
		sh "$impl_mnt" "$conf_mnt" "$dir/builtin.conf" "$CONFIG_PATH" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups \
		env KMODAUDIT_IMPL="$dir/env-impl.so" KMODAUDIT_CONFIG="$dir/env.conf" \
		"$1" "$dir/shim.so" "$2"
}
if [ "$impl_mnt" != "$conf_mnt" ]; then
	out=$(run_nocore "$dir/kma-secure-suid" nocore_mod 2>&1)
	[[ "$out" == "at_secure=1 ret=-1 errno="* ]] || fail "setuid without the built-in core: $out"
	[ "$(count env nocore_mod)$(count builtin nocore_mod)" = 00 ] ||
		fail "AT_SECURE: KMODAUDIT_IMPL was obeyed"
fi
finish "under AT_SECURE the shim ignores KMODAUDIT_IMPL and KMODAUDIT_CONFIG; without it they apply"
