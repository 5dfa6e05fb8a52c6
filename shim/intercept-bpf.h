/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * bpf(BPF_PROG_LOAD, attr, size) with its six argument registers (a1 is the command, which the
 * caller checked): the block, the instructions and the license copied, recorded, and handed to
 * the kernel as the copies. Returns what the kernel returned (the new fd or -errno), or -EPERM
 * when fail-closed mode refused the call.
 */
long intercept_bpf_prog_load(long nr, long a1, long a2, long a3, long a4, long a5, long a6);
