#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Hold the kernel's audit records of a qemu test bed run against ours.

The kernel is the judge: every module syscall the audit rules caught is one event (SYSCALL, plus
KERN_MODULE when the kernel got as far as naming the module). In each scenario that expects an
emitter of ours, every such event must have exactly one result record of ours with the same pid,
syscall, module name and outcome, and every result record of ours must have its kernel event.
Load records must carry sha256/signer/sig_key equal to `kmodaudit inspect --json` (and to
sha256 of the file and kmod's modinfo) of the file, and anomaly=name_mismatch exactly when the
file's name is not the module's. Two scenarios have their own promises: trace-race (every
record's sha256 is the state of the image the kernel's answer says it got) and trace-i386 (the
kernel saw the loader's calls as i386 ones).

Usage: check.py --vm BUILD/vm --build BUILD
"""
import argparse
import difflib
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

# The module syscalls by audit arch (AUDIT_ARCH_X86_64, AUDIT_ARCH_I386) and number.
SYSCALLS = {
    'c000003e': ('x86_64', {175: 'init_module', 176: 'delete_module', 313: 'finit_module'}),
    '40000003': ('i386', {128: 'init_module', 129: 'delete_module', 350: 'finit_module'}),
}
VIA_OF_EMITTER = {'shim': 'preload', 'trace': 'trace', 'frontend': 'kmod'}

# trace-uffd: kma-trace-uffd-loader's image, served by a userfaultfd: crc64 to the first reader,
# crc7 to the next, both zero-padded to the length the loader printed. The tracer must not read
# it: the kernel (the first reader) gets crc64, and our record states no contents.
UFFD_SERVED_FIRST, UFFD_SERVED_NEXT = 'crc64', 'crc7'
# Scenarios where a record may state no contents at all (truncated_read, no name, no sha256)
# in place of the kernel's module: what could not be read as the kernel read it.
NO_CLAIM_SCENARIOS = {'trace-uffd'}
EPERM = 1
# What the real kmod/busybox and the real kernel do in each scenario (op, kernel's module name or
# None when the kernel refuses before naming it, success). Facts about the kernel and the
# loaders, not about our code: they prove each scenario really exercised the kernel.
KERNEL_EXPECT = {
    'modprobe-deps': [('load', 'xfrm_algo', True), ('load', 'af_key', True)],
    'eexist': [('load', 'af_key', False)],
    'modprobe-remove': [('unload', 'af_key', True), ('unload', 'xfrm_algo', True)],
    'renamed': [('load', 'xfrm_algo', True), ('load', 'af_key', True)],
    'rmmod': [('unload', 'af_key', True), ('unload', 'xfrm_algo', True)],
    'corrupt': [('load', None, False), ('load', None, False)],
    'xz': [('load', 'dummy', True), ('unload', 'dummy', True)],
    'sig-forced': [('load', 'lru_cache', True), ('unload', 'lru_cache', True),
                   ('load', 'lru_cache', True), ('unload', 'lru_cache', True)],
    'sig-x509': [('load', 'bch', True), ('unload', 'bch', True)],
    'busy': [('load', 'vrf', True), ('unload', 'vrf', False)],
    'loader': [('load', 'ts_kmp', True), ('unload', 'ts_kmp', True)],
    'static-unseen': [('load', 'crc7', True), ('unload', 'crc7', True)],
    'trace-busybox': [('load', 'crc7', True), ('unload', 'crc7', True),
                      ('unload', 'crc7', False)],
    'trace-and-shim': [('load', 'crc8', True), ('unload', 'crc8', True)],
    'frontend': [('load', 'ts_bm', True), ('load', 'crc_itu_t', True),
                 ('load', 'crc_itu_t', False), ('unload', 'crc_itu_t', True),
                 ('unload', 'ts_bm', True)],
    'trace-i386': [('load', 'crc64', True), ('unload', 'crc64', True),
                   ('load', 'crc64', True), ('unload', 'crc64', True)],
    'shim-i386': [('load', 'crc64', True), ('unload', 'crc64', True),
                  ('load', 'crc64', True), ('unload', 'crc64', True)],
    # kma-race: the kernel reads the caller's memory rewritten to bch (the image), and our copies
    # of 55 and 63 'X' (the names: it unloads nothing; rmmod then unloads bch). This kernel reads
    # MODULE_NAME_LEN bytes of a name and refuses one without a NUL in them before naming it.
    'shim-partial-image': [('load', 'bch', True)],
    'shim-unload-race': [('unload', 'X' * 55, False), ('unload', None, False),
                         ('unload', 'bch', True)],
    'shim-dlsym-global': [('load', 'lru_cache', True), ('unload', 'lru_cache', True)],
    'shim-dlsym-libc': [('load', 'lru_cache', True), ('unload', 'lru_cache', True)],
    'shim-dlsym-libc-trace': [('load', 'lru_cache', True), ('unload', 'lru_cache', True)],
    # the leftover's crc7 is refused before the kernel sees it; the --follow one's crc8 loads
    'trace-escape': [('load', 'crc8', True), ('unload', 'crc8', True)],
    'trace-uffd': [('load', UFFD_SERVED_FIRST, True), ('unload', UFFD_SERVED_FIRST, True)],
}
# Scenarios where the kernel reads memory the shim could only read in part: our records must
# state nothing of its contents (no name, hash, signature or modinfo), only the length passed
# and anomaly=truncated_read (check_no_contents).
NO_CONTENTS = {'shim-partial-image'}
CONTENT_FIELDS = ('name', 'modinfo_name', 'sha256', 'sig', 'sig_type', 'signer', 'sig_key',
                  'sig_hashalgo', 'vermagic', 'srcversion', 'version', 'license', 'intree',
                  'compression')
# trace-race (scenarios.sh): kma-trace-mt-loader's init_module calls on crc16's image (state A)
# rewritten by a second thread to its complement (state B, no ELF magic). The kernel's answers:
# A loads (0, then EEXIST), B is not an ELF file (ENOEXEC).
RACE_MODULE, RACE_ROUNDS = 'crc16', 8
ENOEXEC, EEXIST = 8, 17
# trace-i386: kma-trace-loader32's calls, in order, all made with int $0x80.
I386_CALLS = ['init_module', 'delete_module', 'finit_module', 'delete_module']
# Scenarios that wrote each loaded module's taint (/sys/module/NAME/taint) after each load.
TAINT_SCENARIOS = ('sig-forced', 'sig-x509')
# EBUSY: the transparency scenarios delete vrf (no exit function), loaded by the busy scenario.
TRANSPARENCY_ERRNOS = ['EFAULT', 'EBADF', 'EINVAL', 'ENOEXEC', 'EEXIST', 'ENOENT', 'EBUSY']

FIELD_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)')
HEAD_RE = re.compile(r'^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+\.\d+):(\d+)\): ?(.*)$')
# String fields of our payload: quoted, or upper-case hex when they hold unsafe bytes.
STRING_FIELDS = {'name', 'modinfo_name', 'path', 'signer', 'sig_key', 'sig_hashalgo', 'vermagic',
                 'srcversion', 'version', 'license', 'intree', 'args', 'comm', 'history', 'exe',
                 'hostname', 'addr', 'terminal', 'prog_name'}
# Record format version 1's names of fields version 2 renamed: logs of either version are read
# with version 2's names.
V1_NAMES = {'syscall': 'call', 'sig': 'sig_type', 'flags': 'call_flags', 'ino': 'inode'}

errors = []


def fail(msg):
    errors.append(msg)
    print('FAIL: ' + msg)


def decode(key, value):
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        return value[1:-1]
    if value == '?' or value == '(null)':
        return None
    if key in STRING_FIELDS and re.fullmatch(r'(?:[0-9A-F]{2})+', value):
        return bytes.fromhex(value).decode('utf-8', 'replace')
    return value


def fields(text):
    return {k: v for k, v in FIELD_RE.findall(text)}


def parse_log(path):
    """Return (kernel events, our records, scenario markers), each in serial order."""
    syscalls, names, ours, markers = {}, {}, [], []
    with open(path, 'rb') as f:
        for raw in f:
            line = raw.decode('utf-8', 'replace').rstrip('\n').split('\x1d', 1)[0]
            m = HEAD_RE.match(line)
            if not m:
                continue
            node, rtype, stamp, serial, rest = m.groups()
            serial = int(serial)
            if rtype == 'SYSCALL':
                f_ = fields(rest)
                arch, numbers = SYSCALLS.get(f_.get('arch'), (None, {}))
                if int(f_.get('syscall', -1)) not in numbers:
                    continue
                syscalls[serial] = {
                    'serial': serial, 'time': float(stamp), 'node': node, 'arch': arch,
                    'syscall': numbers[int(f_['syscall'])], 'exit': int(f_['exit']),
                    'pid': int(f_['pid']), 'comm': decode('comm', f_.get('comm', '?')),
                    'exe': decode('exe', f_.get('exe', '?')), 'name': None}
            elif rtype == 'KERN_MODULE':
                names[serial] = decode('name', fields(rest).get('name', '?'))
            else:
                inner = re.search(r"msg='(.*)'$", rest)
                if not inner:
                    continue
                outer = fields(rest[:inner.start()])
                payload = inner.group(1)
                mk = re.search(r'kmodaudit-vm scenario=(\S+) (begin|end)', payload)
                if mk:
                    markers.append((serial, mk.group(1), mk.group(2)))
                    continue
                if not re.match(r'ver=\d+ op=kmod_', payload):
                    continue
                rec = {k: decode(k, v) for k, v in FIELD_RE.findall(payload)}
                if rec.get('ver') == '1':
                    rec = {V1_NAMES.get(k, k): v for k, v in rec.items()}
                rec['_serial'] = serial
                rec['_type'] = rtype
                rec['_sender'] = int(outer.get('pid', -1))
                rec['_raw'] = payload
                hist = rec.get('history') or ''
                hm = re.match(r'[^<]*\[(\d+)\]', hist)
                rec['_pid'] = int(hm.group(1)) if hm else rec['_sender']
                ours.append(rec)
    for serial, name in names.items():
        if serial in syscalls:
            syscalls[serial]['name'] = name
    kernel = sorted(syscalls.values(), key=lambda e: e['serial'])
    return kernel, sorted(ours, key=lambda r: r['_serial']), sorted(markers)


# The BPF scenarios' program (tests/bpf/static-load.c): mov r0, 1; mov r0, 0; exit.
BPF_INSNS_SHA256 = hashlib.sha256(struct.pack('<3Q', 0x1000000b7, 0xb7, 0x95)).hexdigest().upper()
BPF_NAMES = {'bpf-shim': 'kma_vm_shim', 'bpf-trace': 'kma_vm_trace', 'bpf-unseen': 'kma_vm_bare'}


def parse_bpf(path):
    """The kernel's AUDIT_BPF records and our bpf_prog_load results: two lists, serial order."""
    kernel, ours = [], []
    with open(path, 'rb') as f:
        for raw in f:
            line = raw.decode('utf-8', 'replace').rstrip('\n').split('\x1d', 1)[0]
            m = HEAD_RE.match(line)
            if not m:
                continue
            _, rtype, _, serial, rest = m.groups()
            if rtype == 'BPF':
                mb = re.search(r'prog-id=(\d+) op=(\w+)', rest)
                if mb:
                    kernel.append({'serial': int(serial), 'prog_id': int(mb.group(1)),
                                   'op': mb.group(2)})
                continue
            inner = re.search(r"msg='(ver=\d+ op=bpf_prog_load .*)'$", rest)
            if inner:
                rec = {k: decode(k, v) for k, v in FIELD_RE.findall(inner.group(1))}
                rec['_serial'] = int(serial)
                ours.append(rec)
    return kernel, ours


def check_bpf(log, runs, spans):
    """Each BPF scenario: the kernel's LOADs joined to our results by prog id, exactly."""
    kernel, ours = parse_bpf(log)
    for scenario, emitter in runs:
        if not scenario.startswith('bpf-') or scenario not in spans or None in spans[scenario]:
            continue
        K = [k for k in kernel if k['op'] == 'LOAD' and scenario_of(k['serial'], spans) == scenario]
        R = [r for r in ours if scenario_of(r['_serial'], spans) == scenario]
        via = VIA_OF_EMITTER.get(emitter)
        print(f'\n=== {scenario}: BPF loads, records expected from {emitter}')
        if not K:
            fail(f'{scenario}: the kernel wrote no AUDIT_BPF LOAD')
        for k in K:
            mine = [r for r in R if r.get('prog_id') == str(k['prog_id'])]
            print(f'  kernel LOAD prog-id={k["prog_id"]}: {len(mine)} record(s) of ours'
                  + ''.join(f' [via={r.get("via")} name={r.get("prog_name")} '
                            f'insn_cnt={r.get("insn_cnt")}]' for r in mine))
            if not via:
                if mine:
                    fail(f'{scenario}: a record of ours for an unseen load: {mine}')
                continue
            if len(mine) != 1:
                fail(f'{scenario}: {len(mine)} result records for prog {k["prog_id"]}')
                continue
            r = mine[0]
            want = {'via': via, 'call': 'bpf', 'prog_type': 'socket_filter',
                    'prog_name': BPF_NAMES[scenario], 'insn_cnt': '3',
                    'insns_sha256': BPF_INSNS_SHA256, 'license': 'GPL'}
            for key, value in want.items():
                if r.get(key) != value:
                    fail(f'{scenario}: prog {k["prog_id"]}: {key}={r.get(key)}, expected {value}')
        for r in R:
            if r.get('prog_id') and not any(str(k['prog_id']) == r['prog_id'] for k in K):
                fail(f'{scenario}: our prog_id={r["prog_id"]} has no kernel LOAD')


def scenario_of(serial, spans):
    for name, (b, e) in spans.items():
        if b < serial < (e if e is not None else 1 << 62):
            return name
    return None


def cell(value, width=14):
    """A table cell: hostile names shown escaped and cut, never breaking the table."""
    text = '?' if value is None else str(value)
    text = text.encode('unicode_escape').decode('ascii')
    return text if len(text) <= width else text[:width - 1] + '~'


def op_of_syscall(syscall):
    return 'unload' if syscall == 'delete_module' else 'load'


def find_keys(obj, keys, found=None):
    """The first value for each of KEYS anywhere in a JSON document."""
    found = {} if found is None else found
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in keys and k not in found and not isinstance(v, (dict, list)):
                found[k] = v
        for v in obj.values():
            find_keys(v, keys, found)
    elif isinstance(obj, list):
        for v in obj:
            find_keys(v, keys, found)
    return found


class Files:
    """The files behind the records, as the host sees them."""

    def __init__(self, vm, build):
        self.by_path, self.by_name = {}, {}
        with open(os.path.join(vm, 'files.tsv')) as f:
            for line in f:
                vmpath, host = line.rstrip('\n').split('\t')
                self.by_path[vmpath] = host
        with open(os.path.join(vm, 'names.tsv')) as f:
            for line in f:
                name, host = line.rstrip('\n').split('\t')
                self.by_name[name] = host
        self.kmodaudit = os.path.join(build, 'src', 'kmodaudit')
        self.inspect_works = None
        self.cache = {}

    def facts(self, host):
        """sha256 (of the bytes the kernel receives from this file) and modinfo/inspect fields."""
        if host in self.cache:
            return self.cache[host]
        data = open(host, 'rb').read()
        facts = {'sha256': hashlib.sha256(data).hexdigest().upper()}
        for key in ('signer', 'sig_key', 'sig_hashalgo'):
            r = subprocess.run(['modinfo', '-F', key, host], capture_output=True, text=True)
            facts['modinfo_' + key] = r.stdout.strip() or None
        r = subprocess.run([self.kmodaudit, 'inspect', '--json', host], capture_output=True,
                           text=True)
        if r.returncode == 0 and r.stdout.strip():
            try:
                text = r.stdout.strip()
                try:
                    doc = json.loads(text)
                except ValueError:  # JSON lines: one object per file
                    doc = json.loads(text.splitlines()[0])
                facts['inspect'] = find_keys(doc, {'sha256', 'signer', 'sig_key', 'name'})
                self.inspect_works = True
            except ValueError as e:
                fail(f'kmodaudit inspect --json {host}: not JSON ({e})')
        elif self.inspect_works is None and 'not implemented' in (r.stderr + r.stdout):
            self.inspect_works = False
        elif r.returncode == 1 and r.stderr.strip():
            # A file that is no module: inspect says why; the hash is still compared.
            print(f'note: kmodaudit inspect refuses {os.path.basename(host)}: {r.stderr.strip()}')
        elif 'not implemented' not in (r.stderr + r.stdout):
            fail(f'kmodaudit inspect --json {host} failed: exit {r.returncode}: {r.stderr.strip()}')
        self.cache[host] = facts
        return facts


def loader_account(path):
    """The test loaders' own lines "pid=P syscall=S ret=R": [(P, S, R)]."""
    if not os.path.exists(path):
        return []
    return [(int(p), s, int(r)) for p, s, r in
            re.findall(r'^pid=(\d+) syscall=(\S+) ret=(-?\d+)$', open(path).read(), re.M)]


def race_states(files):
    """sha256 of the race's state A (crc16's file) and B (its complement), computed here."""
    data = open(files.by_name[RACE_MODULE], 'rb').read()
    return (hashlib.sha256(data).hexdigest().upper(),
            hashlib.sha256(bytes(b ^ 0xff for b in data)).hexdigest().upper())


def check_race(scenario, pairs, intents, files, out):
    """Each record's sha256 is the image the kernel got: A exactly when the kernel took A (0 or
    EEXIST), B exactly when it answered ENOEXEC; never another hash, never the other state's."""
    sha = dict(zip('AB', race_states(files)))
    loads = [(k, r) for k, r in pairs if k is not None and k['syscall'] == 'init_module']
    if len(loads) != RACE_ROUNDS:
        fail(f'{scenario}: {len(loads)} init_module calls in the kernel\'s log, '
             f'{RACE_ROUNDS} made')
    account = loader_account(os.path.join(out, f'{scenario}.txt'))
    if [(p, r) for p, _, r in account] != [(k['pid'], k['exit']) for k, _ in loads]:
        fail(f'{scenario}: the loader saw {account}, the kernel '
             f'{[(k["pid"], k["exit"]) for k, _ in loads]}')
    path = os.path.join(out, f'{scenario}.txt')
    m = re.search(r'^rewrites=(\d+)$', open(path).read() if os.path.exists(path) else '', re.M)
    if not m or int(m.group(1)) <= RACE_ROUNDS:
        fail(f'{scenario}: the writer thread did not run (rewrites={m and m.group(1)})')
    seen = []
    for k, r in loads:
        if r is None:
            continue  # reported already
        state = {0: 'A', -EEXIST: 'A', -ENOEXEC: 'B'}.get(k['exit'])
        got = (r.get('sha256') or '').upper()
        got_state = next((s for s, h in sha.items() if h == got), 'neither state')
        seen.append(f'{k["exit"]}:{got_state}')
        if state is None:
            fail(f'{scenario}: the kernel answered {k["exit"]}: neither state A\'s outcome '
                 f'(0, -{EEXIST}) nor B\'s (-{ENOEXEC})')
        elif got != sha[state]:
            fail(f'{scenario}: seq={r.get("seq")}: the kernel answered {k["exit"]} (state '
                 f'{state}) but our sha256 is {got_state}\'s ({got})')
        intent = next((i for i in intents if i['_sender'] == r['_sender'] and
                       i.get('seq') == r.get('seq')), None)
        if intent is not None and (intent.get('sha256') or '').upper() != got:
            fail(f'{scenario}: seq={r.get("seq")}: intent sha256 {intent.get("sha256")}, '
                 f'result {got}')
    print(f'{scenario}: kernel exit:state of our sha256 per call: {" ".join(seen)} '
          f'(A={sha["A"][:12]}.., B={sha["B"][:12]}..)')


def check_taint(scenario, pairs, out):
    """The kernel's word on each successful load: taint E (TAINT_UNSIGNED_MODULE) when it did not
    verify a signature. Ours: anomaly sig_unchecked (a signature it did not check) or unsigned."""
    path = os.path.join(out, f'taint-{scenario}.txt')
    if not os.path.exists(path):
        fail(f'{scenario}: no {os.path.basename(path)} came back from the VM')
        return
    taints = [line.split(None, 1) + [''] for line in open(path).read().splitlines() if line]
    loads = [(k, r) for k, r in pairs if k and r and k['syscall'] != 'delete_module' and
             k['exit'] >= 0]
    if len(loads) != len(taints):
        fail(f'{scenario}: {len(loads)} successful loads, {len(taints)} taint lines')
        return
    for (k, r), (name, taint, *_) in zip(loads, taints):
        anomalies = set((r.get('anomaly') or '').split(',')) - {''}
        unchecked = bool(anomalies & {'sig_unchecked', 'unsigned'})
        print(f'{scenario}: {name}: kernel taint {taint.strip() or "-"}, call_flags={r.get("call_flags")} '
              f'sig_type={r.get("sig_type")} anomaly={",".join(sorted(anomalies)) or "-"}')
        if name != k['name']:
            fail(f'{scenario}: taint line for {name}, the kernel loaded {k["name"]}')
        if ('E' in taint) != unchecked:
            fail(f'{scenario}: {name}: kernel taint "{taint.strip()}" but our record says '
                 f'anomaly={",".join(sorted(anomalies)) or "-"} (sig_type={r.get("sig_type")})')
def check_race_outside(scenario, pairs, intents, files, out):
    """A writer outside the trace: our copy may be any mix, but the kernel reads our copy. So our
    sha256 is state A's exactly when the kernel took A (0, EEXIST); any other hash only when the
    kernel refused the image."""
    sha_a, _ = race_states(files)
    loads = [(k, r) for k, r in pairs if k is not None and k['syscall'] == 'init_module']
    if len(loads) != RACE_ROUNDS:
        fail(f'{scenario}: {len(loads)} init_module calls in the kernel\'s log, {RACE_ROUNDS} made')
    path = os.path.join(out, f'{scenario}.txt')
    m = re.search(r'^rewrites=(\d+)$', open(path).read() if os.path.exists(path) else '', re.M)
    if not m or int(m.group(1)) <= RACE_ROUNDS:
        fail(f'{scenario}: the writer did not run (rewrites={m and m.group(1)})')
    seen = []
    for k, r in loads:
        if r is None:
            continue
        took_a = k['exit'] in (0, -EEXIST)
        got_a = (r.get('sha256') or '').upper() == sha_a
        seen.append(f'{k["exit"]}:{"A" if got_a else "other"}')
        if took_a != got_a:
            fail(f'{scenario}: seq={r.get("seq")}: the kernel answered {k["exit"]} but our '
                 f'sha256 is {"A" if got_a else "not A"} ({r.get("sha256")})')
    print(f'{scenario}: kernel exit:our sha256 per call: {" ".join(seen)}')


def states_nothing(rec):
    anomalies = set((rec.get('anomaly') or '').split(','))
    return 'truncated_read' in anomalies and not rec.get('sha256') and not rec.get('name')


def check_uffd(scenario, pairs, files, out):
    """Each init_module record states no contents, or exactly the padded module the kernel
    named (never the other one: the handler's first page set went to whoever read first)."""
    text = open(os.path.join(out, f'{scenario}.txt')).read() \
        if os.path.exists(os.path.join(out, f'{scenario}.txt')) else ''
    m = re.search(r'^len=(\d+)$', text, re.M)
    if not m:
        fail(f'{scenario}: the loader printed no len')
        return
    size = int(m.group(1))
    padded = {}
    for name in (UFFD_SERVED_FIRST, UFFD_SERVED_NEXT):
        data = open(files.by_name[name], 'rb').read()
        padded[name] = hashlib.sha256(data + bytes(size - len(data))).hexdigest().upper()
    loads = [(k, r) for k, r in pairs if k is not None and k['syscall'] == 'init_module']
    if not loads:
        fail(f'{scenario}: the kernel saw no init_module')
    for k, r in loads:
        if r is None:
            continue  # reported already
        if states_nothing(r):
            print(f'{scenario}: the kernel loaded {k["name"]}; our record states no contents '
                  f'(anomaly={r.get("anomaly")})')
        elif (r.get('sha256') or '').upper() != padded.get(k['name']):
            fail(f'{scenario}: the kernel loaded {k["name"]}, our record says {r.get("name")} '
                 f'sha256={r.get("sha256")}')


def check_escape(scenario, K, out):
    """The leftover's call was refused (EPERM) before the kernel saw it; the --follow one's
    helper could not seize it."""
    left = loader_account(os.path.join(out, 'trace-escape-leftover.txt'))
    if [r for _, _, r in left] != [-EPERM]:
        fail(f'{scenario}: the leftover\'s finit_module answered {left}, not -{EPERM} (refused)')
    for p, _, _ in left:
        for k in K:
            if k['pid'] == p:
                fail(f'{scenario}: the leftover {p} reached the kernel: {k["syscall"]} '
                     f'{k["name"]} exit {k["exit"]}')
    for what in ('leftover', 'follow'):
        path = os.path.join(out, f'trace-escape-{what}.txt')
        text = open(path).read() if os.path.exists(path) else ''
        m = re.search(r'^seize=(-?\d+)$', text, re.M)
        if not m or int(m.group(1)) != -EPERM:
            fail(f'{scenario}: {what}: the helper\'s PTRACE_SEIZE: {m and m.group(1)}, '
                 f'not -{EPERM}')


def check_i386(scenario, K, out):
    """The kernel saw the loader's int $0x80 calls as i386 ones, from the loader's pid."""
    if [k['syscall'] for k in K] != I386_CALLS:
        fail(f'{scenario}: the kernel saw {[k["syscall"] for k in K]}, the loader made '
             f'{I386_CALLS}')
    for k in K:
        if k['arch'] != 'i386':
            fail(f'{scenario}: {k["syscall"]} of pid {k["pid"]}: arch {k["arch"]}, not i386')
    account = loader_account(os.path.join(out, 'trace-i386.txt'))
    if account != [(k['pid'], k['syscall'], k['exit']) for k in K]:
        fail(f'{scenario}: the loader saw {account}, the kernel '
             f'{[(k["pid"], k["syscall"], k["exit"]) for k in K]}')


# shim-i386: kma-load32's calls under the i386 shim, in order; the ld.so.preload entry enable wrote.
SHIM_I386_CALLS = ['finit_module', 'delete_module', 'init_module', 'delete_module']
SHIM_I386_ENTRY = re.compile(r'^/\S*/\$LIB/libkmodaudit\.so$')


def check_shim_i386(scenario, K, out):
    """The kernel saw i386 calls; one $LIB entry served both classes; ld.so said nothing."""
    if [k['syscall'] for k in K] != SHIM_I386_CALLS:
        fail(f'{scenario}: the kernel saw {[k["syscall"] for k in K]}, the loader made '
             f'{SHIM_I386_CALLS}')
    for k in K:
        if k['arch'] != 'i386':
            fail(f'{scenario}: {k["syscall"]} of pid {k["pid"]}: arch {k["arch"]}, not i386')
    read = lambda name: open(os.path.join(out, name)).read() \
        if os.path.exists(os.path.join(out, name)) else None
    entry = read('shim-i386-preload.txt')
    if entry is None or not SHIM_I386_ENTRY.match(entry.strip()):
        fail(f'{scenario}: kmodaudit preload enable listed {entry!r}, not PREFIX/$LIB/'
             f'libkmodaudit.so (enable said: {read("shim-i386-enable.err")!r})')
    err = read('shim-i386.err')
    if err is None or err.strip():
        fail(f'{scenario}: the i386 loader\'s stderr: {err!r}')


def check_unload_race(scenario, pairs, out):
    """kma-race's own account: for each delete_module, the name the kernel read at the pointer
    it was given ("kernel_read=", seen at the system call after the rewrite). Our record of
    that pid must name it (at most the 55 bytes a kernel looks up), with the kernel's answer."""
    text = open(os.path.join(out, f'{scenario}.txt')).read() \
        if os.path.exists(os.path.join(out, f'{scenario}.txt')) else ''
    calls = re.findall(r'^kernel_read=(.*)\npid=(\d+) syscall=delete_module ret=(-?\d+)$', text,
                       re.M)
    if len(calls) != 2:
        fail(f'{scenario}: the loader reported {len(calls)} delete_module calls, 2 made')
    for read, pid, ret in calls:
        r = next((r for k, r in pairs if r is not None and r['_pid'] == int(pid)), None)
        if r is None:
            fail(f'{scenario}: no record of ours for pid {pid}')
        elif r.get('name') != read[:55] or str(r.get('exit')) != ret:
            fail(f'{scenario}: pid {pid}: the kernel read {read!r} and answered {ret}, our record '
                 f'says name={r.get("name")!r} exit={r.get("exit")}')


def check_no_contents(rec, k, files, scenario):
    """A record of a load whose bytes the emitter could not read whole states none of them:
    every content field absent or '?', anomaly=truncated_read, size = the length passed (the
    kernel loaded the module it named from exactly that many bytes)."""
    stated = {f: rec[f] for f in CONTENT_FIELDS if rec.get(f) is not None}
    if stated:
        fail(f'{scenario}: {rec.get("op")} seq={rec.get("seq")} states contents of memory it '
             f'could not read whole (the kernel loaded {k["name"]}): {stated}')
    if 'truncated_read' not in (rec.get('anomaly') or '').split(','):
        fail(f'{scenario}: {rec.get("op")} seq={rec.get("seq")}: anomaly={rec.get("anomaly")}, '
             f'truncated_read expected')
    host = files.by_name.get(k['name'])
    if host is not None and str(rec.get('size')) != str(os.path.getsize(host)):
        fail(f'{scenario}: {rec.get("op")} seq={rec.get("seq")}: size={rec.get("size")}, the '
             f'loader passed {os.path.getsize(host)} bytes of {k["name"]}')


def check_load_fields(rec, files, scenario, kernel_named):
    """sha256, signer, sig_key against the file; name_mismatch against the file name.

    The file is the one at the record's path when the test bed put it there, else the module
    the kernel named (init_module from memory, decompressed xz, copies in /tmp): those hold the
    same bytes. A load the kernel refused before naming a module got bytes that need not be any
    file's (a short length, a pointer into a guard page): only its path-identified files count.
    """
    path = rec.get('path')
    host = files.by_path.get(path) if path else None
    if host is None and kernel_named:
        host = files.by_name.get(rec.get('name'))
    if host is None:
        if kernel_named:
            fail(f'{scenario}: cannot tell which file record seq={rec.get("seq")} '
                 f'(name={rec.get("name")} path={path}) describes')
        return
    facts = files.facts(host)
    got_sha = (rec.get('sha256') or '').upper()
    if got_sha != facts['sha256']:
        fail(f'{scenario}: {rec.get("name")}: sha256={got_sha} but the file {host} hashes to '
             f'{facts["sha256"]}')
    for key in ('signer', 'sig_key', 'sig_hashalgo'):
        want = facts['modinfo_' + key]
        if rec.get(key) != want:
            fail(f'{scenario}: {rec.get("name")}: {key}={rec.get(key)!r} but modinfo says {want!r}')
    ins = facts.get('inspect')
    if ins is not None:
        for key in ('sha256', 'signer', 'sig_key'):
            want = ins.get(key)
            got = rec.get(key)
            if key == 'sha256':
                want, got = (want or '').upper(), (got or '').upper()
            if got != want:
                fail(f'{scenario}: {rec.get("name")}: {key}={got!r} but kmodaudit inspect says '
                     f'{want!r}')
    anomalies = set((rec.get('anomaly') or '').split(',')) - {''}
    if path:
        base = re.sub(r'\.ko(\.(xz|zst|gz))?$', '', os.path.basename(path)).replace('-', '_')
        named = rec.get('name')
        if named is not None and (base != named) != ('name_mismatch' in anomalies):
            fail(f'{scenario}: {path} holds module {named}: anomaly={",".join(anomalies) or "-"} '
                 f'({"name_mismatch expected" if base != named else "no name_mismatch expected"})')


# Each mutation breaks one promise in a copy of the run's log; the checker must catch each one,
# so that this test can fail when an emitter drops, forges or garbles a record.
MUTATIONS = {
    'drop a result record': (r"msg='ver=\d+ op=kmod_load .*", None),
    'change an exit': (r"(msg='ver=\d+ op=kmod_load .* exit=)0 ", r"\g<1>-1 "),
    'rename an unload': (r"(msg='ver=\d+ op=kmod_unload .* name=)\"[^\"]+\"", r'\1"other"'),
    'change a sha256': (r"(msg='ver=\d+ op=kmod_load .* sha256=)[0-9A-Fa-f]", r"\g<1>0"),
    'drop name_mismatch': (r"(msg='ver=\d+ op=kmod_load .*innocent\.ko.*) anomaly=\S+", r"\1"),
    'drop sig_unchecked': (r"(msg='ver=\d+ op=kmod_load .*) anomaly=sig_unchecked", r"\1"),
    'change a signer': (r"(msg='ver=\d+ op=kmod_load .* signer=)[0-9A-F]{2}", r"\g<1>58"),
    # the kernel's SYSCALL record of the loader's int $0x80 init_module made an x86_64 one
    'an i386 call as x86_64': (r'(type=SYSCALL .*)arch=40000003 syscall=128 ',
                               r'\1arch=c000003e syscall=175 '),
    # shim-partial-image: the prefix's module named as if it were what the kernel got
    'partial image: the prefix named': (r"(msg='ver=\d+ op=kmod_load .* via=preload .* name=)\?( .*truncated_read)",
                                        r'\1"ts_bm"\2'),
}


def race_mutations(files):
    """trace-race: a record that hashed the other state than the one the kernel took."""
    try:
        sha_a, sha_b = race_states(files)
    except (KeyError, OSError):
        return {}
    result = r"(msg='ver=\d+ op=kmod_(?:load|load_intent) .* sha256=)"
    return {
        'race: ENOEXEC with state A\'s hash': (result.replace('|load_intent', '') + sha_b,
                                               r'\g<1>' + sha_a),
        'race: a result hash unlike its intent': (result.replace('load|', '') + sha_b,
                                                  r'\g<1>' + sha_a),
        'race: neither state\'s hash': (result.replace('|load_intent', '') + sha_b,
                                        r'\g<1>' + sha_b[:-1] + ('0' if sha_b[-1] != '0' else '1')),
    }


def run_mutated(args, edit):
    """check() on a copy of the VM's output that edit(out_dir) changed: (rc, first error)."""
    import contextlib
    import io
    import shutil
    import tempfile
    global errors
    with tempfile.TemporaryDirectory() as tmp:
        vm = os.path.join(tmp, 'vm')
        shutil.copytree(args.vm, vm, ignore=shutil.ignore_patterns('root', '*.cpio.gz', '*.out',
                                                                    'console.log'))
        edit(os.path.join(vm, 'out'))
        errors = []
        with contextlib.redirect_stdout(io.StringIO()):
            rc = check(argparse.Namespace(vm=vm, build=args.build))
        caught = errors[0] if errors else None
        errors = []
    return rc, caught


def self_test(args):
    """Run the checker on mutated copies of the VM's output; each mutation must be caught."""
    log = os.path.join(args.vm, 'out', 'audit.log')
    lines = open(log, 'rb').read().decode('utf-8', 'replace').split('\n')
    cases = {}
    mutations = dict(MUTATIONS, **race_mutations(Files(args.vm, args.build)))
    for what, (pattern, repl) in mutations.items():
        rx = re.compile(pattern)
        idx = next((i for i, l in enumerate(lines) if rx.search(l)), None)
        if idx is None:
            print(f'self-test: {what}: not applicable (no such record in this run)')
            continue
        mutated = list(lines)
        if repl is None:
            del mutated[idx]
        else:
            mutated[idx] = rx.sub(repl, mutated[idx], count=1)
        cases[what] = ('audit.log', 'w', '\n'.join(mutated))
    # shim-unload-race: the kernel read another name than ours for the overlong one, which it
    # does not name in its own records (the loader's account is the witness there)
    race = os.path.join(args.vm, 'out', 'shim-unload-race.txt')
    if os.path.exists(race):
        text = open(race).read()
        last = text.rfind('kernel_read=')
        if last >= 0:
            end = text.index('\n', last)
            cases['unload race: the kernel read another name'] = (
                'shim-unload-race.txt', 'w', text[:last] + 'kernel_read=bch' + text[end:])
    # trace-escape: the leftover's call not refused; trace-uffd: a record naming the module the
    # tracer was served while the kernel loaded the other (the previous code's lie).
    left = os.path.join(args.vm, 'out', 'trace-escape-leftover.txt')
    if os.path.exists(left):
        cases['escape: the leftover not refused'] = (
            'trace-escape-leftover.txt', 'w',
            re.sub(r'ret=-?\d+', 'ret=0', open(left).read()))
    uffd = re.compile(r"(msg='ver=\d+ op=kmod_load .*(?:syscall|call)=init_module .*)"
                      r"anomaly=\S*truncated_read\S*")
    idx = next((i for i, l in enumerate(lines) if uffd.search(l) and 'via=trace' in l), None)
    if idx is not None:
        mutated = list(lines)
        mutated[idx] = uffd.sub(r'\1name="' + UFFD_SERVED_NEXT + '" sha256=' + '0' * 64,
                                mutated[idx], count=1)
        cases['uffd: a record naming what the kernel did not load'] = (
            'audit.log', 'w', '\n'.join(mutated))
    # The VM's own set-up: a fallback taken although the component was built, a rule not loaded.
    cases['a rules fallback'] = ('fallback', 'a', 'rules\n')
    cases['a preload fallback'] = ('fallback', 'a', 'preload\n')
    cases['a rule not loaded'] = ('rules-not-loaded', 'a', '-w /x: error\n')
    bad = 0
    for what, (name, mode, text) in cases.items():
        def edit(out, name=name, mode=mode, text=text):
            with open(os.path.join(out, name), mode) as f:
                f.write(text)
        rc, caught = run_mutated(args, edit)
        if rc == 0:
            bad += 1
            print(f'FAIL: self-test: {what}: the checker did not notice')
        else:
            print(f'self-test: {what}: caught ({caught.splitlines()[0][:100]})')
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vm', required=True)
    ap.add_argument('--build', required=True)
    ap.add_argument('--self-test', action='store_true',
                    help='check that mutated copies of the log fail')
    args = ap.parse_args()
    if args.self_test:
        return self_test(args)
    return check(args)


def check_setup(vm, out):
    """The VM's /init set things up with the project's own tools whenever they were built."""
    components = set()
    with open(os.path.join(vm, 'components')) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1] == 'yes':
                components.add(parts[0])
    # the fallback taken -> the component that should have made it unnecessary
    owner = {'rules': 'rules', 'preload': 'preload'}
    path = os.path.join(out, 'fallback')
    if os.path.exists(path):
        for what in open(path).read().split():
            if owner.get(what, what) in components:
                fail(f'the VM fell back to a hand-made {what} setup although the component '
                     f'{owner.get(what, what)} was built')
            else:
                print(f'note: the VM used a hand-made {what} setup (component missing)')
    path = os.path.join(out, 'rules-not-loaded')
    if os.path.exists(path):
        for line in open(path).read().splitlines():
            fail(f'audit rule not loaded in the VM: {line}')


def check(args):
    out = os.path.join(args.vm, 'out')
    log = os.path.join(out, 'audit.log')
    if not os.path.exists(log) or os.path.getsize(log) == 0:
        fail('no audit log came back from the VM (auditd did not run?)')
        return 1
    kernel, ours, markers = parse_log(log)
    files = Files(args.vm, args.build)
    check_setup(args.vm, out)

    runs = []  # (scenario, emitter)
    with open(os.path.join(out, 'scenarios')) as f:
        for line in f:
            parts = line.split(None, 3)
            if parts[2] == 'run':
                runs.append((parts[1], parts[3].strip()))
            else:
                print(f'SKIP scenario {parts[1]}: {parts[3].strip()}')
    spans = {}
    for serial, name, what in markers:
        b, e = spans.get(name, (None, None))
        spans[name] = (serial, e) if what == 'begin' else (b, serial)
    if not kernel:
        fail('the kernel recorded no module syscall at all (audit rules not loaded?)')

    for k in kernel:
        k['scenario'] = scenario_of(k['serial'], spans)
    for r in ours:
        r['_scenario'] = scenario_of(r['_serial'], spans)
    for k in kernel:
        if k['scenario'] is None:
            print(f'note: kernel event outside the scenarios: {k}')
    for r in ours:
        if r['_scenario'] is None:
            fail(f'record of ours outside every scenario: {r["_raw"]}')

    live = 0
    check_bpf(log, runs, spans)
    for scenario, emitter in runs:
        if scenario.startswith('bpf-'):
            continue  # check_bpf's
        if scenario not in spans or None in spans[scenario]:
            fail(f'{scenario}: its begin/end markers are missing from the audit log')
            continue
        K = [k for k in kernel if k['scenario'] == scenario]
        R = [r for r in ours if r['_scenario'] == scenario and r.get('op') != 'kmod_load_intent']
        I = [r for r in ours if r['_scenario'] == scenario and r.get('op') == 'kmod_load_intent']
        via = VIA_OF_EMITTER.get(emitter)
        print(f'\n=== {scenario}: records expected from {emitter}'
              f'{f" (via={via})" if via else ""}')

        # The kernel's side: the scenario did what it says.
        pool = list(K)
        for op, name, ok in KERNEL_EXPECT.get(scenario, []):
            hit = next((k for k in pool if op_of_syscall(k['syscall']) == op and
                        k['name'] == name and (k['exit'] >= 0) == ok), None)
            if hit is None:
                fail(f'{scenario}: the kernel has no {"successful" if ok else "failed"} {op} of '
                     f'{name or "an unnamed module"}')
            else:
                pool.remove(hit)
        if not K:
            fail(f'{scenario}: the kernel recorded no module syscall')

        # Pair in two passes: records that agree with their kernel event first, then the rest
        # by pid and syscall, so that a missing or wrong record is shown as such.
        unmatched = list(R)
        match = {}
        for exact in (True, False):
            for i, k in enumerate(K):
                if i in match or not via:
                    continue
                r = next((r for r in unmatched if r['_pid'] == k['pid'] and
                          r.get('call') == k['syscall'] and
                          (not exact or (str(r.get('exit')) == str(k['exit']) and
                                         (k['name'] is None or r.get('name') == k['name'])))),
                         None)
                if r is not None:
                    unmatched.remove(r)
                    match[i] = r
        pairs = [(k, match.get(i)) for i, k in enumerate(K)]
        for r in unmatched:
            pairs.append((None, r))

        print(f'{"kernel name":<14} {"our name":<14} {"pid":>5} {"kernel exit":>11} '
              f'{"our exit":>8} {"syscall":<14} {"arch":<6} source')
        for k, r in pairs:
            kname = '-' if k is None else (cell(k['name']) if k['name'] is not None else '(unnamed)')
            rname = '-' if r is None else cell(r.get('name'))
            pid = k['pid'] if k else r['_pid']
            kexit = '-' if k is None else str(k['exit'])
            rexit = '-' if r is None else str(r.get('exit'))
            sysc = (k or {}).get('syscall') or r.get('call')
            src = ('kernel' if k else '') + ('+' + str(r.get('via')) if r else '')
            arch = '-' if k is None else k['arch']
            print(f'{kname:<14} {rname:<14} {pid:>5} {kexit:>11} {rexit:>8} {sysc:<14} '
                  f'{arch:<6} {src.lstrip("+")}')

        if via is None:
            for r in R:
                fail(f'{scenario}: a record of ours where none was expected: {r["_raw"]}')
            continue
        live += 1
        for k, r in pairs:
            if r is None:
                fail(f'{scenario}: kernel event {k["syscall"]} {k["name"]} pid {k["pid"]} exit '
                     f'{k["exit"]} has no result record of ours')
                continue
            if k is None:
                fail(f'{scenario}: our record has no kernel event: {r["_raw"]}')
                continue
            if r.get('via') != via:
                fail(f'{scenario}: via={r.get("via")}, expected via={via}')
            if str(k['exit']) != str(r.get('exit')):
                fail(f'{scenario}: {k["name"]}: kernel exit={k["exit"]}, ours exit={r.get("exit")}')
            want_res = 'success' if k['exit'] >= 0 else 'failed'
            if r.get('res') != want_res:
                fail(f'{scenario}: {k["name"]}: res={r.get("res")} for exit {k["exit"]}')
            no_claim = scenario in NO_CLAIM_SCENARIOS and states_nothing(r)
            if scenario in NO_CONTENTS:
                pass  # check_no_contents below: the record names nothing
            elif k['name'] is not None and r.get('name') != k['name'] and not no_claim:
                fail(f'{scenario}: the kernel named {k["name"]}, our record says {r.get("name")}')
            if k['name'] is None and k['exit'] >= 0:
                fail(f'{scenario}: a successful {k["syscall"]} the kernel did not name')
            if via != 'trace' and r['_sender'] != k['pid']:
                fail(f'{scenario}: our record came from pid {r["_sender"]}, the call from '
                     f'{k["pid"]}')
            op = 'kmod_unload' if k['syscall'] == 'delete_module' else 'kmod_load'
            if r.get('op') != op:
                fail(f'{scenario}: op={r.get("op")} for {k["syscall"]}')
            if op == 'kmod_load':
                intent = next((i for i in I if i['_sender'] == r['_sender'] and
                               i.get('seq') == r.get('seq') and
                               i['_serial'] < r['_serial']), None)
                if intent is None:
                    fail(f'{scenario}: no intent record before the result seq={r.get("seq")} '
                         f'of {r.get("name")}')
                if scenario in NO_CONTENTS:
                    for rec in (r, intent) if intent is not None else (r,):
                        check_no_contents(rec, k, files, scenario)
                elif not no_claim:
                    check_load_fields(r, files, scenario, k['name'] is not None)
        if scenario in ('trace-race', 'trace-race-fork'):
            check_race(scenario, pairs, I, files, out)
        if scenario == 'trace-uffd':
            check_uffd(scenario, pairs, files, out)
        if scenario == 'trace-race-outside':
            check_race_outside(scenario, pairs, I, files, out)
        if scenario == 'trace-escape':
            check_escape(scenario, K, out)
        if scenario == 'trace-i386':
            check_i386(scenario, K, out)
        if scenario == 'shim-i386':
            check_shim_i386(scenario, K, out)
        if scenario in TAINT_SCENARIOS:
            check_taint(scenario, pairs, out)
        if scenario == 'shim-unload-race':
            check_unload_race(scenario, pairs, out)

    # The transparency matrix: the same answers with and without the shim.
    tdir = {s: os.path.join(out, f'transparency-{s}.txt') for s in ('shim', 'plain')}
    if all(os.path.exists(p) for p in tdir.values()):
        a, b = (open(tdir[s]).read() for s in ('shim', 'plain'))
        print('\n=== transparency matrix (without the shim):\n' + b)
        if a != b:
            diff = difflib.unified_diff(b.splitlines(), a.splitlines(), 'without the shim',
                                        'with the shim', lineterm='', n=0)
            fail('the transparency matrix differs with the shim:\n' + '\n'.join(diff))
        for e in TRANSPARENCY_ERRNOS:
            if e not in b:
                fail(f'the transparency matrix never saw {e} from this kernel')

    if files.inspect_works is False:
        print('\nnote: kmodaudit inspect is not implemented yet: fields compared with the '
              'file\'s sha256 and kmod\'s modinfo only')
    print(f'\n{len(kernel)} kernel module events, {len(ours)} records of ours, '
          f'{len(runs)} scenarios run ({live} with our records checked)')
    if errors:
        print(f'FAIL: {len(errors)} problem(s)')
        return 1
    print('PASS')
    return 0


if __name__ == '__main__':
    sys.exit(main())
