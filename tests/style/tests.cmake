# SPDX-License-Identifier: LGPL-2.1-or-later
# The project's C style (.clang-format) holds for every source file.
kmodaudit_sys_test(style-clang-format ${CMAKE_CURRENT_LIST_DIR}/format.sh 120)
kmodaudit_sys_test(style-pipes ${CMAKE_CURRENT_LIST_DIR}/pipes.sh 60)
