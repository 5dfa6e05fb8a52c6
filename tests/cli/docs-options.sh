#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# README and kmodaudit(8) name every option each subcommand's --help lists, and their synopsis
# lines name no option --help lacks (docs-options.py says how).
set -euo pipefail
: "${KMODAUDIT_BUILD:?}" "${KMODAUDIT_SRC:?}"
exec python3 "$KMODAUDIT_SRC/tests/cli/docs-options.py" "$KMODAUDIT_BUILD/src/kmodaudit" \
	"$KMODAUDIT_SRC/README.md" "$KMODAUDIT_SRC/packaging/man/kmodaudit.8"
