# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report on the qemu test bed's log (tests/vm run.sh --write-fixture): Debian's kernel
# with module support, so KERN_MODULE records and successful loads. The expected counts are
# taken from the raw log with awk: every module syscall event of the kernel is one row with the
# kernel among its sources, every KERN_MODULE name is a row's module, the successes match.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
log=$(dirname "$0")/fixtures/vm-audit.log
[ -s "$log" ] || kma_skip "no tests/report/fixtures/vm-audit.log yet (tests/vm/run.sh --write-fixture)"
command -v python3 >/dev/null || kma_skip "python3 missing"

kma_report --input "$log"
kma_report --json --input "$log" >"${TMPDIR:-/tmp}/vm-rows.$$"
kma_on_exit "rm -f '${TMPDIR:-/tmp}/vm-rows.$$'"
python3 - "$log" "${TMPDIR:-/tmp}/vm-rows.$$" "$KMODAUDIT_SRC/tests/vm/scenarios.sh" <<'PY'
import json, os, re, sys
text = open(sys.argv[1], errors="replace").read().splitlines()
rows = [json.loads(l) for l in open(sys.argv[2])]
calls = {"c000003e": {"175": "init_module", "313": "finit_module", "176": "delete_module"},
         "40000003": {"128": "init_module", "350": "finit_module", "129": "delete_module"}}
kernel, ok, names = 0, 0, set()
for l in text:
    m = re.search(r"type=SYSCALL .*arch=(\w+) syscall=(\d+) .*exit=(-?\d+)", l)
    if m and calls.get(m.group(1), {}).get(m.group(2)):
        kernel += 1
        ok += m.group(3) == "0"
    m = re.search(r"type=KERN_MODULE .*name=(\"[^\"]*\"|[0-9A-F]+)", l)
    if m:
        v = m.group(1)
        raw = v[1:-1].encode() if v.startswith('"') else bytes.fromhex(v)
        try:
            names.add(raw.decode("utf-8"))
        except UnicodeDecodeError:  # given in hex, key listed in "hex"
            names.add(raw.hex().upper())
k_rows = [r for r in rows if "kernel" in r["sources"]]
assert len(k_rows) == kernel, (len(k_rows), kernel)
assert sum(1 for r in k_rows if r["exit"] == 0) == ok, ok
seen = {r["module"] for r in k_rows}  # the kernel's name where it wrote one
assert names <= seen, names - seen
ours = sum(1 for l in text if re.search(r"msg='ver=\d+ op=kmod_(load|unload) ", l))
paired = [r for r in rows if len(r["sources"]) > 1]
print(f"{kernel} kernel events ({ok} ok), {len(names)} module names, {ours} results of ours, "
      f"{len(paired)} rows seen by both")
assert ours == 0 or paired, "our records never meet the kernel's"

# Per scenario: tests/vm/scenarios.sh says which emitter of ours records each one ("begin NAME
# EMITTER"), the log's marker records ("kmodaudit-vm scenario=NAME begin|end") say which serials
# are in it. Only the scenarios without an emitter (a static loader the shim cannot see, the
# plain transparency run) may give kernel-only rows; no row may be userspace-only or no_result,
# and every other row is the kernel's event joined by that emitter's record.
sys.path.insert(0, os.path.join(os.environ["KMODAUDIT_SRC"], "tests/report"))
import vmlog
emitter = vmlog.emitters(sys.argv[3])
scenarios = vmlog.Scenarios(text)
assert scenarios.spans, "no scenario markers in the log"
seen_none = set()
for r in rows:
    sc = scenarios.at(r["serial"])
    assert sc in emitter, ("row outside the scenarios of tests/vm/scenarios.sh", sc, r)
    bad = {"userspace-only", "no_result"} & set(r["flags"])
    assert not bad, (sc, r)
    if emitter[sc] == "none":
        assert r["sources"] == ["kernel"] and "kernel-only" in r["flags"], (sc, r)
        assert r["witness"] == "kernel-only" and set(r["origin"].values()) == {"kernel"}, (sc, r)
        seen_none.add(sc)
    else:
        # The kernel's event joined by the record of the scenario's emitter.
        assert len(r["sources"]) == 2 and r["sources"][0] == "kernel", (sc, r)
        assert r["sources"][1] == vmlog.VIA_OF[emitter[sc]], (sc, r)
        assert "kernel-only" not in r["flags"], (sc, r)
        # Real records agree with the kernel, and a real tracer passes as one.
        assert r["witness"] == ("trace" if r["sources"][1] == "trace" else "self"), (sc, r)
        assert not r["mismatch"] and not [f for f in r["flags"] if f.startswith("trace_") or
                                          f.endswith("_mismatch") and f != "name_mismatch"], (sc, r)
assert "static-unseen" in seen_none, "the raw busybox loads left no kernel-only row"
print(f"{len(scenarios.spans)} scenarios; kernel-only only in {sorted(seen_none)}")
PY
echo PASS
