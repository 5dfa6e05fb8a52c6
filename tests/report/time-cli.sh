# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report's time options as an administrator types them: ausearch's forms select the
# rows of the kept log they name, bad ones fail with the option and the accepted forms (exit 2).
# The forms' arithmetic is test-timespec's; this is the command line around it.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
log=$(dirname "$0")/fixtures/local-enosys.log
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"

# The log's first and last record times (seconds), read from the log itself.
first=$(sed -n 's/.*msg=audit(\([0-9]*\)\..*/\1/p' "$log" | sort -n | sed -n 1p)
last=$(sed -n 's/.*msg=audit(\([0-9]*\)\..*/\1/p' "$log" | sort -n | sed -n '$p')
[ -n "$first" ] && [ -n "$last" ] || fail "no times in $log"
rows() { kma_report --json --input "$log" "$@" | grep -c '^{' || true; }

all=$(rows)
[ "$all" -gt 0 ] || fail "the kept log gives no rows"
# Local dates and times of the log's span, as a user would type them (date(1) computes them).
day=$(date -d "@$first" +%F)
us_day=$(date -d "@$first" +%m/%d/%Y)
[ "$(rows --since "$day" --until "$day 23:59:59")" = "$all" ] || fail "ISO day '$day' misses rows"
[ "$(rows --since "$us_day")" = "$all" ] || fail "en_US day '$us_day' misses rows"
[ "$(rows --since "@$((last + 10))")" = 0 ] || fail "--since after the log kept rows"
[ "$(rows --since week-ago)" = 0 ] || fail "week-ago kept rows of an old log"
echo "ok: ISO and en_US days select all $all rows; later spans none"

# bad ones: exit 2, the option named, the accepted forms listed
for bad in 2026-02-30 25:00 tomorrow "today 10" 13/01/2026; do
	rc=0
	kma_report --input "$log" --since "$bad" >/dev/null 2>"$work/err" || rc=$?
	[ $rc = 2 ] || fail "--since '$bad': exit $rc, want 2"
	grep -F -- "--since: cannot read the time '$bad'; accepted: YYYY-MM-DD" "$work/err" >/dev/null ||
		fail "--since '$bad': message: $(cat "$work/err")"
done
rc=0
kma_report --input "$log" --since today --until yesterday >/dev/null 2>"$work/err" || rc=$?
[ $rc = 2 ] && grep -F -- "--since is after --until" "$work/err" >/dev/null ||
	fail "--since after --until: exit $rc: $(cat "$work/err")"
rc=0
kma_report --input "$log" --window 4000 >/dev/null 2>"$work/err" || rc=$?
[ $rc = 2 ] && grep -F "from 0 to 3600" "$work/err" >/dev/null ||
	fail "--window 4000: exit $rc: $(cat "$work/err")"
echo "ok: impossible dates, unknown words, reversed spans and a window out of range are refused"
