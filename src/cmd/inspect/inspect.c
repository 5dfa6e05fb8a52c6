/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmodaudit inspect [--json] FILE...: what the kernel would see in each module file, with the
 * field names of the record format. Text ("field:  value", like modinfo) or one JSON object a
 * line. Exit 0 when every file is a usable module, 1 when one is not, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cmd/cmd.h"
#include "cmd/common/fileio.h"
#include "macro.h"
#include "core/modimage.h"
#include "core/record-names.h"
#include "core/text-encode.h"

struct field {
	const char *key;
	const char *value;
};

/*
 * The anomalies of the image itself, named as a record names them: unsigned, sig_malformed,
 * sig_unchecked (a signature the kernel will not check: not PKCS#7, or --flags forcing the
 * load past modversions or vermagic). NULL when there is none.
 */
static const char *image_anomalies(const struct modimage_info *info, char *buf, size_t size)
{
	const char *names[3];
	size_t n = 0, len = 0;

	if (info->sig == MODIMAGE_SIG_NONE)
		names[n++] = "unsigned";
	else if (info->sig == MODIMAGE_SIG_MALFORMED)
		names[n++] = "sig_malformed";
	if (info->sig_unchecked)
		names[n++] = "sig_unchecked";
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? "," : "", names[i]);
	return n ? buf : NULL;
}

/* The string fields of an image, in the record format's order; absent ones are NULL. */
static size_t image_fields(const struct modimage_info *info, struct field *f, char *sha256,
			   char *anomaly, size_t anomaly_size)
{
	size_t n = 0;

	text_hex(sha256, info->sha256, sizeof(info->sha256), TEXT_HEX_UPPER);

	f[n++] = (struct field){record_field_name(RF_NAME), info->name};
	f[n++] = (struct field){record_field_name(RF_MODINFO_NAME), info->modinfo_name};
	/* a number: printed by the callers */
	f[n++] = (struct field){record_field_name(RF_SIZE), NULL};
	f[n++] = (struct field){record_field_name(RF_COMPRESSION),
				modimage_compression_name(info->compression)};
	f[n++] = (struct field){record_field_name(RF_SHA256), sha256};
	f[n++] = (struct field){record_field_name(RF_SIG_TYPE), modimage_sig_name(info->sig)};
	f[n++] = (struct field){record_field_name(RF_SIGNER), info->signer};
	f[n++] = (struct field){record_field_name(RF_SIG_KEY), info->sig_key};
	f[n++] = (struct field){record_field_name(RF_SIG_HASHALGO), info->sig_hashalgo};
	f[n++] = (struct field){record_field_name(RF_VERMAGIC), info->vermagic};
	f[n++] = (struct field){record_field_name(RF_SRCVERSION), info->srcversion};
	f[n++] = (struct field){record_field_name(RF_VERSION), info->version};
	f[n++] = (struct field){record_field_name(RF_LICENSE), info->license};
	f[n++] = (struct field){record_field_name(RF_INTREE), info->intree};
	f[n++] = (struct field){record_field_name(RF_ANOMALY),
				image_anomalies(info, anomaly, anomaly_size)};
	f[n++] = (struct field){"error", info->error_msg};
	return n;
}

/*
 * Text output: a hostile value must not add lines or drive the terminal. Printable UTF-8 goes
 * as is, whatever the locale; anything else as \xNN (text_terminal_safe()); "?" without memory.
 */
static void print_escaped(FILE *out, const char *s)
{
	_cleanup_free_ char *safe = text_terminal_safe(s, true);

	fputs(safe ? safe : "?", out);
}

static void print_text_line(FILE *out, const char *key, const char *value)
{
	fprintf(out, "%s:%*s", key, (int)(15 - strlen(key)), "");
	print_escaped(out, value);
	fputc('\n', out);
}

static void print_text(FILE *out, const char *file, const struct modimage_info *info,
		       const char *open_error, bool first)
{
	struct field f[20];
	char sha256[65], size[32], anomaly[64];
	size_t n;

	if (!first)
		fputc('\n', out);
	print_text_line(out, "file", file);
	if (!info) {
		print_text_line(out, "error", open_error);
		return;
	}
	n = image_fields(info, f, sha256, anomaly, sizeof(anomaly));
	snprintf(size, sizeof(size), "%llu", (unsigned long long)info->size);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(f[i].key, record_field_name(RF_SIZE)))
			print_text_line(out, f[i].key, size);
		else if (f[i].value)
			print_text_line(out, f[i].key, f[i].value);
	}
}

/* JSON strings must be UTF-8: as the record format's JSON lines and kmodaudit report do. */
static int json_add_string(struct json_object *obj, const char *key, const char *value)
{
	return text_json_add_str(obj, key, value, strlen(value), NULL);
}

static int print_json(FILE *out, const char *file, const struct modimage_info *info,
		      const char *open_error)
{
	struct json_object *obj = json_object_new_object();
	struct field f[20];
	char sha256[65], anomaly[64];
	size_t n;
	int r;

	if (!obj)
		return -ENOMEM;
	r = json_add_string(obj, "file", file);
	if (r == 0 && !info) {
		r = json_add_string(obj, "error", open_error);
	} else if (r == 0) {
		n = image_fields(info, f, sha256, anomaly, sizeof(anomaly));
		for (size_t i = 0; r == 0 && i < n; i++) {
			if (!strcmp(f[i].key, record_field_name(RF_SIZE)))
				r = json_object_object_add(
					obj, f[i].key, json_object_new_int64((int64_t)info->size));
			else if (f[i].value)
				r = json_add_string(obj, f[i].key, f[i].value);
		}
	}
	if (r == 0)
		fprintf(out, "%s\n",
			json_object_to_json_string_ext(
				obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return r;
}

static void usage(FILE *out)
{
	fprintf(out, "Usage: kmodaudit inspect [--json] [--jobs N] [--flags N] FILE...\n\n"
		     "Print what the kernel will see in each module file: its real name, size,\n"
		     "compression, SHA-256, signature and .modinfo fields.\n\n"
		     "  --json       one JSON object per line and file (JSON Lines)\n"
		     "  --jobs N     files analysed in parallel (default: one per CPU, at most 8)\n"
		     "  --flags N    as loaded with these finit_module flags (a record's flags=;\n"
		     "               0x3 is insmod -f: the kernel checks no signature)\n"
		     "  -h, --help   show this help\n");
}

static const char *open_error_text(int r, char *buf, size_t size)
{
	switch (r) {
	case -EINVAL:
	case -EMEDIUMTYPE:
		return "not a regular file";
	case -EFBIG:
		return "larger than the size cap";
	default:
		snprintf(buf, size, "%s", strerror(-r));
		return buf;
	}
}

/*
 * As every file a command reads (fileio_open_read()): a FIFO named on the command line must not
 * block the open; a directory or device is refused before a byte is read.
 */
static int open_image(const char *path, const struct modimage_opts *opts, struct modimage **img)
{
	_cleanup_close_ int fd = fileio_open_read(AT_FDCWD, path, 0, 0);

	if (fd < 0)
		return fd;
	return modimage_open_fd(fd, opts, img);
}

/*
 * Files are analysed by a few threads (hashing every byte is the cost) and printed in the
 * order given by the main thread as each one is ready.
 */
struct job {
	char **files;
	size_t n;
	const struct modimage_opts *opts;
	struct result {
		struct modimage *img;
		int r;
		bool done;
	} * results;
	size_t next;
	pthread_mutex_t lock;
	pthread_cond_t ready;
};

static void *worker(void *data)
{
	struct job *job = data;

	for (;;) {
		size_t i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED);
		struct modimage *img = NULL;
		int r;

		if (i >= job->n)
			return NULL;
		r = open_image(job->files[i], job->opts, &img);
		pthread_mutex_lock(&job->lock);
		job->results[i] = (struct result){.img = img, .r = r, .done = true};
		pthread_cond_broadcast(&job->ready);
		pthread_mutex_unlock(&job->lock);
	}
}

static int report(const char *file, const struct result *res, bool json, bool first)
{
	const struct modimage_info *info = res->r < 0 ? NULL : modimage_get_info(res->img);
	const char *why = NULL;
	char buf[128];
	int status = 0;

	if (res->r < 0)
		why = open_error_text(res->r, buf, sizeof(buf));
	else if (info->error < 0)
		why = info->error_msg;
	if (why) {
		fputs("kmodaudit inspect: ", stderr);
		print_escaped(stderr, file);
		fputs(": ", stderr);
		print_escaped(stderr, why);
		fputc('\n', stderr);
		status = 1;
	}
	if (!json)
		print_text(stdout, file, info, why, first);
	else if (print_json(stdout, file, info, why) < 0)
		return -ENOMEM;
	return status;
}

static unsigned int default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 8 ? 8 : (unsigned int)n;
}

int cmd_inspect(int argc, char *argv[])
{
	static const struct option options[] = {
		{"json", no_argument, NULL, 'J'},
		{"jobs", required_argument, NULL, 'P'},
		{"flags", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{},
	};
	_cleanup_free_ struct result *results = NULL;
	unsigned int n_jobs = default_jobs(), started = 0;
	pthread_t threads[64];
	struct modimage_opts opts = {0};
	struct job job = {.opts = &opts,
			  .lock = PTHREAD_MUTEX_INITIALIZER,
			  .ready = PTHREAD_COND_INITIALIZER};
	unsigned long flags;
	bool json = false;
	int status = 0, c;
	char *end;
	long v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'J':
			json = true;
			break;
		case 'P':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 1 ||
			    v > (long)ARRAY_SIZE(threads)) {
				fprintf(stderr, "kmodaudit inspect: --jobs wants 1 to %zu\n",
					ARRAY_SIZE(threads));
				return EXIT_USAGE;
			}
			n_jobs = (unsigned int)v;
			break;
		case 'F':
			errno = 0;
			flags = strtoul(optarg, &end, 0);
			if (errno || *end || end == optarg || optarg[0] == '-' ||
			    flags > UINT_MAX) {
				fprintf(stderr, "kmodaudit inspect: --flags wants a number\n");
				return EXIT_USAGE;
			}
			opts.load_flags = (unsigned int)flags;
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
		fprintf(stderr, "kmodaudit inspect: no FILE given\n");
		usage(stderr);
		return EXIT_USAGE;
	}

	job.files = argv + optind;
	job.n = (size_t)(argc - optind);
	job.results = results = calloc(job.n, sizeof(*results));
	if (!results) {
		fprintf(stderr, "kmodaudit inspect: out of memory\n");
		return 1;
	}
	if (n_jobs > job.n)
		n_jobs = (unsigned int)job.n;
	/* One job, or no thread to be had: the main thread does the work itself. */
	for (; n_jobs > 1 && started < n_jobs; started++)
		if (pthread_create(&threads[started], NULL, worker, &job) != 0)
			break;

	for (size_t i = 0; i < job.n; i++) {
		int r;

		if (started == 0) {
			results[i].r = open_image(job.files[i], &opts, &results[i].img);
		} else {
			pthread_mutex_lock(&job.lock);
			while (!results[i].done)
				pthread_cond_wait(&job.ready, &job.lock);
			pthread_mutex_unlock(&job.lock);
		}
		r = report(job.files[i], &results[i], json, i == 0);
		modimage_free(results[i].img);
		results[i].img = NULL;
		if (r < 0) {
			fprintf(stderr, "kmodaudit inspect: out of memory\n");
			status = 1;
		} else if (r > 0) {
			status = 1;
		}
	}
	for (unsigned int t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "kmodaudit inspect: cannot write output: %m\n");
		return 1;
	}
	return status;
}
