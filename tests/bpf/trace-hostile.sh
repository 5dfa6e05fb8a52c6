#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hostile.sh with the loader under kmodaudit trace instead of the shim.
exec bash "$KMODAUDIT_SRC/tests/bpf/hostile.sh" trace
