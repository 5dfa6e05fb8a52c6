# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report's BPF program rows beside the module rows: OP bpf, --op bpf keeps them alone
# and --op load only module loads, --explain gives each value's origin as for a module. The qemu
# bed's real log with, after it, a BPF program load as the kernel and the shim write one (the
# record forms of a real bpftool load here: AUDIT_BPF, the SYSCALL record of the `bpf a0=5` rule,
# our intent and result) and a load no emitter saw.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
vm=$(dirname "$0")/fixtures/vm-audit.log
[ -s "$vm" ] || kma_skip "no tests/report/fixtures/vm-audit.log"
command -v python3 >/dev/null || kma_skip "python3 missing"
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"

sec=$(($(sed -n 's/.*msg=audit(\([0-9]*\)\..*/\1/p' "$vm" | sort -n | sed -n '$p') + 5))
sha=59F4A931744DCDC62944A018ED3990E666EC6444616418D3B09A82DC5C753D52
body="seq=1 via=preload call=bpf prog_type=socket_filter prog_name=\"kma_sock\" insn_cnt=2 insns_sha256=$sha license=\"GPL\" prog_flags=0x0"
tail="ppid=500 comm=\"bpftool\" history=\"bpftool[501]<bash[500]<systemd[1]\" exe=\"/usr/sbin/bpftool\" hostname=? addr=? terminal=? res=success"
log=$work/bpf.log
{
	cat "$vm"
	echo "node=kma-vm type=USER msg=audit($sec.100:9001): pid=501 uid=0 auid=1000 ses=3 subj=unconfined msg='ver=2 op=bpf_prog_load_intent $body $tail'"
	echo "node=kma-vm type=BPF msg=audit($sec.104:9002): prog-id=77 op=LOAD"
	echo "node=kma-vm type=SYSCALL msg=audit($sec.104:9002): arch=c000003e syscall=321 success=yes exit=4 a0=5 a1=7ffd2a1c8f10 a2=90 a3=0 items=0 ppid=500 pid=501 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"bpftool\" exe=\"/usr/sbin/bpftool\" subj=unconfined key=\"bpf_prog_load\""
	echo "node=kma-vm type=PROCTITLE msg=audit($sec.104:9002): proctitle=627066746F6F6C"
	echo "node=kma-vm type=USER msg=audit($sec.108:9003): pid=501 uid=0 auid=1000 ses=3 subj=unconfined msg='ver=2 op=bpf_prog_load $body exit=4 prog_id=77 prog_tag=59f4a931744dcdc6 $tail'"
	echo "node=kma-vm type=BPF msg=audit($sec.200:9004): prog-id=78 op=LOAD"
	echo "node=kma-vm type=BPF msg=audit($sec.300:9005): prog-id=77 op=UNLOAD"
} >"$log"

json() { kma_report --json "$@" >"$work/rows.json"; }
py() {
	python3 - "$work/rows.json" <<PY || fail "$1"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
$2
PY
}

json --input "$vm"
base=$(grep -c '^{' "$work/rows.json")
json --input "$vm" --op load
base_loads=$(grep -c '^{' "$work/rows.json")
json --input "$log"
py "all rows" "
assert len(rows) == $base + 2, len(rows)
b = [r for r in rows if r.get('bpf')]
assert len(b) == 2 and all(r['op'] == 'bpf' and r['syscall'] == 'bpf' for r in b), b"

json --input "$log" --op bpf
py "--op bpf" "
assert len(rows) == 2 and all(r['op'] == 'bpf' and r.get('bpf') for r in rows), rows
by = {r['bpf']['prog_id']: r for r in rows}
assert by[77]['sources'] == ['kernel', 'preload'] and by[77]['flags'] == [], by[77]
assert by[77]['bpf']['prog_name'] == 'kma_sock' and by[77]['bpf']['unloaded'], by[77]
assert by[78]['sources'] == ['kernel'] and by[78]['flags'] == ['kernel-only'], by[78]
o = by[77]['origin']
assert (o['pid'], o['uid'], o['exe'], o['syscall']) == ('kernel',) * 4, o
assert (o['module'], o['sha256']) == ('self', 'self'), o"
json --input "$log" --op load
py "--op load" "
assert len(rows) == $base_loads and not any(r.get('bpf') or r['op'] != 'load' for r in rows)"
json --input "$log" --op load --op bpf
py "--op load --op bpf" "assert len(rows) == $base_loads + 2, len(rows)"
json --input "$vm" --op bpf
py "--op bpf, no BPF rows" "assert rows == [], rows"
kma_report --input "$log" --op bpf --raw -n -o op,module >"$work/raw.txt"
[ "$(cut -d' ' -f2 "$work/raw.txt" | sort -u)" = bpf ] || fail "OP column: $(cat "$work/raw.txt")"
echo "ok: --op bpf keeps the BPF rows, --op load the module loads, OP says bpf"

# --explain: the op, each value's origin, the witness, the records.
kma_report --explain --op bpf --input "$log" >"$work/explain.txt"
awk '/serial 9002: bpf/ { on = 1 } on && /^$/ { exit } on' "$work/explain.txt" >"$work/one.txt"
[ -s "$work/one.txt" ] || fail "explain: no 'serial 9002: bpf' row: $(cat "$work/explain.txt")"
for want in 'witness  self' 'module   kma_sock \(socket_filter, id 77\) +self' 'syscall  bpf +kernel' \
	'pid      501 +kernel' 'uid      0 +kernel' 'exe      /usr/sbin/bpftool +kernel' \
	"sha256   $sha self" 'exit     success +self' 'sources  kernel,preload'; do
	grep -E "^  $want" "$work/one.txt" >/dev/null || fail "explain: no '$want': $(cat "$work/one.txt")"
done
grep 'serial 9004: bpf' "$work/explain.txt" >/dev/null || fail "explain: the kernel-only load"
# and the records that made the row, ours and the kernel's, in order, decoded
grep 'records  4 events, in order, decoded' "$work/one.txt" >/dev/null || fail "explain: no records"
order=$(grep -o 'op=bpf_prog_load_intent\|type=BPF.*op=[A-Z]*\|type=SYSCALL\|op=bpf_prog_load ' \
	"$work/one.txt" | sed 's/ .* / /' | tr '\n' '|')
[ "$order" = "op=bpf_prog_load_intent|type=BPF op=LOAD|type=SYSCALL|op=bpf_prog_load |type=BPF op=UNLOAD|" ] ||
	fail "explain: records out of order or missing: $order"
grep 'type=SYSCALL .* syscall=bpf ' "$work/one.txt" >/dev/null || fail "explain: syscall not decoded"
grep ' prog_name=kma_sock ' "$work/one.txt" >/dev/null || fail "explain: prog_name not decoded"
echo "ok: --explain shows BPF rows' origins and records"
echo PASS
