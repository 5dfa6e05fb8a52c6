/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test loaders' module syscalls: the system call instruction itself, inline, so that no
 * libc wrapper (and no preloaded shim) is involved. x86_64 uses `syscall`, i386 `int $0x80`.
 */
#pragma once

#if defined(__x86_64__)
#define NR_INIT_MODULE 175
#define NR_DELETE_MODULE 176
#define NR_FINIT_MODULE 313

static inline long raw_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__i386__)
#define NR_INIT_MODULE 128
#define NR_DELETE_MODULE 129
#define NR_FINIT_MODULE 350

static inline long raw_syscall3(long nr, long a1, long a2, long a3)
{
	long ret;

	/* ebx is the PIC register: swap it by hand rather than naming it as an operand. */
	__asm__ volatile("xchg %%edi, %%ebx\n\tint $0x80\n\txchg %%edi, %%ebx"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "c"(a2), "d"(a3)
			 : "memory");
	return ret;
}
#else
#error "raw_syscall3: port this architecture's system call instruction"
#endif
