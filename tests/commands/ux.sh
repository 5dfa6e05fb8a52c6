#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 17's terminal and consistency items: every subcommand's errors start with
# "kmodaudit SUBCOMMAND:" (getopt's too); check's lines fit the width (the terminal's, else
# COLUMNS, else 80) with the fix on its own line; check and preload take a relative --root the
# same way; check as a user who may not read rules.d SKIPs instead of suggesting rules --install;
# preload enable/disable --json print one JSON object a line.
set -euo pipefail

: "${KMODAUDIT_BUILD:?}" "${KMODAUDIT_SRC:?}"
K=$KMODAUDIT_BUILD/src/kmodaudit
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }
run() { rc=0; "$@" >"$W/out" 2>"$W/err" || rc=$?; }

# --- error prefixes
for sub in inspect trace report check rules preload; do
	run "$K" "$sub" --no-such-option
	first=$(sed -n 1p "$W/err")
	[ "$rc" = 2 ] && [[ "$first" == "kmodaudit $sub: "* ]] &&
		pass "$sub: usage error prefixed 'kmodaudit $sub:'" ||
		fail "$sub: exit $rc, first error line '$first'"
done

# --- check's width: a tree where every check has something long to say
mkdir -p "$W/tree/etc"
maxlen() { awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$1"; }
run env -u COLUMNS "$K" check --root "$W/tree"
[ "$(maxlen "$W/out")" -le 80 ] && pass "not a terminal, no COLUMNS: 80 columns" ||
	fail "a line of $(maxlen "$W/out") columns without COLUMNS: $(cat "$W/out")"
run env COLUMNS=50 "$K" check --root "$W/tree"
[ "$(maxlen "$W/out")" -le 50 ] && pass "COLUMNS=50 honoured" ||
	fail "a line of $(maxlen "$W/out") columns with COLUMNS=50"
grep -E '^ {6}fix: ' "$W/out" >/dev/null && ! grep -F ' -- fix: ' "$W/out" >/dev/null &&
	pass "the fix on its own line" || fail "the fix is not on its own line: $(cat "$W/out")"
# a terminal: its width, whatever COLUMNS says
if command -v script >/dev/null; then
	script -qec "stty cols 60; COLUMNS=200 $K check --root $W/tree" /dev/null | tr -d '\r' >"$W/tty" || true
	[ "$(maxlen "$W/tty")" -le 60 ] && [ "$(maxlen "$W/tty")" -gt 40 ] &&
		pass "a 60-column terminal honoured" || fail "terminal: a line of $(maxlen "$W/tty") columns"
fi

# --- under --root the fixes act on the tree
run env COLUMNS=1000 "$K" check --root "$W/tree"
grep -F "fix: run \`kmodaudit rules --root $W/tree --install\`" "$W/out" >/dev/null &&
	pass "--root in the rules fix" || fail "no --root in the rules fix: $(cat "$W/out")"

# --- a relative --root: check and preload take it from the current directory
(cd "$W" && COLUMNS=1000 "$K" check --root tree >"$W/rel" 2>&1) || true
diff <(cut -d' ' -f1-4 "$W/out") <(cut -d' ' -f1-4 "$W/rel") >/dev/null &&
	pass "check --root tree = check --root $W/tree" || fail "check: relative --root differs"
rc=0
(cd "$W" && "$K" preload status --root tree) >"$W/prel" 2>&1 || rc=$?
[ "$rc" = 3 ] && pass "preload status --root tree (relative) works: not listed, exit 3" ||
	fail "preload --root tree: exit $rc: $(cat "$W/prel")"

# --- preload enable/disable --json, on a tree with a library fit to be listed
if [ "$(id -u)" = 0 ]; then
	lib=$(ldconfig -p | awk '/libaudit\.so\.1 .*x86-64|libaudit\.so\.1 \(libc6\)/ && !n++ {print $NF}')
	mkdir -p "$W/tree$(dirname "$lib")"
	cp "$lib" "$W/tree$lib"
	chmod 0755 "$W/tree"
	for step in "enable true true" "enable false true" "disable true false" "disable false false"; do
		set -- $step
		run "$K" preload "$1" --root "$W/tree" -l "$lib" --json
		python3 - "$W/out" "$1" "$2" "$3" "$W/tree" "$lib" <<'PY' && pass "preload $1 --json (changed=$2)" || fail "preload $1 --json: $(cat "$W/out" "$W/err")"
import json, sys
out, action, changed, listed, root, lib = sys.argv[1:]
lines = open(out).read().splitlines()
assert len(lines) == 1, lines
j = json.loads(lines[0])
assert j["action"] == action and j["library"] == lib, j
assert j["changed"] == (changed == "true") and j["listed"] == (listed == "true"), j
assert j["file"].endswith("/etc/ld.so.preload"), j
PY
	done
else
	echo "note: not root: preload --json needs a root-owned library"
fi

# --- check as a user who may not read rules.d: SKIP, "run as root", no rules --install
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$W/locked/etc/audit/rules.d"
	chmod 0750 "$W/locked/etc/audit/rules.d"
	chmod 0755 "$W" "$W/locked" "$W/locked/etc" "$W/locked/etc/audit"
	out=$(COLUMNS=1000 setpriv --reuid=nobody --regid=nogroup --clear-groups "$K" check --root "$W/locked" 2>&1) || true
	grep -x "SKIP  CIS 6.2.3.19 on-disk rules: cannot read /etc/audit/rules.d: Permission denied; run as root" <<<"$out" >/dev/null &&
		! grep -F "rules --root $W/locked --install" <<<"$out" >/dev/null &&
		pass "non-root: SKIP, run as root" || fail "non-root: $out"
fi

[ "$fails" = 0 ] || exit 1
echo PASS
