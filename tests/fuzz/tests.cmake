# SPDX-License-Identifier: LGPL-2.1-or-later
# libFuzzer harnesses (issue 8). Built only with -DKMODAUDIT_FUZZ=ON and CC=clang; every
# harness is an executable named fuzz-*. tests/fuzz/run-all runs them briefly (make check)
# and bench/fuzz runs them longer.
if(KMODAUDIT_FUZZ)
	file(GLOB KMODAUDIT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz-*.c)
	foreach(src ${KMODAUDIT_FUZZ_SOURCES})
		get_filename_component(name ${src} NAME_WE)
		add_executable(${name} ${src})
		target_link_libraries(${name} PRIVATE kmodaudit-core)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
	endforeach()
endif()
