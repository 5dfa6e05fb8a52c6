# SPDX-License-Identifier: LGPL-2.1-or-later
# The preload shim's tests. Programs here are plain libc: they are what the shim is
# loaded into. The qemu test bed reuses `transparency` against a kernel with modules.
add_executable(transparency ${CMAKE_CURRENT_LIST_DIR}/transparency.c)
add_executable(fd-check ${CMAKE_CURRENT_LIST_DIR}/fd-check.c)
add_executable(threads-fork ${CMAKE_CURRENT_LIST_DIR}/threads-fork.c)
add_executable(kma-deny ${CMAKE_CURRENT_LIST_DIR}/kma-deny.c)
target_link_libraries(kma-deny PRIVATE PkgConfig::LIBSECCOMP)

kmodaudit_sys_test(shim-exports ${CMAKE_CURRENT_LIST_DIR}/exports.sh 60)
kmodaudit_sys_test(shim-transparency ${CMAKE_CURRENT_LIST_DIR}/transparency.sh 120)
kmodaudit_sys_test(shim-fd-leak ${CMAKE_CURRENT_LIST_DIR}/fd-leak.sh 120)
kmodaudit_sys_test(shim-records ${CMAKE_CURRENT_LIST_DIR}/records.sh 240)
kmodaudit_sys_test(shim-threads-fork ${CMAKE_CURRENT_LIST_DIR}/threads-fork.sh 300)
kmodaudit_sys_test(shim-syslog-fallback ${CMAKE_CURRENT_LIST_DIR}/syslog-fallback.sh 120)
kmodaudit_sys_test(shim-valgrind ${CMAKE_CURRENT_LIST_DIR}/valgrind.sh 300)

# finit_module while another thread dup2()s other files onto the fd (strace as the observer).
add_executable(finit-race ${CMAKE_CURRENT_LIST_DIR}/finit-race.c)
target_link_libraries(finit-race PRIVATE pthread)
kmodaudit_sys_test(shim-finit-race ${CMAKE_CURRENT_LIST_DIR}/finit-race.sh 120)

# syscall() numbers with junk in the upper 32 bits, which the kernel ignores.
add_executable(syscall-nr ${CMAKE_CURRENT_LIST_DIR}/syscall-nr.c)
kmodaudit_sys_test(shim-syscall-nr ${CMAKE_CURRENT_LIST_DIR}/syscall-nr.sh 60)

# The kernel's audit backlog full: records go to syslog rather than hold the loading process.
kmodaudit_sys_test(shim-backlog-full ${CMAKE_CURRENT_LIST_DIR}/backlog-full.sh 120)

# Ordinary syscall() calls never load the core (or libcrypto); a module call does.
add_executable(lazy-core ${CMAKE_CURRENT_LIST_DIR}/lazy-core.c)
kmodaudit_sys_test(shim-lazy-core ${CMAKE_CURRENT_LIST_DIR}/lazy-core.sh 60)
# issue 13: decompressors and json-c loaded only when needed (fails before: all mapped)
kmodaudit_sys_test(shim-lazy-libs ${CMAKE_CURRENT_LIST_DIR}/lazy-libs.sh 60)
# issue 13: init_module's copy of 16 MiB in huge pages (fails before: 4,100 faults)
kmodaudit_sys_test(shim-image-copy ${CMAKE_CURRENT_LIST_DIR}/image-copy.sh 60)

# Adversaries of the shim (shim-race and shim-vfork-seq fail on the shim before their fixes;
# see each script): a thread rewriting the caller's memory between the shim's read and the
# kernel's (stopped there by a seccomp user notification).
add_executable(kma-race ${CMAKE_CURRENT_LIST_DIR}/kma-race.c)
target_link_libraries(kma-race PRIVATE pthread)
kmodaudit_sys_test(shim-race ${CMAKE_CURRENT_LIST_DIR}/race.sh 120)
# Module calls around a vfork child's: seq unique per process.
add_executable(vfork-seq ${CMAKE_CURRENT_LIST_DIR}/vfork-seq.c)
kmodaudit_sys_test(shim-vfork-seq ${CMAKE_CURRENT_LIST_DIR}/vfork-seq.sh 60)
# syscall() looked up in the global scope (recorded) and through libc's own handle (not: the
# rule README states, unchanged by the fixes; the tracer records it).
add_executable(kma-dlsym ${CMAKE_CURRENT_LIST_DIR}/kma-dlsym.c)
target_link_libraries(kma-dlsym PRIVATE ${CMAKE_DL_LIBS})
kmodaudit_sys_test(shim-libc-handle ${CMAKE_CURRENT_LIST_DIR}/libc-handle.sh 120)
# Cores of another ABI version or struct layout (abi-core.c): refused by the shim, the loss said.
foreach(kind old:1 call-size:2 opts-size:3 table-size:4)
	string(REPLACE ":" ";" kind ${kind})
	list(GET kind 0 name)
	list(GET kind 1 case)
	add_library(kma-abi-${name} SHARED ${CMAKE_CURRENT_LIST_DIR}/abi-core.c)
	# the ABI's headers only (src/shared), nothing of it linked: a plain library in every build
	target_include_directories(kma-abi-${name} PRIVATE
		$<TARGET_PROPERTY:kmodaudit-shared,INTERFACE_INCLUDE_DIRECTORIES>)
	target_compile_definitions(kma-abi-${name} PRIVATE ABI_CASE=${case})
	# the table's fields set twice on purpose: the right sizes, then the wrong one
	target_compile_options(kma-abi-${name} PRIVATE -Wno-override-init)
	set_target_properties(kma-abi-${name} PROPERTIES
		LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/shim)
endforeach()
kmodaudit_sys_test(shim-abi ${CMAKE_CURRENT_LIST_DIR}/abi.sh 60)
# The core replaced (dpkg-style) or removed under a running loader before and after its first call.
kmodaudit_sys_test(shim-upgrade ${CMAKE_CURRENT_LIST_DIR}/upgrade.sh 60)

# 32-bit programs: kma-load built -m32 (dynamically linked, plain: no project flags, no
# sanitizer) under the i386 build of the shim (cmake/i386.cmake), as PREFIX/$LIB reaches it.
# Without an i386 build the test says SKIP and why.
if(KMODAUDIT_I386_BUILT)
	set(kma_load32_src ${CMAKE_SOURCE_DIR}/tests/loaders/kma-load.c)
	add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/tests/kma-load32
		COMMAND ${CMAKE_C_COMPILER} -m32 -O2 -Wall -Wextra -D_GNU_SOURCE
			-o ${CMAKE_BINARY_DIR}/tests/kma-load32 ${kma_load32_src}
		DEPENDS ${kma_load32_src} VERBATIM)
	add_custom_target(kma-load32 ALL DEPENDS ${CMAKE_BINARY_DIR}/tests/kma-load32)
endif()
kmodaudit_sys_test(shim-i386 ${CMAKE_CURRENT_LIST_DIR}/i386.sh 180)
