# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit check on the configuration file (under --root): missing (the defaults), ignored as a
# whole (world-writable, not root's, a symlink: a FAIL naming the reason, since fail-closed is
# lost), trusted with bad lines (a WARN with each FILE:LINE, "N more" past five), trusted and
# clean (a PASS naming the mode). JSON carries the same lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || kma_skip "needs root to make a root-owned configuration file"
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"
conf_path=$(sed -n 's/^#define KMODAUDIT_CONFIG_PATH "\(.*\)"$/\1/p' "$KMODAUDIT_BUILD/config.h")
[ -n "$conf_path" ] || fail "no KMODAUDIT_CONFIG_PATH in config.h"
t=$work/tree
f=$t$conf_path
mkdir -p "$(dirname "$f")"
T="kmodaudit configuration"

# run: check --root on the tree (wide, so every line is whole), its output in $work/out.
run() {
	rc=0
	COLUMNS=400 "$KMA" check --root "$t" >"$work/out" 2>&1 || rc=$?
}
# has LINE: the output has exactly this line.
has() {
	grep -qxF -- "$1" "$work/out" || { cat "$work/out"; fail "no line '$1'"; }
}

run
has "PASS  $T: no $f: the defaults apply (fail-open)"
echo "ok: no file"

printf '[policy]\nmode = fail-closed\n' >"$f"
chmod 0666 "$f"
run
[ "$rc" = 1 ] || { cat "$work/out"; fail "world-writable: exit $rc, want 1"; }
has "FAIL  $T: config $f ignored: writable by group or others; none of its settings apply (fail-closed neither): the defaults do"
has "      fix: chown root:root $f && chmod go-w $f"
echo "ok: world-writable -> FAIL with the reason and the fix"

chmod 0644 "$f"
chown 1:1 "$f"
run
has "FAIL  $T: config $f ignored: not owned by root; none of its settings apply (fail-closed neither): the defaults do"
chown 0:0 "$f"
mv "$f" "$f.real"
ln -s "$f.real" "$f"
run
grep -F "FAIL  $T: config $f ignored: it is a symlink;" "$work/out" >/dev/null ||
	{ cat "$work/out"; fail "symlink: no FAIL"; }
rm "$f"
mv "$f.real" "$f"
echo "ok: not root's, a symlink -> FAIL"

run
has "PASS  $T: $f is used (fail-closed)"
echo "ok: trusted -> PASS with the mode"

cat >>"$f" <<'EOF2'
[record]
history_depth = 99
nokey = 1
this is no ini line
[sinks]
file = relative/path
[nosuch]
a = 1
b = 2
EOF2
run
has "WARN  $T: $f is used, but these lines are ignored:"
has "      $f:4: bad value for history_depth: 99, ignored"
has "      $f:5: unknown key [record] nokey, ignored"
has "      $f:6: syntax error, ignored"
has "      $f:8: bad value for file: relative/path, ignored"
has "      $f:10: unknown key [nosuch] a, ignored"
has "      $f: 1 more bad lines not shown"
has "      fix: fix or remove the lines named above"
{ "$KMA" check --root "$t" --json || true; } | python3 -c '
import json, sys
row = [r for r in map(json.loads, sys.stdin) if r["check"] == "kmodaudit configuration"][0]
assert row["result"] == "WARN", row
assert len(row["lines"]) == 6 and row["lines"][0].endswith(":4: bad value for history_depth: 99, ignored"), row
' || fail "--json: the bad lines are not in 'lines'"
echo "ok: bad lines -> WARN, each FILE:LINE, N more, in JSON too"
echo PASS
