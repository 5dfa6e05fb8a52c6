#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Load: 10,000 intercepted calls through the shim from 16 threads in each of 5 processes
# (forked while the parent's threads are inside the shim): tests/hardening/kma-stress.
# Half are delete_module (one record each), half finit_module on a signed module (intent and
# result). Records go to the JSON-lines file sink only (audit is refused in a user namespace:
# 15,000 records would rotate auditd's logs under the other tests' feet). Checks: no deadlock
# (bounded by a timeout), exactly the records of every call (none lost, none twice, intent
# and result of a load share their seq), no fd left behind in the process.
. "$KMODAUDIT_SRC/tests/hardening/lib.sh"
command -v unshare >/dev/null && unshare -U -r true 2>/dev/null || kma_skip "no user namespaces"
command -v openssl >/dev/null || kma_skip "openssl missing"
STRESS=$HBIN/kma-stress
[ -x "$STRESS" ] || { echo "FAIL: kma-stress not built"; exit 1; }
PROCS=${KMA_STRESS_PROCS:-5} THREADS=${KMA_STRESS_THREADS:-16} CALLS=${KMA_STRESS_CALLS:-125}

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=kmodaudit load tests" 2>/dev/null ||
	kma_skip "openssl cannot make a certificate"
python3 "$KMODAUDIT_SRC/tests/hardening/mkko.py" "$dir/stress.ko" --name-hex "$(hex stress)" \
	--modinfo-hex "license=$(hex GPL)" --sign-cms "$dir/cert.pem" "$dir/key.pem" ||
	fail "cannot craft the module"
conf_file "$dir/conf" "[sinks]" "fallback=none" "file=$dir/records.json"

start=$(date +%s%N)
out=$(KMODAUDIT_CONFIG=$dir/conf timeout 240 unshare -U -r "${SHIM_ENV[@]}" \
	"$STRESS" "$PROCS" "$THREADS" "$CALLS" "$dir/stress.ko" 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
echo "kma-stress $PROCS processes x $THREADS threads x $CALLS calls: rc=$rc in $ms ms: $out"
[ $rc = 124 ] && fail "deadlock: not done after 240 s"
[ $rc = 0 ] || fail "kma-stress failed (rc=$rc)"
before=$(sed -n 's/.*fds_before=\([0-9-]*\).*/\1/p' <<<"$out")
after=$(sed -n 's/.*fds_after=\([0-9-]*\).*/\1/p' <<<"$out")
[ -n "$before" ] && [ "$before" = "$after" ] || fail "fds: $before before, $after after"

python3 - "$dir/records.json" "$PROCS" "$THREADS" "$CALLS" <<'PY' || fails=$((fails + 1))
import collections, json, sys
path, procs, threads, calls = sys.argv[1], *map(int, sys.argv[2:])
recs = [json.loads(l) for l in open(path, "rb")]
seen = collections.defaultdict(list)
for r in recs:
    key = r.get("name") if r["op"] == "kmod_unload" else r.get("args")
    seen[key].append(r)
problems = []
expected = 0
for p in range(procs):
    for t in range(threads):
        for i in range(calls):
            key = "stress_%d_%d_%d" % (p, t, i)
            got = seen.pop(key, [])
            if i % 2 == 0:
                expected += 1
                ok = [r["op"] for r in got] == ["kmod_unload"]
            else:
                expected += 2
                ops = sorted(r["op"] for r in got)
                ok = ops == ["kmod_load", "kmod_load_intent"] and got[0]["seq"] == got[1]["seq"]
            if not ok:
                problems.append("%s: %s" % (key, [(r["op"], r["seq"]) for r in got]))
lost = expected - (len(recs) - sum(len(v) for v in seen.values()))
print("records: %d expected, %d in the file, %d calls wrong, %d records for no call"
      % (expected, len(recs), len(problems), sum(len(v) for v in seen.values())))
for p in problems[:10]:
    print("FAIL: " + p)
if seen:
    print("FAIL: records of calls never made: %s" % list(seen)[:5])
sys.exit(1 if problems or seen or len(recs) != expected else 0)
PY
finish "$((PROCS * THREADS * CALLS)) calls, every record once, no deadlock, no fd left"
