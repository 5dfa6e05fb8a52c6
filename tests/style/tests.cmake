# SPDX-License-Identifier: LGPL-2.1-or-later
# The project's C style (.clang-format) holds for every source file; the shim and src/shared
# include nothing of the project beyond src/shared (includes.sh).
kmodaudit_sys_test(style-clang-format ${CMAKE_CURRENT_LIST_DIR}/format.sh 120)
kmodaudit_sys_test(style-pipes ${CMAKE_CURRENT_LIST_DIR}/pipes.sh 60)
kmodaudit_sys_test(style-includes ${CMAKE_CURRENT_LIST_DIR}/includes.sh 60)
