/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The audit netlink sink. libaudit's audit_send() waits up to 40 s for the acknowledgement
 * (80 polls of 500 ms) and its user-message helpers resolve host names: neither may run inside
 * a hooked process, so the message is sent here and the replies are read with
 * audit_get_reply(GET_REPLY_NONBLOCKING) under one deadline.
 */
#include <libaudit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "clock.h"
#include "macro.h"
#include "core/sink.h"

#define SEQ_STATUS 1
#define SEQ_RECORD 2

static int nl_send(int fd, int type, unsigned flags, uint32_t seq, const void *data, size_t size)
{
	static const char pad[NLMSG_ALIGNTO];
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK};
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_SPACE(size),
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_REQUEST | flags,
		.nlmsg_seq = seq,
	};
	struct iovec iov[3] = {
		{&nlh, NLMSG_HDRLEN},
		{(void *)data, size},
		{(void *)pad, NLMSG_SPACE(size) - NLMSG_HDRLEN - size},
	};
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = iov, .msg_iovlen = 3};
	ssize_t n;

	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)nlh.nlmsg_len ? 0 : -EIO;
}

/*
 * Wait for the reply to seq: the acknowledgement (returns 0 or its -errno) or, for AUDIT_GET,
 * the status (returns 1 and fills *status).
 */
static int wait_reply(int fd, uint32_t seq, struct audit_reply *rep, long long deadline,
		      struct audit_status *status)
{
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		long long left = deadline - clock_monotonic_ms();
		/*
		 * Past the deadline, still look once without waiting: a process descheduled for
		 * longer than the wait would otherwise give up on a reply already queued.
		 */
		bool last = left <= 0;
		int r;

		r = poll(&pfd, 1, last ? 0 : (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0) {
			r = audit_get_reply(fd, rep, GET_REPLY_NONBLOCKING, 0);
			if (r < 0 && r != -EAGAIN && r != -EINTR &&
			    r != -EINVAL /* not the kernel's */)
				return r;
			if (r > 0 && rep->nlh->nlmsg_seq == seq) {
				if (rep->type == NLMSG_ERROR && rep->error) {
					if (rep->error->error || !status)
						return rep->error->error;
					/* a plain ack of the status request: the status follows */
				} else if (rep->type == AUDIT_GET && status && rep->status) {
					memcpy(status, rep->status, sizeof(*status));
					return 1;
				}
			}
		}
		if (last)
			return -ETIMEDOUT;
	}
}

int sink_audit_send(int type, const char *payload, size_t len, unsigned timeout_ms)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ struct audit_reply *rep = NULL;
	_cleanup_free_ char *buf = NULL;
	long long deadline = clock_monotonic_ms() + timeout_ms;
	struct audit_status status;
	bool unconfirmed = false;
	int r;

	if (len + 1 > MAX_AUDIT_MESSAGE_LENGTH - NLMSG_HDRLEN)
		return -E2BIG;
	rep = malloc(sizeof(*rep));
	buf = malloc(len + 1);
	if (!rep || !buf)
		return -ENOMEM;
	memcpy(buf, payload, len);
	buf[len] = '\0'; /* the kernel overwrites the last byte with a NUL */

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;

	/*
	 * With audit disabled the kernel acknowledges user messages and drops them: ask first.
	 * Without CAP_AUDIT_CONTROL (or outside the initial pid namespace) the question is
	 * refused; then the record is sent and the kernel decides.
	 */
	r = nl_send(fd, AUDIT_GET, 0, SEQ_STATUS, NULL, 0);
	if (r == 0) {
		r = wait_reply(fd, SEQ_STATUS, rep, deadline, &status);
		if (r == 1 && status.enabled == 0)
			return -ENOTCONN;
		/*
		 * A full backlog: the kernel queues our record all the same, then holds the sender
		 * in sendmsg, uninterruptibly, until kauditd next drains the queue or for
		 * backlog_wait_time (60 s by default). A process loading a module must not stall.
		 * (Past the limit already, the status request itself is held: nothing avoids that.)
		 */
		if (r == 1 && status.backlog_limit != 0 && status.backlog >= status.backlog_limit)
			return -ENOBUFS;
		/*
		 * No status in time. The kernel answers AUDIT_GET from a kernel thread it creates
		 * for the reply, which must first take the audit control mutex: on a loaded host
		 * that takes longer than our wait, while the record itself is acknowledged from
		 * within our own sendmsg. Send the record all the same; the caller also gives it
		 * to the fallback, since audit may be disabled.
		 */
		unconfirmed = r == -ETIMEDOUT;
	} else if (r == -ECONNREFUSED) {
		return r;
	}

	r = nl_send(fd, type, NLM_F_ACK, SEQ_RECORD, buf, len + 1);
	if (r < 0)
		return r;
	r = wait_reply(fd, SEQ_RECORD, rep, deadline, NULL);
	return r == 0 && unconfirmed ? SINK_AUDIT_UNCONFIRMED : r;
}
