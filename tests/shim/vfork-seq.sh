# SPDX-License-Identifier: LGPL-2.1-or-later
# seq stays unique per process across a vfork child's module calls: the child
# runs in the parent's memory; before the fix it replaced the parent's core context, and the
# parent's next calls started again at seq=1 in the same pid. Every result record of one pid has
# its own seq, and every intent is followed by its result under the same seq. No real kernel
# needed (module calls answer ENOSYS here).
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf=$(file_sink_conf "$tmp")
tag=kmavf$$
out=$(KMODAUDIT_CONFIG=$conf shim_run "$TESTS_BIN/vfork-seq" "$tag") || fail "vfork-seq: $out"
python3 - "$tmp/records.json" "$tag" <<'PY'
import collections, json, re, sys
path, tag = sys.argv[1:]
recs = [json.loads(l) for l in open(path, 'rb')]
recs = [r for r in recs if tag in (r.get('name') or '') + (r.get('args') or '')]
by_pid = collections.defaultdict(list)
for r in recs:
    by_pid[int(re.match(r'[^<]*\[(\d+)\]', r['history']).group(1))].append(r)
bad = []
if len(recs) != 9 or len(by_pid) != 3:
    bad.append(f'{len(recs)} records of {len(by_pid)} processes, expected 9 of 3')
for pid, rs in sorted(by_pid.items()):
    seqs = [(r['op'], r['seq']) for r in rs]
    print(f'pid {pid}: ' + ' '.join(f'{op}:{s}' for op, s in seqs))
    results = [s for op, s in seqs if op != 'kmod_load_intent']
    if len(set(results)) != len(results):
        bad.append(f'pid {pid}: one seq for two calls: {seqs}')
    for i, (op, s) in enumerate(seqs):
        if op == 'kmod_load_intent' and seqs[i + 1:i + 2] != [('kmod_load', s)]:
            bad.append(f'pid {pid}: intent seq={s} not followed by its result: {seqs}')
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
PY
echo "PASS: seq unique per process across vfork and fork"
