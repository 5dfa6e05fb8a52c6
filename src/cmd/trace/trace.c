/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit trace [-o FILE.jsonl] [--follow] -- CMD [ARGS...]
 *
 * Runs CMD so that every module syscall it or any descendant makes is recorded (via=trace), for
 * loaders the preload shim cannot see: static binaries, Go programs, raw syscall instructions.
 * CMD keeps its stdio, its process group (Ctrl-C reaches it; the tracer ignores SIGINT and
 * SIGQUIT meanwhile) and its exit status, which becomes ours (128+N if it died of signal N).
 *
 * Without --follow the trace ends when CMD exits: descendants still running are let go
 * (detached, after any module call they are in has been recorded), each only once it carries a
 * second seccomp filter that refuses module calls (EPERM) whoever traces it (trace-loop.c,
 * trace-inject.c); one that cannot take it stays traced until it exits. --follow keeps tracing
 * after CMD exits until every traced descendant has exited; a SIGTERM or SIGHUP sent by a traced
 * process never ends it. If the tracer itself is killed, its tracees are killed with it
 * (trace-filter.c says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common/conf-named.h"
#include "cmd/trace/trace.h"
#include "macro.h"

/* Our own failure before CMD ran (as env(1) and timeout(1) use it). */
#define EXIT_TRACE_FAILED 125

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmodaudit trace [-o FILE.jsonl] [--follow] -- CMD [ARGS...]\n\n"
		"Run CMD and record every module syscall that it or any descendant makes.\n\n"
		"  -o, --output FILE  also write the records to FILE, one JSON object a line\n"
		"  -f, --follow       keep tracing after CMD exits until its descendants exit\n"
		"  -h, --help         show this help\n\n"
		"The exit status is CMD's (128+N if it was killed by signal N).\n");
}

/* In the child: filter, wait until the tracer has attached, exec. Never returns. */
static _Noreturn void run_child(struct trace_filter *filter, int go_fd, char *argv[])
{
	char c;
	int r;

	r = trace_filter_load(filter);
	if (r < 0) {
		fprintf(stderr, "kmodaudit trace: cannot install the seccomp filter: %s\n",
			strerror(-r));
		_exit(EXIT_TRACE_FAILED);
	}
	/* One byte once the tracer has seized us; EOF alone means it died: never run untraced. */
	do
		r = (int)read(go_fd, &c, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(EXIT_TRACE_FAILED);
	execvp(argv[0], argv);
	r = errno;
	fprintf(stderr, "kmodaudit trace: %s: %s\n", argv[0], strerror(r));
	_exit(r == ENOENT ? 127 : 126);
}

/*
 * -o's file, opened now as the file sink will open it for every record (created 0600, appended,
 * no symlink, a regular file only): a directory or an unwritable path fails before CMD runs,
 * not silently at each record. Returns 0 or -errno (-EISDIR, -EINVAL: not a regular file).
 */
static int json_path_probe(const char *path)
{
	_cleanup_close_ int fd = -1;
	struct stat st;

	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
		  0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

/* Whether a configured file sink can take a record, asked without creating it. */
static bool file_sink_writable(const char *path)
{
	_cleanup_free_ char *copy = NULL;

	if (access(path, W_OK) == 0)
		return true;
	if (errno != ENOENT)
		return false;
	copy = strdup(path);
	return copy && access(dirname(copy), W_OK | X_OK) == 0;
}

/*
 * Whether any sink can take this user's records: the audit socket needs CAP_AUDIT_WRITE (root
 * here), syslog needs its socket, a file sink its file. Nothing that CMD does is recorded
 * otherwise, and nothing else would say so.
 */
static bool some_sink(const struct kma_conf *conf, bool extra_file)
{
	const char *sock = conf->syslog_socket ? conf->syslog_socket : CONF_DEFAULT_SYSLOG_SOCKET;
	struct stat st;

	if (geteuid() == 0 || extra_file)
		return true;
	if (conf->fallback_syslog && stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
		return true;
	return conf->file_sink && file_sink_writable(conf->file_sink);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_TRACE_FAILED;
}

int cmd_trace(int argc, char *argv[])
{
	static const struct option options[] = {
		{"output", required_argument, NULL, 'o'},
		{"follow", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct kma_ctx_opts ctx_opts = {.secure = getauxval(AT_SECURE) != 0};
	struct trace_opts opts = {0};
	struct trace_filter *filter = NULL;
	_cleanup_free_ void *refusal = NULL;
	struct kma_ctx *ctx = NULL;
	int go[2] = {-1, -1};
	int c, r, status = 0, ret = EXIT_TRACE_FAILED;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+o:fh", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			ctx_opts.json_path = optarg;
			break;
		case 'f':
			opts.follow = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	/* Everything that can fail is set up before CMD runs: no half-traced CMD. */
	if (ctx_opts.json_path) {
		r = json_path_probe(ctx_opts.json_path);
		if (r < 0) {
			fprintf(stderr, "kmodaudit trace: cannot write %s: %s\n",
				ctx_opts.json_path,
				r == -EINVAL ? "not a regular file" : strerror(-r));
			return EXIT_TRACE_FAILED;
		}
	}
	/*
	 * The configuration, its warnings on our stderr (the core says them to syslog too); a file
	 * KMODAUDIT_CONFIG names must be used: the core alone would fail open without it.
	 */
	{
		struct kma_conf conf;
		bool sink;

		conf_init(&conf);
		r = conf_load_for_command(&conf, NULL, "kmodaudit trace");
		sink = some_sink(&conf, ctx_opts.json_path != NULL);
		conf_release(&conf);
		if (r < 0)
			return EXIT_TRACE_FAILED;
		if (!sink)
			fprintf(stderr,
				"kmodaudit trace: warning: no sink can take the records: not root "
				"(no audit), no syslog socket, no file sink; use -o FILE\n");
	}
	r = kma_ctx_new(&ctx_opts, &ctx);
	if (r < 0) {
		fprintf(stderr, "kmodaudit trace: cannot set up recording: %s\n", strerror(-r));
		return EXIT_TRACE_FAILED;
	}
	r = trace_refusal_bpf(&refusal, &opts.refusal_len);
	if (r < 0) {
		fprintf(stderr, "kmodaudit trace: cannot build the refusal filter: %s\n",
			strerror(-r));
		goto out;
	}
	opts.refusal_bpf = refusal;
	r = trace_filter_new(&filter);
	if (r < 0) {
		fprintf(stderr, "kmodaudit trace: cannot build the seccomp filter: %s\n",
			strerror(-r));
		goto out;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		fprintf(stderr, "kmodaudit trace: pipe: %m\n");
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "kmodaudit trace: fork: %m\n");
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		run_child(filter, go[0], argv + optind);
	}
	close(TAKE_FD(go[0]));
	/* Ctrl-C and Ctrl-\ are CMD's to act on; we go on recording until it is done. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);

	if (ptrace(PTRACE_SEIZE, pid, 0L, trace_ptrace_options()) < 0) {
		fprintf(stderr, "kmodaudit trace: cannot trace %s: %m\n", argv[optind]);
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	if (write(go[1], "g", 1) != 1) { /* let it exec */
		fprintf(stderr, "kmodaudit trace: pipe: %m\n");
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
			;
		goto out;
	}
	close(TAKE_FD(go[1]));
	/*
	 * Not dumpable from now on (CMD, forked before, keeps its own setting): a traced process
	 * without CAP_SYS_PTRACE can then neither write our memory (/proc/PID/mem,
	 * process_vm_writev: the copies we hash, the records we send) nor read it. New tracees are
	 * attached by the kernel, with no access check.
	 */
	prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);

	r = trace_loop_run(ctx, &opts, pid, &status);
	if (r < 0) {
		fprintf(stderr, "kmodaudit trace: %s\n", strerror(-r));
		goto out;
	}
	ret = exit_status(status);
out:
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	trace_filter_free(filter);
	kma_ctx_free(ctx);
	return ret;
}
