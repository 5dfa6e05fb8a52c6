/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bpf(BPF_PROG_LOAD): program and attach type names, the instructions' hash (core/bpf-prog.h). */
#include <errno.h>
#include <openssl/evp.h>

#include "core/bpf-prog.h"
#include "macro.h"
#include "core/modimage-internal.h"

/* enum bpf_prog_type, lower case without BPF_PROG_TYPE_ */
static const char *const prog_types[] = {
	"unspec",
	"socket_filter",
	"kprobe",
	"sched_cls",
	"sched_act",
	"tracepoint",
	"xdp",
	"perf_event",
	"cgroup_skb",
	"cgroup_sock",
	"lwt_in",
	"lwt_out",
	"lwt_xmit",
	"sock_ops",
	"sk_skb",
	"cgroup_device",
	"sk_msg",
	"raw_tracepoint",
	"cgroup_sock_addr",
	"lwt_seg6local",
	"lirc_mode2",
	"sk_reuseport",
	"flow_dissector",
	"cgroup_sysctl",
	"raw_tracepoint_writable",
	"cgroup_sockopt",
	"tracing",
	"struct_ops",
	"ext",
	"lsm",
	"sk_lookup",
	"syscall",
	"netfilter",
};

/* enum bpf_attach_type, lower case without BPF_ */
static const char *const attach_types[] = {
	"cgroup_inet_ingress",
	"cgroup_inet_egress",
	"cgroup_inet_sock_create",
	"cgroup_sock_ops",
	"sk_skb_stream_parser",
	"sk_skb_stream_verdict",
	"cgroup_device",
	"sk_msg_verdict",
	"cgroup_inet4_bind",
	"cgroup_inet6_bind",
	"cgroup_inet4_connect",
	"cgroup_inet6_connect",
	"cgroup_inet4_post_bind",
	"cgroup_inet6_post_bind",
	"cgroup_udp4_sendmsg",
	"cgroup_udp6_sendmsg",
	"lirc_mode2",
	"flow_dissector",
	"cgroup_sysctl",
	"cgroup_udp4_recvmsg",
	"cgroup_udp6_recvmsg",
	"cgroup_getsockopt",
	"cgroup_setsockopt",
	"trace_raw_tp",
	"trace_fentry",
	"trace_fexit",
	"modify_return",
	"lsm_mac",
	"trace_iter",
	"cgroup_inet4_getpeername",
	"cgroup_inet6_getpeername",
	"cgroup_inet4_getsockname",
	"cgroup_inet6_getsockname",
	"xdp_devmap",
	"cgroup_inet_sock_release",
	"xdp_cpumap",
	"sk_lookup",
	"xdp",
	"sk_skb_verdict",
	"sk_reuseport_select",
	"sk_reuseport_select_or_migrate",
	"perf_event",
	"trace_kprobe_multi",
	"lsm_cgroup",
	"struct_ops",
	"netfilter",
	"tcx_ingress",
	"tcx_egress",
	"trace_uprobe_multi",
	"cgroup_unix_connect",
	"cgroup_unix_sendmsg",
	"cgroup_unix_recvmsg",
	"cgroup_unix_getpeername",
	"cgroup_unix_getsockname",
	"netkit_primary",
	"netkit_peer",
	"trace_kprobe_session",
	"trace_uprobe_session",
};

const char *kma_bpf_prog_type_name(uint32_t type)
{
	return type < ARRAY_SIZE(prog_types) ? prog_types[type] : NULL;
}

const char *kma_bpf_attach_type_name(uint32_t type)
{
	return type < ARRAY_SIZE(attach_types) ? attach_types[type] : NULL;
}

int kma_bpf_sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	/* OpenSSL 3.0 crashes, rather than fails, after a start-up that ran out of memory */
	if (!modimage_crypto_ready())
		return -ENOMEM;
	if (!EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) || n != 32)
		return -ENOMEM;
	return 0;
}
