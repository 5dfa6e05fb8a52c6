# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit check --root on a tree where a FIFO stands in place of a file check reads (a rules.d
# file, login.defs, ld.so.preload, the preloaded shim): check must finish (no writer ever opens
# the FIFO, so a blocking open would wait forever; timeout(1) is the guard) and name the file it
# could not read, with the reason, in a FAIL line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v mkfifo >/dev/null || kma_skip "mkfifo missing"
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"
shim_path=$(sed -n 's/^#define KMODAUDIT_SHIM_PATH "\(.*\)"$/\1/p' "$KMODAUDIT_BUILD/config.h")
[ -n "$shim_path" ] || fail "no KMODAUDIT_SHIM_PATH in config.h"

# tree NAME: a small tree with a rules file, login.defs and the shim listed in ld.so.preload.
tree() {
	local t=$work/$1
	mkdir -p "$t/etc/audit/rules.d" "$t$(dirname "$shim_path")"
	printf -- '-b 8192\n' >"$t/etc/audit/rules.d/50-kernel_modules.rules"
	printf 'UID_MIN 1000\n' >"$t/etc/login.defs"
	printf '%s\n' "$shim_path" >"$t/etc/ld.so.preload"
	cp /bin/true "$t$shim_path"
	echo "$t"
}

# expect TREE LINE...: check on TREE ends within the guard, exits 1, and prints each LINE.
expect() {
	local t=$1 rc=0 line
	shift
	COLUMNS=400 timeout 20 "$KMA" check --root "$t" >"$work/out" 2>&1 || rc=$?
	[ "$rc" != 124 ] || { cat "$work/out"; fail "$(basename "$t"): check hung on the FIFO (killed after 20 s)"; }
	[ "$rc" = 1 ] || { cat "$work/out"; fail "$(basename "$t"): exit $rc, want 1"; }
	for line in "$@"; do
		grep -qxF -- "$line" "$work/out" || { cat "$work/out"; fail "$(basename "$t"): no line '$line'"; }
	done
	echo "ok: $(basename "$t"): finished, exit 1, the file named"
}

FIX_RULES='      fix: run `kmodaudit rules --root '$work'/rules-fifo --install` (or add the lines `kmodaudit rules --root '$work'/rules-fifo` prints)'

t=$(tree rules-fifo)
mkfifo "$t/etc/audit/rules.d/60-fifo.rules"
why="cannot read /etc/audit/rules.d/60-fifo.rules: not a regular file"
expect "$t" "FAIL  CIS 6.2.3.19 on-disk rules: $why" "$FIX_RULES" \
	"FAIL  SSG audit_rules_kernel_module_loading syscalls: $why" \
	"SKIP  kmodaudit backlog limit (rules.d): $why"

t=$(tree login-defs-fifo)
rm "$t/etc/login.defs"
mkfifo "$t/etc/login.defs"
expect "$t"
grep '^FAIL  CIS 6.2.3.19 on-disk rules: cannot read /etc/login.defs: not a regular file[;:]' \
	"$work/out" >/dev/null || { cat "$work/out"; fail "login.defs: not named"; }

t=$(tree preload-fifo)
rm "$t/etc/ld.so.preload"
mkfifo "$t/etc/ld.so.preload"
expect "$t" "FAIL  kmodaudit shim in /etc/ld.so.preload: cannot read /etc/ld.so.preload: not a regular file" \
	"      fix: make /etc/ld.so.preload a regular file readable by root"

t=$(tree shim-fifo)
rm "$t$shim_path"
mkfifo "$t$shim_path"
expect "$t" "FAIL  kmodaudit shim loadable: $shim_path: not a regular file" \
	"      fix: reinstall kmodaudit, or \`kmodaudit preload disable --root $t\` to drop the entry"
