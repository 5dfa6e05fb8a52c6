# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit rules / check: the rules against the benchmarks' own acceptance logic and the running
# kernel; check on fixture trees (each check made to fail once, and with FIFOs in place of the
# files it reads) and on this machine; check-drops: the rules and rate limit under which the
# kernel drops our records.
kmodaudit_sys_test(compliance-rules ${CMAKE_CURRENT_LIST_DIR}/rules.sh 120)
kmodaudit_sys_test(compliance-rules-install ${CMAKE_CURRENT_LIST_DIR}/install.sh 120)
kmodaudit_sys_test(compliance-check-tree ${CMAKE_CURRENT_LIST_DIR}/check-tree.sh 120)
kmodaudit_sys_test(compliance-check-live ${CMAKE_CURRENT_LIST_DIR}/check-live.sh 120)
kmodaudit_sys_test(compliance-check-hang ${CMAKE_CURRENT_LIST_DIR}/check-hang.sh 150)
kmodaudit_sys_test(compliance-check-fifo ${CMAKE_CURRENT_LIST_DIR}/check-fifo.sh 120)
kmodaudit_sys_test(compliance-check-conf ${CMAKE_CURRENT_LIST_DIR}/check-conf.sh 60)
kmodaudit_sys_test(compliance-rules-root ${CMAKE_CURRENT_LIST_DIR}/rules-root.sh 60)
kmodaudit_sys_test(compliance-check-drops ${CMAKE_CURRENT_LIST_DIR}/check-drops.sh 120)
