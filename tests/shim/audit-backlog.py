#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The kernel's audit backlog, read and filled through the audit netlink socket (root only).
#
#   audit-backlog.py status      the AUDIT_GET reply as key=value words
#   audit-backlog.py run-at-limit CMD...
#                                with the audit daemon stopped (SIGSTOP): fill the kernel's
#                                queue, set the backlog limit to exactly its length and run CMD
#                                (its exit status; 77 when the queue never filled, 78 when it
#                                went past the limit). What it saw goes to stderr.
#
# The queue is never let past the limit: past it, the kernel holds every sender (this script
# included) for backlog_wait_time.
import socket
import struct
import subprocess
import sys
import time

NETLINK_AUDIT = 9
NLMSG_ERROR = 2
AUDIT_GET, AUDIT_SET, AUDIT_USER = 1000, 1001, 1005
AUDIT_STATUS_BACKLOG_LIMIT = 0x10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
# struct audit_status (linux/audit.h), all __u32
FIELDS = ("mask enabled failure pid rate_limit backlog_limit lost backlog version "
          "backlog_wait_time backlog_wait_time_actual").split()

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
sock.bind((0, 0))
seq = 0


def send(msg_type, data, flags=0):
    global seq
    seq += 1
    size = 16 + len(data)
    sock.send(struct.pack("=IHHII", size, msg_type, NLM_F_REQUEST | flags, seq, 0) + data +
              b"\0" * (-size % 4))
    return seq


def reply(want_seq):
    """The payload of the reply to want_seq; None for a plain acknowledgement."""
    while True:
        data = sock.recv(65536)
        size, msg_type, _, rseq, _ = struct.unpack_from("=IHHII", data)
        if rseq != want_seq:
            continue
        if msg_type == NLMSG_ERROR:
            err = struct.unpack_from("=i", data, 16)[0]
            if err:
                raise OSError(-err, "audit netlink")
            return None
        return msg_type, data[16:size]


def status():
    want = send(AUDIT_GET, b"")
    while True:
        r = reply(want)
        if r and r[0] == AUDIT_GET:
            body = r[1] + b"\0" * (4 * len(FIELDS))
            return dict(zip(FIELDS, struct.unpack_from("=%dI" % len(FIELDS), body)))


def user_message():
    reply(send(AUDIT_USER, b"kmodaudit test: audit backlog filler\0", NLM_F_ACK))


def set_limit(limit):
    reply(send(AUDIT_SET, struct.pack("=9I", AUDIT_STATUS_BACKLOG_LIMIT, 0, 0, 0, 0, limit, 0,
                                      0, 0), NLM_F_ACK))


def fill_and_run(cmd):
    """
    With the daemon stopped, kauditd drains the queue once a pass, and a pass takes its time
    (each send to the daemon waits for the kernel's send timeout). Right after a drain, set the
    limit just above the queue, top it up to exactly the limit and run cmd: it starts well
    before the next drain.
    """
    previous = status()["backlog"]
    for _ in range(2000):
        for _ in range(5):
            user_message()
        backlog = status()["backlog"]
        if backlog < previous and previous >= 16:
            break
        previous = backlog
        time.sleep(0.005)
    else:
        print("the kernel's audit queue never stopped draining: %s" % status(), file=sys.stderr)
        return 77
    set_limit(backlog + 4)
    st = status()
    while st["backlog"] < st["backlog_limit"]:
        user_message()
        st = status()
    if st["backlog"] != st["backlog_limit"]:
        print("the queue went past the limit: %s" % st, file=sys.stderr)
        return 78
    print("at the limit: " + " ".join("%s=%d" % kv for kv in st.items()), file=sys.stderr)
    start = time.monotonic()
    rc = subprocess.run(cmd).returncode
    print("%s took %d ms; then %s" % (cmd[0], (time.monotonic() - start) * 1000,
                                      " ".join("%s=%d" % kv for kv in status().items())),
          file=sys.stderr)
    return rc if rc >= 0 else 128 - rc


if sys.argv[1] == "status":
    print(" ".join("%s=%d" % kv for kv in status().items()))
elif sys.argv[1] == "run-at-limit":
    sys.exit(fill_and_run(sys.argv[2:]))
else:
    sys.exit("usage: audit-backlog.py status | run-at-limit CMD...")
