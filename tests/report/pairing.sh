# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report when one call's kernel event is missing from the log (lost while the rules
# were reloaded, say): that row is left without the kernel, and every other call of the same
# loader keeps its own event, never the next one's. The qemu bed's real log: every loader of it
# with two or more module syscalls in a row loses each of its kernel events in turn (the named
# ones, the failed loads the kernel writes no KERN_MODULE name for, unloads that have no intent).
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
log=$(dirname "$0")/fixtures/vm-audit.log
[ -s "$log" ] || kma_skip "no tests/report/fixtures/vm-audit.log"
command -v python3 >/dev/null || kma_skip "python3 missing"
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"

# explain LOG: the rows of --explain as JSON lines: the row's serial, sources, flags, and the
# serials of the kernel's SYSCALL records and of our records it holds.
explain() {
	kma_report --explain --input "$1" >"$work/explain.txt"
	python3 - "$work/explain.txt" <<'PY'
import json, re, sys
rows, row = [], None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"node=\S+ .* serial (\d+): ", line)
    if m:
        row = {"serial": int(m.group(1)), "sources": [], "flags": [], "kernel": [], "ours": [],
               "intents": []}
        rows.append(row)
        continue
    m = re.match(r"  sources  (\S+)", line)
    if m:
        row["sources"] = m.group(1).split(",")
    m = re.match(r"  flag     ([^:]+):", line)
    if m:
        row["flags"].append(m.group(1))
    m = re.search(r"type=(SYSCALL|USER) msg=audit\([0-9.]+:(\d+)\)", line)
    if m:
        row["kernel" if m.group(1) == "SYSCALL" else "ours"].append(int(m.group(2)))
        if "op=kmod_load_intent " in line:
            row["intents"].append(int(m.group(2)))
for r in rows:
    print(json.dumps(r))
PY
}

explain "$log" >"$work/base.rows"
python3 - "$log" "$work/base.rows" "$work" <<'PY' >"$work/cases"
import json, re, sys
text = open(sys.argv[1], errors="replace").read().splitlines()
rows = [json.loads(l) for l in open(sys.argv[2])]
# The kernel's module syscalls (x86_64 and i386 numbers), by pid, in order.
calls = {"c000003e": ("175", "313", "176"), "40000003": ("128", "350", "129")}
events, named = {}, set()
for l in text:
    m = re.search(r"type=SYSCALL msg=audit\([0-9.]+:(\d+)\): arch=(\w+) syscall=(\d+) .* pid=(\d+) ", l)
    if m and m.group(3) in calls.get(m.group(2), ()):
        events.setdefault(int(m.group(4)), []).append(int(m.group(1)))
    m = re.search(r"type=KERN_MODULE msg=audit\([0-9.]+:(\d+)\)", l)
    if m:
        named.add(int(m.group(1)))
# In the log as it is, each row with our records holds one kernel event, after its intent (an
# unload has none) and before its result.
owner = {}
for r in rows:
    if r["ours"] and "kernel" in r["sources"]:
        assert len(r["kernel"]) == 1 and r["kernel"][0] < max(r["ours"]), r
        assert all(i < r["kernel"][0] for i in r["intents"]), r
        owner[r["kernel"][0]] = r["serial"]
runs = {p: s for p, s in events.items() if len(s) >= 2 and all(x in owner for x in s)}
longest = max(len(s) for s in runs.values())
assert longest >= 3, runs
assert any(x not in named for s in runs.values() for x in s), "no failed load without a name"
for pid, serials in sorted(runs.items()):
    for gone in serials:
        print(pid, gone, owner[gone], "named" if gone in named else "unnamed")
print(f"{len(runs)} loaders with 2 or more calls, up to {longest}", file=sys.stderr)
PY
[ -s "$work/cases" ] || fail "no loader with several calls in the fixture"

n=0 bad=0
while read -r pid gone row kind; do
	# The event's records all go (SYSCALL, KERN_MODULE, PROCTITLE...: one serial).
	grep -a -v "msg=audit([0-9.]*:$gone)" "$log" >"$work/gap.log"
	explain "$work/gap.log" >"$work/gap.rows"
	python3 - "$work/base.rows" "$work/gap.rows" "$gone" "$row" <<'PY' ||
import json, sys
base = {r["serial"]: r for r in map(json.loads, open(sys.argv[1]))}
gap = {r["serial"]: r for r in map(json.loads, open(sys.argv[2]))}
gone, row = int(sys.argv[3]), int(sys.argv[4])
assert gap.keys() == base.keys(), (set(gap) ^ set(base))
# The call whose event was lost: ours alone, flagged, holding no kernel event.
g = gap[row]
assert "kernel" not in g["sources"] and not g["kernel"], g
assert "userspace-only" in g["flags"], g
# Every other row as in the log as it is: its own kernel event, its own flags.
for s, b in base.items():
    if s != row:
        assert gap[s] == b, ("row", s, "was", b, "now", gap[s])
PY
		{
			echo "pid $pid without its $kind event $gone: rows changed" >&2
			bad=$((bad + 1))
		}
	n=$((n + 1))
done <"$work/cases"
[ "$bad" = 0 ] || fail "$bad of $n lost kernel events moved other rows' events"
echo "ok: $n kernel events lost one at a time, each leaves only its own row without the kernel"
echo PASS
