# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit preload: the text edits (unit), and enable/disable/status against real files,
# real libraries and real failure modes (read-only /etc, full disk, races) in private mount
# namespaces, never on this host's /etc/ld.so.preload.
kmodaudit_unit_test(test-preload-list ${CMAKE_CURRENT_LIST_DIR}/test-preload-list.c)
target_link_libraries(test-preload-list PRIVATE kmodaudit-cmd-preload)

# One small real library per behaviour: ok, exit (constructor exits 1), crash (SIGSEGV),
# hang (never returns), mutehang (closes stderr, then never returns), noisy (writes to stderr).
foreach(kind ok exit crash hang mutehang noisy)
	string(TOUPPER ${kind} kind_upper)
	add_library(preload-testlib-${kind} SHARED ${CMAKE_CURRENT_LIST_DIR}/testlib.c)
	target_compile_definitions(preload-testlib-${kind} PRIVATE TESTLIB_${kind_upper})
	set_target_properties(preload-testlib-${kind} PROPERTIES
		OUTPUT_NAME preload-test-${kind}
		LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/preload)
endforeach()

kmodaudit_sys_test(preload-sys ${CMAKE_CURRENT_LIST_DIR}/preload.sh 120)
