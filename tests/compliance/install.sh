# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit rules --install on this machine: the file lands in /etc/audit/rules.d with what
# `kmodaudit rules` prints, augenrules puts it in /etc/audit/audit.rules, the kernel has it.
# Everything it touches (the files, the loaded rules, backlog and failure settings) is put back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v augenrules >/dev/null || kma_skip "augenrules not installed"
[ -d /etc/audit/rules.d ] || kma_skip "no /etc/audit/rules.d"
rules_take
target=/etc/audit/rules.d/50-kmodaudit.rules
save=$(mktemp -d)
cp -a /etc/audit/audit.rules "$save/" 2>/dev/null || true
[ -e "$target" ] && cp -a "$target" "$save/target"
st=$(auditctl -s)
backlog=$(awk '$1 == "backlog_limit" {print $2}' <<<"$st")
failure=$(awk '$1 == "failure" {print $2}' <<<"$st")
restore_files() {
	rm -f "$target"
	[ -e "$save/target" ] && cp -a "$save/target" "$target"
	[ -e "$save/audit.rules" ] && cp -a "$save/audit.rules" /etc/audit/audit.rules
	auditctl -b "$backlog" -f "$failure" >/dev/null 2>&1 || true
	rm -rf "$save"
}
kma_on_exit restore_files

expected=$("$KMA" rules)
msg=$("$KMA" rules --install)
echo "$msg"
grep -q "^wrote $target" <<<"$msg" || fail "install did not say what it wrote"
grep -q "augenrules --load" <<<"$msg" || fail "install did not say it loaded"
[ "$(cat "$target")" = "$expected" ] || fail "$target differs from 'kmodaudit rules'"
[ "$(stat -c %a "$target")" = 640 ] || fail "$target mode is not 0640"
ls /etc/audit/rules.d/50-kmodaudit.rules.* 2>/dev/null && fail "temporary file left behind"
grep -qx -- "-a always,exit -F path=$(readlink -f /usr/sbin/modprobe) -F perm=x .* -k kernel_modules" \
	/etc/audit/audit.rules || fail "augenrules did not merge the rules"
loaded=$(auditctl -l)
[ "$(grep -cE '(key=|-k )kernel_modules$' <<<"$loaded")" = "$(grep -c -- '-k kernel_modules' "$target")" ] ||
	fail "the kernel does not have every rule"
echo PASS
