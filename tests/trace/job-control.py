#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Ctrl-Z and fg on kmodaudit trace in a real interactive shell on a pseudo-terminal.

    job-control.py KMODAUDIT

The shell must report the job stopped after Ctrl-Z, CMD must not run on while stopped, and after
fg CMD must finish with its own exit status. Exit status 0 when all holds, 1 otherwise.
"""
import os
import pty
import select
import sys
import time

# Output that the typed command line itself does not contain (its echo must not match).
CMD = "bash -c 'sleep 1; echo A$((1+1)); sleep 2; echo B$((2+1)); exit 7'"


def main():
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["PS1"] = "$ "
        os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
    out = bytearray()

    def read_until(pattern, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if pattern in out:
                return True
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out.extend(os.read(fd, 4096))
                except OSError:
                    break
        return pattern in out

    def fail(what):
        print(f"FAIL: {what}\n--- terminal ---\n{out.decode(errors='replace')}")
        sys.exit(1)

    os.write(fd, f"{sys.argv[1]} trace -- {CMD}\n".encode())
    if not read_until(b"A2", 10):
        fail("CMD did not start")
    os.write(fd, b"\x1a")
    if not read_until(b"Stopped", 5):
        fail("the shell did not see the job stop on Ctrl-Z")
    print("ok: Ctrl-Z stopped the job")
    mark = len(out)
    time.sleep(3)  # CMD would have printed B3 by now if it ran on
    if b"B3" in out[mark:]:
        fail("CMD ran on while its job was stopped")
    print("ok: CMD did not run while stopped")
    os.write(fd, b"fg\n")
    if not read_until(b"B3", 10):
        fail("CMD did not go on after fg")
    os.write(fd, b"echo rc=$?\n")
    if not read_until(b"rc=7", 5):
        fail("the job's status is not CMD's")
    print("ok: after fg CMD finished with its own status")
    os.write(fd, b"exit\n")
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
