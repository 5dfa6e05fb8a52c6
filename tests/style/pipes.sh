#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The test scripts run under `set -o pipefail`: a reader that stops early (grep -q, head,
# awk's exit, sed's q) makes the writer die of SIGPIPE, and the pipe fails on a race (CI lost
# wrappers-policy to `ldd | grep -q`, 1 run in 200 here). No shell script may pipe into one.
set -euo pipefail
src=${KMODAUDIT_SRC:?}
cd "$src"
mapfile -t files < <(grep -rlE '^#!.*(ba)?sh|set -[a-z]*o pipefail' tests bench packaging .ci \
	--exclude='*.[ch]' --exclude='*.py' --exclude='*.cmake' --exclude=pipes.sh | sort)
[ ${#files[@]} -gt 30 ] || { echo "FAIL: only ${#files[@]} shell scripts found under $src"; exit 1; }
early='\|[[:space:]]*(grep[[:space:]]+(-[A-Za-z]*q|--quiet|-[A-Za-z]*m)|head\b|sed[[:space:]]+-n[[:space:]]+[0-9]+q|awk[^|]*[{;][[:space:]]*exit\b)'
# A pipe continued on the next line counts too ("... |" joined with the line after it), and so
# does an awk program after a pipe that spans lines (joined until its quote closes).
joined() {
	awk '{ if (held != "") { line = held " " $0; held = ""; n++ } else { line = $0; at = FNR; n = 0 }
		if (line !~ /^[[:space:]]*#/ && n < 20 && (line ~ /\|[[:space:]]*$/ ||
			(line ~ /\|[[:space:]]*awk/ && gsub(/\047/, "\047", line) % 2 == 1))) {
			held = line
			next
		}
		print FILENAME ":" at ":" line }' "$@"
}
if hits=$(joined "${files[@]}" | grep -E "$early" | grep -vE '^[^:]*:[0-9]+:[[:space:]]*#'); then
	echo "FAIL: a pipe into a reader that stops early (use grep PATTERN >/dev/null, sed -n 1p,"
	echo "      awk without exit, or grep -q PATTERN <<<\"\$var\"):"
	echo "$hits"
	exit 1
fi
echo "PASS: ${#files[@]} shell scripts, no pipe into an early-exiting reader"
