# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole-system test bed (issue 16): Debian 12 with systemd booted twice under qemu (TCG),
# configured by the project's .debs as an administrator would. 5.5 to 12 minutes with the
# debootstrap root cached (tests/system/system-root), longer on the first run; 1500 s hard limit.
kmodaudit_sys_test(system-boot ${CMAKE_CURRENT_LIST_DIR}/run.sh 1500)
# Its qemu boots take the vm bed's lock (one TCG guest at a time); other tests may run beside it.
set_tests_properties(system-boot PROPERTIES LABELS "sys;vm;system")
# kmodaudit rules --install --initramfs and its check item, in a private mount namespace.
kmodaudit_sys_test(system-rules-initramfs ${CMAKE_CURRENT_LIST_DIR}/rules-initramfs.sh 120)
