# SPDX-License-Identifier: LGPL-2.1-or-later
# libFuzzer harnesses, one per parser: tests/fuzz/fuzz-*.c.
# - With -DKMODAUDIT_FUZZ=ON (CC=clang): executables fuzz-NAME linked with libFuzzer;
#   tests/fuzz/run-all runs each briefly (make check), bench/fuzz runs them longer.
# - In every build: fuzz-NAME-replay runs the harness over its regression inputs
#   corpus (tests/fuzz/corpus/NAME: hand-made edge cases, and every input that ever crashed
#   a harness, named crash-*) as a ctest test.
# - fuzz-conf-mode is differential: the shim's [policy] mode reader (shared/conf-mode.c) against
#   the core's parser; it replays the conf seeds too.
file(GLOB KMODAUDIT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz-*.c)
set(KMODAUDIT_FUZZ_SEEDS_conf-mode ${CMAKE_CURRENT_LIST_DIR}/corpus/conf)
if(KMODAUDIT_FUZZ)
	add_custom_target(fuzzers)
endif()
foreach(src ${KMODAUDIT_FUZZ_SOURCES})
	get_filename_component(name ${src} NAME_WE)
	string(REGEX REPLACE "^fuzz-" "" short ${name})
	if(KMODAUDIT_FUZZ)
		add_executable(${name} ${src})
		target_link_libraries(${name} PRIVATE kmodaudit-core)
		target_link_options(${name} PRIVATE -fsanitize=fuzzer)
		add_dependencies(fuzzers ${name})
	else()
		add_executable(${name}-replay ${src} ${CMAKE_CURRENT_LIST_DIR}/replay.c)
		target_link_libraries(${name}-replay PRIVATE kmodaudit-core)
		set(dir ${CMAKE_CURRENT_LIST_DIR}/corpus/${short})
		if(EXISTS ${dir})
			add_test(NAME ${name}-corpus COMMAND ${name}-replay ${dir}
				${KMODAUDIT_FUZZ_SEEDS_${short}})
			set_tests_properties(${name}-corpus PROPERTIES LABELS unit)
		endif()
	endif()
endforeach()
