# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit check FAILs the configurations under which the kernel acknowledges our records and
# drops them (issue 16): an exclude rule on their message type, a user-list "never" rule, a rate
# limit; on disk (check --root on trees) and running (this host's auditctl, the audit lock held
# exclusively, rules and rate limit put back). The premise is shown too: under the exclude rule
# a USER message (auditctl -m, the type our records have) is acknowledged and is not in the log.
set -euo pipefail
export COLUMNS=1000 # one line per check item, as the matchers read it
. "$(dirname "$0")/lib.sh"

running='kmodaudit records kept by the kernel (running)'
disk='kmodaudit records kept by the kernel (rules.d)'
line() { grep -F "  $2: " <<<"$1" || echo "MISSING $2"; }
expect() { # expect OUTPUT ITEM WORD [TEXT]: the item's line starts with WORD (and has TEXT)
	local l
	l=$(line "$1" "$2")
	[[ $l == "$3  "* ]] && grep -F -- "${4:-}" <<<"$l" >/dev/null && echo "ok: $l" ||
		fail "want $3 ${4:+($4)}: $l"
}

# On disk: trees with a rules.d and a configuration.
t=$(mktemp -d)
kma_on_exit "rm -rf '$t'"
# Where this build reads its configuration (/etc/kmodaudit.conf in the packages).
conf=$(sed -n 's/^#define KMODAUDIT_CONFIG_PATH "\(.*\)"$/\1/p' "$KMODAUDIT_BUILD/config.h")
[ -n "$conf" ] || fail "no KMODAUDIT_CONFIG_PATH in $KMODAUDIT_BUILD/config.h"
tree() { # tree NAME RULE-LINE [CONF]: a root with that rules.d line
	mkdir -p "$t/$1/etc/audit/rules.d"
	printf '%s\n' "$2" >"$t/$1/etc/audit/rules.d/10-test.rules"
	[ -z "${3:-}" ] || { mkdir -p "$t/$1${conf%/*}" && printf '%s\n' "$3" >"$t/$1$conf"; }
	"$KMA" check --root "$t/$1" 2>&1 || true
}
expect "$(tree none '-b 8192')" "$disk" PASS "no exclude or user rule drops type USER (1005)"
expect "$(tree excl '-a always,exclude -F msgtype=USER')" "$disk" FAIL "drop all kmodaudit records"
expect "$(tree excl-num '-a exclude,always -F msgtype=1005')" "$disk" FAIL "drop all"
expect "$(tree excl-range '-a always,exclude -F msgtype>=1000 -F msgtype<=1099')" "$disk" FAIL "drop all"
expect "$(tree excl-other '-a always,exclude -F msgtype=CWD')" "$disk" PASS
expect "$(tree excl-never '-a never,exclude -F msgtype=USER')" "$disk" PASS
expect "$(tree excl-uid '-a always,exclude -F msgtype=USER -F uid=0')" "$disk" FAIL "drop some"
expect "$(tree user-never '-a user,never -F uid=0')" "$disk" FAIL "drop some"
expect "$(tree user-always '-a user,always')" "$disk" PASS
expect "$(tree rate '-r 100')" "$disk" FAIL "rate limit 100"
expect "$(tree rate0 '-r 0')" "$disk" PASS
# The type our emitters send is the configured one.
expect "$(tree ta-user '-a always,exclude -F msgtype=USER' $'[record]\ntype = trusted_app')" "$disk" PASS "TRUSTED_APP (1121)"
expect "$(tree ta-ta '-a always,exclude -F msgtype=TRUSTED_APP' $'[record]\ntype = trusted_app')" "$disk" FAIL "drop all"

# Running: this host's kernel.
rules_take
rate=$(auditctl -s | awk '$1 == "rate_limit" {print $2}')
kma_on_exit "auditctl -r ${rate:-0} >/dev/null 2>&1 || true"
auditctl -D >/dev/null
auditctl -r 0 >/dev/null
expect "$("$KMA" check 2>&1 || true)" "$running" PASS
auditctl -a always,exclude -F msgtype=USER >/dev/null
expect "$("$KMA" check 2>&1 || true)" "$running" FAIL "drop all kmodaudit records"
# The premise: acknowledged (auditctl -m exits 0), and not in the log; after the rule goes, it is.
mark=$(audit_mark)
tok=kma-drop-$$-$RANDOM
auditctl -m "$tok-excluded" || fail "auditctl -m under the exclude rule failed"
auditctl -D >/dev/null
auditctl -m "$tok-kept" || fail "auditctl -m failed"
for _ in $(seq 50); do
	LC_ALL=C ausearch --input-logs -m USER --start $mark --format raw 2>/dev/null | grep -F "$tok-kept" >/dev/null && break
	sleep 0.2
done
found=$(LC_ALL=C ausearch --input-logs -m USER --start $mark --format raw 2>/dev/null | grep -F "$tok" || true)
grep -F "$tok-kept" <<<"$found" >/dev/null || fail "control message not in the log"
grep -F "$tok-excluded" <<<"$found" >/dev/null && fail "the excluded message is in the log"
echo "ok: under the exclude rule a USER message is acknowledged and dropped"
auditctl -a user,never -F uid=0 >/dev/null
expect "$("$KMA" check 2>&1 || true)" "$running" FAIL "drop some"
auditctl -D >/dev/null
auditctl -r 100 >/dev/null
expect "$("$KMA" check 2>&1 || true)" "$running" FAIL "rate limit 100"
auditctl -r 0 >/dev/null
expect "$("$KMA" check 2>&1 || true)" "$running" PASS
