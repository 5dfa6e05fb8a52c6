# SPDX-License-Identifier: LGPL-2.1-or-later
# The i386 build of the shim and its core on an amd64 Debian host: the host's gcc with -m32
# (gcc-multilib) against the multiarch i386 libraries (libelf-dev:i386 ...), installed under
# lib/i386-linux-gnu, where ld.so's $LIB leads an i386 program (cmake/i386.cmake).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
# -Wno-psabi: gcc's note that _Atomic 64-bit fields align differently since gcc 11 concerns
# the core's own struct kma_ctx only, which never crosses to code built by another compiler.
set(CMAKE_C_FLAGS_INIT "-m32 -Wno-psabi")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-m32")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-m32")
# pkg-config answers for the i386 libraries only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
