# SPDX-License-Identifier: LGPL-2.1-or-later
# Hardening: forged records through every emitter, faults end to end through the
# shim, secure execution, load; and what a sanitized build (-DKMODAUDIT_SANITIZE=ON, make
# check-asan) needs so that the whole suite runs in it.
#
# Sanitized builds. Everything is built with ASan+UBSan except what cannot be:
#   - the shim and the core it dlopens (libkmodaudit.so, libkmodaudit-impl.so): the tests load
#     them into programs nobody here built (kmod, busybox, python3...), where an ASan library
#     would need the ASan runtime preloaded ahead of everything. They are built plain, from
#     plain copies of src/shared and the core, and valgrind covers them (shim-valgrind). An instrumented
#     pair (tests/hardening/libkmodaudit-shim-asan.so, libkmodaudit-impl-asan.so) is built as well for the tests
#     here that preload them with the ASan runtime first (KMODAUDIT_SANITIZER_PRELOAD).
#   - the other libraries the tests preload into foreign programs (every shared library built
#     under tests/ but the -asan pair);
#   - static executables (-static cannot be combined with ASan);
#   - the tracer's test loaders (kma-trace-*): LeakSanitizer cannot run in a ptraced process;
#   - kma-stress (hardening-load) and threads-fork (shim-threads-fork): GCC 12's ASan runtime
#     deadlocks in a child forked while other threads allocate (its allocator's locks are not
#     held across fork), which is what those tests do on purpose. They run plain, with the
#     plain shim.
# The plain targets are fixed up at the end of the configure run (cmake_language(DEFER)), so
# that targets other tests.cmake files add later are seen too.
set(KMODAUDIT_HARDENING_DIR ${CMAKE_CURRENT_LIST_DIR})

add_executable(kma-secure ${CMAKE_CURRENT_LIST_DIR}/kma-secure.c)
add_executable(kma-stress ${CMAKE_CURRENT_LIST_DIR}/kma-stress.c)
target_link_libraries(kma-stress PRIVATE pthread)
add_library(kma-failmalloc SHARED ${CMAKE_CURRENT_LIST_DIR}/failmalloc.c)
target_link_libraries(kma-failmalloc PRIVATE ${CMAKE_DL_LIBS})
set_target_properties(kma-secure kma-stress kma-failmalloc PROPERTIES
	RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/hardening
	LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/hardening)

set(KMODAUDIT_HARDENING_TESTS forged:300 faults:300 secure-exec:120 load:300 valgrind:300)
foreach(t ${KMODAUDIT_HARDENING_TESTS})
	string(REPLACE ":" ";" t ${t})
	list(GET t 0 name)
	list(GET t 1 timeout)
	if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/${name}.sh)
		kmodaudit_sys_test(hardening-${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.sh ${timeout})
	endif()
endforeach()

if(KMODAUDIT_SANITIZE)
	# The ASan runtime a process must load first to host an instrumented library.
	execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
			OUTPUT_VARIABLE KMODAUDIT_ASAN_RUNTIME OUTPUT_STRIP_TRAILING_WHITESPACE)
	# src/shared once more, plain, for the plain shim and the plain core; the core once more,
	# plain, for the plain impl.
	get_target_property(shared_sources kmodaudit-shared SOURCES)
	add_library(kmodaudit-shared-plain STATIC ${shared_sources})
	get_target_property(shared_dirs kmodaudit-shared INTERFACE_INCLUDE_DIRECTORIES)
	target_include_directories(kmodaudit-shared-plain PUBLIC ${shared_dirs})
	get_target_property(core_sources kmodaudit-core SOURCES)
	add_library(kmodaudit-core-plain STATIC ${core_sources})
	get_target_property(core_libs kmodaudit-core LINK_LIBRARIES)
	list(TRANSFORM core_libs REPLACE "^kmodaudit-shared$" kmodaudit-shared-plain)
	target_link_libraries(kmodaudit-core-plain PUBLIC ${core_libs})
	target_include_directories(kmodaudit-core-plain PUBLIC ${CMAKE_SOURCE_DIR}/src)

	# The instrumented pair, from the same sources and version scripts.
	get_target_property(shim_sources kmodaudit-shim SOURCES)
	get_target_property(shim_dir kmodaudit-shim SOURCE_DIR)
	list(TRANSFORM shim_sources PREPEND ${shim_dir}/)
	add_library(kmodaudit-shim-asan SHARED ${shim_sources})
	target_link_libraries(kmodaudit-shim-asan PRIVATE kmodaudit-shared)
	target_link_options(kmodaudit-shim-asan PRIVATE
		-Wl,--version-script=${shim_dir}/libkmodaudit.sym)
	add_library(kmodaudit-impl-asan SHARED ${CMAKE_SOURCE_DIR}/src/impl/impl.c)
	target_link_libraries(kmodaudit-impl-asan PRIVATE kmodaudit-core)
	target_link_options(kmodaudit-impl-asan PRIVATE
		-Wl,--version-script=${CMAKE_SOURCE_DIR}/src/impl/impl.map)
	# A plain loader for the allocation failure test (its allocator replaces ASan's).
	add_executable(kma-load-plain ${CMAKE_SOURCE_DIR}/tests/loaders/kma-load.c)
	set_target_properties(kma-load-plain PROPERTIES
		RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/hardening)
	set_target_properties(kmodaudit-shim-asan kmodaudit-impl-asan PROPERTIES
		LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/hardening)
	add_dependencies(kmodaudit-shim-asan kmodaudit-impl-asan)
	foreach(t hardening-forged hardening-faults)
		if(TEST ${t})
			set_property(TEST ${t} APPEND PROPERTY
				ENVIRONMENT "KMODAUDIT_SANITIZER_PRELOAD=${KMODAUDIT_ASAN_RUNTIME}")
		endif()
	endforeach()

	function(kmodaudit_hardening_plain)
		set(plain kmodaudit-shim kmodaudit-impl kmodaudit-shared-plain kmodaudit-core-plain
			kma-load-plain kma-stress threads-fork)
		get_property(targets DIRECTORY ${CMAKE_SOURCE_DIR}/tests PROPERTY BUILDSYSTEM_TARGETS)
		foreach(t ${targets})
			get_target_property(type ${t} TYPE)
			get_target_property(opts ${t} LINK_OPTIONS)
			if(opts MATCHES "(^|;)-static(;|$)" OR
			   (type MATCHES "^(SHARED|MODULE)_LIBRARY$" AND NOT t MATCHES "-asan$") OR
			   t MATCHES "^kma-trace-")
				list(APPEND plain ${t})
			endif()
		endforeach()
		foreach(t ${plain})
			target_compile_options(${t} PRIVATE -fno-sanitize=all)
			target_link_options(${t} PRIVATE -fno-sanitize=all)
		endforeach()
		set_property(TARGET kmodaudit-impl PROPERTY LINK_LIBRARIES kmodaudit-core-plain)
		set_property(TARGET kmodaudit-shim PROPERTY LINK_LIBRARIES kmodaudit-shared-plain)
		# A plain preloaded library ahead of the ASan runtime in an instrumented program is
		# fine (it defines no allocator), but ASan's start-up check refuses it.
		get_property(tests DIRECTORY ${CMAKE_SOURCE_DIR}/tests PROPERTY TESTS)
		set_property(TEST ${tests} APPEND PROPERTY ENVIRONMENT
			"ASAN_OPTIONS=verify_asan_link_order=0"
			"UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
	endfunction()
	cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR}/tests CALL kmodaudit_hardening_plain)
endif()
