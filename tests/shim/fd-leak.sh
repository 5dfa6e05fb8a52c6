# SPDX-License-Identifier: LGPL-2.1-or-later
# No fd or memory growth with intercepted calls, every fd close-on-exec (fd-check.c); with the
# core and without it.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
ko=$KMA_LOAD # any file will do when the fixtures are missing
if [ -s "$KMODAUDIT_CACHE/env" ]; then
	. "$KMODAUDIT_CACHE/env"
	ko=$(find "$MODDIR/kernel/net" -name 'af_key.ko*' | sed -n 1p)
fi
shim_run "$TESTS_BIN/fd-check" "$ko" || fail "with the core"
LD_PRELOAD=$SHIM KMODAUDIT_IMPL=/nonexistent "$TESTS_BIN/fd-check" "$ko" || fail "without the core"
echo PASS
