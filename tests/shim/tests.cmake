# SPDX-License-Identifier: LGPL-2.1-or-later
# The preload shim's tests (issue 3). Programs here are plain libc: they are what the shim is
# loaded into. The qemu test bed reuses `transparency` against a kernel with modules.
add_executable(transparency ${CMAKE_CURRENT_LIST_DIR}/transparency.c)
