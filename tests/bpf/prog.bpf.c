/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The smallest real program for the tests' loaders: a socket filter that keeps nothing. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int kma_sock(struct __sk_buff *skb)
{
	return skb->len & 1; /* instructions of its own: another hash than the ctypes loader's */
}

char LICENSE[] SEC("license") = "GPL";
