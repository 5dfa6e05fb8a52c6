/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One bpf(BPF_PROG_LOAD) call, one event: intent and result records (core/bpf-emit.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/bpf-emit.h"
#include "core/bpf-prog.h"
#include "core/emit-ctx.h"
#include "core/procctx.h"
#include "core/record.h"
#include "core/sink.h"
#include "core/text-encode.h"
#include "core/traced.h"

struct kma_bpf_pending {
	enum kma_via via;
	uint64_t seq;
	struct procctx proc;
	struct record_bpf bpf;
	unsigned anomalies;
	char prog_type[16], attach_type[16], prog_name[KMA_BPF_OBJ_NAME_LEN + 1];
	char prog_tag[TEXT_HEX_SIZE(KMA_BPF_TAG_SIZE)];
	unsigned char sha256[32];
	char *license;
	struct record rec;
};

static const char *const via_names[] = {
	[KMA_VIA_PRELOAD] = "preload",
	[KMA_VIA_TRACE] = "trace",
	[KMA_VIA_KMOD] = "kmod",
};

static void pending_free(struct kma_bpf_pending *p)
{
	if (!p)
		return;
	procctx_release(&p->proc);
	free(p->license);
	free(p);
}

/* The attribute block's facts, in the words of the contract. */
static void take_attr(struct kma_bpf_pending *p, const void *attr, size_t len)
{
	struct kma_bpf_attr a;
	const char *name;

	if (!attr || kma_bpf_attr_parse(attr, len, &a) < 0)
		return;
	p->bpf.has_attr = true;
	name = kma_bpf_prog_type_name(a.prog_type);
	if (name)
		snprintf(p->prog_type, sizeof(p->prog_type), "%s", name);
	else
		snprintf(p->prog_type, sizeof(p->prog_type), "%u", a.prog_type);
	p->bpf.prog_type = p->prog_type;
	memcpy(p->prog_name, a.prog_name, sizeof(p->prog_name));
	p->bpf.prog_name = p->prog_name;
	p->bpf.insn_cnt = a.insn_cnt;
	p->bpf.prog_flags = a.prog_flags;
	p->bpf.attach_btf_id = a.attach_btf_id;
	if (a.expected_attach_type) {
		name = kma_bpf_attach_type_name(a.expected_attach_type);
		if (name)
			snprintf(p->attach_type, sizeof(p->attach_type), "%s", name);
		else
			snprintf(p->attach_type, sizeof(p->attach_type), "%u",
				 a.expected_attach_type);
		p->bpf.attach_type = p->attach_type;
	}
}

static int send_record(struct kma_ctx *ctx, struct kma_bpf_pending *p, bool result, long ret)
{
	struct sink_outcome outcome;
	bool known = ret != KMA_RET_UNKNOWN;
	struct record_event ev = {
		.op = result ? RECORD_OP_BPF_LOAD : RECORD_OP_BPF_LOAD_INTENT,
		.seq = p->seq,
		.via = via_names[p->via],
		.call = "bpf",
		.is_load = true,
		.has_exit = result,
		.exit_known = known,
		.exit = ret,
		.has_ppid = p->proc.has_ppid,
		.ppid = p->proc.ppid,
		.comm = p->proc.has_comm ? p->proc.comm : NULL,
		.history = p->proc.history,
		.anomalies = p->anomalies,
		.bpf = &p->bpf,
		.exe = p->proc.exe,
		.terminal = p->proc.terminal,
		.success = !result || (known && ret >= 0),
	};

	record_build(&p->rec, &ev);
	record_format(&p->rec);
	return sink_deliver(kma_ctx_conf(ctx), kma_ctx_json_path(ctx), &p->rec, &outcome);
}

int kma_bpf_begin(struct kma_ctx *ctx, const struct kma_bpf_call *call,
		  struct kma_bpf_pending **out)
{
	const struct kma_conf *conf;
	struct kma_bpf_pending *p;
	bool refuse;
	pid_t pid;
	int err = 0;

	if (!ctx || !call || !out || (unsigned)call->via >= sizeof(via_names) / sizeof(*via_names))
		return -EINVAL;
	*out = NULL;
	conf = kma_ctx_conf(ctx);
	if (call->via != KMA_VIA_TRACE && traced_by_kmodaudit())
		return 0; /* kmodaudit trace records this call itself */
	pid = call->pid > 0 && call->pid != getpid() ? call->pid : 0;
	refuse = conf->fail_closed;

	p = calloc(1, sizeof(*p));
	if (!p) {
		sink_warn(conf, refuse ? "fail-closed: refused a BPF program load: out of memory"
				       : "record lost: bpf(BPF_PROG_LOAD): out of memory");
		return refuse ? -EPERM : 0;
	}
	p->via = call->via;
	p->seq = kma_ctx_next_seq(ctx);
	if (procctx_read(pid, conf->history_depth, &p->proc) < 0)
		err = -ENOMEM;

	take_attr(p, call->attr, call->attr_len);
	if (call->truncated_read || !call->attr)
		p->anomalies |= RECORD_ANOMALY_TRUNCATED_READ;
	/* the hash only of instructions the block points the kernel to, read whole */
	if (p->bpf.has_attr && call->insns &&
	    call->insns_len == kma_bpf_insns_len(p->bpf.insn_cnt) && call->insns_len) {
		int r = kma_bpf_sha256(call->insns, call->insns_len, p->sha256);
		if (r == 0)
			p->bpf.insns_sha256 = p->sha256;
		else
			err = r;
	}
	if (call->license) {
		p->license = strndup(call->license, KMA_BPF_LICENSE_MAX);
		if (!p->license)
			err = -ENOMEM;
		p->bpf.license = p->license;
	}
	if (err < 0 && refuse) {
		sink_warn(conf, "fail-closed: refused a BPF program load: out of memory");
		pending_free(p);
		return -EPERM;
	}
	if (conf->intent) {
		err = send_record(ctx, p, false, 0);
		if (err < 0 && refuse) {
			sink_warn(conf, "fail-closed: refused a BPF program load: no sink took the "
					"intent record");
			pending_free(p);
			return -EPERM;
		}
	}
	*out = p;
	return 0;
}

/* BPF_OBJ_GET_INFO_BY_FD: struct bpf_prog_info's type, id and tag (its first 16 bytes). */
static int prog_info(int fd, uint32_t *id, unsigned char tag[KMA_BPF_TAG_SIZE])
{
	unsigned char info[16] = {0};
	struct {
		uint32_t bpf_fd, info_len;
		uint64_t info;
	} attr = {.bpf_fd = (uint32_t)fd, .info_len = sizeof(info), .info = (uintptr_t)info};
	int saved = errno;
	long r = syscall(SYS_bpf, KMA_BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));

	errno = saved;
	if (r < 0)
		return -1;
	memcpy(id, info + 4, sizeof(*id));
	memcpy(tag, info + 8, KMA_BPF_TAG_SIZE);
	return 0;
}

void kma_bpf_end(struct kma_ctx *ctx, struct kma_bpf_pending *p, long ret, int prog_fd)
{
	unsigned char tag[KMA_BPF_TAG_SIZE];

	if (!p)
		return;
	if (ctx) {
		if (ret >= 0 && ret != KMA_RET_UNKNOWN && prog_fd >= 0 &&
		    prog_info(prog_fd, &p->bpf.prog_id, tag) == 0) {
			/* as bpftool and /proc/<pid>/fdinfo write the tag */
			p->bpf.prog_tag =
				text_hex(p->prog_tag, tag, KMA_BPF_TAG_SIZE, TEXT_HEX_LOWER);
			p->bpf.has_prog = true;
		}
		send_record(ctx, p, true, ret);
	}
	pending_free(p);
}
