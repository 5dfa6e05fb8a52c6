# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit trace. The loaders here make the module syscalls with the system call
# instruction itself (raw-syscall.h): no libc wrapper, no preloaded shim sees them.
add_executable(kma-trace-loader ${CMAKE_CURRENT_LIST_DIR}/loader.c)
target_link_options(kma-trace-loader PRIVATE -static)
add_executable(kma-trace-mt-loader ${CMAKE_CURRENT_LIST_DIR}/mt-loader.c)
add_executable(kma-trace-vfork-loader ${CMAKE_CURRENT_LIST_DIR}/vfork-loader.c)
add_executable(kma-trace-escape ${CMAKE_CURRENT_LIST_DIR}/escape.c)
target_link_options(kma-trace-escape PRIVATE -static)
add_executable(kma-trace-uffd-loader ${CMAKE_CURRENT_LIST_DIR}/uffd-loader.c)
target_link_options(kma-trace-uffd-loader PRIVATE -static)
add_executable(kma-trace-notif-loader ${CMAKE_CURRENT_LIST_DIR}/notif-loader.c)
target_link_libraries(kma-trace-notif-loader PRIVATE pthread)

# The i386 loader needs gcc-multilib (.ci/install-deps); without it its checks SKIP. Checked
# again at every configure: a build configured before `make check` installed gcc-multilib
# (`make demo` first, on a fresh machine) must build the loader once it can.
include(CheckCSourceCompiles)
unset(KMODAUDIT_HAVE_M32_STATIC CACHE)
set(CMAKE_REQUIRED_FLAGS -m32)
set(CMAKE_REQUIRED_LINK_OPTIONS -m32 -static)
check_c_source_compiles("#include <stdio.h>\nint main(void) { return puts(\"\") < 0; }"
			KMODAUDIT_HAVE_M32_STATIC)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(KMODAUDIT_HAVE_M32_STATIC)
	add_executable(kma-trace-loader32 ${CMAKE_CURRENT_LIST_DIR}/loader.c)
	target_compile_options(kma-trace-loader32 PRIVATE -m32)
	target_link_options(kma-trace-loader32 PRIVATE -m32 -static)
endif()

kmodaudit_sys_test(trace-static ${CMAKE_CURRENT_LIST_DIR}/static.sh 120)
kmodaudit_sys_test(trace-busybox ${CMAKE_CURRENT_LIST_DIR}/busybox.sh 120)
kmodaudit_sys_test(trace-threads ${CMAKE_CURRENT_LIST_DIR}/threads.sh 120)
kmodaudit_sys_test(trace-descendants ${CMAKE_CURRENT_LIST_DIR}/descendants.sh 120)
kmodaudit_sys_test(trace-process ${CMAKE_CURRENT_LIST_DIR}/process.sh 120)
kmodaudit_sys_test(trace-emitters ${CMAKE_CURRENT_LIST_DIR}/emitters.sh 120)
kmodaudit_sys_test(trace-audit ${CMAKE_CURRENT_LIST_DIR}/audit.sh 120)
kmodaudit_sys_test(trace-notif ${CMAKE_CURRENT_LIST_DIR}/notif.sh 60)
kmodaudit_sys_test(trace-nonroot ${CMAKE_CURRENT_LIST_DIR}/nonroot.sh 60)
kmodaudit_sys_test(trace-stops ${CMAKE_CURRENT_LIST_DIR}/stops.sh 60)
kmodaudit_sys_test(trace-signals ${CMAKE_CURRENT_LIST_DIR}/signals.sh 60)
kmodaudit_sys_test(trace-escape ${CMAKE_CURRENT_LIST_DIR}/escape.sh 60)
kmodaudit_sys_test(trace-uffd ${CMAKE_CURRENT_LIST_DIR}/uffd.sh 60)
kmodaudit_sys_test(trace-options ${CMAKE_CURRENT_LIST_DIR}/options.sh 60)
# The shim and the tracer read a call's arguments within the same bounds.
kmodaudit_sys_test(trace-bounds ${CMAKE_CURRENT_LIST_DIR}/bounds.sh 60)
