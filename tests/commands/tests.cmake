# SPDX-License-Identifier: LGPL-2.1-or-later
# The commands as an administrator meets them: bad input gets the documented message and exit
# status.
kmodaudit_sys_test(commands-config-named ${CMAKE_CURRENT_LIST_DIR}/config-named.sh 120)
kmodaudit_sys_test(commands-ux ${CMAKE_CURRENT_LIST_DIR}/ux.sh 120)
