#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Craft a kernel module image with chosen (hostile) fields, for the forged-record tests.

  mkko.py OUT --name-hex HEX [--modinfo-hex KEY=HEX]... [--sign-cms CERT KEY]
          [--sign-raw-cn-hex HEX]

The image is an x86_64 relocatable ELF object with the sections the kernel and kmod read:
.gnu.linkonce.this_module (struct module; the name at offset 24, MODULE_NAME_LEN 56),
.modinfo (key=value strings, NUL-separated, in the order given), a tiny .text.
Signatures are appended as scripts/sign-file does: [PKCS#7][struct module_signature][magic].
  --sign-cms CERT KEY: a real detached CMS signature made by `openssl cms` (issuer and serial
      of CERT, no certificates, no attributes).
  --sign-raw-cn-hex HEX: a PKCS#7 SignedData written here byte by byte, whose signer's issuer
      CN holds exactly these bytes (any length, any byte: what openssl's CLI cannot make); the
      signature value itself is random (nothing here verifies it: the kernel would refuse it).
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

MAGIC = b"~Module signature appended~\n"


def elf(name, modinfo):
    this_module = bytearray(0x500)
    assert len(name) < 56
    this_module[24:24 + len(name)] = name
    text = b"\xc3" * 16
    shstr = b"\0.modinfo\0.gnu.linkonce.this_module\0.text\0.shstrtab\0"
    names = {n: shstr.index(n.encode() + b"\0") for n in
             (".modinfo", ".gnu.linkonce.this_module", ".text", ".shstrtab")}
    out = bytearray(64)
    sections = []

    def add(sname, stype, flags, data, align):
        while len(out) % align:
            out.append(0)
        sections.append((names[sname], stype, flags, len(out), len(data), align))
        out.extend(data)

    add(".text", 1, 0x6, text, 16)
    add(".modinfo", 1, 0x2, modinfo, 1)
    add(".gnu.linkonce.this_module", 1, 0x3, bytes(this_module), 64)
    add(".shstrtab", 3, 0, shstr, 1)
    while len(out) % 8:
        out.append(0)
    shoff = len(out)
    out.extend(bytes(64))  # the null section
    for (nm, st, fl, off, size, al) in sections:
        out.extend(struct.pack("<IIQQQQIIQQ", nm, st, fl, 0, off, size, 0, 0, al, 0))
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    out[0:64] = ident + struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff, 0, 64, 0, 0, 64,
                                    len(sections) + 1, len(sections))
    return bytes(out)


def der(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + content


def seq(*items):
    return der(0x30, b"".join(items))


def oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(enc)
    return der(0x06, body)


def raw_pkcs7(cn):
    """SignedData with one SignerInfo (issuer CN = cn, serial 0x1234A5)."""
    sha256 = seq(oid("2.16.840.1.101.3.4.2.1"), der(0x05, b""))
    rsa = seq(oid("1.2.840.113549.1.1.1"), der(0x05, b""))
    try:
        cn.decode("utf-8")
        tag = 0x0C  # UTF8String
    except UnicodeDecodeError:
        tag = 0x14  # T61String: any bytes (OpenSSL refuses a UTF8String that is not UTF-8)
    issuer = seq(der(0x31, seq(oid("2.5.4.3"), der(tag, cn))))
    signer_info = seq(der(0x02, b"\x01"), seq(issuer, der(0x02, b"\x12\x34\xa5")), sha256, rsa,
                      der(0x04, os.urandom(256)))
    signed = seq(der(0x02, b"\x01"), der(0x31, sha256), seq(oid("1.2.840.113549.1.7.1")),
                 der(0x31, signer_info))
    return seq(oid("1.2.840.113549.1.7.2"), der(0xA0, signed))


def cms_sign(data, cert, key):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl", "cms", "-sign", "-binary", "-noattr", "-nocerts",
                               "-nosmimecap", "-md", "sha256", "-in", f.name, "-signer", cert,
                               "-inkey", key, "-outform", "DER"],
                              check=True, capture_output=True).stdout


def trailer(sig):
    return sig + struct.pack(">BBBBBxxxI", 0, 0, 2, 0, 0, len(sig)) + MAGIC


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--name-hex", required=True)
    ap.add_argument("--modinfo-hex", action="append", default=[])
    ap.add_argument("--sign-cms", nargs=2)
    ap.add_argument("--sign-raw-cn-hex")
    a = ap.parse_args()
    modinfo = b""
    for kv in a.modinfo_hex:
        k, v = kv.split("=", 1)
        modinfo += k.encode() + b"=" + bytes.fromhex(v) + b"\0"
    img = elf(bytes.fromhex(a.name_hex), modinfo)
    if a.sign_cms:
        img += trailer(cms_sign(img, *a.sign_cms))
    elif a.sign_raw_cn_hex is not None:
        img += trailer(raw_pkcs7(bytes.fromhex(a.sign_raw_cn_hex)))
    with open(a.out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    sys.exit(main())
