# SPDX-License-Identifier: LGPL-2.1-or-later
# The shim and its core once more for i386, so that 32-bit programs on an amd64 host are
# recorded too: a second build of this tree (KMODAUDIT_PRELOAD_ONLY) with the toolchain file
# i386-linux-gnu.cmake, installed under lib/i386-linux-gnu beside lib/x86_64-linux-gnu, where
# ld.so's $LIB leads each class (kmodaudit preload enable lists <prefix>/$LIB/libkmodaudit.so
# when both are installed). AUTO builds it when gcc -m32 links against the i386 libraries
# (gcc-multilib, libelf-dev:i386 ...: .ci/install-deps) and says why not otherwise.
set(KMODAUDIT_I386 AUTO CACHE STRING "Build the shim and its core for i386 too (AUTO, ON, OFF)")
set_property(CACHE KMODAUDIT_I386 PROPERTY STRINGS AUTO ON OFF)

set(KMODAUDIT_I386_BUILT OFF)
set(KMODAUDIT_I386_LIBDIR lib/i386-linux-gnu)
set(KMODAUDIT_I386_BINARY_DIR ${CMAKE_BINARY_DIR}/i386)
set(i386_pc_modules libelf libcrypto audit inih liblzma libzstd zlib json-c)
set(i386_why "")

if(KMODAUDIT_I386 STREQUAL "OFF")
	set(i386_why "KMODAUDIT_I386=OFF")
elseif(NOT CMAKE_SYSTEM_PROCESSOR STREQUAL "x86_64")
	set(i386_why "not an x86-64 build")
elseif(KMODAUDIT_FUZZ)
	set(i386_why "a fuzzing build")
else()
	execute_process(COMMAND ${CMAKE_COMMAND} -E env
			"PKG_CONFIG_LIBDIR=/usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig"
			PKG_CONFIG_PATH= ${PKG_CONFIG_EXECUTABLE} --print-errors --libs
			${i386_pc_modules}
		RESULT_VARIABLE rc OUTPUT_VARIABLE i386_libs ERROR_VARIABLE err
		OUTPUT_STRIP_TRAILING_WHITESPACE)
	if(NOT rc EQUAL 0)
		string(REGEX REPLACE "\n.*" "" err "${err}")
		set(i386_why "no i386 libraries (${err})")
	else()
		set(probe ${CMAKE_BINARY_DIR}/CMakeFiles/i386-probe)
		file(WRITE ${probe}.c "int main(void) { return 0; }\n")
		separate_arguments(i386_libs UNIX_COMMAND "${i386_libs}")
		execute_process(COMMAND ${CMAKE_C_COMPILER} -m32 ${probe}.c -o ${probe} ${i386_libs}
			RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
		if(NOT rc EQUAL 0)
			string(REGEX REPLACE "\n.*" "" err "${err}")
			set(i386_why "${CMAKE_C_COMPILER} -m32 cannot link against them (${err})")
		endif()
	endif()
endif()

if(i386_why STREQUAL "")
	set(KMODAUDIT_I386_BUILT ON)
	message(STATUS "kmodaudit: i386 shim and core: built in ${KMODAUDIT_I386_BINARY_DIR}")
elseif(KMODAUDIT_I386 STREQUAL "ON")
	message(FATAL_ERROR "kmodaudit: KMODAUDIT_I386=ON but: ${i386_why}")
else()
	message(STATUS "kmodaudit: i386 shim and core: NOT built: ${i386_why}")
endif()

if(KMODAUDIT_I386_BUILT)
	include(ExternalProject)
	ExternalProject_Add(kmodaudit-i386
		SOURCE_DIR ${CMAKE_SOURCE_DIR}
		BINARY_DIR ${KMODAUDIT_I386_BINARY_DIR}
		CMAKE_ARGS
			-DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/i386-linux-gnu.cmake
			-DCMAKE_C_COMPILER=${CMAKE_C_COMPILER}
			-DKMODAUDIT_PRELOAD_ONLY=ON
			-DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
			-DKMODAUDIT_WERROR=${KMODAUDIT_WERROR}
			-DKMODAUDIT_TEST_TRACER=${KMODAUDIT_TEST_TRACER}
			-DCMAKE_INSTALL_PREFIX=${CMAKE_INSTALL_PREFIX}
			-DCMAKE_INSTALL_LIBDIR=${KMODAUDIT_I386_LIBDIR}
			-DCMAKE_INSTALL_SYSCONFDIR=${CMAKE_INSTALL_SYSCONFDIR}
			-DCMAKE_INSTALL_SBINDIR=${CMAKE_INSTALL_SBINDIR}
		INSTALL_COMMAND ""
		BUILD_ALWAYS ON
		BUILD_BYPRODUCTS ${KMODAUDIT_I386_BINARY_DIR}/shim/libkmodaudit.so
			${KMODAUDIT_I386_BINARY_DIR}/src/libkmodaudit-impl.so)
	# Where the i386 shim and core go: beside the amd64 ones, under the multiarch directory.
	install(PROGRAMS ${KMODAUDIT_I386_BINARY_DIR}/shim/libkmodaudit.so
		DESTINATION ${KMODAUDIT_I386_LIBDIR})
	install(PROGRAMS ${KMODAUDIT_I386_BINARY_DIR}/src/libkmodaudit-impl.so
		DESTINATION ${KMODAUDIT_I386_LIBDIR}/kmodaudit)
endif()
