# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the hardening tests: where the build put things, and how to preload the shim.
# In a sanitized build (KMODAUDIT_SANITIZER_PRELOAD is set by tests/hardening/tests.cmake) the
# ASan-instrumented shim and core are used, with the ASan runtime preloaded ahead of them.
set -uo pipefail
: "${KMODAUDIT_BUILD:?run through ctest}" "${KMODAUDIT_SRC:?}" "${KMODAUDIT_CACHE:?}"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"

HBIN=$KMODAUDIT_BUILD/tests/hardening
KMA_LOAD=$KMODAUDIT_BUILD/tests/kma-load
AUPARSE=$KMODAUDIT_BUILD/tests/record/kma-auparse
if [ -n "${KMODAUDIT_SANITIZER_PRELOAD:-}" ]; then
	SHIM=$HBIN/libkmodaudit-shim-asan.so
	IMPL=$HBIN/libkmodaudit-impl-asan.so
	SHIM_PRELOAD="$KMODAUDIT_SANITIZER_PRELOAD $SHIM"
else
	SHIM=$KMODAUDIT_BUILD/shim/libkmodaudit.so
	IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
	SHIM_PRELOAD=$SHIM
fi
for f in "$SHIM" "$IMPL" "$KMA_LOAD" "$AUPARSE"; do
	[ -e "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done

fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}
finish() {
	if [ "$fails" -gt 0 ]; then
		echo "FAIL: $fails checks"
		exit 1
	fi
	echo "PASS: $*"
}

# hex STRING: upper-case hex of its bytes
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }

# "${SHIM_ENV[@]}" CMD...: CMD with the shim preloaded and pointed at the build's core (an env
# command: CMD keeps its pid). SHIM_ENV_FOREIGN for programs not built here (kmod, python3):
# no leak report of their own memory.
SHIM_ENV=(env LD_PRELOAD="$SHIM_PRELOAD" KMODAUDIT_IMPL="$IMPL"
	ASAN_OPTIONS=verify_asan_link_order=0)
SHIM_ENV_FOREIGN=(env LD_PRELOAD="$SHIM_PRELOAD" KMODAUDIT_IMPL="$IMPL"
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0)

# conf_file PATH LINES...: a root-owned, 0644 configuration file
conf_file() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
	chmod 644 "$f"
}
