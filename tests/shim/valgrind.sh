# SPDX-License-Identifier: LGPL-2.1-or-later
# The shim and its core under valgrind's memcheck, on a real module: each kind of call, with a
# good and a bad fd (kma-load); no invalid access, no uninitialised use, no definite leak.
# (Bad pointers are the transparency matrix's: valgrind itself objects to them.)
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
command -v valgrind >/dev/null || kma_skip "valgrind missing"
fixtures
ko=$MODDIR/kernel/drivers/net/dummy.ko
log=$(mktemp)
trap 'rm -f "$log"' EXIT

vg() { # CMD...: 99 is valgrind's verdict; any other status is the program's
	local rc=0
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --log-file="$log" "$@" >/dev/null || rc=$?
	if [ "$rc" = 99 ] || [ -s "$log" ]; then
		cat "$log" >&2
		fail "valgrind: $*"
	fi
}
vg "$KMA_LOAD" init "$ko" "numdummies=1"
vg "$KMA_LOAD" init-syscall "$ko"
vg "$KMA_LOAD" finit "$ko" "numdummies=1"
vg "$KMA_LOAD" -c 3 delete dummy
vg "$KMA_LOAD" finit-fd 99
echo PASS
