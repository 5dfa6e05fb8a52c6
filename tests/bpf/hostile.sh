#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bpf(BPF_PROG_LOAD) with hostile input, through python3 ctypes (a loader no one here wrote),
# with and without the shim: the kernel's answer (fd or errno) must be the same, nothing may
# crash, and the record must say what it could not read (anomaly=truncated_read, no hash)
# rather than state it. Records go to a file sink: no audit state needed.
# Usage: hostile.sh [preload|trace]: the loader under the shim (default) or kmodaudit trace.
set -o pipefail
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
[ "$(id -u)" = 0 ] || kma_skip "needs root to load BPF programs"
py=/usr/bin/python3
loader=$KMODAUDIT_SRC/tests/bpf/ctypes-load.py
"$py" "$loader" ok >/dev/null 2>&1 || kma_skip "this kernel loads no BPF program here"
via=${1:-preload}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

failures=0
for mode in ok small large large-junk insns-bad insns-part insn-huge name-nonul attr-bad log; do
	d=$tmp/$mode
	mkdir -p "$d"
	conf=$(file_sink_conf "$d")
	plain=$("$py" "$loader" "$mode") || fail "$mode: the loader failed without the shim"
	if [ "$via" = trace ]; then
		ours=$(KMODAUDIT_CONFIG=$conf "$KMODAUDIT_BUILD/src/kmodaudit" trace -- "$py" "$loader" "$mode") ||
			fail "$mode: the loader failed under kmodaudit trace"
	else
		ours=$(KMODAUDIT_CONFIG=$conf shim_run "$py" "$loader" "$mode") ||
			fail "$mode: the loader failed under the shim (crash?)"
	fi
	"$py" - "$mode" "$plain" "$ours" "$d/records.json" "$via" <<'PY' || failures=$((failures + 1))
import json, sys
mode, plain, ours, path = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
via = sys.argv[5]
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
# the kernel's answer, unchanged
want((plain["fd"] >= 0) == (ours["fd"] >= 0) and plain["errno"] == ours["errno"],
     f"kernel answer changed: {plain['fd']}/{plain['errno']} -> {ours['fd']}/{ours['errno']}")
want(plain.get("log_true_size") == ours.get("log_true_size") and plain.get("log") == ours.get("log"),
     f"log_true_size {plain.get('log_true_size')} -> {ours.get('log_true_size')}")
recs = [json.loads(l) for l in open(path)]
res = [r for r in recs if r.get("op") == "bpf_prog_load"]
intent = [r for r in recs if r.get("op") == "bpf_prog_load_intent"]
want(len(res) == 1 and len(intent) == 1, f"{len(intent)} intent, {len(res)} result records")
if res:
    r = res[0]
    want(r["exit"] == (ours["fd"] if ours["fd"] >= 0 else -ours["errno"]), f"exit={r['exit']}")
    want(r["call"] == "bpf" and r["via"] == via, f"call/via {r['call']}/{r['via']}")
    complete = mode in ("ok", "small", "large", "large-junk", "name-nonul", "log")
    if complete:
        want(r["insns_sha256"] == ours["insns_sha256"], f"insns_sha256={r['insns_sha256']}")
        want("anomaly" not in r, f"anomaly={r.get('anomaly')}")
        want(r["prog_type"] == "socket_filter", f"prog_type={r['prog_type']}")
        want(r["insn_cnt"] == ours["insn_cnt"], f"insn_cnt={r['insn_cnt']}")
        want(r["prog_name"] == ours["prog_name"], f"prog_name={r['prog_name']!r}")
        want(r["license"] == "GPL", f"license={r['license']}")
    else:
        want(r["insns_sha256"] is None, f"insns_sha256={r['insns_sha256']} of unread bytes")
        want(r.get("anomaly") == "truncated_read", f"anomaly={r.get('anomaly')}")
    if mode == "attr-bad":
        want(r["prog_type"] is None and r["prog_name"] is None, "fields of an unread block")
    if mode == "insn-huge":
        want(r["insn_cnt"] == 0x7FFFFFFF, f"insn_cnt={r['insn_cnt']}")
    if ours["fd"] >= 0:
        want(r.get("prog_id") == ours["prog_id"] and r.get("prog_tag") == ours["prog_tag"],
             f"prog_id/tag {r.get('prog_id')}/{r.get('prog_tag')}, kernel {ours['prog_id']}/{ours['prog_tag']}")
    else:
        want("prog_id" not in r, "a prog_id for a failed load")
for b in bad:
    print(f"  {mode}: {b}", file=sys.stderr)
print(f"{mode}: kernel {ours['fd']}/{ours['errno']}: {'ok' if not bad else 'FAILED'}")
sys.exit(1 if bad else 0)
PY
done
[ "$failures" = 0 ] || fail "$failures modes"
echo "PASS"
