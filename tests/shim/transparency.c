/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The transparency matrix: module system calls with good and bad arguments, each made in its
 * own child process. One line per case:
 *
 *	CASE RET ERRNO OFFSET
 *
 * RET is the call's return value (or "crashed" and the signal), ERRNO the errno name after the
 * call ("-" when errno kept the value set before the call), OFFSET the file offset of the fd
 * the case used ("-" without one). Run it with and without the shim preloaded and diff: the
 * lines must be identical. Against a kernel with modules (the qemu test bed), give it a real
 * module: it loads and unloads it; the sequence leaves the kernel as it found it.
 *
 *	transparency [-m MODULE.ko -n NAME]
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

long init_module(void *image, unsigned long len, const char *args);
long delete_module(const char *name, unsigned int flags);

#define SENTINEL 4242 /* errno before every call: it must still be there after a success */
#define WILD ((void *)0xdead0000UL)
#define KERNEL_ADDR ((void *)0xffffffff81000000UL)
#define PAGE 4096UL

static const char *module_path; /* -m: a real module; else a small non-module image */
static const char *module_name = "kmatest_none";
static void *image;
static size_t image_len;
static char tmpdir[] = "/tmp/kma-transparency.XXXXXX";

struct result {
	long ret;
	int err;
	int fd; /* whose offset to print, -1 for none */
};

/* n bytes that end where an unmapped (PROT_NONE) page begins. */
static char *before_guard(size_t n)
{
	size_t len = (n + PAGE - 1) / PAGE * PAGE;
	char *m =
		mmap(NULL, len + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		abort();
	mprotect(m + len, PAGE, PROT_NONE);
	return m + len - n;
}

static int file_fd(int flags)
{
	char path[sizeof(tmpdir) + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/module.ko", tmpdir);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		abort();
	return fd;
}

static int memfd_with_image(void)
{
	int fd = memfd_create("module", MFD_CLOEXEC);

	if (fd < 0 || write(fd, image, image_len) != (ssize_t)image_len)
		abort();
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static long sys_finit(int fd, const char *args, long flags)
{
	return syscall(SYS_finit_module, fd, args, flags);
}

/* The cases. Each runs in a fresh child; r->fd names an fd whose offset is printed. */
#define CASE(n) static void case_##n(struct result *r)

CASE(init_valid)
{
	r->ret = init_module(image, image_len, "");
}
CASE(init_valid_again)
{
	r->ret = init_module(image, image_len, "");
}
CASE(init_valid_params)
{
	r->ret = init_module(image, image_len, "kmatest=1 x=\"a b\"");
}
CASE(init_syscall_valid)
{
	r->ret = syscall(SYS_init_module, image, image_len, "");
}
CASE(init_syscall_junk_regs)
{
	r->ret = syscall(SYS_init_module, image, image_len, "", -1L, WILD, 0x5a5a5a5aL);
}
CASE(init_null_len0)
{
	r->ret = init_module(NULL, 0, "");
}
CASE(init_null_len4096)
{
	r->ret = init_module(NULL, 4096, "");
}
CASE(init_wild)
{
	r->ret = init_module(WILD, 4096, "");
}
CASE(init_kernel_addr)
{
	r->ret = init_module(KERNEL_ADDR, 4096, "");
}
CASE(init_len0)
{
	r->ret = init_module(image, 0, "");
}
CASE(init_len1)
{
	r->ret = init_module(image, 1, "");
}
CASE(init_len_huge)
{
	r->ret = init_module(image, 1UL << 40, "");
}
CASE(init_len_max)
{
	r->ret = init_module(image, ~0UL, "");
}
CASE(init_len_over_cap)
{
	r->ret = init_module(image, (1UL << 30) + 1, "");
}
CASE(init_len_past_end)
{
	char *p = before_guard(image_len / 2);

	memcpy(p, image, image_len / 2);
	r->ret = init_module(p, image_len, "");
}
CASE(init_readonly_image)
{
	void *p = mmap(NULL, image_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	memcpy(p, image, image_len);
	mprotect(p, image_len, PROT_READ);
	r->ret = init_module(p, image_len, "");
}
CASE(init_garbage)
{
	static char junk[8192];

	memset(junk, 0xa5, sizeof(junk));
	r->ret = init_module(junk, sizeof(junk), "");
}
CASE(init_params_null)
{
	r->ret = init_module(image, image_len, NULL);
}
CASE(init_params_wild)
{
	r->ret = init_module(image, image_len, WILD);
}
CASE(init_params_unterminated)
{
	char *p = before_guard(16);

	memset(p, 'x', 16);
	r->ret = init_module(image, image_len, p);
}
CASE(init_params_at_page_end)
{
	char *p = before_guard(8);

	memcpy(p, "a=1 b=2", 8);
	r->ret = init_module(image, image_len, p);
}
CASE(init_params_5mib)
{
	size_t n = 5UL << 20;
	char *p = malloc(n + 1);

	memset(p, 'p', n);
	p[n] = '\0';
	r->ret = init_module(image, image_len, p);
}
CASE(init_params_hostile)
{
	r->ret = init_module(image, image_len, "a=\"'\n res=success \xff");
}
CASE(init_syscall_null)
{
	r->ret = syscall(SYS_init_module, NULL, 4096UL, NULL);
}
CASE(finit_valid)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_valid_offset)
{
	r->fd = file_fd(O_RDONLY);
	lseek(r->fd, 100, SEEK_SET);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_valid_params)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, "kmatest=1", 0);
}
CASE(finit_fd_minus1)
{
	r->ret = sys_finit(-1, "", 0);
}
CASE(finit_fd_closed)
{
	int fd = file_fd(O_RDONLY);

	close(fd);
	r->ret = sys_finit(fd, "", 0);
}
CASE(finit_fd_huge)
{
	r->ret = sys_finit(0x7fffffff, "", 0);
}
CASE(finit_fd_opath)
{
	r->fd = file_fd(O_PATH);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_fd_wronly)
{
	r->fd = file_fd(O_WRONLY);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_fd_rdwr)
{
	r->fd = file_fd(O_RDWR);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_fd_pipe)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0 || write(p[1], image, 64) != 64)
		abort();
	r->ret = sys_finit(p[0], "", 0);
}
CASE(finit_fd_directory)
{
	r->fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_fd_socket)
{
	int s[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s) < 0)
		abort();
	r->ret = sys_finit(s[0], "", 0);
}
CASE(finit_fd_devnull)
{
	r->fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_fd_eventfd)
{
	r->ret = sys_finit(eventfd(0, EFD_CLOEXEC), "", 0);
}
CASE(finit_fd_memfd)
{
	r->fd = memfd_with_image();
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_fd_empty_file)
{
	char path[sizeof(tmpdir) + 16];

	snprintf(path, sizeof(path), "%s/empty.ko", tmpdir);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	r->ret = sys_finit(r->fd, "", 0);
}
CASE(finit_flags_bad)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, "", 0xffff);
}
CASE(finit_flags_negative)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, "", -1);
}
CASE(finit_flags_ignore_vermagic)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, "", 3);
}
CASE(finit_flags_compressed)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, "", 4);
}
CASE(finit_params_null)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, NULL, 0);
}
CASE(finit_params_wild)
{
	r->fd = file_fd(O_RDONLY);
	r->ret = sys_finit(r->fd, WILD, 0);
}
CASE(delete_valid)
{
	r->ret = delete_module(module_name, O_NONBLOCK);
}
CASE(delete_valid_again)
{
	r->ret = delete_module(module_name, O_NONBLOCK);
}
CASE(delete_syscall_valid)
{
	r->ret = syscall(SYS_delete_module, module_name, O_NONBLOCK);
}
CASE(delete_null)
{
	r->ret = delete_module(NULL, 0);
}
CASE(delete_wild)
{
	r->ret = delete_module(WILD, 0);
}
CASE(delete_kernel_addr)
{
	r->ret = syscall(SYS_delete_module, KERNEL_ADDR, 0);
}
CASE(delete_empty)
{
	r->ret = delete_module("", 0);
}
CASE(delete_overlong)
{
	char name[300];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	r->ret = delete_module(name, O_NONBLOCK);
}
CASE(delete_55_at_page_end)
{
	/* Exactly the 55 bytes the kernel reads, no NUL, then an unmapped page. */
	char *p = before_guard(55);

	memset(p, 'm', 55);
	r->ret = delete_module(p, O_NONBLOCK);
}
CASE(delete_unterminated)
{
	char *p = before_guard(10);

	memset(p, 'm', 10);
	r->ret = delete_module(p, O_NONBLOCK);
}
CASE(delete_flags_trunc)
{
	r->ret = delete_module("kmatest_none", O_NONBLOCK | O_TRUNC);
}
CASE(delete_flags_bad)
{
	r->ret = delete_module("kmatest_none", 0xffffffffU);
}
CASE(delete_hostile_name)
{
	r->ret = delete_module("a b\"c'\n=res=success\xff", 0);
}
CASE(syscall_getpid_passthrough)
{
	r->ret = syscall(SYS_getppid) == getppid() ? 0 : -1;
}
CASE(syscall_bad_number)
{
	r->ret = syscall(100000L, 1, 2, 3, 4, 5, 6);
}
CASE(syscall_close_badfd)
{
	r->ret = syscall(SYS_close, -1);
}
CASE(syscall_six_args)
{
	/* mmap's sixth argument (offset) must reach the kernel: a misaligned one is EINVAL. */
	r->ret = syscall(SYS_mmap, NULL, 4096UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1L, 1L);
}

struct test_case {
	const char *name;
	void (*fn)(struct result *r);
};

#define C(n)                                                                                       \
	{                                                                                          \
#n, case_##n                                                                       \
	}
/* In this order a real kernel ends as it started: loads are undone by the deletes after them. */
static const struct test_case cases[] = {
	C(init_valid),
	C(init_valid_again),
	C(delete_valid),
	C(delete_valid_again),
	C(init_valid_params),
	C(delete_syscall_valid),
	C(init_syscall_valid),
	C(delete_valid),
	C(init_syscall_junk_regs),
	C(delete_valid),
	C(finit_valid),
	C(delete_valid),
	C(finit_valid_offset),
	C(delete_valid),
	C(finit_valid_params),
	C(delete_valid),
	C(finit_fd_rdwr),
	C(delete_valid),
	C(finit_fd_memfd),
	C(delete_valid),
	C(init_readonly_image),
	C(delete_valid),
	C(init_params_at_page_end),
	C(delete_valid),
	C(init_null_len0),
	C(init_null_len4096),
	C(init_wild),
	C(init_kernel_addr),
	C(init_len0),
	C(init_len1),
	C(init_len_huge),
	C(init_len_max),
	C(init_len_over_cap),
	C(init_len_past_end),
	C(init_garbage),
	C(init_params_null),
	C(init_params_wild),
	C(init_params_unterminated),
	C(init_params_5mib),
	C(init_params_hostile),
	C(delete_valid),
	C(init_syscall_null),
	C(finit_fd_minus1),
	C(finit_fd_closed),
	C(finit_fd_huge),
	C(finit_fd_opath),
	C(finit_fd_wronly),
	C(finit_fd_pipe),
	C(finit_fd_directory),
	C(finit_fd_socket),
	C(finit_fd_devnull),
	C(finit_fd_eventfd),
	C(finit_fd_empty_file),
	C(finit_flags_bad),
	C(finit_flags_negative),
	C(finit_flags_ignore_vermagic),
	C(delete_valid),
	C(finit_flags_compressed),
	C(finit_params_null),
	C(finit_params_wild),
	C(delete_valid),
	C(delete_null),
	C(delete_wild),
	C(delete_kernel_addr),
	C(delete_empty),
	C(delete_overlong),
	C(delete_55_at_page_end),
	C(delete_unterminated),
	C(delete_flags_trunc),
	C(delete_flags_bad),
	C(delete_hostile_name),
	C(syscall_getpid_passthrough),
	C(syscall_bad_number),
	C(syscall_close_badfd),
	C(syscall_six_args),
};

static void run_case(const struct test_case *tc)
{
	int p[2], status;
	char line[256] = "";
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		struct result r = {.fd = -1};
		char off[32] = "-";

		close(p[0]);
		alarm(20);
		errno = SENTINEL;
		tc->fn(&r);
		r.err = errno;
		if (r.fd >= 0)
			snprintf(off, sizeof(off), "%lld", (long long)lseek(r.fd, 0, SEEK_CUR));
		n = snprintf(line, sizeof(line), "%ld %s %s", r.ret,
			     r.err == SENTINEL ? "-" : strerrorname_np(r.err) ?: "?", off);
		if (write(p[1], line, (size_t)n) != n)
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], line, sizeof(line) - 1);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		printf("%s crashed %s -\n", tc->name, sigabbrev_np(WTERMSIG(status)) ?: "?");
	else if (n <= 0 || WEXITSTATUS(status) != 0)
		printf("%s died exit=%d -\n", tc->name, WEXITSTATUS(status));
	else
		printf("%s %.*s\n", tc->name, (int)n, line);
}

static void prepare(void)
{
	char path[sizeof(tmpdir) + 16];
	int fd;

	if (module_path) {
		fd = open(module_path, O_RDONLY | O_CLOEXEC);
		struct stat st;

		if (fd < 0 || fstat(fd, &st) < 0) {
			perror(module_path);
			exit(2);
		}
		image_len = (size_t)st.st_size;
		image = malloc(image_len);
		if (!image || read(fd, image, image_len) != (ssize_t)image_len) {
			fprintf(stderr, "%s: short read\n", module_path);
			exit(2);
		}
		close(fd);
	} else {
		/* An ELF header and zeros: the kernel rejects it after reading it all. */
		static const unsigned char ehdr[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};

		image_len = 3 * PAGE + 123;
		image = calloc(1, image_len);
		memcpy(image, ehdr, sizeof(ehdr));
	}
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/module.ko", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, image, image_len) != (ssize_t)image_len) {
		perror(path);
		exit(2);
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/empty.ko", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	close(fd);
}

static void cleanup(void)
{
	char path[sizeof(tmpdir) + 16];

	snprintf(path, sizeof(path), "%s/module.ko", tmpdir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/empty.ko", tmpdir);
	unlink(path);
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "m:n:")) != -1) {
		if (opt == 'm')
			module_path = optarg;
		else if (opt == 'n')
			module_name = optarg;
		else {
			fprintf(stderr, "usage: transparency [-m MODULE.ko -n NAME]\n");
			return 2;
		}
	}
	prepare();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	cleanup();
	return 0;
}
