#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every C source and header of the project is formatted as .clang-format says (kernel-like
# style): clang-format would change nothing. Fix with: clang-format -i FILE...
set -euo pipefail
src=${KMODAUDIT_SRC:?}
command -v clang-format >/dev/null || { echo "SKIP: clang-format not installed"; exit 77; }
cd "$src"
mapfile -t files < <(find shim src wrappers tests bench -name '*.[ch]' -type f | sort)
[ ${#files[@]} -gt 50 ] || { echo "FAIL: only ${#files[@]} C files found under $src"; exit 1; }
bad=()
for f in "${files[@]}"; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
	echo "FAIL: not formatted as .clang-format says: ${bad[*]}"
	clang-format --dry-run "${bad[0]}" 2>&1 | sed -n 1,20p
	exit 1
fi
echo "PASS: ${#files[@]} files formatted ($(clang-format --version))"
