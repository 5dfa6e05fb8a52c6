# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit check --root on fixture trees: a tree every check accepts (hand-written rules from
# the benchmarks' remediation text), then one change at a time, each making one check fail (or
# warn, for the checks that only warn) while the others keep their result.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fixtures=$(dirname "$0")/fixtures
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"
shim_path=$(sed -n 's/^#define KMODAUDIT_SHIM_PATH "\(.*\)"$/\1/p' "$KMODAUDIT_BUILD/config.h")
impl_path=$(sed -n 's/^#define KMODAUDIT_IMPL_PATH "\(.*\)"$/\1/p' "$KMODAUDIT_BUILD/config.h")
# A real shared object of this machine: the built shim and core when they are there.
shim_so=$KMODAUDIT_BUILD/shim/libkmodaudit.so
impl_so=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
any_so=$(ldconfig -p | awk '/libaudit\.so\.1 .*x86-64|libaudit\.so\.1 \(libc6\)/ && !n++ {print $NF}')
[ -f "$shim_so" ] || shim_so=$any_so
[ -f "$impl_so" ] || impl_so=$any_so
[ -f "$shim_so" ] || kma_skip "no shared object to stand for the shim"

# make_tree DIR: a merged-/usr Debian-like tree with kmod, its six links, auditd enabled, the
# rules of fixtures/cis.rules and the shim preloaded.
make_tree() {
	local t=$1 tool
	mkdir -p "$t"/usr/bin "$t"/usr/sbin "$t"/etc/audit/rules.d \
		"$t"/etc/systemd/system/multi-user.target.wants "$t$(dirname "$shim_path")" \
		"$t$(dirname "$impl_path")"
	ln -s usr/bin "$t/bin"
	ln -s usr/sbin "$t/sbin"
	cp /usr/bin/kmod "$t/usr/bin/kmod"
	for tool in lsmod rmmod insmod modinfo modprobe depmod; do
		ln -s /bin/kmod "$t/usr/sbin/$tool"
	done
	cp "$fixtures/login.defs" "$t/etc/login.defs"
	cp "$fixtures/cis.rules" "$t/etc/audit/rules.d/50-kernel_modules.rules"
	# kmodaudit rules --bpf's rule (its own item: a WARN without it)
	printf -- '-a always,exit -F arch=%s -S bpf -F a0=5 -k bpf_prog_load\n' b64 b32 \
		>"$t/etc/audit/rules.d/60-bpf.rules"
	ln -s /lib/systemd/system/auditd.service \
		"$t/etc/systemd/system/multi-user.target.wants/auditd.service"
	cp "$shim_so" "$t$shim_path"
	cp "$impl_so" "$t$impl_path"
	echo "$shim_path" >"$t/etc/ld.so.preload"
}

# status TREE TITLE: the result word kmodaudit check gives TITLE on TREE.
status() {
	{ COLUMNS=1000 "$KMA" check --root "$1" || true; } | awk -v t="$2" 'index($0, "  " t ": ") { print $1; found = 1 }
		END { if (!found) print "MISSING" }'
}

# expect NAME WORD TITLE...: the variant tree NAME gives WORD for each TITLE, and every other
# check the same word as on the good tree (one change, only the findings it should make).
expect() {
	local name=$1 want=$2 got line t title
	shift 2
	for title in "$@"; do
		got=$(status "$work/$name" "$title")
		[ "$got" = "$want" ] || { "$KMA" check --root "$work/$name" || true; fail "$name: '$title' is $got, not $want"; }
	done
	while IFS= read -r line; do
		t=${line#*  }
		t=${t%%: *}
		for title in "$@"; do
			[ "$t" = "$title" ] && continue 2
		done
		[ "${line%%  *}" = "$(grep -F "  $t: " "$work/good.out" | cut -d' ' -f1)" ] ||
			fail "$name changed '$t' too: $line"
	done < <(COLUMNS=1000 "$KMA" check --root "$work/$name" | grep -v '^ ' || true)
	if [ "$want" = FAIL ]; then
		"$KMA" check --root "$work/$name" >/dev/null && fail "$name: exit 0 with a FAIL"
		for title in "$@"; do
			{ COLUMNS=1000 "$KMA" check --root "$work/$name" || true; } | grep -F -A1 "FAIL  $title: " | grep -- '^      fix: ' >/dev/null ||
				fail "$name: no remediation for '$title'"
		done
	fi
	echo "ok: $name -> $want $*"
}

# variant NAME: a copy of the good tree to change.
variant() {
	cp -a "$work/good" "$work/$1"
	echo "$work/$1"
}

make_tree "$work/good"
COLUMNS=1000 "$KMA" check --root "$work/good" | tee "$work/good.out"
"$KMA" check --root "$work/good" >/dev/null || fail "the good tree does not pass"
grep -v '^PASS  \|^SKIP  ' "$work/good.out" && fail "the good tree has findings"
# The running system is not looked at under --root.
for t in "CIS 6.2.3.19 running rules" "CIS 6.2.1.2 auditd active" "kmodaudit audit enabled" \
	"kmodaudit backlog limit (running)" "kmodaudit failure mode (running)"; do
	grep -q "^SKIP  $t: " "$work/good.out" || fail "'$t' is not SKIP under --root"
done
# --json: one object per check, the same results.
"$KMA" check --root "$work/good" --json | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
text = [l.split("  ", 1) for l in open(sys.argv[1]).read().splitlines()]
assert len(rows) == len(text), (len(rows), len(text))
for r, (word, rest) in zip(rows, text):
    assert r["result"] == word and rest.startswith(r["check"] + ": "), (r, word, rest)
' "$work/good.out" || fail "--json disagrees with the text output"

R=etc/audit/rules.d/50-kernel_modules.rules
CIS_DISK="CIS 6.2.3.19 on-disk rules"
SSG_SC="SSG audit_rules_kernel_module_loading syscalls"
SSG_W="SSG audit_rules_privileged_commands insmod/rmmod/modprobe"

# Equivalent spellings the benchmarks accept: -F key=, separate -S, one syscall a line,
# auid!=-1, /bin/kmod for /usr/bin/kmod, exit,always is fine for SSG.
t=$(variant spellings)
cat >"$t/$R" <<'EOF'
-b 8192
-a always,exit -F arch=b64 -S init_module -S finit_module -F auid>=1000 -F auid!=-1 -F key=mods
-a always,exit -F arch=b64 -S delete_module,create_module -F auid!=4294967295 -k mods
-a always,exit -F arch=b64 -S query_module -F auid!=unset -F auid>=500 -k mods
-a always,exit -F arch=b32 -S 128,129,350 -F key=mods
-a always,exit -F path=/bin/kmod -F perm=rx -F auid>=1000 -F auid!=unset -F key=mods
-w /usr/sbin/insmod -p x -k mods
-a always,exit -F path=/sbin/rmmod -F perm=x -F key=mods
-w /sbin/modprobe -p rwxa -k mods
EOF
for title in "$CIS_DISK" "$SSG_SC" "$SSG_W"; do
	[ "$(status "$t" "$title")" = PASS ] || { "$KMA" check --root "$t" || true; fail "spellings: $title"; }
done
echo "ok: equivalent spellings pass"

# `kmodaudit rules` output put in a tree passes too (its own consistency, no text compared).
t=$(variant own-rules)
"$KMA" rules >"$t/$R"
printf -- '-b 8192\n' >>"$t/$R"
for title in "$CIS_DISK" "$SSG_SC" "$SSG_W"; do
	[ "$(status "$t" "$title")" = PASS ] || fail "kmodaudit rules output fails '$title'"
done
"$KMA" rules --no-auid-filter >"$t/$R"
[ "$(status "$t" "$CIS_DISK")" = FAIL ] || fail "--no-auid-filter rules should not satisfy CIS"
echo "ok: kmodaudit rules output is accepted (and --no-auid-filter is not, for CIS)"

# kmodaudit rules --bpf's rule missing, or for one arch only: a WARN, not a benchmark FAIL.
t=$(variant no-bpf-rule)
rm "$t/etc/audit/rules.d/60-bpf.rules"
expect no-bpf-rule WARN "kmodaudit BPF load rule (rules.d)"
t=$(variant bpf-rule-b64-only)
sed -i '/arch=b32/d' "$t/etc/audit/rules.d/60-bpf.rules"
expect bpf-rule-b64-only WARN "kmodaudit BPF load rule (rules.d)"

# CIS on-disk rules: each requirement broken once.
t=$(variant cis-no-create)
sed -i '/arch=b64/s/,create_module//' "$t/$R"
expect cis-no-create FAIL "$CIS_DISK"
t=$(variant cis-no-auid-unset)
sed -i '/arch=b64/s/ -F auid!=unset//' "$t/$R"
expect cis-no-auid-unset FAIL "$CIS_DISK"
t=$(variant cis-key-not-last)
sed -i '/arch=b64/s/ -F auid>=1000 -F auid!=unset -k kernel_modules/ -k kernel_modules -F auid>=1000 -F auid!=unset/' "$t/$R"
expect cis-key-not-last FAIL "$CIS_DISK" "$SSG_SC"
t=$(variant cis-narrowed)
sed -i '/arch=b64/s/ -k kernel_modules/ -F success=1 -k kernel_modules/' "$t/$R"
expect cis-narrowed FAIL "$CIS_DISK" "$SSG_SC"
t=$(variant cis-exec-uid)
sed -i '/path=/s/auid>=1000/auid>=2000/' "$t/$R"
expect cis-exec-uid FAIL "$CIS_DISK"
t=$(variant cis-exec-other-file)
sed -i '/path=/s|/usr/bin/kmod|/usr/bin/true|' "$t/$R"
expect cis-exec-other-file FAIL "$CIS_DISK"
t=$(variant cis-no-uid-min)
sed -i '/^UID_MIN/d' "$t/etc/login.defs"
expect cis-no-uid-min FAIL "$CIS_DISK"
t=$(variant cis-commented)
sed -i '/arch=b64/s/^/# /' "$t/$R"
# SSG also loses its b64 syscall rule: not a single-finding change, so checked alone.
[ "$(status "$t" "$CIS_DISK")" = FAIL ] || fail "a commented-out rule was counted"
t=$(variant cis-other-suffix)
mv "$t/$R" "$t/${R%.rules}.rules.off"
[ "$(status "$t" "$CIS_DISK")" = FAIL ] || fail "a file without .rules was read"
echo "ok: CIS on-disk requirements"

# CIS symlinks.
t=$(variant symlink-copy)
rm "$t/usr/sbin/lsmod"
cp /usr/bin/kmod "$t/usr/sbin/lsmod"
expect symlink-copy FAIL "CIS 6.2.3.19 kmod symlinks"
t=$(variant symlink-missing)
rm "$t/usr/sbin/depmod"
expect symlink-missing FAIL "CIS 6.2.3.19 kmod symlinks"

# SSG: b32 rule missing (CIS only asks for b64), a watch missing, a watch without x.
t=$(variant ssg-no-b32)
sed -i '/arch=b32/d' "$t/$R"
expect ssg-no-b32 FAIL "$SSG_SC"
t=$(variant ssg-no-rmmod)
sed -i '/rmmod/d' "$t/$R"
expect ssg-no-rmmod FAIL "$SSG_W"
t=$(variant ssg-watch-wa)
sed -i '/-w \/sbin\/insmod/s/-p x/-p wa/' "$t/$R"
expect ssg-watch-wa FAIL "$SSG_W"

# The shim: not preloaded (and no front end), preloaded but not a library, core missing.
t=$(variant shim-absent)
: >"$t/etc/ld.so.preload"
# "shim loadable" turns SKIP and "front end" WARN with it: checked without expect's rule.
[ "$(status "$t" "kmodaudit shim in /etc/ld.so.preload")" = FAIL ] || fail "shim-absent"
[ "$(status "$t" "kmodaudit shim loadable")" = SKIP ] || fail "shim-absent: loadable not SKIP"
# A commented-out entry is not loaded by ld.so: the same findings as no entry at all.
t=$(variant shim-commented)
printf '# %s\n/lib/other.so\n' "$shim_path" >"$t/etc/ld.so.preload"
[ "$(status "$t" "kmodaudit shim in /etc/ld.so.preload")" = FAIL ] || fail "shim-commented: listed"
[ "$(status "$t" "kmodaudit shim loadable")" = SKIP ] || fail "shim-commented: loadable not SKIP"
[ "$(status "$t" "kmodaudit front end")" = WARN ] || fail "shim-commented: front end not WARN"
echo "ok: a commented-out shim entry is not counted"
# But rtld blanks only the first comments of a file (preload-list.c): here the third line's
# "# <shim>" is two entries to ld.so, "#" and the shim, which it loads. check says so.
t=$(variant shim-commented-late)
printf '# %s\n#%s\n/lib/other.so # %s\n' "$shim_path" "$shim_path" "$shim_path" >"$t/etc/ld.so.preload"
[ "$(status "$t" "kmodaudit shim in /etc/ld.so.preload")" = PASS ] ||
	fail "shim-commented-late: the shim ld.so loads is not counted"
echo "ok: a shim entry in a comment ld.so does not blank is counted"
t=$(variant shim-text)
echo "not a library" >"$t$shim_path"
expect shim-text FAIL "kmodaudit shim loadable"
t=$(variant shim-missing)
rm "$t$shim_path"
expect shim-missing FAIL "kmodaudit shim loadable"
t=$(variant shim-no-core)
rm "$t$impl_path"
expect shim-no-core FAIL "kmodaudit shim loadable"

# 32-bit programs: a tree with an i386 loader. The 64-bit entry leaves them unrecorded (WARN);
# PREFIX/$LIB/NAME with both builds passes for each class; without the i386 build, or with a
# 64-bit file where it should be, each i386 program prints a loader error (FAIL).
I386=kmodaudit\ shim\ for\ i386\ programs
t=$(variant i386-uncovered)
mkdir -p "$t/lib"
: >"$t/lib/ld-linux.so.2"
expect i386-uncovered WARN "$I386"
i386_so=$KMODAUDIT_BUILD/i386/shim/libkmodaudit.so
i386_impl=$KMODAUDIT_BUILD/i386/src/libkmodaudit-impl.so
if [ -f "$i386_so" ] && [ -f "$i386_impl" ]; then
	t=$(variant i386-lib)
	for d in x86_64-linux-gnu i386-linux-gnu; do
		mkdir -p "$t/usr/lib/$d/kmodaudit"
	done
	mkdir -p "$t/lib"
	: >"$t/lib/ld-linux.so.2"
	cp "$shim_so" "$t/usr/lib/x86_64-linux-gnu/libkmodaudit.so"
	cp "$impl_so" "$t/usr/lib/x86_64-linux-gnu/kmodaudit/libkmodaudit-impl.so"
	cp "$i386_so" "$t/usr/lib/i386-linux-gnu/libkmodaudit.so"
	cp "$i386_impl" "$t/usr/lib/i386-linux-gnu/kmodaudit/libkmodaudit-impl.so"
	# shellcheck disable=SC2016 # $LIB is ld.so's, written as is
	echo '/usr/$LIB/libkmodaudit.so' >"$t/etc/ld.so.preload"
	expect i386-lib PASS "kmodaudit shim loadable" "$I386"
	cp -a "$t" "$work/i386-lib-missing"
	rm "$work/i386-lib-missing/usr/lib/i386-linux-gnu/libkmodaudit.so"
	[ "$(status "$work/i386-lib-missing" "$I386")" = FAIL ] || fail "i386-lib-missing: not FAIL"
	[ "$(status "$work/i386-lib-missing" "kmodaudit shim loadable")" = PASS ] ||
		fail "i386-lib-missing: the 64-bit shim is fine"
	cp -a "$t" "$work/i386-lib-64"
	cp "$shim_so" "$work/i386-lib-64/usr/lib/i386-linux-gnu/libkmodaudit.so"
	[ "$(status "$work/i386-lib-64" "$I386")" = FAIL ] || fail "i386-lib-64: not FAIL"
	cp -a "$t" "$work/i386-no-core"
	rm "$work/i386-no-core/usr/lib/i386-linux-gnu/kmodaudit/libkmodaudit-impl.so"
	[ "$(status "$work/i386-no-core" "$I386")" = FAIL ] || fail "i386-no-core: not FAIL"
	echo "ok: \$LIB entry: each class checked on its own"
else
	echo "SKIP (part): no i386 build in $KMODAUDIT_BUILD/i386 (cmake says why): \$LIB entries unchecked"
fi

# The front end: diverted insmod/rmmod/modprobe. The symlink audit warns (on purpose, not
# kmod), the front end passes; without the shim the preload check only warns.
t=$(variant front-end)
cp /usr/bin/kmod "$t/usr/sbin/kmodaudit-kmod"
for tool in insmod rmmod modprobe; do
	ln -sf kmodaudit-kmod "$t/usr/sbin/$tool"
done
[ "$(status "$t" "CIS 6.2.3.19 kmod symlinks")" = WARN ] || fail "front-end: symlinks not WARN"
[ "$(status "$t" "kmodaudit front end")" = PASS ] || fail "front-end: not PASS"
[ "$(status "$t" "$CIS_DISK")" = PASS ] || fail "front-end: CIS wants the kmod exec rule only"
: >"$t/etc/ld.so.preload"
[ "$(status "$t" "kmodaudit shim in /etc/ld.so.preload")" = WARN ] || fail "front-end: preload"
t=$(variant front-end-unused)
cp /usr/bin/kmod "$t/usr/sbin/kmodaudit-kmod"
expect front-end-unused WARN "kmodaudit front end"
echo "ok: front end"

# auditd enabled at boot; backlog and failure mode in rules.d.
t=$(variant auditd-disabled)
rm "$t/etc/systemd/system/multi-user.target.wants/auditd.service"
expect auditd-disabled FAIL "CIS 6.2.1.2 auditd enabled"
t=$(variant backlog-small)
sed -i 's/^-b 8192/-b 320/' "$t/$R"
expect backlog-small WARN "kmodaudit backlog limit (rules.d)"
t=$(variant backlog-unset)
sed -i '/^-b /d' "$t/$R"
expect backlog-unset WARN "kmodaudit backlog limit (rules.d)"
t=$(variant failure-silent)
sed -i 's/^-f 1/-f 0/' "$t/$R"
expect failure-silent FAIL "kmodaudit failure mode (rules.d)"
# The last -f wins, in augenrules' file order.
printf -- '-f 1\n' >"$t/etc/audit/rules.d/99-late.rules"
[ "$(status "$t" "kmodaudit failure mode (rules.d)")" = PASS ] || fail "a later -f 1 did not win"

# Absolute symlinks resolve inside the tree, as on that system: each link below names a path
# that the tree holds with other content than this host (or that this host lacks), so reading
# the host's file gives the other result.
t=$(variant abs-links)
mkdir -p "$t/usr/share/kmodaudit-test"
echo "$shim_path" >"$t/etc/hostname" # this host's /etc/hostname is its name
ln -sf /etc/hostname "$t/etc/ld.so.preload"
cp "$shim_so" "$t/etc/issue" # this host's /etc/issue is text
rm "$t$shim_path"
ln -s /etc/issue "$t$shim_path"
mv "$t/$R" "$t/usr/share/kmodaudit-test/modules.rules" # not on this host
ln -s /usr/share/kmodaudit-test/modules.rules "$t/$R"
mv "$t/etc/login.defs" "$t/usr/share/kmodaudit-test/login.defs"
ln -s /usr/share/kmodaudit-test/login.defs "$t/etc/login.defs"
COLUMNS=1000 "$KMA" check --root "$t" >"$work/abs-links.out" || true
diff <(cut -d: -f1 "$work/good.out") <(cut -d: -f1 "$work/abs-links.out") ||
	fail "abs-links: not the good tree's results"
echo "ok: absolute links inside the tree are followed inside it"
# The other way round: the host's file is fine, the tree's is not.
t=$(variant abs-link-core)
rm "$t$impl_path"
mkdir -p "$t$(dirname "$any_so")"
echo "not a library" >"$t$any_so"
ln -s "$any_so" "$t$impl_path"
expect abs-link-core FAIL "kmodaudit shim loadable"

# journald's Audit= (Debian 12's journald switches audit off at its start unless Audit=yes):
# SKIP without journald (the good tree), else the last [Journal] Audit= of journald.conf and
# its drop-ins, sorted by name, an /etc one masking a same-named /usr/lib one.
J="kmodaudit audit left on by journald"
jtree() { # jtree NAME: a variant with systemd-journald installed
	local t
	t=$(variant "$1")
	mkdir -p "$t/usr/lib/systemd" "$t/etc/systemd/journald.conf.d" "$t/usr/lib/systemd/journald.conf.d"
	: >"$t/usr/lib/systemd/systemd-journald"
	printf '[Journal]\n#Audit=no\n' >"$t/etc/systemd/journald.conf"
	echo "$t"
}
t=$(jtree journald-unset)
expect journald-unset WARN "$J"
t=$(jtree journald-yes)
printf '[Journal]\nAudit=yes\n' >"$t/etc/systemd/journald.conf"
[ "$(status "$t" "$J")" = PASS ] || fail "journald Audit=yes is not PASS"
t=$(jtree journald-other-section)
printf '[Upload]\nAudit=yes\n' >"$t/etc/systemd/journald.conf.d/10-x.conf"
expect journald-other-section WARN "$J"
t=$(jtree journald-dropin-no)
printf '[Journal]\nAudit=yes\n' >"$t/etc/systemd/journald.conf.d/10-a.conf"
printf '[Journal]\nAudit=off\n' >"$t/usr/lib/systemd/journald.conf.d/20-b.conf"
expect journald-dropin-no WARN "$J"
t=$(jtree journald-masked)
printf '[Journal]\nAudit=no\n' >"$t/usr/lib/systemd/journald.conf.d/50-vendor.conf"
printf '[Journal]\n Audit = true\n' >"$t/etc/systemd/journald.conf.d/50-vendor.conf"
[ "$(status "$t" "$J")" = PASS ] || fail "an /etc drop-in does not mask the /usr/lib one"
echo "ok: journald's Audit= judged as systemd reads it"

# Usage errors.
rc=0
"$KMA" check --root /nonexistent >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--root of a missing dir exited $rc"
echo PASS
