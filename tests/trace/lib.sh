# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the kmodaudit trace tests: paths, fixtures, a private configuration, assertions.
set -euo pipefail
: "${KMODAUDIT_CACHE:?}" "${KMODAUDIT_BUILD:?}" "${KMODAUDIT_SRC:?}"

kmodaudit=$KMODAUDIT_BUILD/src/kmodaudit
loader=$KMODAUDIT_BUILD/tests/kma-trace-loader
loader32=$KMODAUDIT_BUILD/tests/kma-trace-loader32
mt_loader=$KMODAUDIT_BUILD/tests/kma-trace-mt-loader
records_py=$KMODAUDIT_SRC/tests/trace/records.py

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# expect WHAT GOT WANT
expect() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}

# Fixtures: Debian's kernel package (real signed modules) and busybox-static.
load_fixtures() {
	[ -s "$KMODAUDIT_CACHE/env" ] ||
		skip "no fixtures in $KMODAUDIT_CACHE (tests/fixtures/fetch-debs)"
	# shellcheck disable=SC1091
	. "$KMODAUDIT_CACHE/env"
	module=$MODDIR/kernel/net/key/af_key.ko
	[ -f "$module" ] || fail "fixture module missing: $module"
	module_name=$(modinfo -F name "$module")
	module_sha=$(sha256sum "$module" | cut -d' ' -f1)
	module_size=$(stat -c %s "$module")
}

# A private configuration: no machine-wide /etc/kmodaudit.conf (a fail-closed policy, another
# file sink) changes what these tests see. Records go to the audit socket as usual and to -o.
export KMODAUDIT_CONFIG=$work/kmodaudit.conf
: > "$KMODAUDIT_CONFIG"

# records FILE [KEY=VALUE ...] [-- FIELD ...]  (see records.py)
records() {
	python3 "$records_py" "$@"
}

# count FILE [KEY=VALUE ...]: how many records match.
count() {
	records "$@" | wc -l
}

upper() {
	tr '[:lower:]' '[:upper:]'
}

# The loader's own account of a call: "pid=P syscall=S ret=R" -> P, R.
pid_of() { sed -n 's/^pid=\([0-9]*\) .*/\1/p' "$1" | sed -n 1p; }
ret_of() { sed -n 's/.* ret=\(-\?[0-9]*\)$/\1/p' "$1" | sed -n 1p; }
