# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit check on this machine: the running-system checks are made (not SKIP), agree with
# what auditctl says, and turn FAIL/WARN when the kernel's rules, enabled flag, failure mode
# or backlog are changed; everything is put back. Holds the audit lock exclusively.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rules_take
st=$(auditctl -s)
enabled=$(awk '$1 == "enabled" {print $2}' <<<"$st")
failure=$(awk '$1 == "failure" {print $2}' <<<"$st")
backlog=$(awk '$1 == "backlog_limit" {print $2}' <<<"$st")
kma_on_exit "auditctl -e $enabled -f $failure -b $backlog >/dev/null 2>&1 || true"

status() {
	{ "$KMA" check || true; } | awk -v t="$1" 'index($0, "  " t ": ") { print $1; found = 1 }
		END { if (!found) print "MISSING" }'
}

out=$("$KMA" check) && rc=0 || rc=$?
echo "$out"
[ "$(grep -c '^FAIL  ' <<<"$out")" -gt 0 ] && want=1 || want=0
[ "$rc" = "$want" ] || fail "exit $rc with $(grep -c '^FAIL  ' <<<"$out") FAIL lines"
for t in "CIS 6.2.3.19 running rules" "CIS 6.2.1.2 auditd active" "kmodaudit audit enabled" \
	"kmodaudit backlog limit (running)" "kmodaudit failure mode (running)"; do
	grep -q "^SKIP  $t: " <<<"$out" && fail "'$t' SKIP on the running system as root"
done
# The kernel's numbers, as auditctl reports them.
grep -q "^[A-Z]*  kmodaudit backlog limit (running): .*backlog $backlog\b" <<<"$out" ||
	fail "backlog differs from auditctl -s ($backlog)"
grep -q "^[A-Z]*  kmodaudit failure mode (running): .*failure mode $failure\b" <<<"$out" ||
	fail "failure mode differs from auditctl -s ($failure)"
pid=$(awk '$1 == "pid" {print $2}' <<<"$st")
if [ "$pid" != 0 ]; then
	grep -q "^PASS  CIS 6.2.1.2 auditd active: pid $pid " <<<"$out" || fail "auditd pid $pid not seen"
else
	grep -q "^FAIL  CIS 6.2.1.2 auditd active: " <<<"$out" || fail "no auditd, but not FAIL"
fi

# Running rules: none loaded -> FAIL; `kmodaudit rules` loaded -> PASS; and the benchmark's own
# awk filter over auditctl -l picks the lines too.
auditctl -D >/dev/null
[ "$(status "CIS 6.2.3.19 running rules")" = FAIL ] || fail "no rules loaded, but not FAIL"
f=$(mktemp)
kma_on_exit "rm -f '$f'"
"$KMA" rules >"$f"
auditctl -R "$f" >/dev/null
[ "$(status "CIS 6.2.3.19 running rules")" = PASS ] || { "$KMA" check || true; fail "loaded rules, not PASS"; }
uid_min=$(awk '/^\s*UID_MIN/{print $2}' /etc/login.defs)
auditctl -l | awk '/^ *-a *always,exit/ && / -F *arch=b(32|64)/ &&
	(/ -F auid!=unset/||/ -F auid!=-1/||/ -F auid!=4294967295/) && / -S/ &&
	(/init_module/||/finit_module/||/delete_module/||/create_module/||/query_module/) &&
	(/ key= *[!-~]* *$/||/ -k *[!-~]* *$/)' | grep 'arch=b64' >/dev/null || fail "CIS running filter finds no b64 line"
auditctl -l | grep -- "-F path=$(readlink -f /bin/kmod) -F perm=x -F auid>=$uid_min -F auid!=-1 -F key=" >/dev/null ||
	fail "CIS running filter finds no exec line"
# A rule missing in the kernel only (on-disk unchanged): the running check alone turns FAIL.
grep -v 'arch=b64' "$f" >"$f.partial"
auditctl -D >/dev/null
auditctl -R "$f.partial" >/dev/null
rm -f "$f.partial"
[ "$(status "CIS 6.2.3.19 running rules")" = FAIL ] || fail "b64 rule missing, not FAIL"
echo "ok: running rules"

# Audit disabled, silent failure mode, small backlog.
auditctl -e 0 >/dev/null
[ "$(status "kmodaudit audit enabled")" = FAIL ] || fail "audit disabled, not FAIL"
auditctl -e 1 >/dev/null
[ "$(status "kmodaudit audit enabled")" = PASS ] || fail "audit enabled, not PASS"
auditctl -f 0 >/dev/null
[ "$(status "kmodaudit failure mode (running)")" = FAIL ] || fail "-f 0, not FAIL"
auditctl -f 1 >/dev/null
[ "$(status "kmodaudit failure mode (running)")" = PASS ] || fail "-f 1, not PASS"
auditctl -b 320 >/dev/null
[ "$(status "kmodaudit backlog limit (running)")" = WARN ] || fail "-b 320, not WARN"
auditctl -b 8192 >/dev/null
lost=$(auditctl -s | awk '$1 == "lost" {print $2}')
want=PASS
[ "$lost" != 0 ] && want=WARN # records lost since boot are worth a warning
[ "$(status "kmodaudit backlog limit (running)")" = "$want" ] || fail "-b 8192 (lost $lost), not $want"
echo "ok: enabled, failure mode, backlog"

# Not root: the running checks SKIP instead of failing (needs a user to switch to).
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$KMA" check 2>&1) || true
	for t in "CIS 6.2.3.19 running rules" "kmodaudit audit enabled"; do
		grep -q "^SKIP  $t: " <<<"$out" || fail "'$t' not SKIP without privileges: $out"
	done
fi
echo PASS
