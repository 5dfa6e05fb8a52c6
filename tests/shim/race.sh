# SPDX-License-Identifier: LGPL-2.1-or-later
# What the record names must be what the kernel gets, whatever another thread does to the
# caller's memory once the shim has read it. kma-race stops the call at
# the system call itself (a seccomp user notification, after the shim's read and intent record),
# rewrites the caller's memory there and lets the kernel go on:
#   - delete_module of 55 'X' (the longest name a kernel looks up), then of 63 (longer than any
#     kernel reads), rewritten to "crc16": the kernel must read the name the record gives (the
#     shim's copy); before the fix it got the caller's pointer, "crc16";
#   - init_module whose last page is unreadable, the readable prefix ts_bm, the whole replaced by
#     bch: the kernel reads the caller's memory (its EFAULT is its own to give), so the record
#     must state nothing of the prefix (no name, hash, signature, modinfo), only the length and
#     truncated_read; before the fix it said name=ts_bm with ts_bm's signer.
# Here module calls answer ENOSYS; the qemu bed's shim-unload-race and shim-partial-image
# scenarios make the same calls against a real kernel.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
conf=$(file_sink_conf "$tmp")
RACE=$TESTS_BIN/kma-race
bait=$MODDIR/kernel/lib/ts_bm.ko
real=$MODDIR/kernel/lib/bch.ko

# unload LEN: "PID KERNEL_READ" of kma-race unload crc16 LEN
unload() {
	local out rc=0
	out=$(KMODAUDIT_CONFIG=$conf shim_run "$RACE" unload crc16 "$1") || rc=$?
	[ "$rc" = 77 ] && kma_skip "$out"
	[ "$rc" = 0 ] || fail "kma-race unload: exit $rc: $out"
	echo "$out" >&2
	echo "$(sed -n 's/^pid=\([0-9]*\) syscall=delete_module .*/\1/p' <<<"$out")" \
		"$(sed -n 's/^kernel_read=//p' <<<"$out")"
}
unload 55 >"$tmp/u55"
unload 63 >"$tmp/u63"
read -r upid kernel <"$tmp/u55"
read -r upid2 kernel2 <"$tmp/u63"

rc=0
out=$(KMODAUDIT_CONFIG=$conf shim_run "$RACE" init "$bait" "$real") || rc=$?
[ "$rc" = 0 ] || fail "kma-race init: exit $rc: $out"
echo "$out"
grep -q '^kernel_ptr=caller ' <<<"$out" || fail "the kernel did not get the caller's image: $out"
ipid=$(sed -n 's/^pid=\([0-9]*\) syscall=init_module .*/\1/p' <<<"$out")

python3 - "$tmp/records.json" "$ipid" "$(stat -c %s "$real")" "$upid" "$kernel" "$upid2" \
	"$kernel2" <<'PY'
import json, re, sys
path, ipid, size = sys.argv[1:4]
unloads = list(zip(sys.argv[4::2], sys.argv[5::2]))
recs = [json.loads(l) for l in open(path, 'rb')]
def of(pid):
    return [r for r in recs if re.match(r'[^<]*\[%s\]' % pid, r.get('history') or '')]
bad = []
for upid, kernel in unloads:
    unl = of(upid)
    # the name a kernel looks up: at most 55 bytes of what it read
    if len(unl) != 1 or unl[0]['op'] != 'kmod_unload':
        bad.append(f'unload: {len(unl)} records: {unl}')
    elif unl[0].get('name') != kernel[:55]:
        bad.append(f'unload: the record names {unl[0].get("name")!r}, the kernel read {kernel!r}')
loads = of(ipid)
if [r['op'] for r in loads] != ['kmod_load_intent', 'kmod_load']:
    bad.append(f'init: records {[r["op"] for r in loads]}')
facts = ('name', 'modinfo_name', 'sha256', 'signer', 'sig_key', 'sig_hashalgo', 'vermagic',
         'srcversion', 'version', 'license', 'intree', 'compression')
for r in loads:
    stated = {k: r[k] for k in facts if r.get(k) is not None}
    # the signature type, whatever its v1/v2 field name: unknown too
    stated.update({k: r[k] for k in ('sig', 'sig_type') if r.get(k) is not None})
    if stated:
        bad.append(f'{r["op"]} states contents of a prefix the kernel did not get: {stated}')
    if 'truncated_read' not in (r.get('anomaly') or '').split(','):
        bad.append(f'{r["op"]}: anomaly={r.get("anomaly")}, truncated_read expected')
    if str(r.get('size')) != size:
        bad.append(f'{r["op"]}: size={r.get("size")}, the caller passed {size}')
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
PY
echo "PASS: unloads name what the kernel read; a partly unreadable image states nothing of its prefix"
