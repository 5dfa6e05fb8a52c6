#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Query the JSON-lines records kmodaudit trace -o writes.

    records.py FILE [KEY=VALUE ...] [-- FIELD ...]

Prints, for every record whose fields equal all KEY=VALUE (compared as text; "pid" matches the
first item of history, comm[PID]), the named FIELDs tab-separated ("-" when absent), or the
whole record when no FIELD is given. Exit status 0 even when nothing matches.
"""
import json
import re
import sys


def value(rec, key):
    if key == "pid":
        m = re.search(r"\[(\d+)\]$", rec.get("history", "").split("<")[0])
        return m.group(1) if m else None
    v = rec.get(key)
    return None if v is None else str(v)


def main(argv):
    path, rest = argv[1], argv[2:]
    fields = []
    if "--" in rest:
        i = rest.index("--")
        rest, fields = rest[:i], rest[i + 1:]
    want = [a.split("=", 1) for a in rest]
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if all(value(rec, k) == v for k, v in want):
                if fields:
                    print("\t".join(value(rec, k) or "-" for k in fields))
                else:
                    print(json.dumps(rec, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
