#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The shim and src/shared include, of the project, only src/shared, their own folder and the
# build tree's config.h: their include path holds nothing else (src/shared/CMakeLists.txt), and
# this refuses what that cannot stop, a path that climbs out ("../src/core/emit.h"). src/shared
# does not include the shim's headers either: the core and the front end build it too.
set -euo pipefail
src=${KMODAUDIT_SRC:?}
cd "$src"
bad=()
n=0
for f in shim/*.[ch] src/shared/*.[ch]; do
	dir=${f%/*}
	while IFS= read -r inc; do
		n=$((n + 1))
		name=${inc#*\"}
		name=${name%%\"*}
		if [[ $name == */* ]] ||
			! { [ "$name" = config.h ] || [ -f "src/shared/$name" ] || [ -f "$dir/$name" ]; }; then
			bad+=("$f: $inc")
		fi
	done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" || true)
done
[ "$n" -gt 20 ] || { echo "FAIL: only $n quoted includes found in shim/ and src/shared/"; exit 1; }
if [ ${#bad[@]} -gt 0 ]; then
	echo "FAIL: shim/ and src/shared/ include only src/shared, their own folder and config.h:"
	printf '  %s\n' "${bad[@]}"
	exit 1
fi
echo "PASS: $n quoted includes in shim/ and src/shared/, all of src/shared, own folder, config.h"
