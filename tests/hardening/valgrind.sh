#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shim and its core under valgrind's memcheck on the paths the other hardening tests take
# (tests/shim/valgrind.sh has the plain load and unload of a real module): hostile names,
# signer and args; the syslog fallback (audit refused in a user namespace); a fail-closed
# refusal; the core missing; threads and forked children (kma-stress); kmod's own insmod.
# No invalid access, no use of uninitialised memory, no definite leak.
. "$KMODAUDIT_SRC/tests/hardening/lib.sh"
command -v valgrind >/dev/null || kma_skip "valgrind missing"
command -v openssl >/dev/null || kma_skip "openssl missing"
command -v unshare >/dev/null && unshare -U -r true 2>/dev/null || kma_skip "no user namespaces"
# valgrind cannot run ASan programs: the plain shim, core and programs of the build
SHIM=$KMODAUDIT_BUILD/shim/libkmodaudit.so
IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
LOAD=$KMA_LOAD
[ -x "$HBIN/kma-load-plain" ] && LOAD=$HBIN/kma-load-plain

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -subj $'/CN=v"g\'=\n\xff res=success' \
	2>/dev/null || kma_skip "openssl cannot make a certificate"
KO=$dir/$'v g"\n.ko'
python3 "$KMODAUDIT_SRC/tests/hardening/mkko.py" "$KO" --name-hex "$(hex $'v"g\n\xff')" \
	--modinfo-hex "license=$(hex GPL)" --modinfo-hex "vermagic=$(hex $'x\ny "z"')" \
	--sign-cms "$dir/cert.pem" "$dir/key.pem" || fail "cannot craft the module"
ARGS=$'a="b c" d=\'e\' res=success\n\xff'
conf_file "$dir/sys.conf" "[sinks]" "syslog_socket=$dir/log" "file=$dir/r.json"
conf_file "$dir/closed.conf" "[policy]" "mode=fail-closed" "[sinks]" "fallback=none" \
	"syslog_socket=$dir/log"
runs=0

vg() { # LABEL CONFIG [WRAPPER...] -- CMD...: memcheck on CMD with the shim preloaded
	local label=$1 conf=$2 rc=0 log=$dir/vg-$1.log
	shift 2
	local wrap=()
	while [ "$1" != -- ]; do wrap+=("$1"); shift; done
	shift
	runs=$((runs + 1))
	KMODAUDIT_CONFIG=$conf "${wrap[@]}" env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" \
		valgrind -q --error-exitcode=99 --leak-check="${VG_LEAKS:-full}" \
		--errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --trace-children=no --child-silent-after-fork=no \
		--log-file="$log.%p" "$@" >"$dir/vg-$label.out" 2>&1 || rc=$?
	if [ "$rc" = 99 ] || [ -n "$(cat "$log".* 2>/dev/null)" ]; then
		cat "$log".* >&2
		fail "valgrind: $label"
	fi
}
vg finit "$dir/sys.conf" unshare -U -r -- "$LOAD" finit "$KO" "$ARGS"
vg init "$dir/sys.conf" unshare -U -r -- "$LOAD" init "$KO" "$ARGS"
vg delete "$dir/sys.conf" unshare -U -r -- "$LOAD" -c 3 delete $'v"g\n\xff'
grep -q 'errno=EPERM' "$dir/vg-delete.out" && fail "delete: refused?"
vg closed "$dir/closed.conf" unshare -U -r -- "$LOAD" finit "$KO" "$ARGS"
grep -q 'errno=EPERM' "$dir/vg-closed.out" || fail "fail-closed: not refused: $(cat "$dir/vg-closed.out")"
IMPL=$dir/missing.so vg nocore "$dir/sys.conf" -- "$LOAD" finit "$KO" "$ARGS"
IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
vg threads "$dir/sys.conf" unshare -U -r -- "$HBIN/kma-stress" 1 4 6 "$KO"
# A child forked while other threads were inside the shim holds copies of their in-flight
# records that no thread of its own points to: a leak report there would be about the parent.
VG_LEAKS=no vg fork "$dir/sys.conf" unshare -U -r -- "$HBIN/kma-stress" 3 4 6 "$KO"
if command -v insmod >/dev/null; then
	vg kmod-insmod "$dir/sys.conf" unshare -U -r -- "$(command -v insmod)" "$KO" "$ARGS"
fi
# the calls were recorded (the syslog fallback and the file sink)
syslog_wait "$dir" "op=kmod_load .*via=preload call=finit_module" ||
	fail "no finit_module record in syslog"
[ "$(grep -c '"op":"kmod_unload"' "$dir/r.json")" -ge 3 ] || fail "unload records missing"
finish "$runs programs under memcheck: no invalid access, no definite leak"
