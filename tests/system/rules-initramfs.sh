#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit rules --install --initramfs writes the initramfs-tools hook and init-top script
# (executable, ours), runs augenrules and update-initramfs -u, and `kmodaudit check` says
# whether they are in place (PASS), missing or not executable (WARN), or whether there is no
# initramfs-tools at all (SKIP). In a private mount namespace with a copy of /etc on a tmpfs and
# augenrules/update-initramfs replaced by stubs that log their call: this host's /etc and audit
# rules are never touched. (The whole-system test boots with the hook for real.)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mount namespace)"; exit 77; }
kma=${KMODAUDIT_BUILD:?}/src/kmodaudit
exec unshare -m --propagation private bash -s "$kma" <<'EOF_NS'
set -euo pipefail
kma=$1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }
t=$(mktemp -d)
mount -t tmpfs tmpfs "$t"
mkdir "$t/etc" "$t/bin"
cp -a /etc/. "$t/etc/"
mount --bind "$t/etc" /etc
mkdir -p /etc/audit/rules.d
for stub in augenrules update-initramfs; do
	printf '#!/bin/sh\necho "%s $*" >>%s/calls\n' "$stub" "$t" >"$t/bin/$stub"
	chmod +x "$t/bin/$stub"
done
export PATH=$t/bin:$PATH
item='kmodaudit module rules at boot (initramfs)'
state() { "$kma" check --root / 2>&1 | grep -F "$item" || true; }

rm -rf /etc/initramfs-tools
grep '^SKIP' <<<"$(state)" >/dev/null && pass "no initramfs-tools: SKIP" || fail "no initramfs-tools: $(state)"
mkdir -p /etc/initramfs-tools/hooks /etc/initramfs-tools/scripts/init-top
grep '^WARN.*no initramfs hook' <<<"$(state)" >/dev/null && pass "no hook: WARN" || fail "no hook: $(state)"

"$kma" rules --install --initramfs --no-auid-filter >"$t/out" 2>&1 || { cat "$t/out"; fail "rules --install --initramfs"; }
hook=/etc/initramfs-tools/hooks/kmodaudit-audit-rules
script=/etc/initramfs-tools/scripts/init-top/kmodaudit-audit-rules
[ -x "$hook" ] && [ -x "$script" ] && pass "hook and init-top script written, executable" ||
	fail "hook/script missing or not executable"
grep -x 'augenrules --load' "$t/calls" >/dev/null && grep -x 'update-initramfs -u' "$t/calls" >/dev/null &&
	pass "ran augenrules --load and update-initramfs -u" || fail "calls: $(cat "$t/calls")"
grep -F 'audit_backlog_limit=8192' "$t/out" >/dev/null && pass "says to boot with audit_backlog_limit=8192" ||
	fail "no backlog advice: $(cat "$t/out")"
grep -F '/sbin/auditctl -R /etc/kmodaudit/early.rules' "$script" >/dev/null &&
	grep -F "grep -E '^-a [^#]* -S ' /etc/audit/rules.d/50-kmodaudit.rules" "$hook" >/dev/null &&
	pass "the hook copies the syscall rules, the script loads them" || fail "hook/script content"
ls -a /etc/initramfs-tools/hooks /etc/initramfs-tools/scripts/init-top | grep '^\.kmodaudit' >/dev/null &&
	fail "a temporary file was left" || pass "no temporary file left"
grep '^PASS' <<<"$(state)" >/dev/null && pass "installed: PASS" || fail "installed: $(state)"
chmod -x "$script"
grep '^WARN' <<<"$(state)" >/dev/null && pass "script not executable: WARN" || fail "not executable: $(state)"
chmod +x "$script"
echo '#!/bin/sh' >"$hook"
grep '^WARN' <<<"$(state)" >/dev/null && pass "a hook of that name that is not ours: WARN" || fail "foreign hook: $(state)"
"$kma" rules --initramfs >/dev/null 2>&1 && fail "--initramfs without --install accepted" ||
	pass "--initramfs without --install: usage error"
exit $((fails > 0))
EOF_NS
