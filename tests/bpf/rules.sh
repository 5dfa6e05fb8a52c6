#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit rules --bpf and check: the rule is written for every architecture, auditctl takes
# it, check says PASS with it and WARN (never FAIL) without it, on disk (--root) and running;
# with it loaded a BPF load's event has the kernel's SYSCALL record under the rule's key.
set -o pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
rules_take
tmp=$(mktemp -d)
kma_on_exit "rm -rf '$tmp'"

item() { # item JSON TITLE: that check's result word
	/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o["check"] == sys.argv[2]:
        print(o["result"])' "$1" "$2"
}

"$KMA" rules --bpf >"$tmp/rules" || fail "rules --bpf"
"$KMA" rules >"$tmp/plain" || fail "rules"
grep -x -- "-a always,exit -F arch=b64 -S bpf -F a0=5 -k bpf_prog_load" "$tmp/rules" >/dev/null ||
	fail "no b64 bpf rule: $(cat "$tmp/rules")"
grep -- "-S bpf" "$tmp/plain" >/dev/null && fail "a bpf rule without --bpf"

mkdir -p "$tmp/root/etc/audit/rules.d"
cp "$tmp/rules" "$tmp/root/etc/audit/rules.d/50-kmodaudit.rules"
"$KMA" check --root "$tmp/root" --json >"$tmp/with.json" || true
[ "$(item "$tmp/with.json" "kmodaudit BPF load rule (rules.d)")" = PASS ] ||
	fail "rules.d with the rule: $(grep BPF "$tmp/with.json")"
cp "$tmp/plain" "$tmp/root/etc/audit/rules.d/50-kmodaudit.rules"
"$KMA" check --root "$tmp/root" --json >"$tmp/without.json" || true
[ "$(item "$tmp/without.json" "kmodaudit BPF load rule (rules.d)")" = WARN ] ||
	fail "rules.d without the rule: $(grep BPF "$tmp/without.json")"

# running: without, then with the rules auditctl takes from the printed text
auditctl -D >/dev/null
"$KMA" check --json >"$tmp/run0.json" || true
[ "$(item "$tmp/run0.json" "kmodaudit BPF load rule (running)")" = WARN ] ||
	fail "running without the rule: $(grep BPF "$tmp/run0.json")"
grep -- "-S bpf" "$tmp/rules" >"$tmp/bpf.rules"
auditctl -R "$tmp/bpf.rules" >/dev/null || fail "auditctl refuses: $(cat "$tmp/bpf.rules")"
"$KMA" check --json >"$tmp/run1.json" || true
[ "$(item "$tmp/run1.json" "kmodaudit BPF load rule (running)")" = PASS ] ||
	fail "running with the rule: $(grep BPF "$tmp/run1.json"); auditctl -l: $(auditctl -l)"

if /usr/bin/python3 "$KMODAUDIT_SRC/tests/bpf/ctypes-load.py" ok >"$tmp/load.json" 2>/dev/null; then
	mark=$(audit_mark)
	/usr/bin/python3 "$KMODAUDIT_SRC/tests/bpf/ctypes-load.py" ok kma_rule >"$tmp/load.json"
	id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["prog_id"])' "$tmp/load.json")
	for ((i = 0; i < 50; i++)); do
		# shellcheck disable=SC2086
		ev=$(LC_ALL=C ausearch --input-logs --start $mark -k bpf_prog_load --format raw 2>/dev/null || true)
		grep "prog-id=$id op=LOAD" <<<"$ev" >/dev/null && break
		sleep 0.2
	done
	grep "prog-id=$id op=LOAD" <<<"$ev" >/dev/null ||
		fail "no event under key bpf_prog_load with the kernel's LOAD of prog $id"
	grep "type=SYSCALL.*syscall=321.*a0=5 " <<<"$ev" >/dev/null ||
		grep "type=SYSCALL.*a0=5 " <<<"$ev" >/dev/null || fail "no SYSCALL record: $ev"
fi
echo "PASS"
