# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the shim's test scripts: where the build put the shim, its core and the programs.
set -euo pipefail
: "${KMODAUDIT_BUILD:?run through ctest}" "${KMODAUDIT_SRC:?}" "${KMODAUDIT_CACHE:?}"
SHIM=$KMODAUDIT_BUILD/shim/libkmodaudit.so
IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
TESTS_BIN=$KMODAUDIT_BUILD/tests
KMA_LOAD=$TESTS_BIN/kma-load
for f in "$SHIM" "$IMPL" "$KMA_LOAD"; do
	[ -e "$f" ] || { echo "FAIL: $f not built" >&2; exit 1; }
done

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# shim_run CMD...: CMD with the build's shim preloaded and pointed at the build's core.
shim_run() {
	LD_PRELOAD=$SHIM KMODAUDIT_IMPL=$IMPL "$@"
}

# fixtures: the Debian kernel package and busybox (tests/fixtures/fetch-debs), or SKIP.
fixtures() {
	[ -s "$KMODAUDIT_CACHE/env" ] || kma_skip "no fixtures in $KMODAUDIT_CACHE (make fixtures)"
	# shellcheck disable=SC1091
	. "$KMODAUDIT_CACHE/env"
}

# kma_skip is audit.sh's; the scripts that do not source it get this one.
if ! declare -F kma_skip >/dev/null; then
	kma_skip() {
		echo "SKIP: $*"
		exit 77
	}
fi

# file_sink_conf DIR: a trusted config whose records also go to DIR/records.json (one JSON object
# per line), without a syslog fallback; prints its path. For tests that need no audit state.
file_sink_conf() {
	chmod 755 "$1"
	printf '[sinks]\nfallback = none\nfile = %s/records.json\n' "$1" >"$1/kmodaudit.conf"
	chmod 644 "$1/kmodaudit.conf"
	echo "$1/kmodaudit.conf"
}
