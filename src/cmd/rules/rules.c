/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit rules: print the audit rules CIS 6.2.3.19 and SSG expect for kernel modules, or
 * install them in /etc/audit/rules.d and load them with augenrules.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libaudit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common/fileio.h"
#include "cmd/common/root-arg.h"
#include "cmd/rules/rules-bpf.h"
#include "cmd/rules/rules-initramfs.h"
#include "cmd/rules/rules-spec.h"
#include "macro.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmodaudit rules [OPTIONS]\n"
		"Print the audit rules for kernel module loading and unloading\n"
		"(CIS 6.2.3.19, SSG audit_rules_kernel_module_loading).\n\n"
		"  --arch LIST        b32,b64 (default: the architectures this machine runs)\n"
		"  --key NAME         audit key (default " RULES_DEFAULT_KEY ")\n"
		"  --uid-min N        auid filter bound (default UID_MIN of /etc/login.defs)\n"
		"  --no-auid-filter   record every auid, daemons and boot included\n"
		"  --bpf              also a rule for bpf(BPF_PROG_LOAD) (a0=5, key " RULES_BPF_KEY
		"):\n"
		"                     the loader beside the kernel's AUDIT_BPF records\n"
		"  --install          write " RULES_FILE "\n"
		"                     and run augenrules --load\n"
		"  --initramfs        with --install: also load the syscall rules at boot\n"
		"                     from the initramfs (initramfs-tools hook, init-top,\n"
		"                     before udev); runs update-initramfs -u\n"
		"  --dry-run          show how the installed " RULES_FILE_NAME " would change\n"
		"                     (a unified diff), change nothing\n"
		"  --root DIR         the system in DIR: its login.defs and kmod tools;\n"
		"                     --install writes DIR" RULES_FILE "\n"
		"                     and loads nothing\n"
		"  -h, --help         this text\n");
}

static bool key_valid(const char *key)
{
	/* One auditctl word: no blanks, nothing a rules file or the kernel would cut. */
	if (!key[0] || strlen(key) > AUDIT_MAX_KEY_LEN)
		return false;
	for (const char *p = key; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"')
			return false;
	return true;
}

/* Replace RULES_FILE (in ROOT) so that augenrules sees the old rules or the new ones, never half.
 */
static int write_rules_file(const char *root, const char *content, size_t len)
{
	_cleanup_close_ int dir_fd = rules_open_in_root(root, RULES_DIR, O_RDONLY | O_DIRECTORY);

	if (dir_fd < 0)
		return dir_fd;
	/*
	 * auditd's own files are root-only (0640); rules reveal what is watched. The temporary
	 * name does not end in .rules: augenrules skips it.
	 */
	return fileio_replace_at(dir_fd, RULES_FILE_NAME, RULES_FILE_NAME ".", content, len, 0640,
				 (uid_t)-1, (gid_t)-1);
}

static int run_command(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "kmodaudit rules: cannot run %s: %m\n", argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The kernel's enabled flag: 2 means the rules are locked until the next boot. */
static int audit_enabled_state(void)
{
	int fd = audit_open();
	struct audit_reply rep;
	int r = -1;

	if (fd < 0)
		return -1;
	if (audit_request_status(fd) > 0 && audit_get_reply(fd, &rep, GET_REPLY_BLOCKING, 0) > 0 &&
	    rep.type == AUDIT_GET)
		r = rep.status->enabled;
	audit_close(fd);
	return r;
}

/*
 * --dry-run: `diff -u` of the installed file (none: empty) against CONTENT, each handed to diff
 * as an fd so that nothing is written anywhere. Returns our exit status.
 */
static int show_diff(const char *root, const char *content, size_t len)
{
	_cleanup_close_ int old_fd = -1, new_fd = -1;
	char old_path[32], new_path[32], old_label[PATH_MAX + 16];
	int r;

	old_fd = rules_open_read_in_root(root, RULES_FILE);
	if (old_fd == -ENOENT)
		old_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (old_fd < 0) {
		r = old_fd == -1 ? -errno : old_fd;
		fprintf(stderr, "kmodaudit rules: cannot read %s%s: %s\n", root ? root : "",
			RULES_FILE, fileio_strerror(r));
		return 1;
	}
	new_fd = memfd_create("kmodaudit-rules", MFD_CLOEXEC);
	if (new_fd < 0 || write(new_fd, content, len) != (ssize_t)len ||
	    lseek(new_fd, 0, SEEK_SET) < 0) {
		fprintf(stderr, "kmodaudit rules: cannot hold the new rules: %m\n");
		return 1;
	}
	snprintf(old_path, sizeof(old_path), "/proc/self/fd/%d", old_fd);
	snprintf(new_path, sizeof(new_path), "/proc/self/fd/%d", new_fd);
	snprintf(old_label, sizeof(old_label), "%s%s", root ? root : "", RULES_FILE);
	fflush(stdout);
	{
		char *const argv[] = {"diff",  "-u",	 "--label", old_label, "--label",
				      "(new)", old_path, new_path,  NULL};

		/* diff runs in the child: the fds must survive its exec */
		if (fcntl(old_fd, F_SETFD, 0) < 0 || fcntl(new_fd, F_SETFD, 0) < 0)
			return 1;
		r = run_command(argv);
	}
	if (r == 0)
		printf("%s%s is up to date\n", root ? root : "", RULES_FILE);
	if (r > 1) {
		fprintf(stderr, "kmodaudit rules: diff failed (%d)\n", r);
		return 1;
	}
	return 0;
}

static int install(const char *root, const char *content, size_t len, bool initramfs)
{
	char *const augenrules[] = {"augenrules", "--load", NULL};
	int before, after, r;

	before = root ? -1 : audit_enabled_state();
	r = write_rules_file(root, content, len);
	if (r < 0) {
		fprintf(stderr, "kmodaudit rules: cannot write %s%s: %s\n", root ? root : "",
			RULES_FILE, fileio_strerror(r));
		return 1;
	}
	printf("wrote %s%s\n", root ? root : "", RULES_FILE);
	/* The initramfs reads the file just written: no running rules needed. */
	if (initramfs && rules_initramfs_install(true) != 0)
		return 1;
	if (root) {
		printf("not loaded: --root is not the running system (augenrules --load there)\n");
		return 0;
	}
	if (before == 2) {
		printf("the running audit rules are immutable (-e 2): reboot to load the new "
		       "rules\n");
		return 0;
	}
	r = run_command(augenrules);
	if (r != 0) {
		fprintf(stderr, "kmodaudit rules: augenrules --load failed (%d)\n", r);
		return 1;
	}
	after = audit_enabled_state();
	printf("loaded with augenrules --load\n");
	if (after == 2)
		printf("the audit configuration is now immutable (-e 2): any later rule change "
		       "needs "
		       "a reboot\n");
	return 0;
}

int cmd_rules(int argc, char *argv[])
{
	enum {
		OPT_ARCH = 0x100,
		OPT_KEY,
		OPT_UID_MIN,
		OPT_NO_AUID,
		OPT_INSTALL,
		OPT_DRY_RUN,
		OPT_ROOT,
		OPT_BPF,
		OPT_INITRAMFS
	};
	static const struct option options[] = {
		{"arch", required_argument, NULL, OPT_ARCH},
		{"key", required_argument, NULL, OPT_KEY},
		{"uid-min", required_argument, NULL, OPT_UID_MIN},
		{"no-auid-filter", no_argument, NULL, OPT_NO_AUID},
		{"install", no_argument, NULL, OPT_INSTALL},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"root", required_argument, NULL, OPT_ROOT},
		{"bpf", no_argument, NULL, OPT_BPF},
		{"initramfs", no_argument, NULL, OPT_INITRAMFS},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct rules_spec spec = {
		.key = RULES_DEFAULT_KEY,
		.auid_filter = true,
	};
	_cleanup_free_ char *tool_dir = NULL, *text = NULL, *root = NULL;
	char **exec_paths = NULL;
	bool uid_min_given = false, do_install = false, dry_run = false, bpf = false;
	bool initramfs = false;
	size_t text_len = 0;
	FILE *mem;
	int c, r;

	spec.arches = rules_native_arches();
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case OPT_ARCH:
			if (rules_parse_arches(optarg, &spec.arches) < 0) {
				fprintf(stderr,
					"kmodaudit rules: --arch wants b32, b64 or b32,b64\n");
				return EXIT_USAGE;
			}
			break;
		case OPT_KEY:
			if (!key_valid(optarg)) {
				fprintf(stderr, "kmodaudit rules: invalid key '%s'\n", optarg);
				return EXIT_USAGE;
			}
			spec.key = optarg;
			break;
		case OPT_UID_MIN: {
			char *end;

			errno = 0;
			spec.uid_min = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    spec.uid_min >= 4294967295UL) {
				fprintf(stderr, "kmodaudit rules: invalid --uid-min '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			uid_min_given = true;
			break;
		}
		case OPT_NO_AUID:
			spec.auid_filter = false;
			break;
		case OPT_INSTALL:
			do_install = true;
			break;
		case OPT_INITRAMFS:
			initramfs = true;
			break;
		case OPT_BPF:
			bpf = true;
			break;
		case OPT_DRY_RUN:
			dry_run = true;
			break;
		case OPT_ROOT:
			if (root_arg_parse("kmodaudit rules", optarg, &root) < 0)
				return EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kmodaudit rules: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (initramfs && (!do_install || root)) {
		fprintf(stderr, "kmodaudit rules: --initramfs goes with --install on the running "
				"system (not --root)\n");
		return EXIT_USAGE;
	}
	if (do_install && dry_run) {
		fprintf(stderr,
			"kmodaudit rules: --dry-run shows what --install would do: give one "
			"of them\n");
		return EXIT_USAGE;
	}
	if (!spec.auid_filter && uid_min_given) {
		/* Two contradicting wishes: say so rather than drop one. */
		fprintf(stderr, "kmodaudit rules: --uid-min sets the auid filter that "
				"--no-auid-filter removes: give one of them\n");
		return EXIT_USAGE;
	}
	if (!spec.arches) {
		fprintf(stderr,
			"kmodaudit rules: libaudit knows no architecture of this machine\n");
		return 1;
	}
	if (spec.auid_filter && !uid_min_given) {
		r = rules_login_defs_uid_min(root, &spec.uid_min);
		if (r < 0) {
			fprintf(stderr,
				"kmodaudit rules: no UID_MIN in %s/etc/login.defs (%s); "
				"give --uid-min N\n",
				root ? root : "", fileio_strerror(r));
			return 1;
		}
	}
	r = rules_find_tools(root, &tool_dir, &exec_paths);
	if (r < 0)
		fprintf(stderr, "kmodaudit rules: no modprobe found (%s): no exec rule for kmod\n",
			strerror(-r));
	spec.exec_paths = exec_paths;
	spec.tool_dir = tool_dir;

	mem = open_memstream(&text, &text_len);
	if (!mem) {
		rules_strv_free(exec_paths);
		return 1;
	}
	r = rules_spec_write(&spec, mem);
	if (r == 0 && bpf)
		r = rules_bpf_write(spec.arches, mem);
	rules_strv_free(exec_paths);
	if (fclose(mem) != 0 || r < 0) {
		fprintf(stderr, "kmodaudit rules: cannot build the rules for this architecture\n");
		return 1;
	}
	if (do_install)
		return install(root, text, text_len, initramfs);
	if (dry_run)
		return show_diff(root, text, text_len);
	fwrite(text, 1, text_len, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
