# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit rules --root DIR (the tree's login.defs and kmod tools; --install writes the tree's
# rules.d file and loads nothing) and --dry-run (a unified diff against what is installed,
# nothing changed); a relative DIR as check's. check --root then accepts what was installed,
# so its suggested fix (`kmodaudit rules --root DIR --install`) really fixes the tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"
t=$work/tree
F=$t/etc/audit/rules.d/50-kmodaudit.rules
mkdir -p "$t"/usr/bin "$t"/usr/sbin "$t"/etc/audit/rules.d
ln -s usr/bin "$t/bin"
ln -s usr/sbin "$t/sbin"
cp /usr/bin/kmod "$t/usr/bin/kmod"
for tool in lsmod rmmod insmod modinfo modprobe depmod; do
	ln -s /bin/kmod "$t/usr/sbin/$tool"
done
printf 'UID_MIN 2345\n' >"$t/etc/login.defs"

out=$("$KMA" rules --root "$t")
grep -F -- '-F auid>=2345 ' <<<"$out" >/dev/null || fail "--root: not the tree's UID_MIN: $out"
echo "ok: rules --root reads the tree's login.defs"

# --dry-run before anything is installed: every line added, nothing written
out=$("$KMA" rules --root "$t" --dry-run)
grep -x -- "--- $F" <<<"$out" >/dev/null || fail "--dry-run: no diff header naming $F: $out"
[ "$(grep -c '^+-a always,exit' <<<"$out")" -ge 2 ] || fail "--dry-run: rules not shown as added: $out"
[ ! -e "$F" ] || fail "--dry-run wrote $F"
echo "ok: --dry-run shows the rules to add, writes nothing"

# --install under --root: the tree's file, nothing loaded; relative DIR
(cd "$work" && "$KMA" rules --root tree --install) >"$work/log" || fail "install: $(cat "$work/log")"
grep -x "wrote $F" "$work/log" >/dev/null || fail "install: $(cat "$work/log")"
grep -F "not loaded" "$work/log" >/dev/null || fail "install under --root: loaded? $(cat "$work/log")"
[ "$(stat -c %a "$F")" = 640 ] || fail "mode $(stat -c %a "$F")"
diff <("$KMA" rules --root "$t") "$F" >/dev/null || fail "installed file is not what rules prints"
echo "ok: --install --root (relative) writes the tree's file only"

out=$("$KMA" rules --root "$t" --dry-run)
[ "$out" = "$F is up to date" ] || fail "--dry-run after install: $out"
out=$("$KMA" rules --root "$t" --dry-run --uid-min 3000)
grep -- '^--a .*auid>=2345' <<<"$out" >/dev/null ||
	fail "--dry-run --uid-min: old line not removed: $out"
grep -- '^+-a .*auid>=3000' <<<"$out" >/dev/null || fail "--dry-run --uid-min: new line not added: $out"
grep -F 'auid>=2345' "$F" >/dev/null || fail "--dry-run changed $F"
echo "ok: --dry-run shows the change, leaves the file"

COLUMNS=1000 "$KMA" check --root "$t" >"$work/check" || true
for title in "CIS 6.2.3.19 on-disk rules" "SSG audit_rules_kernel_module_loading syscalls" \
	"SSG audit_rules_privileged_commands insmod/rmmod/modprobe"; do
	grep "^PASS  $title: " "$work/check" >/dev/null || fail "check after install: $(cat "$work/check")"
done
echo "ok: check --root accepts what rules --root --install wrote"

rc=0
"$KMA" rules --install --dry-run >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--install --dry-run: exit $rc, want 2"
rc=0
"$KMA" rules --root "$work/missing" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--root of a missing dir: exit $rc, want 2"
echo PASS
