#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# report-variants on the log the version-2 emitters wrote (fixtures/local-enosys-v2.log).
KMA_REPORT_BASE=local-enosys-v2.log exec bash "$(dirname "$0")/variants.sh"
