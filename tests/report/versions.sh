#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report reads record format versions 1 and 2 alike. The kept logs of each version
# (fixtures/local-enosys.log by version 1's emitters, local-enosys-v2.log by version 2's) are
# rewritten into the other version's names (ver=, syscall/call, sig/sig_type, flags/call_flags,
# ino/inode): a log and its rewrite must give the same rows. Names of one version under the
# other's ver= are not read as that version's. Both logs in one file (a host upgraded midway)
# give the rows of each.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"

fixtures=$(dirname "$0")/fixtures
v1=$fixtures/local-enosys.log
v2=$fixtures/local-enosys-v2.log
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"
rows() { kma_report --json --input "$1"; }

# to_v1 / to_v2 FILE: our records of FILE in the other version's names (kernel records as they
# are: their syscall= is the kernel's).
to_v1() {
	sed -E "/msg='ver=2 op=kmod_/{s/msg='ver=2 /msg='ver=1 /;s/ call=/ syscall=/;s/ sig_type=/ sig=/
s/ call_flags=/ flags=/;s/ inode=/ ino=/}" "$1"
}
to_v2() {
	sed -E "/msg='ver=1 op=kmod_/{s/msg='ver=1 /msg='ver=2 /;s/ syscall=/ call=/;s/ sig=/ sig_type=/
s/ flags=/ call_flags=/;s/ ino=/ inode=/}" "$1"
}

grep -a "msg='ver=1 op=kmod_" "$v1" | grep -a ' syscall=finit_module .* sig=pkcs7 ' >/dev/null ||
	fail "$v1 is not a version-1 log"
grep -a "msg='ver=2 op=kmod_" "$v2" | grep -a ' call=finit_module .* sig_type=pkcs7 ' >/dev/null ||
	fail "$v2 is not a version-2 log"

for v in v1 v2; do
	rows "${!v}" >"$work/$v.json"
	[ "$(grep -c . "$work/$v.json")" = 6 ] || fail "$v: $(cat "$work/$v.json")"
	# every call is paired with its record and carries the record's call and sig_type
	python3 - "$work/$v.json" <<'PY' || fail "$v: rows"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert sorted(r["syscall"] for r in rows) == ["finit_module"] * 3 + ["init_module"] * 3, rows
assert sorted(r["sources"][1] for r in rows if len(r["sources"]) == 2) == \
    ["kmod", "kmod", "preload", "preload", "trace", "trace"], rows
assert all(r["sig"] == "pkcs7" and r["signer"] and r["flags"] == ["failed"] for r in rows), rows
PY
done
to_v2 "$v1" >"$work/v1-as-v2.log"
to_v1 "$v2" >"$work/v2-as-v1.log"
rows "$work/v1-as-v2.log" | cmp - "$work/v1.json" || fail "version 1 log rewritten as version 2 reads otherwise"
rows "$work/v2-as-v1.log" | cmp - "$work/v2.json" || fail "version 2 log rewritten as version 1 reads otherwise"
echo "ok: each log reads the same in either version's names"

# The names follow ver=: version 1's names under ver=2 are not version 2's fields.
sed "/msg='ver=1 op=kmod_/s/msg='ver=1 /msg='ver=2 /" "$v1" >"$work/mislabelled.log"
rows "$work/mislabelled.log" | cmp -s - "$work/v1.json" && fail "ver= is not what the names follow"
echo "ok: names read by the record's ver="

cat "$v1" "$v2" >"$work/both.log"
rows "$work/both.log" >"$work/both.json"
sort "$work/v1.json" "$work/v2.json" | cmp - <(sort "$work/both.json") || fail "a log of both versions"
echo "ok: a log of both versions"
echo PASS
