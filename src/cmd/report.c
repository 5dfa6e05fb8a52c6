/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: read audit logs (auparse), hold our records against the kernel's module
 * syscall records, print one row per module event with what is worth a look flagged.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/conf-named.h"
#include "cmd/report-bpf.h"
#include "cmd/report-event.h"
#include "cmd/timespec.h"
#include "core/conf.h"
#include "core/macro.h"

#define DEFAULT_WINDOW 3.0

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmodaudit report [OPTIONS] [--input FILE...]\n"
		"Hold kmodaudit's records against the kernel's in audit logs: one row per module\n"
		"event, with the sources that saw it and what is worth a look.\n\n"
		"  --input FILE          read FILE (repeatable; more FILEs may follow the "
		"options);\n"
		"                        default: the system's audit logs, rotated ones included\n"
		"  --since T, --until T  only events in this span (local time, as ausearch "
		"-ts/-te):\n"
		"                        YYYY-MM-DD[ HH:MM[:SS]], MM/DD/YYYY[ HH:MM[:SS]], "
		"HH:MM[:SS],\n"
		"                        @EPOCH, now, recent (10 minutes ago), boot, today, "
		"yesterday,\n"
		"                        this-week, week-ago, this-month, this-year [HH:MM[:SS]]\n"
		"  --json                one JSON object per event\n"
		"  --explain             each event with every value's origin (kernel, prefix,\n"
		"                        self, trace), its witness and why each flag is set\n"
		"  --witness LIST        only events whose witness is in LIST: self, trace,\n"
		"                        kernel-only (self: nothing but the loader's own word)\n"
		"  --window SECONDS      how far apart the kernel's and our records may be "
		"(0 to 3600,\n"
		"                        default 3)\n"
		"  --trusted-signers L   comma list of trusted signers, each NAME/KEYID: the\n"
		"                        signer and sig_key of a record (default: [report]\n"
		"                        trusted_signers= of the configuration)\n"
		"  --config FILE         configuration file to read\n"
		"Flags: kernel-only, userspace-only, name_mismatch, unsigned, unknown_signer, "
		"failed,\n"
		"no_result (an intent record and no result: the call never came back),\n"
		"exit_mismatch, auid_mismatch, comm_mismatch, exe_mismatch, ppid_mismatch (a "
		"record\n"
		"disagrees with the kernel, whose value is shown), trace_by_loader, "
		"trace_unverified\n"
		"(a via=trace record no tracer can have sent).\n");
}

/* The boot time for "boot", -1 when /proc cannot tell (then "boot" is refused). */
static long long boot_time(void)
{
	long long t;

	return timespec_boot_time(&t) < 0 ? -1 : t;
}

/* Split a comma list into a NULL-terminated array (blanks around items dropped). */
static char **split_list(const char *list)
{
	_cleanup_free_ char *copy = strdup(list);
	char **out = calloc(strlen(list) / 2 + 2, sizeof(*out));
	char *save = NULL;
	size_t n = 0;

	if (!copy || !out) {
		free(out);
		return NULL;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *e = t + strlen(t);

		while (*t == ' ' || *t == '\t')
			t++;
		while (e > t && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*t)
			out[n++] = strdup(t);
	}
	return out;
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/*
 * What is read: the span widened by the window (and a second, as the span is in whole seconds
 * and the records are not), so that a call at its edge meets all its records (intent, result,
 * the kernel's) and does not show as half a call; the rows are cut to the span after matching.
 */
static struct rep_filter widen(const struct rep_filter *span, double window)
{
	long long by = (long long)window + 2; /* window rounded up, and the second */
	struct rep_filter out = *span;

	if (__builtin_sub_overflow(span->since, by, &out.since))
		out.since = LLONG_MIN;
	if (__builtin_add_overflow(span->until, by, &out.until))
		out.until = LLONG_MAX;
	return out;
}

/* Keep the rows whose time is in SPAN and whose witness is in WITNESSES (a bit each, 0: any). */
static size_t rows_kept(struct rep_row *rows, size_t n, const struct rep_filter *span,
			unsigned witnesses)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (rep_in_span(span, rows[i].t.sec) &&
		    (!witnesses || (witnesses & (1u << rows[i].witness))))
			rows[kept++] = rows[i];
	return kept;
}

/* A comma list of witness names as bits (1 << REP_WITNESS_*); -EINVAL for an unknown name. */
static int parse_witnesses(const char *list, unsigned *out)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	*out = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned w;

		for (w = REP_WITNESS_NONE; w <= REP_WITNESS_TRACE; w++)
			if (!strcmp(t, rep_witness_name(w)))
				break;
		if (w > REP_WITNESS_TRACE)
			return -EINVAL;
		*out |= 1u << w;
	}
	return *out ? 0 : -EINVAL;
}

int cmd_report(int argc, char *argv[])
{
	enum {
		OPT_SINCE = 0x100,
		OPT_UNTIL,
		OPT_JSON,
		OPT_WINDOW,
		OPT_TRUSTED,
		OPT_CONFIG,
		OPT_EXPLAIN,
		OPT_WITNESS
	};
	static const struct option options[] = {
		{"input", required_argument, NULL, 'i'},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"json", no_argument, NULL, OPT_JSON},
		{"explain", no_argument, NULL, OPT_EXPLAIN},
		{"witness", required_argument, NULL, OPT_WITNESS},
		{"window", required_argument, NULL, OPT_WINDOW},
		{"trusted-signers", required_argument, NULL, OPT_TRUSTED},
		{"config", required_argument, NULL, OPT_CONFIG},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_free_ const char **files = calloc(argc + 1, sizeof(*files));
	struct rep_filter filter = {0}, read_span;
	struct rep_match_opts mopts = {.window = DEFAULT_WINDOW};
	const char *trusted = NULL, *config = NULL;
	struct rep_log log = {0};
	struct rep_row *rows = NULL;
	struct kma_conf conf;
	size_t nfiles = 0, nrows = 0;
	bool json = false, explain = false;
	unsigned witnesses = 0;
	int c, r;

	if (!files)
		return 1;
	while ((c = getopt_long(argc, argv, "i:h", options, NULL)) != -1) {
		switch (c) {
		case 'i':
			files[nfiles++] = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (timespec_parse(optarg, time(NULL), boot_time(),
					   c == OPT_SINCE ? &filter.since : &filter.until) < 0) {
				fprintf(stderr,
					"kmodaudit report: --%s: cannot read the time '%s'; "
					"accepted: %s\n",
					c == OPT_SINCE ? "since" : "until", optarg, timespec_forms);
				return EXIT_USAGE;
			}
			*(c == OPT_SINCE ? &filter.has_since : &filter.has_until) = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_EXPLAIN:
			explain = true;
			break;
		case OPT_WITNESS:
			if (parse_witnesses(optarg, &witnesses) < 0) {
				fprintf(stderr,
					"kmodaudit report: bad --witness '%s' (self, trace, "
					"kernel-only)\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_WINDOW: {
			char *end;

			mopts.window = strtod(optarg, &end);
			if (*end || end == optarg || !(mopts.window >= 0 && mopts.window <= 3600)) {
				fprintf(stderr,
					"kmodaudit report: --window: '%s' is not a number of "
					"seconds "
					"from 0 to 3600\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case OPT_TRUSTED:
			trusted = optarg;
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc && !nfiles) {
		fprintf(stderr,
			"kmodaudit report: unexpected argument '%s' (files go after --input)\n",
			argv[optind]);
		return EXIT_USAGE;
	}
	while (optind < argc)
		files[nfiles++] = argv[optind++];
	if (filter.has_since && filter.has_until && filter.since > filter.until) {
		fprintf(stderr,
			"kmodaudit report: --since is after --until: no time is in between\n");
		return EXIT_USAGE;
	}

	conf_init(&conf);
	r = conf_load_for_command(&conf, config, "kmodaudit report");
	if (r < 0) {
		conf_release(&conf);
		return 1;
	}
	if (!trusted)
		trusted = conf.trusted_signers;
	if (trusted && !(mopts.trusted_signers = split_list(trusted))) {
		conf_release(&conf);
		return 1;
	}
	for (char **p = mopts.trusted_signers; p && *p; p++)
		if (!rep_trust_entry_has_key(*p))
			fprintf(stderr,
				"kmodaudit report: trusted signer '%s' has no key id: it trusts "
				"nothing (write NAME/KEYID, the signer and sig_key of a record)\n",
				*p);

	read_span = widen(&filter, mopts.window);
	r = rep_read(nfiles ? files : NULL, &read_span, &log);
	if (r < 0) {
		fprintf(stderr, "kmodaudit report: cannot read the audit logs: %s\n", strerror(-r));
	} else {
		r = rep_match(&log, &mopts, &rows, &nrows);
		if (r == 0)
			r = rep_bpf_rows(&log, &rows, &nrows); /* BPF programs beside modules */
		if (r == 0)
			nrows = rows_kept(rows, nrows, &filter, witnesses);
		if (r == 0)
			r = json      ? rep_print_json(rows, nrows)
			    : explain ? rep_print_explain(rows, nrows)
				      : rep_print_table(rows, nrows);
		if (r < 0)
			fprintf(stderr, "kmodaudit report: %s\n", strerror(-r));
	}
	free(rows);
	rep_log_free(&log);
	strv_free(mopts.trusted_signers);
	conf_release(&conf);
	return r < 0 || fflush(stdout) != 0 ? 1 : 0;
}
