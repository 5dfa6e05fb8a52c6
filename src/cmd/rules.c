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
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/fileio.h"
#include "cmd/rules-initramfs.h"
#include "cmd/rules-spec.h"
#include "core/macro.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: kmodaudit rules [OPTIONS]\n"
		     "Print the audit rules for kernel module loading and unloading\n"
		     "(CIS 6.2.3.19, SSG audit_rules_kernel_module_loading).\n\n"
		     "  --arch LIST        b32,b64 (default: the architectures this machine runs)\n"
		     "  --key NAME         audit key (default " RULES_DEFAULT_KEY ")\n"
		     "  --uid-min N        auid filter bound (default UID_MIN of /etc/login.defs)\n"
		     "  --no-auid-filter   record every auid, daemons and boot included\n"
		     "  --install          write " RULES_FILE " and run augenrules --load\n"
		     "  --initramfs        with --install: also load the syscall rules at boot\n"
		     "                     from the initramfs (initramfs-tools hook, init-top,\n"
		     "                     before udev); runs update-initramfs -u\n"
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

/* Replace RULES_FILE so that augenrules sees the old rules or the new ones, never half. */
static int write_rules_file(const char *content, size_t len)
{
	_cleanup_close_ int dir_fd = open(RULES_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir_fd < 0)
		return -errno;
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

static int install(const char *content, size_t len, bool initramfs)
{
	char *const augenrules[] = {"augenrules", "--load", NULL};
	int before, after, r;

	before = audit_enabled_state();
	r = write_rules_file(content, len);
	if (r < 0) {
		fprintf(stderr, "kmodaudit rules: cannot write %s: %s\n", RULES_FILE, strerror(-r));
		return 1;
	}
	printf("wrote %s\n", RULES_FILE);
	/* The initramfs reads the file just written: no running rules needed. */
	if (initramfs && rules_initramfs_install(true) != 0)
		return 1;
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
	enum { OPT_ARCH = 0x100, OPT_KEY, OPT_UID_MIN, OPT_NO_AUID, OPT_INSTALL, OPT_INITRAMFS };
	static const struct option options[] = {
		{"arch", required_argument, NULL, OPT_ARCH},
		{"key", required_argument, NULL, OPT_KEY},
		{"uid-min", required_argument, NULL, OPT_UID_MIN},
		{"no-auid-filter", no_argument, NULL, OPT_NO_AUID},
		{"install", no_argument, NULL, OPT_INSTALL},
		{"initramfs", no_argument, NULL, OPT_INITRAMFS},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	struct rules_spec spec = {
		.key = RULES_DEFAULT_KEY,
		.auid_filter = true,
	};
	_cleanup_free_ char *tool_dir = NULL, *text = NULL;
	char **exec_paths = NULL;
	bool uid_min_given = false, do_install = false, initramfs = false;
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
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (initramfs && !do_install) {
		fprintf(stderr, "kmodaudit rules: --initramfs goes with --install\n");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "kmodaudit rules: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!spec.arches) {
		fprintf(stderr,
			"kmodaudit rules: libaudit knows no architecture of this machine\n");
		return 1;
	}
	if (spec.auid_filter && !uid_min_given) {
		r = rules_login_defs_uid_min(NULL, &spec.uid_min);
		if (r < 0) {
			fprintf(stderr,
				"kmodaudit rules: no UID_MIN in /etc/login.defs (%s); "
				"give --uid-min N\n",
				strerror(-r));
			return 1;
		}
	}
	r = rules_find_tools(NULL, &tool_dir, &exec_paths);
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
	rules_strv_free(exec_paths);
	if (fclose(mem) != 0 || r < 0) {
		fprintf(stderr, "kmodaudit rules: cannot build the rules for this architecture\n");
		return 1;
	}
	if (do_install)
		return install(text, text_len, initramfs);
	fwrite(text, 1, text_len, stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
