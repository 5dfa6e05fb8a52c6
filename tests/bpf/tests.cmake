# SPDX-License-Identifier: LGPL-2.1-or-later
# BPF program loads (issue 14): the attribute parser and the records (unit), and real loads on
# this host's kernel through the shim, read back beside the kernel's own AUDIT_BPF records.
kmodaudit_unit_test(test-bpf-prog ${CMAKE_CURRENT_LIST_DIR}/test-bpf-prog.c)
