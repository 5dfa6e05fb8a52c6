#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checker of the whole-system test bed (tests/system/run.sh): holds the configured boot's
results (the tar kma-collect wrote on the second virtio disk, untarred in W/out2) to what issue
16 asks. Prints "ok: ..." / "FAIL: ..." lines and the side-by-side table (kernel vs ours, per
module, with the loader); exits 1 on any failure.
Usage: check.py W"""
import json
import os
import re
import sys

W = sys.argv[1]
OUT = os.path.join(W, "out2")
fails = 0


def ok(msg):
    print(f"ok: {msg}")


def fail(msg):
    global fails
    fails += 1
    print(f"FAIL: {msg}")


def read(name, d=OUT):
    try:
        with open(os.path.join(d, name), errors="replace") as f:
            return f.read()
    except OSError:
        return None


FIELD = re.compile(r'(\w+)=("[^"]*"|[^ \'\x1d]+)')


def fields(text):
    return {k: v.strip('"') for k, v in FIELD.findall(text)}


def stamp(line):
    m = re.search(r"msg=audit\((\d+\.\d+):(\d+)\)", line)
    return float(m.group(1)) if m else None


console = (read("console2.log", W) or "").replace("\r", "")
journal = read("journal.txt")
if journal is None:
    fail("the configured boot wrote no results (no journal on the results disk): "
         "see the console above")
    sys.exit(1)

# The system ran and stopped cleanly.
state = (read("system-state") or "").strip()
if state == "running":
    ok("the configured system finished booting: is-system-running says running")
else:
    fail(f"is-system-running says {state!r}; failed units: {(read('failed-units') or '').strip()!r}")
if re.search(r"Reached target .*[Mm]ulti-[Uu]ser", journal):
    ok("reached multi-user.target")
else:
    fail("multi-user.target not reached (journal)")
qexit = (read("qemu-exit") or "").strip()
if "reboot: Power down" in console and qexit == "0":
    ok("powered off cleanly (kernel: 'reboot: Power down', qemu exit 0)")
else:
    fail(f"no clean power-off: 'reboot: Power down' {'in' if 'reboot: Power down' in console else 'not in'}"
         f" the console, qemu exit {qexit}")
bad = [l for l in (console + journal).splitlines()
       if re.search(r"Kernel panic|segfault at|traps: .* trap|general protection|Attempted to kill init", l)]
if bad:
    fail("crashes on the console or in the journal:\n  " + "\n  ".join(bad[:10]))
else:
    ok("no panic, segfault or trap on the console or in the journal (shutdown included)")

# The shim in every process, PID 1 included.
maps = [l.split(" ", 2) for l in (read("maps") or "").splitlines() if l]
without = [l for l in maps if l[1] != "yes"]
pid1 = read("pid1-maps") or ""
if re.search(r"/libkmodaudit\.so$", pid1, re.M):
    ok("PID 1 (systemd) maps libkmodaudit.so")
else:
    fail("PID 1 does not map libkmodaudit.so")
if maps and not without:
    ok(f"all {len(maps)} user-space processes map libkmodaudit.so")
else:
    fail(f"{len(without)} of {len(maps)} processes without the shim: "
         + "; ".join(f"{p[0]} {p[2] if len(p) > 2 else ''}" for p in without[:10]))

# No ld.so preload error anywhere.
lderr = [l for l in (console + journal).splitlines()
         if re.search(r"ld\.so: object|cannot be preloaded|ERROR: ld\.so", l)]
if lderr:
    fail("ld.so preload errors:\n  " + "\n  ".join(lderr[:10]))
else:
    ok("no ld.so preload error in the journal or on the console")

# Modules: those loaded after the root was mounted (all now loaded but those the initramfs had).
def modnames(text):
    return [l.split()[0] for l in (text or "").splitlines() if l.strip()]


initramfs = modnames(read("initramfs-modules"))
loaded = modnames(read("modules"))
if not read("initramfs-modules"):
    fail("no list of the initramfs' modules (init-bottom hook did not run)")
later = sorted(set(loaded) - set(initramfs))
print(f"system: {len(initramfs)} modules loaded in the initramfs, {len(later)} after the root was mounted")

log = read("audit.log") or ""
# The log holds the first boot's records too: only this boot's count (held records carry the
# time they were made).
boot = float(read("boot-epoch") or 0) - 1
ours = []  # our result records of loads: (time, fields)
changes = []  # the kernel's module rules removed/added: (time, "remove"|"add")
disabled = []  # audit switched off: [from, to (auditd's start), by whom]
enables = []  # auditd started, or audit switched on (the log is not in time order)
intents = {}  # (sender pid, seq): time of our intent record
daemon_start = None
rules_loaded = None
for line in log.splitlines():
    if (stamp(line) or 0) < boot:
        continue
    if "type=DAEMON_START" in line and daemon_start is None:
        daemon_start = stamp(line)
    if "type=CONFIG_CHANGE" in line and "op=add_rule" in line and rules_loaded is None:
        rules_loaded = stamp(line)
    if "type=CONFIG_CHANGE" in line and "op=set audit_enabled=0" in line:
        disabled.append([stamp(line), None, line.split("audit(")[1].split(")")[0]])
    if "type=DAEMON_START" in line or "op=set audit_enabled=1" in line:
        enables.append(stamp(line))
    if "type=SYSCALL" in line and disabled and line.split("audit(")[1].split(")")[0] == disabled[-1][2]:
        disabled[-1][2] = re.search(r'comm="([^"]*)"', line).group(1) if 'comm="' in line else "?"
    if "type=CONFIG_CHANGE" in line and 'key="kernel_modules"' in line:
        changes.append((stamp(line), "remove" if "op=remove_rule" in line else "add"))
    m = re.search(r"msg='(.*)'", line)
    if "type=USER" in line and m and " op=kmod_load " in " " + m.group(1) + " ":
        f = fields(m.group(1))
        f["_pid"] = line.split(" pid=")[1].split()[0]
        ours.append((stamp(line), f))
    if "type=USER" in line and m and " op=kmod_load_intent " in " " + m.group(1) + " ":
        f = fields(m.group(1))
        intents[(line.split(" pid=")[1].split()[0], f.get("seq"))] = stamp(line)
for need, how in (("dummy", "modules-load.d"), ("veth", "a service's modprobe"),
                  ("af_key", "kmodaudit trace"), ("tun", "modules-load.d, restarted after boot")):
    if need in later:
        ok(f"{need} ({how}) loaded after the root was mounted")
    else:
        fail(f"{need} ({how}) not loaded after the root was mounted")

per = {}
for t, f in ours:
    if f.get("exit") == "0":
        per.setdefault(f.get("name"), []).append((t, f))
missing = [m for m in later if len(per.get(m, [])) == 0]
twice = [m for m in later if len(per.get(m, [])) > 1]
if later and not [m for m in later if not per.get(m)] and not twice:
    ok(f"each of the {len(later)} modules loaded after the root was mounted has exactly one "
       "successful result record of ours")
# Audit switched off (Debian 12's systemd-journald, Audit=no, at its start) until auditd
# switches it on: the kernel records nothing then, and the shim, told audit is disabled, sends
# the record to its fallback (syslog) as designed. The window fails the test (the first boot
# sets Audit=yes); a load in it (a syslog copy, no kernel record) is named as such, not as a
# sink failure. A syslog copy while audit was on is a sink failure.
off_loads = set()
for d in disabled:
    d[1] = min([t for t in enables if t >= d[0]], default=None)
for a, b, who in disabled:
    # The first boot keeps journald from doing so (Audit=yes): a window is a regression.
    fail(f"audit was switched off by {who} at {a - boot - 1:.1f} s until auditd started "
         f"at {(b or float('inf')) - boot - 1:.1f} s: the kernel records nothing then")
if missing:
    # The fallback's copy (syslog, in the journal) says whether the record left the process.
    fb = {m: re.findall(rf'kmodaudit\[(\d+)\]: \S+ ver=\d+ op=kmod_load .*name="{m}"', journal)
          for m in missing}
    kernel_names = set(re.findall(r'type=KERN_MODULE msg=audit\(([\d.]+):\d+\): name="([^"]*)"', log))
    kernel_names = {n for t, n in kernel_names if float(t) >= boot}
    for m in missing:
        if fb[m] and disabled and m not in kernel_names:
            off_loads.add(m)
    if off_loads:
        print(f"system: loaded while audit was off, recorded by our fallback (syslog) only, not by "
              f"the kernel: {' '.join(sorted(off_loads))}")
    missing = [m for m in missing if m not in off_loads]
if missing:
    fail("loaded after the root was mounted, no result record of ours in audit.log: "
         + " ".join(f"{m} (in syslog from pid {','.join(fb[m])}: the audit sink failed)"
                    if fb[m] else m for m in missing))
if twice:
    fail(f"more than one successful result record of ours: {' '.join(twice)}")

if daemon_start is None:
    fail("no DAEMON_START record in audit.log")
else:
    early = sorted({f.get('name') for t, f in ours if t is not None and t < daemon_start})
    if early:
        ok(f"{len(early)} modules' records sent before auditd started are in the log "
           f"(the kernel held them): {' '.join(early)}")
    else:
        fail("no record of ours from before auditd started is in the log")

# kmodaudit report, run inside the guest on its own log.
rows = []
for l in (read("report.json") or "").splitlines():
    try:
        r = json.loads(l)
        if r["epoch"] >= boot:
            rows.append(r)
    except ValueError:
        fail(f"report --json: not JSON: {l[:120]}")
if not rows:
    fail(f"kmodaudit report gave no rows: {(read('report.err') or '').strip()[:300]}")
# The root was mounted (init-bottom ran) at this time: loads before it are the initramfs'. The
# guest's wall clock and its uptime drift apart under TCG (PID 1's first loads were seen 0.5 s
# before this mark), so a row is the initramfs' only if, besides its time, nothing of ours
# recorded it (the initramfs has no shim) and it is not a successful load of a module the
# initramfs did not load.
switch = boot + 1 + float(read("initramfs-uptime") or 0)


def in_initramfs(r):
    if r["epoch"] >= switch or set(r["sources"]) - {"kernel"}:
        return False
    return not (r["op"] == "load" and r["exit"] == 0 and r["module"] not in initramfs)


init_rows = [r for r in rows if in_initramfs(r)]
rows = [r for r in rows if not in_initramfs(r)]
check_out = read("check") or ""
if re.search(r"^PASS +kmodaudit module rules at boot \(initramfs\)", check_out, re.M):
    ok("kmodaudit check: the module rules' initramfs hook is in place")
else:
    fail("kmodaudit check does not PASS the initramfs hook: "
         + "".join(l for l in check_out.splitlines(True) if "initramfs" in l).strip())
if rules_loaded is not None and rules_loaded < switch:
    ok(f"the kernel's module rules were loaded in the initramfs ({rules_loaded - boot - 1:.1f} s "
       f"after boot; root mounted at {switch - boot - 1:.1f} s)")
else:
    fail("the kernel's module rules were not loaded before the root was mounted")
init_loaded = [r for r in init_rows if r["op"] == "load" and r["exit"] == 0]
init_missing = [m for m in initramfs if not any(r["module"] == m for r in init_loaded)]
if init_missing:
    fail(f"initramfs loads without a kernel record: {' '.join(init_missing)}")
else:
    ok(f"all {len(initramfs)} modules the initramfs loaded are in the kernel's records "
       f"({len(init_rows)} calls there, emitter: the kernel only)")
# augenrules at auditd's start deletes every rule (-D) and adds them again: a call that ends
# in between has no kernel record (the kernel's limit, not ours). The gap: the first removal
# of our rules after the root was mounted to the first addition after it (the b64 syscall
# rule: `kmodaudit rules` writes it first).
gap = None
rm = [t for t, what in changes if what == "remove" and t >= switch]
if rm:
    adds = [t for t, what in changes if what == "add" and t >= rm[0]]
    gap = (rm[0], adds[0] if adds else float("inf"))
in_gap = set()  # (module, pid) of calls that overlapped the gap
if gap:
    for t, f in ours:
        pid = f.get("_pid")
        start = intents.get((pid, f.get("seq")), t)
        if start <= gap[1] and t >= gap[0]:
            in_gap.add((f.get("name"), int(pid)))
    print(f"system: augenrules reloaded the kernel's rules (-D, then add) from "
          f"{gap[0] - boot - 1:.2f} s to {gap[1] - boot - 1:.2f} s after boot; calls in that gap "
          f"have no kernel record: {' '.join(sorted(m for m, p in in_gap)) or 'none'}")
kernel_only = [r for r in rows if "kernel-only" in r["flags"]]
if kernel_only:
    fail("kernel-only rows (a load the shim missed): "
         + "; ".join(f"{r['module']} by {r['exe']}[{r['pid']}]" for r in kernel_only))
else:
    ok(f"report: {len(rows)} rows, none kernel-only")
us_only = [r for r in rows if "userspace-only" in r["flags"]]
us_late = [r for r in us_only if (rules_loaded is None or r["epoch"] >= rules_loaded)
           and (r["module"], r["pid"]) not in in_gap]
if us_late:
    fail("userspace-only rows after the kernel's rules were loaded: "
         + "; ".join(f"{r['module']} by {r['exe']}[{r['pid']}]" for r in us_late))
else:
    print(f"system: report: {len(us_only)} userspace-only rows, each before the kernel's module "
          "rules were loaded or in augenrules' reload gap")

# The side-by-side table.
not1to1 = []
print("----- side by side: loads after the root was mounted, kernel vs ours -----")
print(f"{'MODULE':<24} {'KERNEL':>6} {'OURS':>4} {'VIA':<8} LOADER")
for m in later:
    rs = [r for r in rows if r["module"] == m and r["op"] == "load" and r["exit"] == 0]
    k = sum("kernel" in r["sources"] for r in rs)
    gapped = any(g == m for g, p in in_gap)
    if m not in off_loads and ((k != 1 and not (k == 0 and gapped)) or len(per.get(m, [])) != 1):
        not1to1.append(m)
    vias = ",".join(f.get("via", "?") for t, f in per.get(m, [])) or (
        "syslog (audit off)" if m in off_loads else "")
    loader = ",".join(f"{f.get('comm', '?')}[{f.get('pid', '?') if 'pid' in f else '?'}]"
                      for t, f in per.get(m, []))
    if rs:
        loader = ",".join(f"{r['exe']}({r['comm']})[{r['pid']}]" for r in rs)
    print(f"{m:<24} {k:>6} {len(per.get(m, [])):>4} {vias:<8} {loader}")
print("-----")
if not1to1:
    fail(f"not one kernel record and one of ours: {' '.join(not1to1)}")
else:
    ok(f"the kernel's records and ours 1:1 for all {len(later)} loads after the root was mounted")

# The upgrade under the running system (the same .debs again) and the purge at its end.
reinstall = read("reinstall.log") or ""
pre = read("ld.so.preload-reinstalled") or ""
if reinstall.rstrip().endswith("exit 0") and "/libkmodaudit.so" in pre:
    ok("the packages reinstalled over the running system, the preload entry kept")
else:
    fail(f"reinstall: {reinstall.strip()[-300:]!r}, ld.so.preload then {pre.strip()!r}")
purge = read("purge.log") or ""
purged = read("ld.so.preload-purged") or ""
if purge.rstrip().endswith("exit 0") and "libkmodaudit" not in purged:
    ok("dpkg --purge of both packages: exit 0, no entry left in /etc/ld.so.preload")
else:
    fail(f"purge: {purge.strip()[-300:]!r}, ld.so.preload then {purged.strip()!r}")

# The third boot: the purged system comes up and stops cleanly, nothing of the shim left.
OUT3 = os.path.join(W, "out3")
journal3 = read("journal.txt", OUT3)
console3 = (read("console3.log", W) or "").replace("\r", "")
if journal3 is None:
    fail("the boot after the purge wrote no results: see its console above")
else:
    state3 = (read("system-state", OUT3) or "").strip()
    qexit3 = (read("qemu-exit", OUT3) or "").strip()
    shim3 = (read("maps-with-shim", OUT3) or "").split()
    dpkg3 = read("dpkg", OUT3) or ""
    lderr3 = [l for l in (console3 + journal3).splitlines()
              if re.search(r"ld\.so: object|cannot be preloaded|ERROR: ld\.so", l)]
    if state3 == "running" and "reboot: Power down" in console3 and qexit3 == "0":
        ok("the boot after the purge: running, powered off cleanly")
    else:
        fail(f"the boot after the purge: is-system-running {state3!r}, qemu exit {qexit3}, "
             f"'reboot: Power down' {'in' if 'reboot: Power down' in console3 else 'not in'} "
             "the console")
    if shim3 or lderr3 or "libkmodaudit" in (read("ld.so.preload", OUT3) or ""):
        fail(f"after the purge: processes mapping the shim {shim3[:5]}, ld.so errors "
             f"{lderr3[:3]}")
    else:
        ok("after the purge: no preload entry, no process maps the shim, no ld.so error")
    if re.search(r"^(lib)?kmodaudit(-kmod)? (ii|rc|ri)", dpkg3, re.M):
        fail(f"after the purge dpkg still has: {dpkg3.strip()!r}")
    else:
        ok("after the purge dpkg has none of the packages (not even config files)")
print(f"system: {fails} failure(s)")
sys.exit(1 if fails else 0)
