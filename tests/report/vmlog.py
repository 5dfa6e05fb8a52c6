# SPDX-License-Identifier: LGPL-2.1-or-later
"""The scenarios of a qemu test bed log (tests/vm), for the report tests.

tests/vm/scenarios.sh says which emitter of ours records each scenario ("begin NAME EMITTER",
EMITTER "none" when none of ours can see it); the log's marker records ("kmodaudit-vm
scenario=NAME begin|end") say which audit serials lie in it.
"""
import re

VIA_OF = {"shim": "preload", "trace": "trace", "frontend": "kmod"}
_SERIAL = r"msg=audit\([\d.]+:(\d+)\)"


def emitters(scenarios_sh):
    """NAME -> EMITTER, from tests/vm/scenarios.sh."""
    out = {}
    for line in open(scenarios_sh):
        m = re.match(r"\s*begin (\S+) (\S+)\s*$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


class Scenarios:
    """The scenario spans of a log (its lines)."""

    def __init__(self, lines):
        self.spans, opened = [], {}
        for line in lines:
            m = re.search(_SERIAL + r".*kmodaudit-vm scenario=(\S+) (begin|end)", line)
            if m and m.group(3) == "begin":
                opened[m.group(2)] = int(m.group(1))
            elif m:
                self.spans.append((m.group(2), opened.pop(m.group(2)), int(m.group(1))))
        assert not opened, ("scenarios without an end marker", opened)

    def at(self, serial):
        """The scenario an audit serial lies in, or None."""
        return next((n for n, a, b in self.spans if a < serial < b), None)
