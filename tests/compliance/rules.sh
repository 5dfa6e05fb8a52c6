# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit rules: what it prints is checked against sources other than kmodaudit (login.defs
# read with awk, modprobe resolved with readlink, the syscall table of ausyscall, the CIS audit
# pattern), then loaded into the running kernel with auditctl -R and made to fire for real.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$("$KMA" rules)
echo "$out"

# UID_MIN the way the benchmark reads it.
uid_min=$(awk '/^\s*UID_MIN/{print $2}' /etc/login.defs)
[ -n "$uid_min" ] || kma_skip "no UID_MIN in /etc/login.defs"
# The kmod binary: where modprobe really points.
kmod=$(readlink -f "$(PATH=/sbin:/usr/sbin:/bin:/usr/bin command -v modprobe)")
[ -x "$kmod" ] || kma_skip "no modprobe on this system"

# One syscall rule per arch this machine runs, naming every module syscall the arch's table has.
arches=(b64)
[ "$(getconf LONG_BIT)" = 64 ] && [ "$(uname -m)" = x86_64 ] && arches=(b64 b32)
for arch in "${arches[@]}"; do
	line=$(grep -E -- "^-a always,exit -F arch=$arch -S " <<<"$out") || fail "no $arch rule"
	[ "$(grep -c -- "arch=$arch " <<<"$out")" = 1 ] || fail "more than one $arch rule"
	table=x86_64
	[ "$arch" = b32 ] && table=i386
	for sc in init_module finit_module delete_module create_module query_module; do
		if ausyscall "$table" "$sc" >/dev/null 2>&1; then
			grep -Eq -- "-S ([a-z_]+,)*$sc(,| )" <<<"$line" || fail "$arch rule lacks $sc"
		fi
	done
	grep -q -- " -F auid>=$uid_min -F auid!=unset -k kernel_modules$" <<<"$line" ||
		fail "$arch rule: auid filter/key wrong"
done
grep -qx -- "-a always,exit -F path=$kmod -F perm=x -F auid>=$uid_min -F auid!=unset -k kernel_modules" \
	<<<"$out" || fail "no exec rule on $kmod"
for tool in insmod rmmod modprobe; do
	w=$(grep -E -- "^-w [^ ]+/$tool -p x -k kernel_modules$" <<<"$out") || fail "no watch on $tool"
	p=${w#-w }
	[ "$(readlink -f "${p%% *}")" = "$kmod" ] || fail "watch $p is not the kmod tool"
done

# The CIS 6.2.3.19 on-disk audit: a syscall rule with arch, auid!=unset, -S naming a module
# syscall and a key at the end; an exec rule with auid!=unset, auid>=UID_MIN, perm=x, the kmod
# path and a key at the end.
cis_sc=$(awk '/^ *-a *always,exit/ && / -F *arch=b(32|64)/ &&
	(/ -F auid!=unset/||/ -F auid!=-1/||/ -F auid!=4294967295/) && / -S/ &&
	(/init_module/||/finit_module/||/delete_module/||/create_module/||/query_module/) &&
	(/ key= *[!-~]* *$/||/ -k *[!-~]* *$/)' <<<"$out" | wc -l)
[ "$cis_sc" -ge 1 ] || fail "CIS syscall pattern does not match"
kpat=${kmod//\//\\/}
cis_x=$(awk "/^ *-a *always,exit/ && (/ -F *auid!=unset/||/ -F *auid!=-1/||/ -F *auid!=4294967295/) &&
	/ -F *auid>=$uid_min/ && / -F *perm=x/ && / -F *path=$kpat/ &&
	(/ key= *[!-~]* *\$/||/ -k *[!-~]* *\$/)" <<<"$out" | wc -l)
[ "$cis_x" = 1 ] || fail "CIS exec pattern does not match"

# Options.
o=$("$KMA" rules --uid-min 4242 --key modules --arch b64)
grep -q -- "-F arch=b64 .* -F auid>=4242 -F auid!=unset -k modules$" <<<"$o" || fail "--uid-min/--key"
grep -q -- "arch=b32" <<<"$o" && fail "--arch b64 printed b32"
o=$("$KMA" rules --no-auid-filter)
grep -q auid <<<"$o" && fail "--no-auid-filter kept an auid filter"
grep -q -- "-F arch=b64 -S .* -k kernel_modules$" <<<"$o" || fail "--no-auid-filter lost the rule"
for bad in "--arch b16" "--uid-min -1" "--uid-min x" "--uid-min 4294967295" "--key" "--bogus" "extra" \
	"--no-auid-filter --uid-min 2000" "--uid-min 2000 --no-auid-filter"; do
	rc=0
	# shellcheck disable=SC2086 # each entry is an argument list
	"$KMA" rules $bad >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "'rules $bad' exited $rc, not 2"
done
rc=0
"$KMA" rules --key 'two words' >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a key with a blank was accepted"

# The running kernel takes them: auditctl -R, then auditctl -l shows each rule back.
rules_take
key=kmatest$$
f=$(mktemp)
kma_on_exit "rm -f '$f'"
"$KMA" rules --no-auid-filter --key "$key" >"$f"
auditctl -D >/dev/null
auditctl -R "$f" || fail "auditctl -R refused the rules"
loaded=$(auditctl -l)
echo "$loaded"
[ "$(grep -cE "(key=|-k )$key$" <<<"$loaded")" = "$(grep -c -- "-k $key" "$f")" ] || fail "not every rule loaded"
"$KMA" rules --key "$key" >"$f"
auditctl -D >/dev/null
auditctl -R "$f" || fail "auditctl -R refused the rules with the auid filter"

# And they fire: the exec of kmod and its module syscall (ENOSYS here, but recorded) show up
# under the key. Needs auditd to read the log back.
audit_daemon_ensure || kma_skip "cannot start auditd: rules loaded, firing not checked"
if auditctl -s | grep '^enabled 0' >/dev/null; then
	auditctl -e 1 >/dev/null || kma_skip "cannot enable audit: firing not checked"
	kma_on_exit "auditctl -e 0 >/dev/null"
fi
"$KMA" rules --no-auid-filter --key "$key" >"$f"
auditctl -D >/dev/null
auditctl -R "$f" >/dev/null
mod=$(find /lib/modules /usr/lib/modules -name '*.ko*' 2>/dev/null | sed -n 1p || true)
[ -n "$mod" ] || mod=$f # not a module: kmod still execs, the syscall just fails earlier
insmod "$mod" 2>/dev/null || true
found=
for _ in $(seq 50); do
	found=$(ausearch -k "$key" --format raw 2>/dev/null || true)
	grep -q 'exe="'"$kmod"'"' <<<"$found" && break
	sleep 0.1
done
grep -q "syscall=59 .*exe=\"$kmod\"" <<<"$found" || fail "exec of kmod not recorded"
echo PASS
