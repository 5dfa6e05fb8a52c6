/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One intercepted call, one event: analysis, intent record, result record (core/emit.h). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/conf.h"
#include "core/emit-ctx.h"
#include "core/emit.h"
#include "lost-line.h"
#include "macro.h"
#include "core/modimage.h"
#include "core/procctx.h"
#include "core/record.h"
#include "core/sink.h"
#include "core/traced.h"

struct kma_ctx {
	struct kma_conf conf;
	char *json_path;
	atomic_ullong seq;
};

struct file_id {
	bool valid;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime; /* a rewrite can restore mtime (utimensat), never ctime */
};

struct kma_pending {
	enum kma_syscall syscall;
	enum kma_via via;
	uint64_t seq;
	int fd; /* finit_module: this process's fd, fstat'ed again after the call */
	struct file_id before;
	unsigned long flags;
	unsigned anomalies;

	struct procctx proc;
	char *name, *modinfo_name, *path, *args;
	bool has_image, has_sha, has_size;
	uint64_t size;
	enum modimage_compression compression;
	enum modimage_sig sig;
	unsigned char sha256[32];
	char *signer, *sig_key, *sig_hashalgo, *vermagic, *srcversion, *version, *license, *intree;

	struct record rec;
};

static const char *const via_names[] = {
	[KMA_VIA_PRELOAD] = "preload",
	[KMA_VIA_TRACE] = "trace",
	[KMA_VIA_KMOD] = "kmod",
};

/* A value longer than this cannot fit a record: keep one byte more so it is left out whole. */
static char *copy_str(const char *s)
{
	return s ? strndup(s, RECORD_MAX_PAYLOAD + 1) : NULL;
}

#define MAX_CONF_WARNINGS 8
struct conf_warnings {
	char msg[MAX_CONF_WARNINGS][240];
	unsigned n;
};

static void collect_warning(void *data, const char *msg)
{
	struct conf_warnings *w = data;

	if (w->n < MAX_CONF_WARNINGS)
		snprintf(w->msg[w->n++], sizeof(w->msg[0]), "%s", msg);
}

int kma_ctx_new(const struct kma_ctx_opts *opts, struct kma_ctx **out)
{
	static const struct kma_ctx_opts no_opts;
	struct conf_warnings warnings = {.n = 0};
	struct kma_ctx *ctx;

	if (!out)
		return -EINVAL;
	if (!opts)
		opts = &no_opts;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	conf_init(&ctx->conf);
	/*
	 * Without the memory to read the file, its [policy] mode is unknown: no ctx rather than
	 * one on the defaults (fail-open). The shim then reads the mode itself, without malloc.
	 */
	if (conf_load_path(&ctx->conf, conf_path(opts->config_path, opts->secure), collect_warning,
			   &warnings) == -ENOMEM) {
		kma_ctx_free(ctx);
		return -ENOMEM;
	}
	if (opts->json_path) {
		ctx->json_path = strdup(opts->json_path);
		if (!ctx->json_path) {
			kma_ctx_free(ctx);
			return -ENOMEM;
		}
	}
	atomic_init(&ctx->seq, 0);
	for (unsigned i = 0; i < warnings.n; i++) {
		char line[300];
		snprintf(line, sizeof(line), "warning: %s", warnings.msg[i]);
		sink_warn(&ctx->conf, line);
	}
	*out = ctx;
	return 0;
}

void kma_ctx_free(struct kma_ctx *ctx)
{
	if (!ctx)
		return;
	conf_release(&ctx->conf);
	free(ctx->json_path);
	free(ctx);
}

static void pending_free(struct kma_pending *p)
{
	if (!p)
		return;
	procctx_release(&p->proc);
	char **strs[] = {&p->name,	 &p->modinfo_name, &p->path,	     &p->args,
			 &p->signer,	 &p->sig_key,	   &p->sig_hashalgo, &p->vermagic,
			 &p->srcversion, &p->version,	   &p->license,	     &p->intree};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++)
		free(*strs[i]);
	free(p);
}

static struct file_id file_id_of(int fd)
{
	struct file_id id = {.valid = false};
	struct stat st;

	if (fd >= 0 && fstat(fd, &st) == 0)
		id = (struct file_id){.valid = true,
				      .dev = st.st_dev,
				      .ino = st.st_ino,
				      .size = st.st_size,
				      .mtime = st.st_mtim,
				      .ctime = st.st_ctim};
	return id;
}

static bool file_id_differs(const struct file_id *a, const struct file_id *b)
{
	if (!a->valid || !b->valid)
		return false;
	return a->dev != b->dev || a->ino != b->ino || a->size != b->size ||
	       a->mtime.tv_sec != b->mtime.tv_sec || a->mtime.tv_nsec != b->mtime.tv_nsec ||
	       a->ctime.tv_sec != b->ctime.tv_sec || a->ctime.tv_nsec != b->ctime.tv_nsec;
}

/* kmod's rule: '-' and '_' are the same in module names. */
static bool modname_equal(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
		if (x != y)
			return false;
	}
	return true;
}

/* The module name a path stands for: basename without a .ko[.xz|.zst|.gz] suffix. */
static void name_from_path(const char *path, const char **name, size_t *len)
{
	static const char *const suffixes[] = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};
	static const char deleted[] = " (deleted)";
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > sizeof(deleted) - 1 && !strcmp(base + n - (sizeof(deleted) - 1), deleted))
		n -= sizeof(deleted) - 1;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && !memcmp(base + n - sl, suffixes[i], sl)) {
			n -= sl;
			break;
		}
	}
	*name = base;
	*len = n;
}

static int take_image(struct kma_pending *p, const struct modimage_info *info)
{
	p->has_image = true;
	p->size = info->size;
	p->compression = info->compression;
	p->sig = info->sig;
	p->has_sha = !info->truncated_read;
	memcpy(p->sha256, info->sha256, sizeof(p->sha256));
	if (info->truncated_read)
		p->anomalies |= RECORD_ANOMALY_TRUNCATED_READ;
	if (info->sig == MODIMAGE_SIG_NONE)
		p->anomalies |= RECORD_ANOMALY_UNSIGNED;
	else if (info->sig == MODIMAGE_SIG_MALFORMED)
		p->anomalies |= RECORD_ANOMALY_SIG_MALFORMED;
	if (info->sig_unchecked)
		p->anomalies |= RECORD_ANOMALY_SIG_UNCHECKED;

	struct {
		char **dst;
		const char *src;
	} strs[] = {
		{&p->name, info->name},
		{&p->modinfo_name, info->modinfo_name},
		{&p->signer, info->signer},
		{&p->sig_key, info->sig_key},
		{&p->sig_hashalgo, info->sig_hashalgo},
		{&p->vermagic, info->vermagic},
		{&p->srcversion, info->srcversion},
		{&p->version, info->version},
		{&p->license, info->license},
		{&p->intree, info->intree},
	};
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		if (!strs[i].src)
			continue;
		*strs[i].dst = copy_str(strs[i].src);
		if (!*strs[i].dst)
			return -ENOMEM;
	}
	return 0;
}

static int analyse_load(struct kma_pending *p, const struct kma_call *call, pid_t pid,
			const struct kma_conf *conf)
{
	_cleanup_modimage_ struct modimage *img = NULL;
	/* finit_module's flags decide whether the kernel checks the signature at all */
	const struct modimage_opts opts = {
		.max_size = conf->max_image_size,
		.load_flags = call->syscall == KMA_SYS_FINIT_MODULE ? (unsigned int)call->flags : 0,
	};
	int r = -EBADF;

	/* first what the caller gave: it is in the record whatever the image analysis runs into */
	if (!call->args_unreadable && call->args) {
		p->args = copy_str(call->args);
		if (!p->args)
			return -ENOMEM;
	}
	if (call->syscall == KMA_SYS_INIT_MODULE) {
		/*
		 * A prefix (image_len < image_size) is not what the kernel gets: the kernel reads
		 * the caller's memory, which may hold other bytes by then. Its name, modinfo and
		 * signature are no facts about the load: not read at all (truncated_read below).
		 */
		if (call->image && !(call->image_size > call->image_len))
			r = modimage_open_memory(call->image, call->image_len, &opts, &img);
	} else {
		int link_fd = call->caller_fd >= 0 ? call->caller_fd : call->fd;
		pid_t link_pid = call->caller_fd >= 0 ? pid : 0;

		if (link_fd >= 0 && procctx_fd_path(link_pid, link_fd, &p->path) == -ENOMEM)
			return -ENOMEM;
		p->fd = call->fd;
		p->before = file_id_of(call->fd);
		/* the kernel refuses what is not a regular file: never read a pipe or socket */
		if (p->before.valid)
			r = modimage_open_fd(call->fd, &opts, &img);
		if (p->before.valid) {
			/* changed while we read it: the kernel may get other bytes */
			struct file_id now = file_id_of(call->fd);
			if (file_id_differs(&p->before, &now))
				p->anomalies |= RECORD_ANOMALY_FILE_CHANGED;
		}
	}
	if (r == -ENOMEM)
		return r;
	if (r == -EFBIG) {
		/* over the size cap ([limits] max_image_size): not read, not hashed */
		p->anomalies |= RECORD_ANOMALY_TRUNCATED_READ;
		p->has_size = true;
		p->size = call->syscall == KMA_SYS_INIT_MODULE ? call->image_len
							       : (uint64_t)p->before.size;
	}
	if (r == 0) {
		r = take_image(p, modimage_get_info(img));
		if (r < 0)
			return r;
	}
	if (call->syscall == KMA_SYS_INIT_MODULE && call->image_size > call->image_len) {
		/* only a prefix of what the caller passed could be copied */
		p->anomalies |= RECORD_ANOMALY_TRUNCATED_READ;
		p->has_sha = false;
		p->has_size = true;
		p->size = call->image_size;
	}

	if (p->name) {
		const char *want = NULL;
		size_t want_len = 0;

		if (call->name_hint) {
			name_from_path(call->name_hint, &want, &want_len);
		} else if (p->path && p->path[0] == '/') {
			name_from_path(p->path, &want, &want_len);
		}
		if (want && !modname_equal(want, want_len, p->name))
			p->anomalies |= RECORD_ANOMALY_NAME_MISMATCH;
	}
	return 0;
}

static void send_record(struct kma_ctx *ctx, struct kma_pending *p, bool result, long ret,
			struct sink_outcome *outcome, int *err)
{
	bool load = p->syscall != KMA_SYS_DELETE_MODULE;
	bool known = ret != KMA_RET_UNKNOWN;
	struct record_event ev = {
		.op = !load    ? RECORD_OP_UNLOAD
		      : result ? RECORD_OP_LOAD
			       : RECORD_OP_LOAD_INTENT,
		.seq = p->seq,
		.via = via_names[p->via],
		.call = kma_syscall_name(p->syscall),
		.name = p->name,
		.modinfo_name = p->modinfo_name,
		.is_load = load,
		.has_file = p->syscall == KMA_SYS_FINIT_MODULE,
		.path = p->path,
		.has_dev_inode = p->before.valid,
		.dev = p->before.dev,
		.inode = p->before.ino,
		.has_image = p->has_image,
		.has_size = p->has_size,
		.size = p->size,
		.compression = modimage_compression_name(p->compression),
		.sha256 = p->has_sha ? p->sha256 : NULL,
		.sig_type = modimage_sig_name(p->sig),
		.signer = p->signer,
		.sig_key = p->sig_key,
		.sig_hashalgo = p->sig_hashalgo,
		.vermagic = p->vermagic,
		.srcversion = p->srcversion,
		.version = p->version,
		.license = p->license,
		.intree = p->intree,
		.args = p->args,
		.call_flags = p->flags,
		.has_exit = result,
		.exit_known = known,
		.exit = ret,
		.has_ppid = p->proc.has_ppid,
		.ppid = p->proc.ppid,
		.comm = p->proc.has_comm ? p->proc.comm : NULL,
		.history = p->proc.history,
		.anomalies = p->anomalies,
		.exe = p->proc.exe,
		.terminal = p->proc.terminal,
		.success = !result || (known && ret >= 0),
	};

	record_build(&p->rec, &ev);
	record_format(&p->rec);
	*err = sink_deliver(&ctx->conf, ctx->json_path, &p->rec, outcome);
}

/*
 * The caller's side of a lost-record line (shared/lost-line.h): its comm and pid. pid 0 is this
 * process (the shim's and the front end's calls); the tracer's calls are another's.
 */
static void warn_lost(struct kma_ctx *ctx, bool refused, enum kma_syscall syscall, pid_t pid,
		      const struct procctx *proc, const char *what, const char *why)
{
	char msg[512];
	const char *comm = !pid			    ? program_invocation_short_name
			   : proc && proc->has_comm ? proc->comm
						    : NULL;

	lost_line(msg, sizeof(msg), refused, syscall, comm, pid ? pid : getpid(), what, why);
	sink_warn(&ctx->conf, msg);
}

static void warn_refused(struct kma_ctx *ctx, const struct kma_pending *p, pid_t pid,
			 const struct sink_outcome *o)
{
	char name[200], what[240], why[240];

	if (record_encode_str(name, sizeof(name), "name", p->name, p->name ? strlen(p->name) : 0) >=
	    sizeof(name))
		snprintf(name, sizeof(name), "name=?");
	snprintf(what, sizeof(what), "seq=%llu %s", (unsigned long long)p->seq, name);
	snprintf(why, sizeof(why), "no sink took the record (audit: %s; syslog: %s)",
		 strerror(-o->audit_err),
		 ctx->conf.fallback_syslog ? strerror(-o->syslog_err) : "disabled");
	warn_lost(ctx, true, p->syscall, pid, &p->proc, what, why);
}

int kma_call_begin(struct kma_ctx *ctx, const struct kma_call *call, struct kma_pending **out)
{
	struct kma_pending *p;
	struct sink_outcome outcome;
	pid_t pid;
	int err = 0;
	bool refuse; /* fail-closed refuses loads without a record; unloads always go on */

	/* a zeroed or foreign struct (no kma_call_init() of this layout) is no description */
	if (!ctx || !call || !out || call->size != sizeof(*call) ||
	    !kma_syscall_name(call->syscall) || (unsigned)call->via >= ARRAY_SIZE(via_names))
		return -EINVAL;
	*out = NULL;
	/* kmodaudit trace records this call itself, unsuppressibly: one record per call. */
	if (call->via != KMA_VIA_TRACE && traced_by_kmodaudit())
		return 0;
	pid = call->pid > 0 && call->pid != getpid() ? call->pid : 0;
	refuse = ctx->conf.fail_closed && call->syscall != KMA_SYS_DELETE_MODULE;

	p = calloc(1, sizeof(*p));
	if (!p) {
		/* no memory for a record: syslog hears of the call at least (sink_warn allocates
		 * nothing) */
		warn_lost(ctx, refuse, call->syscall, pid, NULL, NULL, "out of memory");
		return refuse ? -EPERM : 0;
	}
	p->syscall = call->syscall;
	p->via = call->via;
	p->fd = -1;
	p->flags = call->flags;
	p->seq = atomic_fetch_add(&ctx->seq, 1) + 1;
	if (procctx_read(pid, ctx->conf.history_depth, &p->proc) < 0)
		err = -ENOMEM;

	if (p->syscall == KMA_SYS_DELETE_MODULE) {
		if (call->name) {
			p->name = copy_str(call->name);
			if (!p->name)
				err = -ENOMEM;
		}
	} else if (!err) {
		err = analyse_load(p, call, pid, &ctx->conf);
	}
	if (err < 0) {
		/* fail-open goes on with what could be gathered; fail-closed must not */
		if (refuse) {
			warn_lost(ctx, true, p->syscall, pid, &p->proc, NULL, "out of memory");
			pending_free(p);
			return -EPERM;
		}
	}

	if (p->syscall != KMA_SYS_DELETE_MODULE && ctx->conf.intent) {
		send_record(ctx, p, false, 0, &outcome, &err);
		if (err < 0 && ctx->conf.fail_closed) {
			warn_refused(ctx, p, pid, &outcome);
			pending_free(p);
			return -EPERM;
		}
	}
	*out = p;
	return 0;
}

void kma_call_end(struct kma_ctx *ctx, struct kma_pending *p, long ret)
{
	struct sink_outcome outcome;
	int err;

	if (!p)
		return;
	if (ctx) {
		if (p->syscall == KMA_SYS_FINIT_MODULE && p->before.valid) {
			struct file_id after = file_id_of(p->fd);
			if (file_id_differs(&p->before, &after))
				p->anomalies |= RECORD_ANOMALY_FILE_CHANGED;
		}
		send_record(ctx, p, true, ret, &outcome, &err);
	}
	pending_free(p);
}

/* The context's parts the BPF program emitter (bpf-emit.c) shares: core/emit-ctx.h. */
const struct kma_conf *kma_ctx_conf(const struct kma_ctx *ctx)
{
	return &ctx->conf;
}

const char *kma_ctx_json_path(const struct kma_ctx *ctx)
{
	return ctx->json_path;
}

uint64_t kma_ctx_next_seq(struct kma_ctx *ctx)
{
	return atomic_fetch_add(&ctx->seq, 1) + 1;
}
