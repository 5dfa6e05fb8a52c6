#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Docs cannot drift from --help: every option a subcommand's --help lists (long, and short
where --help gives one) is named in README's part about that subcommand and in kmodaudit(8)'s;
every option the synopsis lines name (README's `kmodaudit SUB [...]` lines, the man page's
SYNOPSIS) is one --help lists. --help/-h themselves are left out.
Usage: docs-options.py KMODAUDIT README MANPAGE"""
import re
import subprocess
import sys

kma, readme_path, man_path = sys.argv[1:4]
SUBS = ["inspect", "trace", "report", "check", "rules", "preload"]
SKIP = {"--help", "-h"}
OPT = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
problems = []


def help_options(sub):
    out = subprocess.run([kma, sub, "--help"], capture_output=True, text=True, check=True).stdout
    opts = set()
    for line in out.splitlines():
        m = re.match(r"^\s+(-.*?)(?:\s{2,}|$)", line)  # an option list line: "  -o, --output FILE  ..."
        if m:
            opts |= {o for o in OPT.findall(m.group(1))}
    return opts - SKIP


def readme_parts(text):
    """README's text about each subcommand: its '## kmodaudit SUB' section, or, in a section
    about several, the paragraphs from one starting with `kmodaudit SUB to the next such one."""
    parts = {s: "" for s in SUBS}
    cur = None
    for line in text.splitlines():
        m = re.match(r"^## kmodaudit (\w+)\b", line)
        p = re.match(r"^`kmodaudit (\w+)", line)
        if line.startswith("## "):
            cur = m.group(1) if m and m.group(1) in SUBS else None
        elif p and p.group(1) in SUBS:
            cur = p.group(1)
        if cur:
            parts[cur] += line + "\n"
    return parts


def man_text(raw):
    t = re.sub(r"\\f[BIRP]", "", raw).replace("\\-", "-")
    return t


def man_parts(text):
    """kmodaudit(8): each '.TP / .B SUB' entry of COMMANDS (and for preload its own section)."""
    parts = {s: "" for s in SUBS}
    cur = None
    lines = text.splitlines()
    section = None
    for i, line in enumerate(lines):
        if line.startswith(".SH"):
            section = line[4:].strip().strip('"')
            cur = "preload" if section == "PRELOAD" else None
        elif section == "COMMANDS" and line.startswith(".B ") and i and lines[i - 1] == ".TP":
            name = line[3:].strip()
            cur = name if name in SUBS else None
        if cur:
            parts[cur] += line + "\n"
    return parts, text.split(".SH SYNOPSIS", 1)[1].split(".SH", 1)[0]


def synopsis_options(text, sub):
    """Options on synopsis lines of SUB: README's 'kmodaudit SUB [...' lines (code blocks and
    inline), the man page's SYNOPSIS block of SUB."""
    opts = set()
    for m in re.finditer(r"kmodaudit %s(?: [a-z|]+)? (\[[^`\n]*)" % sub, text):
        opts |= set(OPT.findall(m.group(1)))
    return opts


readme = open(readme_path).read()
man = man_text(open(man_path).read())
rparts = readme_parts(readme)
mparts, msyn = man_parts(man)
# the man page's synopsis, one block per subcommand
msyn_sub = {}
cur = None
for line in msyn.splitlines():
    m = re.match(r"^\.B kmodaudit (\w+)", line)
    if m:
        cur = m.group(1)
    if line == ".br":
        cur = None
    if cur in SUBS:
        msyn_sub[cur] = msyn_sub.get(cur, "") + line + "\n"

for sub in SUBS:
    helped = help_options(sub)
    for opt in sorted(helped):
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), rparts[sub]):
            problems.append(f"README: kmodaudit {sub} {opt} (in --help) is not named")
        if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(opt), mparts[sub]):
            problems.append(f"kmodaudit(8): kmodaudit {sub} {opt} (in --help) is not named")
    for opt in sorted(synopsis_options(readme, sub) - helped - SKIP):
        problems.append(f"README: a synopsis of kmodaudit {sub} names {opt}, --help does not")
    for opt in sorted(set(OPT.findall(msyn_sub.get(sub, ""))) - helped - SKIP):
        problems.append(f"kmodaudit(8) SYNOPSIS: kmodaudit {sub} names {opt}, --help does not")
    print(f"{sub}: {len(helped)} options in --help checked")

for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
