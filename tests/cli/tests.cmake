# SPDX-License-Identifier: LGPL-2.1-or-later
# The commands as an administrator meets them: shell completion.
kmodaudit_sys_test(cli-completion ${CMAKE_CURRENT_LIST_DIR}/completion.sh 60)
kmodaudit_sys_test(cli-packaging ${CMAKE_CURRENT_LIST_DIR}/packaging.sh 60)
kmodaudit_sys_test(cli-docs-options ${CMAKE_CURRENT_LIST_DIR}/docs-options.sh 60)
