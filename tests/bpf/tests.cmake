# SPDX-License-Identifier: LGPL-2.1-or-later
# BPF program loads (issue 14): the attribute parser and the records (unit), and real loads on
# this host's kernel through the shim, read back beside the kernel's own AUDIT_BPF records.
kmodaudit_unit_test(test-bpf-prog ${CMAKE_CURRENT_LIST_DIR}/test-bpf-prog.c)
# Hostile blocks, instructions, counts and names through python3 ctypes, with and without the
# shim: the kernel's answer unchanged, the record honest (file sink; root for the loads).
kmodaudit_sys_test(bpf-hostile ${CMAKE_CURRENT_LIST_DIR}/hostile.sh 120)
# bpftool (libbpf) and python3 ctypes loads under the shim, joined to the kernel's AUDIT_BPF
# LOAD/UNLOAD records by prog id; the hash from the bytes the loaders handed over.
kmodaudit_sys_test(bpf-records ${CMAKE_CURRENT_LIST_DIR}/records.sh 180)
# kmodaudit rules --bpf and check's WARN/PASS for it, on disk and running (changes the kernel's
# rules for a while under the exclusive audit lock).
kmodaudit_sys_test(bpf-rules ${CMAKE_CURRENT_LIST_DIR}/rules.sh 180)
# The same hostile loads under kmodaudit trace: the seccomp filter stops bpf(BPF_PROG_LOAD), the
# kernel reads the tracer's copy in a private mapping of the caller.
kmodaudit_sys_test(bpf-trace-hostile ${CMAKE_CURRENT_LIST_DIR}/trace-hostile.sh 180)
# A static loader (raw syscall instruction), for bpf-records: kernel-only without trace,
# recorded by kmodaudit trace; and the same through libc's syscall() (the qemu bed's shim case).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
	add_executable(bpf-static-load ${CMAKE_CURRENT_LIST_DIR}/static-load.c)
	target_link_options(bpf-static-load PRIVATE -static)
	add_executable(bpf-dyn-load ${CMAKE_CURRENT_LIST_DIR}/static-load.c)
	target_compile_definitions(bpf-dyn-load PRIVATE KMA_LIBC_SYSCALL)
	set_target_properties(bpf-static-load bpf-dyn-load PROPERTIES
		RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/bpf)
endif()
