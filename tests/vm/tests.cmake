# SPDX-License-Identifier: LGPL-2.1-or-later
# The qemu test bed: one boot of Debian's kernel under TCG runs every scenario; the
# kernel's KERN_MODULE/SYSCALL records are held against ours. About a minute; 900 s hard limit.
kmodaudit_sys_test(vm-kernel-records ${CMAKE_CURRENT_LIST_DIR}/run.sh 900)
set_tests_properties(vm-kernel-records PROPERTIES LABELS "sys;vm")
