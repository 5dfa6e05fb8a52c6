#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module syscalls in an strace -f log, one per line: pid, syscall, string and exit separated
# by 0x1f, where string is the parameter string (loads) or the name (unloads) as the kernel got
# it and exit is the return value or -errno. The independent side of the records test.
import errno
import re
import sys

CALL = re.compile(r'^(\d+)\s+(finit_module|init_module|delete_module)\((.*)\)\s+=\s+(-?\d+)(?:\s+([A-Z0-9]+))?')
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def unescape(s):
    return s.encode('latin-1').decode('unicode_escape')


for line in open(sys.argv[1], encoding='latin-1'):
    m = CALL.match(line)
    if not m:
        continue
    pid, name, args, ret, err = m.groups()
    strings = QUOTED.findall(args)
    s = strings[0] if name == 'delete_module' else strings[-1]
    if ret == '-1' and err:
        ret = str(-getattr(errno, err))
    print('\x1f'.join((pid, name, unescape(s), ret)))
