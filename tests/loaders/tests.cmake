# SPDX-License-Identifier: LGPL-2.1-or-later
# The project's own module loader (CLI in kma-load.c), used by the shim's, the tracer's and the
# front end's tests and by bench/: plain libc, no project code.
add_executable(kma-load ${CMAKE_CURRENT_LIST_DIR}/kma-load.c)
