# SPDX-License-Identifier: LGPL-2.1-or-later
# The kmod front end (wrappers/): parity with Debian's kmod, and its records.
kmodaudit_sys_test(wrappers-parity ${CMAKE_CURRENT_LIST_DIR}/parity.sh 120)
kmodaudit_sys_test(wrappers-records ${CMAKE_CURRENT_LIST_DIR}/records.sh 120)
kmodaudit_sys_test(wrappers-policy ${CMAKE_CURRENT_LIST_DIR}/policy.sh 60)
