/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The system call instruction itself. The shim exports syscall(), so it cannot call libc's (it
 * would call itself), and looking the next one up with dlsym() inside syscall() could re-enter;
 * six registers in, one out, nothing to resolve.
 */
#pragma once

#include <stdbool.h>

#include "call.h"

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;
#if defined(__x86_64__)
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
#elif defined(__i386__)
	/*
	 * int $0x80 takes the number in eax and six arguments in ebx ecx edx esi edi ebp. ebp may
	 * be the frame pointer, so it is saved on the stack and loaded from {nr, a6}, whose
	 * address eax brings in; i386 has no red zone below esp to spoil.
	 */
	long nr_a6[2] = {nr, a6};

	__asm__ volatile("push %%ebp\n\t"
			 "movl 4(%%eax), %%ebp\n\t"
			 "movl (%%eax), %%eax\n\t"
			 "int $0x80\n\t"
			 "pop %%ebp"
			 : "=a"(ret)
			 : "0"(nr_a6), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5)
			 : "memory");
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;
	register long x5 __asm__("x5") = a6;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	ret = x0;
#else
#error "raw_syscall6: port this architecture's system call instruction"
#endif
	return ret;
}

/* The system call the kernel runs for nr (shared/call.h says how it reads the number). */
static inline int kernel_syscall_nr(long nr)
{
	return kma_kernel_nr(nr);
}

/* The kernel's -4095..-1 error range, as libc's syscall() decodes it. */
static inline bool raw_syscall_failed(long ret)
{
	return (unsigned long)ret > -4096UL;
}
