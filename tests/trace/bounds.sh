#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The emitters read a call's arguments within the same bounds (src/shared/call.h), so the same
# call gives the same record whoever records it: here the preload shim and kmodaudit trace.
# delete_module of a name longer than any kernel reads (KMA_UNLOAD_NAME_MAX) names the 55 bytes
# a kernel can look up, in both (the tracer named up to 256 bytes before).
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
shim=$KMODAUDIT_BUILD/shim/libkmodaudit.so
kma_load=$KMODAUDIT_BUILD/tests/kma-load
[ -f "$shim" ] && [ -x "$kma_load" ] || skip "the shim or kma-load is not built"
export KMODAUDIT_IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
out=$work/r.jsonl
printf '[sinks]\nfile = %s\nfallback = none\n' "$out" >"$KMODAUDIT_CONFIG"
chmod 755 "$work"
chmod 644 "$KMODAUDIT_CONFIG"

# field VIA OP FIELD: FIELD of the one record of VIA and OP
field() { records "$out" via="$1" op="$2" -- "$3"; }

long=$(printf 'n%.0s' $(seq 1 60))
LD_PRELOAD=$shim "$kma_load" delete "$long" >/dev/null 2>&1 || true
"$kmodaudit" trace -- "$kma_load" delete "$long" >/dev/null 2>&1 || true
expect "unload name, shim" "$(field preload kmod_unload name)" "${long:0:55}"
expect "unload name, tracer" "$(field trace kmod_unload name)" "${long:0:55}"

echo PASS
