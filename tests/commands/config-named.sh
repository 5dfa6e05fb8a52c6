#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A configuration file named explicitly (report --config FILE, KMODAUDIT_CONFIG=FILE for report
# and trace) that does not exist or is ignored as a whole (untrusted) makes the command fail,
# naming the file and why, before it does anything (trace: CMD never runs). The same command
# with a good file, or with none named, goes on.
set -euo pipefail

: "${KMODAUDIT_BUILD:?}" "${KMODAUDIT_SRC:?}"
K=$KMODAUDIT_BUILD/src/kmodaudit
LOG=$KMODAUDIT_SRC/tests/report/fixtures/local-enosys.log
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
chmod 0755 "$W"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
pass() { echo "ok: $*"; }
# run CMD...: exit status in $rc, stdout in $W/out, stderr in $W/err
run() { rc=0; "$@" >"$W/out" 2>"$W/err" || rc=$?; }

printf '[report]\ntrusted_signers = nobody\n' >"$W/good.conf"
chmod 0644 "$W/good.conf"
cp "$W/good.conf" "$W/open.conf"
chmod 0666 "$W/open.conf"
[ "$(id -u)" = 0 ] || echo "note: not root: the good file is not root-owned, only failures checked"
unset KMODAUDIT_CONFIG

# report --config: missing, then untrusted.
run "$K" report --config "$W/goood.conf" --input "$LOG"
[ $rc = 1 ] && [ ! -s "$W/out" ] &&
	grep -qxF "kmodaudit report: --config $W/goood.conf: No such file or directory" "$W/err" &&
	pass "report --config MISSING: exit 1, names it, no table" ||
	{ fail "report --config missing: exit $rc"; cat "$W/err"; }
run "$K" report --config "$W/open.conf" --input "$LOG"
[ $rc = 1 ] && [ ! -s "$W/out" ] &&
	grep -qxF "kmodaudit report: config $W/open.conf ignored: writable by group or others" "$W/err" &&
	grep -qxF "kmodaudit report: --config $W/open.conf: not used (see above)" "$W/err" &&
	pass "report --config WORLD-WRITABLE: exit 1, says why" ||
	{ fail "report --config untrusted: exit $rc"; cat "$W/err"; }

# KMODAUDIT_CONFIG for report and trace.
run env KMODAUDIT_CONFIG="$W/goood.conf" "$K" report --input "$LOG"
[ $rc = 1 ] && grep -qxF "kmodaudit report: KMODAUDIT_CONFIG=$W/goood.conf: No such file or directory" "$W/err" &&
	pass "KMODAUDIT_CONFIG=MISSING report: exit 1, names it" ||
	{ fail "KMODAUDIT_CONFIG missing, report: exit $rc"; cat "$W/err"; }
run env KMODAUDIT_CONFIG="$W/goood.conf" "$K" trace -- touch "$W/ran"
[ $rc = 125 ] && [ ! -e "$W/ran" ] &&
	grep -qxF "kmodaudit trace: KMODAUDIT_CONFIG=$W/goood.conf: No such file or directory" "$W/err" &&
	pass "KMODAUDIT_CONFIG=MISSING trace: exit 125, names it, CMD not run" ||
	{ fail "KMODAUDIT_CONFIG missing, trace: exit $rc, ran: $([ -e "$W/ran" ] && echo yes || echo no)"; cat "$W/err"; }
run env KMODAUDIT_CONFIG="$W/open.conf" "$K" trace -- touch "$W/ran"
[ $rc = 125 ] && [ ! -e "$W/ran" ] && grep -qF "ignored: writable by group or others" "$W/err" &&
	pass "KMODAUDIT_CONFIG=WORLD-WRITABLE trace: exit 125, says why, CMD not run" ||
	{ fail "KMODAUDIT_CONFIG untrusted, trace: exit $rc"; cat "$W/err"; }

# The same with a good file (root's), and with none named: they go on.
if [ "$(id -u)" = 0 ]; then
	run "$K" report --config "$W/good.conf" --input "$LOG"
	# 3: the table has flagged rows (report's exit status for them)
	[ $rc = 3 ] && [ -s "$W/out" ] && pass "report --config GOOD: exit 3, a table" ||
		{ fail "report --config good: exit $rc"; cat "$W/err"; }
	run env KMODAUDIT_CONFIG="$W/good.conf" "$K" trace -- touch "$W/ran"
	[ $rc = 0 ] && [ -e "$W/ran" ] && pass "KMODAUDIT_CONFIG=GOOD trace: CMD runs" ||
		{ fail "KMODAUDIT_CONFIG good, trace: exit $rc"; cat "$W/err"; }
	rm -f "$W/ran"
fi
run "$K" report --input "$LOG"
[ $rc = 3 ] && pass "report, no file named: exit 3 (flagged rows)" || { fail "report without --config: exit $rc"; cat "$W/err"; }

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
