# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report: logs made here by auditd with our emitters, the real logs kept in fixtures/
# and hand-edited variants of them (made at run time) for each flag.
kmodaudit_sys_test(report-live ${CMAKE_CURRENT_LIST_DIR}/live.sh 120)
kmodaudit_sys_test(report-variants ${CMAKE_CURRENT_LIST_DIR}/variants.sh 120)
kmodaudit_sys_test(report-vm ${CMAKE_CURRENT_LIST_DIR}/vm.sh 60)
kmodaudit_sys_test(report-time-cli ${CMAKE_CURRENT_LIST_DIR}/time-cli.sh 60)
kmodaudit_sys_test(report-large ${CMAKE_CURRENT_LIST_DIR}/large.sh 120)
# The --since/--until parser alone (ausearch's forms), in a fixed time zone.
kmodaudit_unit_test(test-timespec ${CMAKE_CURRENT_LIST_DIR}/test-timespec.c)
target_link_libraries(test-timespec PRIVATE kmodaudit-cmd-common)
# Record format versions 1 and 2: the variants on the version-2 log, and both logs read alike.
kmodaudit_sys_test(report-variants-v2 ${CMAKE_CURRENT_LIST_DIR}/variants-v2.sh 120)
kmodaudit_sys_test(report-versions ${CMAKE_CURRENT_LIST_DIR}/versions.sh 60)
kmodaudit_sys_test(report-trust ${CMAKE_CURRENT_LIST_DIR}/trust.sh 120)
# The command line (issues 12 and 17): filters, formats, width, --raw, exit statuses, time, inputs,
# --explain's records. Each part fails on the code before it (56349a1): unknown options, exit 0
# with flagged rows and bad inputs, 773-column lines at COLUMNS=80, no offset in JSON, a hang on
# a UTF-8 module name in the C locale, no records in --explain.
kmodaudit_sys_test(report-cli ${CMAKE_CURRENT_LIST_DIR}/cli.sh 120)
# The table's widths: the widest wide column shrinks first, text cut on code points.
kmodaudit_unit_test(test-report-width ${CMAKE_CURRENT_LIST_DIR}/test-report-width.c)
target_link_libraries(test-report-width PRIVATE kmodaudit-cmd-report)
# One call's kernel event lost from the real VM log (each in turn): only that row loses the
# kernel; no later event of the same loader moves to the row before it.
kmodaudit_sys_test(report-pairing ${CMAKE_CURRENT_LIST_DIR}/pairing.sh 180)
# BPF program rows: OP bpf, --op bpf keeps them alone and --op load only module loads; --explain
# gives their values' origins (the real VM log with a BPF load after it).
kmodaudit_sys_test(report-bpf-op ${CMAKE_CURRENT_LIST_DIR}/bpf-op.sh 60)
