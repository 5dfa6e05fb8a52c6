# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the compliance tests (kmodaudit rules/check): the command under test, and a way to
# change the kernel's audit rules for a while and put the previous ones back.
KMA=${KMODAUDIT_BUILD:?}/src/kmodaudit
. "${KMODAUDIT_SRC:?}/tests/lib/audit.sh"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# rules_take: exclusive hold on the audit state (tests/lib/audit.sh's lock) and a copy of the
# loaded rules, put back when the test exits. SKIP when the rules cannot be changed.
rules_take() {
	[ "$(id -u)" = 0 ] || kma_skip "needs root to change audit rules"
	command -v auditctl >/dev/null || kma_skip "auditctl not installed"
	auditctl -s >/dev/null 2>&1 || kma_skip "no audit in this kernel"
	auditctl -s | grep '^enabled 2' >/dev/null && kma_skip "audit rules are immutable (-e 2)"
	exec {_rules_lock_fd}>>"$KMA_AUDIT_LOCK" || kma_skip "cannot open $KMA_AUDIT_LOCK"
	kma_lock -x "$_rules_lock_fd"
	_rules_saved=$(mktemp)
	auditctl -l | grep -v '^No rules' >"$_rules_saved" || true
	kma_on_exit "rules_restore"
}

rules_restore() {
	auditctl -D >/dev/null
	[ -s "$_rules_saved" ] && auditctl -R "$_rules_saved" >/dev/null
	rm -f "$_rules_saved"
}
