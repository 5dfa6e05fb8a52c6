/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit report: read audit logs (auparse), hold our records against the kernel's module
 * syscall records, print one row per module event with what is worth a look flagged.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/common/conf-named.h"
#include "cmd/common/timespec.h"
#include "cmd/report/report-bpf.h"
#include "cmd/report/report-event.h"
#include "cmd/report/report-view.h"
#include "core/conf.h"
#include "macro.h"

#define DEFAULT_WINDOW 3.0

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: kmodaudit report [OPTIONS] [--input FILE...]\n"
		"Hold kmodaudit's records against the kernel's in audit logs: one row per module\n"
		"event, with the sources that saw it and what is worth a look.\n\n"
		"Input:\n"
		"  -i, --input FILE      read FILE, '-' for standard input (repeatable; more "
		"FILEs\n"
		"                        may follow the options); default: the system's audit\n"
		"                        logs, rotated ones included\n"
		"  --window SECONDS      how far apart the kernel's and our records may be when\n"
		"                        a call lacks its intent or its result (0 to 3600,\n"
		"                        default 3)\n"
		"  --trusted-signers L   comma list of trusted signers, each NAME/KEYID: the\n"
		"                        signer and sig_key of a record (default: [report]\n"
		"                        trusted_signers= of the configuration)\n"
		"  --config FILE         configuration file to read\n"
		"Rows (each option narrows; one given twice keeps rows matching either):\n"
		"  --since T, --until T  only events in this span (local time, as ausearch\n"
		"                        -ts/-te): YYYY-MM-DD[ HH:MM[:SS]], MM/DD/YYYY[ "
		"HH:MM[:SS]],\n"
		"                        HH:MM[:SS], @EPOCH, now, recent (10 minutes ago), boot,\n"
		"                        today, yesterday, this-week, week-ago, this-month,\n"
		"                        this-year [HH:MM[:SS]]\n"
		"  --module NAME         the module (the kernel's name, or a record's claim)\n"
		"  --signer TEXT         a signer containing TEXT\n"
		"  --sha256 PREFIX       a sha256 starting with PREFIX (either case)\n"
		"  --via SOURCE          seen by SOURCE: kernel, preload, trace, kmod\n"
		"  --flag FLAG[,FLAG]    having any of these flags (see Flags below)\n"
		"  --exe PATH            loaded by the executable PATH\n"
		"  --node HOST           from the host node=HOST\n"
		"  --op OP               load, unload (modules) or bpf (BPF program loads)\n"
		"  --witness LIST        witness in LIST: self, trace, kernel-only (self: nothing\n"
		"                        but the loader's own word)\n"
		"Output:\n"
		"  --format FORMAT       table (default), json (one object a line, JSON Lines),\n"
		"                        csv (a header line, full values)\n"
		"  --json                --format json\n"
		"  -o, --output LIST     table and csv columns (+LIST: added to the defaults)\n"
		"  --raw                 table as one line per row, fields separated by one space\n"
		"                        (blanks inside a field as \\x20), no summary\n"
		"  -n, --noheadings      no header line (table, csv)\n"
		"  -q, --quiet           no rows, only the one-line summary and the exit status\n"
		"  --utc                 times in UTC (default: local; JSON and csv always carry\n"
		"                        the offset)\n"
		"  --explain             each event with every value's origin (kernel, prefix,\n"
		"                        self, trace), its witness, why each flag is set, and\n"
		"                        the records that made it\n"
		"Columns:");
	for (size_t c = 0; c < rep_ncols; c++)
		fprintf(out, "%s%s", c % 8 ? " " : "\n  ", rep_cols[c].name);
	fprintf(out,
		"\n  (default: TIME to FLAGS)\n"
		"Flags: kernel-only, userspace-only, name_mismatch, unsigned, unknown_signer, "
		"failed,\n"
		"no_result (an intent record and no result: the call never came back),\n"
		"exit_mismatch, auid_mismatch, comm_mismatch, exe_mismatch, ppid_mismatch (a "
		"record\n"
		"disagrees with the kernel, whose value is shown), trace_by_loader, "
		"trace_unverified\n"
		"(a via=trace record no tracer can have sent).\n"
		"Exit status: 0 no flagged event printed, 1 error, 2 usage error, 3 a flagged\n"
		"event printed (with --quiet: counted).\n");
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

/* Keep the rows whose time is in SPAN and that SEL selects. */
static size_t rows_kept(struct rep_row *rows, size_t n, const struct rep_filter *span,
			const struct rep_select *sel)
{
	size_t kept = 0;

	for (size_t i = 0; i < n; i++)
		if (rep_in_span(span, rows[i].t.sec) && rep_select_row(sel, &rows[i]))
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

static int parse_format(const char *v, struct rep_out *o)
{
	if (!strcmp(v, "table"))
		o->format = REP_FMT_TABLE;
	else if (!strcmp(v, "json"))
		o->format = REP_FMT_JSON;
	else if (!strcmp(v, "csv"))
		o->format = REP_FMT_CSV;
	else
		return -EINVAL;
	return 0;
}

static int print_rows(const struct rep_row *rows, size_t n, const struct rep_out *o)
{
	int r = 0;

	if (o->quiet) {
		rep_print_summary(stdout, rows, n);
		return 0;
	}
	switch (o->format) {
	case REP_FMT_JSON:
		return rep_print_json(rows, n);
	case REP_FMT_CSV:
		return rep_print_csv(rows, n, o);
	case REP_FMT_EXPLAIN:
		return rep_print_explain(rows, n);
	case REP_FMT_TABLE:
		r = rep_print_table_cols(rows, n, o);
		/* The summary closes a table a person reads; --raw is for awk. */
		if (r == 0 && n && !o->raw) {
			putchar('\n');
			rep_print_summary(stdout, rows, n);
		}
	}
	return r;
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
		OPT_WITNESS,
		OPT_FORMAT,
		OPT_RAW,
		OPT_UTC,
		OPT_FLAG,
		/* One per REP_SEL_*, in that order. */
		OPT_SEL,
	};
	static const struct option options[] = {
		{"input", required_argument, NULL, 'i'},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"json", no_argument, NULL, OPT_JSON},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"raw", no_argument, NULL, OPT_RAW},
		{"noheadings", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"utc", no_argument, NULL, OPT_UTC},
		{"explain", no_argument, NULL, OPT_EXPLAIN},
		{"witness", required_argument, NULL, OPT_WITNESS},
		{"flag", required_argument, NULL, OPT_FLAG},
		{"module", required_argument, NULL, OPT_SEL + REP_SEL_MODULE},
		{"signer", required_argument, NULL, OPT_SEL + REP_SEL_SIGNER},
		{"sha256", required_argument, NULL, OPT_SEL + REP_SEL_SHA256},
		{"via", required_argument, NULL, OPT_SEL + REP_SEL_VIA},
		{"exe", required_argument, NULL, OPT_SEL + REP_SEL_EXE},
		{"node", required_argument, NULL, OPT_SEL + REP_SEL_NODE},
		{"op", required_argument, NULL, OPT_SEL + REP_SEL_OP},
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
	struct rep_inputs in = {.stdin_fd = -1};
	struct rep_select sel = {0};
	struct rep_out out = {.format = REP_FMT_TABLE};
	struct rep_log log = {0};
	struct rep_row *rows = NULL;
	struct kma_conf conf;
	size_t nfiles = 0, nrows = 0;
	bool explain = false, columns = false;
	int c, r, longindex = 0;

	if (!files)
		return 1;
	/* The table's widths and the characters it may show are the locale's (LC_CTYPE). */
	setlocale(LC_CTYPE, "");
	rep_cols_default(&out);
	while ((c = getopt_long(argc, argv, "i:o:nqh", options, &longindex)) != -1) {
		if (c >= OPT_SEL && c < OPT_SEL + REP_SEL_COUNT) {
			char option[32];

			snprintf(option, sizeof(option), "--%s", options[longindex].name);
			if (rep_select_add(&sel, (unsigned)(c - OPT_SEL), option, optarg) < 0)
				return EXIT_USAGE;
			continue;
		}
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
			out.format = REP_FMT_JSON;
			break;
		case OPT_FORMAT:
			if (parse_format(optarg, &out) < 0) {
				fprintf(stderr,
					"kmodaudit report: --format '%s': table, json or csv\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			columns = true;
			if (rep_cols_parse(&out, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_RAW:
			out.raw = true;
			break;
		case 'n':
			out.noheadings = true;
			break;
		case 'q':
			out.quiet = true;
			break;
		case OPT_UTC:
			rep_time_utc(true);
			break;
		case OPT_EXPLAIN:
			explain = true;
			break;
		case OPT_FLAG:
			if (rep_select_flags(&sel, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_WITNESS:
			if (parse_witnesses(optarg, &sel.witnesses) < 0) {
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
	if (explain) {
		out.format = REP_FMT_EXPLAIN;
		rep_read_keep_text(true);
	}
	if (!columns && !out.raw && out.format == REP_FMT_TABLE && rep_term_width() &&
	    rep_term_width() < REP_NARROW_WIDTH)
		rep_cols_narrow(&out);
	if (out.raw && out.format != REP_FMT_TABLE) {
		fprintf(stderr,
			"kmodaudit report: --raw is a form of the table (--format table)\n");
		return EXIT_USAGE;
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

	/* Each input checked first: the error names the file (auparse's would not). */
	r = nfiles ? rep_inputs_open(files, nfiles, &in) : rep_inputs_system();
	if (r < 0) {
		if (r == -ENOMEM)
			fprintf(stderr, "kmodaudit report: %s\n", strerror(-r));
		rep_inputs_free(&in);
		strv_free(mopts.trusted_signers);
		conf_release(&conf);
		return 1;
	}
	read_span = widen(&filter, mopts.window);
	r = rep_read(nfiles ? in.paths : NULL, &read_span, &log);
	if (r < 0) {
		fprintf(stderr, "kmodaudit report: cannot read the audit logs: %s\n", strerror(-r));
	} else {
		r = rep_match(&log, &mopts, &rows, &nrows);
		if (r == 0)
			r = rep_bpf_rows(&log, &rows, &nrows); /* BPF programs beside modules */
		if (r == 0)
			nrows = rows_kept(rows, nrows, &filter, &sel);
		if (r == 0)
			r = print_rows(rows, nrows, &out);
		if (r < 0)
			fprintf(stderr, "kmodaudit report: %s\n", strerror(-r));
	}
	if (r == 0 && fflush(stdout) != 0) {
		fprintf(stderr, "kmodaudit report: standard output: %m\n");
		r = -EIO;
	}
	if (r == 0 && rep_any_flagged(rows, nrows))
		r = REP_EXIT_FLAGGED;
	free(rows);
	rep_log_free(&log);
	rep_inputs_free(&in);
	strv_free(mopts.trusted_signers);
	conf_release(&conf);
	return r < 0 ? 1 : r;
}
