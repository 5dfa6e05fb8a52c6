/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The emitters' one contract (shared/call.h, shared/lost-line.h): the initialiser, the syscall
 * numbers as the kernel reads them, the lost-record wording; and a call not made by the
 * initialiser (a zeroed struct) refused by the core rather than read as fd 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>
#include <sys/syscall.h>

#include "call.h"
#include "core/emit.h"
#include "lost-line.h"

static void test_init(void **state)
{
	struct kma_call c = kma_call_init(KMA_SYS_FINIT_MODULE, KMA_VIA_TRACE, 42);

	assert_int_equal(c.size, sizeof(struct kma_call));
	assert_int_equal(c.syscall, KMA_SYS_FINIT_MODULE);
	assert_int_equal(c.via, KMA_VIA_TRACE);
	assert_int_equal(c.pid, 42);
	/* no fd unless the emitter has one: a zeroed struct would say fd 0 */
	assert_int_equal(c.fd, -1);
	assert_int_equal(c.caller_fd, -1);
	assert_null(c.image);
	assert_null(c.args);
	assert_null(c.name);
}

static void test_zeroed_call_refused(void **state)
{
	struct kma_ctx_opts opts = {.config_path = "/nonexistent/kmodaudit.conf"};
	struct kma_call zeroed;
	struct kma_pending *p = (struct kma_pending *)&p;
	struct kma_ctx *ctx = NULL;

	memset(&zeroed, 0, sizeof(zeroed));
	assert_int_equal(kma_ctx_new(&opts, &ctx), 0);
	assert_int_equal(kma_call_begin(ctx, &zeroed, &p), -EINVAL);
	/* a struct of another layout (its size field says so) neither */
	zeroed = kma_call_init(KMA_SYS_DELETE_MODULE, KMA_VIA_PRELOAD, 0);
	zeroed.size -= 8;
	assert_int_equal(kma_call_begin(ctx, &zeroed, &p), -EINVAL);
	/* nor a call the core does not know */
	zeroed = kma_call_init((enum kma_syscall)7, KMA_VIA_PRELOAD, 0);
	assert_int_equal(kma_call_begin(ctx, &zeroed, &p), -EINVAL);
	kma_ctx_free(ctx);
}

static void test_syscall_numbers(void **state)
{
	enum kma_syscall s;

	assert_int_equal(kma_syscall_of_nr(SYS_init_module, false, &s), 0);
	assert_int_equal(s, KMA_SYS_INIT_MODULE);
	assert_int_equal(kma_syscall_of_nr(SYS_finit_module, false, &s), 0);
	assert_int_equal(s, KMA_SYS_FINIT_MODULE);
	assert_int_equal(kma_syscall_of_nr(SYS_delete_module, false, &s), 0);
	assert_int_equal(s, KMA_SYS_DELETE_MODULE);
	/* the kernel reads the low 32 bits of the number */
	assert_int_equal(kma_syscall_of_nr((long)(0x100000000UL | SYS_init_module), false, &s), 0);
	assert_int_equal(s, KMA_SYS_INIT_MODULE);
#if defined(__x86_64__)
	/* the x32 table has the module calls at their 64-bit numbers */
	assert_int_equal(kma_syscall_of_nr(0x40000000 | SYS_delete_module, false, &s), 0);
	assert_int_equal(s, KMA_SYS_DELETE_MODULE);
#endif
	assert_int_equal(kma_syscall_of_nr(SYS_getpid, false, &s), -ENOENT);
	/* i386's numbers, only where asked for */
	assert_int_equal(kma_syscall_of_nr(128, true, &s), 0);
	assert_int_equal(s, KMA_SYS_INIT_MODULE);
	assert_int_equal(kma_syscall_of_nr(350, true, &s), 0);
	assert_int_equal(s, KMA_SYS_FINIT_MODULE);
	assert_int_equal(kma_syscall_of_nr(129, true, &s), 0);
	assert_int_equal(s, KMA_SYS_DELETE_MODULE);
	assert_int_equal(kma_syscall_of_nr(SYS_init_module, true, &s),
			 SYS_init_module == 128 ? 0 : -ENOENT);
	assert_string_equal(kma_syscall_name(KMA_SYS_FINIT_MODULE), "finit_module");
	assert_null(kma_syscall_name((enum kma_syscall)7));
}

static void test_lost_line(void **state)
{
	char buf[200];

	lost_line(buf, sizeof(buf), true, KMA_SYS_INIT_MODULE, "modprobe", 12, "image of 9 bytes",
		  "no sink took the record");
	assert_string_equal(buf, "fail-closed: refused init_module by modprobe[12] "
				 "(image of 9 bytes): no sink took the record");
	lost_line(buf, sizeof(buf), false, KMA_SYS_DELETE_MODULE, NULL, 7, NULL, "out of memory");
	assert_string_equal(buf, "record lost: delete_module by ?[7]: out of memory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_zeroed_call_refused),
		cmocka_unit_test(test_syscall_numbers),
		cmocka_unit_test(test_lost_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
