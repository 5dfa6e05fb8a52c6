# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report on a large log: the real logs of fixtures/ replicated (tests/report/replicate:
# pids, times and serials shifted; copies of different pid groups overlap in time, copies of one
# group reuse its pids later), about 25,000 module events. Every copy must come out as the log
# itself does (what variants.sh and vm.sh establish from the raw logs): the same rows, each
# joined with its own copy's records and no other's. Speed is bench/report-scale's business.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
command -v python3 >/dev/null || kma_skip "python3 missing"

fixtures=$(dirname "$0")/fixtures
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"

# check LOG COPIES GROUPS: replicate LOG, report it, hold every row against its copy.
check() {
	local log=$1 copies=$2 groups=$3
	"$(dirname "$0")/replicate" "$log" "$copies" "$groups" >"$work/big.log"
	kma_report --json --input "$work/big.log" >"$work/rows.json"
	python3 - "$log" "$work/rows.json" "$copies" "$groups" \
		"$KMODAUDIT_SRC/tests/vm/scenarios.sh" <<'PY' || fail "$(basename "$log") x $copies"
import collections, json, os, re, sys
PID_STEP, TIME_STEP, SERIAL_STEP = 100000, 1000, 1000000  # as tests/report/replicate has them
text = open(sys.argv[1], errors="replace").read().splitlines()
rows = [json.loads(l) for l in open(sys.argv[2])]
copies, groups = int(sys.argv[3]), int(sys.argv[4])

# From the raw log: the kernel's module syscall events, our result records, the first time.
calls = {"175": "init_module", "313": "finit_module", "176": "delete_module"}
kernel = [l for l in text if re.search(r"type=SYSCALL .*syscall=(175|176|313) ", l) or
          re.search(r"type=SYSCALL .*arch=40000003 syscall=(128|129|350) ", l)]  # i386
ours = [l for l in text if re.search(r"msg='ver=\d+ op=kmod_(load|unload) ", l)]
t0 = min(int(m.group(1)) for m in (re.search(r"msg=audit\((\d+)\.", l) for l in text) if m)
assert kernel, "no kernel events in the fixture"

# The scenarios of the qemu bed's log (see vm.sh); a log without markers is one scenario whose
# emitters are the vias of its records.
sys.path.insert(0, os.path.join(os.environ["KMODAUDIT_SRC"], "tests/report"))
import vmlog
emitter = vmlog.emitters(sys.argv[5])
scenarios = vmlog.Scenarios(text)
def vias_of(serial):
    if not scenarios.spans:
        return None
    sc = scenarios.at(serial)
    return set() if emitter[sc] == "none" else {vmlog.VIA_OF[emitter[sc]]}

assert len(rows) == copies * len(kernel), (len(rows), copies, len(kernel))
per_copy = collections.defaultdict(list)
for r in rows:
    c, serial = divmod(r["serial"], SERIAL_STEP)
    assert 0 <= c < copies, r
    dp, dt = (c % groups) * PID_STEP, (c // groups) * TIME_STEP
    # Joined within its own copy: the caller's pid and the time are that copy's.
    assert r["pid"] is None or r["pid"] // PID_STEP == c % groups, r
    assert (int(r["epoch"]) - t0) // TIME_STEP == c // groups, r
    assert "userspace-only" not in r["flags"] and "no_result" not in r["flags"], r
    vias = vias_of(serial)
    if vias is None:  # every call of this log was seen by the kernel and one emitter
        assert len(r["sources"]) == 2 and r["sources"][0] == "kernel", r
    elif not vias:
        assert r["sources"] == ["kernel"] and "kernel-only" in r["flags"], r
    else:  # the scenario's emitter
        assert len(r["sources"]) == 2 and r["sources"][0] == "kernel", r
        assert r["sources"][1] in vias and "kernel-only" not in r["flags"], r
    per_copy[c].append((r["serial"] - c * SERIAL_STEP, round(r["epoch"] - dt, 3),
                        r["pid"] - dp if r["pid"] is not None else None, r["syscall"],
                        r["module"], r["origin"].get("module"), r["exit"],
                        tuple(r["sources"]), tuple(r["flags"]), r["witness"]))
# Paired exactly as one copy is, in every copy: the kernel's events all there, as many rows
# seen by both sides as the log has results of ours.
first = sorted(per_copy[0])
assert len(first) == len(kernel) and sum(len(x[7]) > 1 for x in first) == len(ours), first
for c in range(copies):
    assert sorted(per_copy[c]) == first, (c, set(per_copy[c]) ^ set(first))
print(f"{len(rows)} rows = {copies} copies x {len(kernel)} kernel events, "
      f"{len(ours)} results of ours joined in each")
PY
}

check "$fixtures/local-enosys.log" 300 75
[ -s "$fixtures/vm-audit.log" ] && check "$fixtures/vm-audit.log" 60 15
echo PASS
