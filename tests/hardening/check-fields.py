#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check our records as tests/record/kma-auparse prints them (one line per record:
"TYPE name:HEX name:HEX ...", values decoded by auparse, then hex).

  check-fields.py LABEL FILE [--count N] [--ops OP,...] [--expect NAME=HEX]... [--absent NAME]...
                  [--truncated yes|no]

Every record of FILE must: have exactly the fields of the contract in contract order, each at
most once (so a value cannot have forged one), res and exe exactly once; carry each --expect
field with exactly those bytes; lack each --absent field; say truncated=yes or not as told.
--count: exactly N records; --ops: their op= values, in order. Prints one line per problem;
exit status 1 when there was one.
"""
import argparse
import sys

ORDER = ("ver op seq via call name modinfo_name path dev inode size compression sha256 sig_type "
         "signer sig_key sig_hashalgo vermagic srcversion version license intree args call_flags "
         "exit ppid comm history anomaly truncated exe hostname addr terminal res").split()
ANOMALIES = {"name_mismatch", "unsigned", "sig_malformed", "file_changed", "truncated_read"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("label")
    ap.add_argument("file")
    ap.add_argument("--count", type=int)
    ap.add_argument("--ops")
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--absent", action="append", default=[])
    ap.add_argument("--truncated", choices=("yes", "no"))
    a = ap.parse_args()
    problems = []
    records = []
    with open(a.file, "rb") as f:
        for line in f.read().decode("ascii").splitlines():
            if not line.strip():
                continue
            toks = line.split(" ")
            fields = []
            for t in toks[1:]:
                name, _, val = t.partition(":")
                if "(MISMATCH" in val:
                    problems.append("%s: auparse interprets %s differently: %s" % (a.label, name, val))
                    val = val.split("(")[0]
                fields.append((name, "" if val == "-" else val))
            records.append(fields)
    if a.count is not None and len(records) != a.count:
        problems.append("%s: %d records, expected %d" % (a.label, len(records), a.count))
    ops = []
    expect = dict(e.split("=", 1) for e in a.expect)
    for i, fields in enumerate(records):
        names = [n for n, _ in fields]
        values = dict(fields)
        where = "%s record %d" % (a.label, i + 1)
        if any(n not in ORDER for n in names):
            problems.append("%s: unknown fields %s" % (where, [n for n in names if n not in ORDER]))
        elif [ORDER.index(n) for n in names] != sorted(ORDER.index(n) for n in names) or \
                len(set(names)) != len(names):
            problems.append("%s: fields out of order or repeated: %s" % (where, " ".join(names)))
        for must in ("ver", "op", "seq", "res", "exe"):
            if names.count(must) != 1:
                problems.append("%s: %s appears %d times" % (where, must, names.count(must)))
        for n, want in expect.items():
            got = values.get(n)
            if got != want.upper():
                problems.append("%s: %s=%s, expected %s" % (where, n, got, want.upper()))
        for n in a.absent:
            if n in values:
                problems.append("%s: %s present (%s)" % (where, n, values[n]))
        if "anomaly" in values:
            words = set(bytes.fromhex(values["anomaly"]).decode().split(","))
            if not words <= ANOMALIES:
                problems.append("%s: anomaly %s" % (where, words))
        trunc = values.get("truncated") == "yes".encode().hex().upper()
        if a.truncated and trunc != (a.truncated == "yes"):
            problems.append("%s: truncated=%s, expected %s" % (where, trunc, a.truncated))
        ops.append(bytes.fromhex(values.get("op", "")).decode())
    if a.ops and ops != a.ops.split(","):
        problems.append("%s: ops %s, expected %s" % (a.label, ops, a.ops))
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


sys.exit(main())
