# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report: logs made here by auditd with our emitters, the real logs kept in fixtures/
# and hand-edited variants of them (made at run time) for each flag.
kmodaudit_sys_test(report-live ${CMAKE_CURRENT_LIST_DIR}/live.sh 120)
kmodaudit_sys_test(report-variants ${CMAKE_CURRENT_LIST_DIR}/variants.sh 120)
kmodaudit_sys_test(report-vm ${CMAKE_CURRENT_LIST_DIR}/vm.sh 60)
kmodaudit_sys_test(report-large ${CMAKE_CURRENT_LIST_DIR}/large.sh 120)
kmodaudit_sys_test(report-trust ${CMAKE_CURRENT_LIST_DIR}/trust.sh 120)
