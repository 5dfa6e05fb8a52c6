#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A BPF program loaded the way a Python tool does it: libc's syscall() through ctypes.

Usage: ctypes-load.py MODE [NAME]. Prints one JSON line: what was handed to the kernel (the
instructions' SHA-256, counts, the name bytes) and what the kernel answered (fd or errno, and,
on success, the prog id and tag from BPF_OBJ_GET_INFO_BY_FD). MODE picks hostile inputs:
  ok          a 2-instruction socket filter, the block as large as this kernel's
  small       the block cut before expected_attach_type (48+16 = 64 bytes)
  large       the block padded with zero bytes to 512 (the kernel checks the tail is zero)
  large-junk  the same with a non-zero byte past the kernel's block (E2BIG)
  insns-bad   insns pointing at an unmapped page
  insns-part  the instructions' last one on an unmapped page
  insn-huge   insn_cnt = 0x7fffffff
  name-nonul  prog_name of 16 bytes without a NUL (EINVAL)
  attr-bad    the block itself unmapped (EFAULT)
  log         ok with the verifier's log asked for: the kernel (6.4+) writes log_true_size
              back into the caller's block, printed as log_true_size
"""
import ctypes
import hashlib
import json
import mmap
import os
import struct
import sys

SYS_BPF = {"x86_64": 321, "aarch64": 280}[os.uname().machine]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                      ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

mode = sys.argv[1]
name = (sys.argv[2] if len(sys.argv) > 2 else "kma_ctypes").encode()
# mov r0, 0; exit
insns = struct.pack("<BBhi", 0xB7, 0, 0, 0) + struct.pack("<BBhi", 0x95, 0, 0, 0)
insn_cnt = 2
page = mmap.PAGESIZE


def two_pages():
    """Two pages, the second unmapped: a buffer that ends where memory ends."""
    base = libc.mmap(None, 2 * page, 3, 0x22, -1, 0)
    libc.munmap(base + page, page)
    return base


insns_buf = ctypes.create_string_buffer(insns, len(insns))
insns_addr = ctypes.addressof(insns_buf)
if mode == "insns-bad":
    insns_addr = two_pages() + page
elif mode == "insns-part":
    base = two_pages()
    insns_addr = base + page - 8
    ctypes.memmove(insns_addr, insns[:8], 8)
elif mode == "insn-huge":
    insn_cnt = 0x7FFFFFFF
lic = ctypes.create_string_buffer(b"GPL")
if mode == "name-nonul":
    name = b"A" * 16
size = 152
attr = bytearray(max(size, 512))
struct.pack_into("<IIQQ", attr, 0, 1, insn_cnt, insns_addr, ctypes.addressof(lic))
attr[48:48 + min(len(name), 16)] = name[:16]
if mode == "small":
    size = 64
elif mode in ("large", "large-junk"):
    size = 512
    if mode == "large-junk":
        attr[500] = 1
logbuf = ctypes.create_string_buffer(65536)
if mode == "log":
    struct.pack_into("<IIQ", attr, 24, 1, len(logbuf), ctypes.addressof(logbuf))
abuf = ctypes.create_string_buffer(bytes(attr), len(attr))
aaddr = ctypes.addressof(abuf)
if mode == "attr-bad":
    aaddr = two_pages() + page

ctypes.set_errno(0)
fd = libc.syscall(SYS_BPF, 5, ctypes.c_void_p(aaddr), size)
err = ctypes.get_errno()
out = {"mode": mode, "fd": fd, "errno": err if fd < 0 else 0,
       "insns_sha256": hashlib.sha256(insns).hexdigest().upper(), "insn_cnt": insn_cnt,
       "prog_name": name[:16].decode("latin-1")}
if mode == "log":
    out["log_true_size"] = struct.unpack_from("<I", abuf.raw, 140)[0]
    out["log"] = logbuf.value.decode("latin-1")[:40]
if fd >= 0:
    info = ctypes.create_string_buffer(16)
    iattr = ctypes.create_string_buffer(struct.pack("<IIQ", fd, 16, ctypes.addressof(info)), 16)
    if libc.syscall(SYS_BPF, 15, iattr, 16) == 0:
        _, pid_, tag = struct.unpack("<II8s", info.raw)
        out["prog_id"] = pid_
        out["prog_tag"] = tag.hex()
print(json.dumps(out), flush=True)
