/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One module system call (SYS_init_module, SYS_finit_module or SYS_delete_module, as
 * kma_kernel_nr() reads nr; the kernel gets nr as it is) with its six argument registers:
 * copied, recorded, made with the copy. Returns what the kernel returned
 * (>= 0 or -errno), or -EPERM when fail-closed mode refused the call.
 */
long intercept_module_call(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
