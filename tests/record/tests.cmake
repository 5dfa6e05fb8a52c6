# SPDX-License-Identifier: LGPL-2.1-or-later
# The record side of the core: record format, config, process context (unit), and records sent
# through the real audit subsystem, syslog and file sinks, read back with auparse (system).
kmodaudit_unit_test(test-record ${CMAKE_CURRENT_LIST_DIR}/test-record.c)
# The one encoder of bytes as text: hex, terminal-safe strings, JSON strings.
kmodaudit_unit_test(test-text-encode ${CMAKE_CURRENT_LIST_DIR}/test-text-encode.c)
kmodaudit_unit_test(test-conf ${CMAKE_CURRENT_LIST_DIR}/test-conf.c)
kmodaudit_unit_test(test-procctx ${CMAKE_CURRENT_LIST_DIR}/test-procctx.c)
# The emitters' contract: initialiser, syscall numbers, lost-record wording, zeroed calls.
kmodaudit_unit_test(test-call ${CMAKE_CURRENT_LIST_DIR}/test-call.c)

# Drivers for the system tests: the emit lifecycle as an emitter runs it, and an auparse reader.
add_executable(kma-emit ${CMAKE_CURRENT_LIST_DIR}/kma-emit.c)
target_link_libraries(kma-emit PRIVATE kmodaudit-core PkgConfig::LIBSECCOMP ${CMAKE_DL_LIBS})
add_executable(kma-auparse ${CMAKE_CURRENT_LIST_DIR}/kma-auparse.c)
target_link_libraries(kma-auparse PRIVATE kmodaudit-core PkgConfig::AUPARSE PkgConfig::LIBAUDIT)
# What auparse's interpretation (ausearch -i) makes of each field of our records.
add_executable(kma-interp ${CMAKE_CURRENT_LIST_DIR}/kma-interp.c)
target_link_libraries(kma-interp PRIVATE kmodaudit-core PkgConfig::AUPARSE PkgConfig::LIBAUDIT)
set_target_properties(kma-emit kma-auparse kma-interp PROPERTIES
	RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/record)

kmodaudit_sys_test(record-audit-roundtrip ${CMAKE_CURRENT_LIST_DIR}/roundtrip.sh 120)
kmodaudit_sys_test(record-fallback ${CMAKE_CURRENT_LIST_DIR}/fallback.sh 120)
kmodaudit_sys_test(record-ack-wait ${CMAKE_CURRENT_LIST_DIR}/ack-wait.sh 120)
# Every emitter's records read back with the real ausearch -i and auparse, and found by
# ausearch's own searches (--success, -c, -x, -p).
kmodaudit_sys_test(record-ausearch ${CMAKE_CURRENT_LIST_DIR}/ausearch.sh 180)

# The shim's own [policy] mode reader (when it cannot load the core) against conf.c's.
kmodaudit_unit_test(test-conf-mode ${CMAKE_CURRENT_LIST_DIR}/test-conf-mode.c)

# [limits] max_image_size: images over the cap are recorded as truncated_read, size from stat.
kmodaudit_sys_test(record-size-cap ${CMAKE_CURRENT_LIST_DIR}/size-cap.sh 60)
