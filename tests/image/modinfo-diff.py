#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Compares the outputs modinfo-diff.sh gathered in WORKDIR; prints the count, fails on any mismatch.
import json
import re
import sys

FIELDS = ["name", "signer", "sig_key", "sig_hashalgo", "vermagic", "srcversion"]
SUFFIX = {".xz": "xz", ".zst": "zstd", ".gz": "gzip"}

work = sys.argv[1]
mismatches = []


def mismatch(path, what, ours, theirs):
    mismatches.append(f"{path}: {what}: ours={ours!r} modinfo={theirs!r}")


def read_lines(name):
    with open(f"{work}/{name}", "rb") as f:
        return f.read().decode("utf-8", "surrogateescape").splitlines()


def parse_modinfo(blob):
    """modinfo -0: 'filename:<pad to 16>PATH' starts a file, then 'key=value' entries."""
    files = {}
    current = None
    for entry in blob.split(b"\0"):
        if entry.startswith(b"filename:"):
            current = {}
            files[entry[16:].decode("utf-8", "surrogateescape")] = current
        elif current is None or not entry or re.match(rb"^parm: {11}", entry):
            continue
        else:
            key, _, value = entry.partition(b"=")
            current.setdefault(key.decode(), []).append(value.decode("utf-8", "surrogateescape"))
    return files


def load_json(name):
    objs = {}
    for line in read_lines(name):
        o = json.loads(line)
        objs[o["file"]] = o
    return objs


def digests(name):
    out = {}
    for line in read_lines(name):
        digest, path = line.split("  ", 1)
        out[path] = digest.upper()
    return out


def sizes(name):
    out = {}
    for line in read_lines(name):
        size, path = line.split(" ", 1)
        out[path] = int(size)
    return out


def compare(path, ours, theirs, size, digest):
    """ours: our JSON object; theirs: modinfo's key -> [values] of the (uncompressed) module."""
    if ours is None:
        mismatch(path, "missing from kmodaudit inspect output", None, "present")
        return
    if "error" in ours:
        mismatch(path, "error", ours["error"], "(modinfo reads it)")
    for f in FIELDS:
        key = "modinfo_name" if f == "name" else f
        mine = [ours[key]] if key in ours else []
        if mine != theirs.get(f, []):
            mismatch(path, f, mine, theirs.get(f, []))
    # The real name (struct module) equals .modinfo name= for in-tree modules.
    if theirs.get("name") and [ours.get("name")] != theirs["name"]:
        mismatch(path, "name (.gnu.linkonce.this_module)", ours.get("name"), theirs["name"])
    if ("signer" in theirs) != (ours.get("sig_type") == "pkcs7"):
        mismatch(path, "sig_type", ours.get("sig_type"), theirs.get("sig_id"))
    if ours.get("size") != size:
        mismatch(path, "size", ours.get("size"), f"stat: {size}")
    if ours.get("sha256") != digest:
        mismatch(path, "sha256", ours.get("sha256"), f"sha256sum: {digest}")


with open(f"{work}/theirs.bin", "rb") as f:
    theirs = parse_modinfo(f.read())
ours = load_json("ours.json")
paths = read_lines("list")
sums, lens = digests("sha256sum"), sizes("sizes")

# The modinfo -0 parse must agree with `modinfo -F FIELD` itself.
checked_f = 0
for line in read_lines("fvalues"):
    path, field, out = line.split("\t", 2)
    parsed = "".join(v + "\x01" for v in theirs.get(path, {}).get(field, []))
    if parsed != out:
        mismatch(path, f"modinfo -0 parse vs modinfo -F {field}", parsed, out)
    checked_f += 1

signed = 0
for path in paths:
    if path not in theirs:
        mismatch(path, "missing from modinfo output", "present", None)
        continue
    compare(path, ours.get(path), theirs[path], lens[path], sums[path])
    signed += "signer" in theirs[path]

zours = load_json("zours.json")
zsums, zlens = digests("zsha256sum"), sizes("zsizes")
zcount = {"xz": 0, "zstd": 0, "gzip": 0}
for line in read_lines("zlist"):
    orig, copy = line.split("\t")
    kind = next(v for k, v in SUFFIX.items() if copy.endswith(k))
    o = zours.get(copy)
    compare(copy, o, theirs.get(orig, {}), zlens[copy], zsums[copy])
    if o is not None and o.get("compression") != kind:
        mismatch(copy, "compression", o.get("compression"), kind)
    zcount[kind] += 1

for m in mismatches[:30]:
    print("MISMATCH", m)
print(f"modinfo-diff: compared {len(paths)} modules ({signed} signed) on "
      f"{', '.join(FIELDS)}, size, sha256; {sum(zcount.values())} compressed copies "
      f"({zcount['xz']} xz, {zcount['zstd']} zstd, {zcount['gzip']} gzip); "
      f"{checked_f} modinfo -F cross-checks; {len(mismatches)} mismatches")
sys.exit(1 if mismatches or min(zcount.values()) < 50 else 0)
