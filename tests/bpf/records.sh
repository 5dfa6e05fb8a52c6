#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# BPF programs loaded on this host's kernel by loaders no one here wrote (bpftool through
# libbpf, python3 ctypes), under the shim, read back from the real auditd beside the kernel's
# own AUDIT_BPF records (type 1334, written whenever audit is on): every kernel LOAD of these
# loaders has exactly one result record of ours with the same prog id, and type, name and
# instruction count as the loader knows them; the hash is checked here from the bytes handed
# over (the object's section, the ctypes buffer). The pinned program's UNLOAD is the kernel's.
set -o pipefail
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
audit_setup
for tool in bpftool clang llvm-objcopy sha256sum; do
	command -v $tool >/dev/null || kma_skip "$tool missing"
done
py=/usr/bin/python3
tmp=$(mktemp -d)
pin=/sys/fs/bpf/kma-test-$$
kma_on_exit "rm -rf '$tmp'; rm -f '$pin'"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || kma_skip "no bpffs"

clang -O2 -target bpf -c "$KMODAUDIT_SRC/tests/bpf/prog.bpf.c" -o "$tmp/prog.o" ||
	kma_skip "clang cannot build BPF objects (libbpf-dev?)"
# what libbpf hands the kernel: the section's bytes (no relocation in this program)
llvm-objcopy -O binary --only-section=socket "$tmp/prog.o" "$tmp/insns.bin"
obj_sha=$(sha256sum "$tmp/insns.bin" | awk '{print toupper($1)}')
obj_cnt=$(($(stat -c %s "$tmp/insns.bin") / 8))

mark=$(audit_mark)
shim_run bpftool prog load "$tmp/prog.o" "$pin" || fail "bpftool prog load under the shim"
bpftool -j prog show pinned "$pin" >"$tmp/show.json" || fail "bpftool prog show"
tool_id=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/show.json")
shim_run "$py" "$KMODAUDIT_SRC/tests/bpf/ctypes-load.py" ok kma_ctypes_rec >"$tmp/ctypes.json" ||
	fail "ctypes loader under the shim"
py_id=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["prog_id"])' "$tmp/ctypes.json")
py_sha=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["insns_sha256"])' "$tmp/ctypes.json")
# a loader outside the shim: the kernel's LOAD alone (kernel-only in the report)
"$py" "$KMODAUDIT_SRC/tests/bpf/ctypes-load.py" ok kma_bare >"$tmp/bare.json" || fail "bare loader"
bare_id=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["prog_id"])' "$tmp/bare.json")
# a static loader (raw syscall): under kmodaudit trace, and alone (kernel-only)
static=$KMODAUDIT_BUILD/tests/bpf/bpf-static-load
st_id= st_bare_id=
if [ -x "$static" ]; then
	st_id=$("$KMODAUDIT_BUILD/src/kmodaudit" trace -- "$static" kma_static_tr) ||
		fail "static loader under trace"
	st_bare_id=$("$static" kma_static) || fail "static loader"
	# the 24 bytes it hands over: mov r0, 1; mov r0, 0; exit
	st_sha=$("$py" -c 'import hashlib,struct; print(hashlib.sha256(struct.pack("<3Q", 0x1000000b7, 0xb7, 0x95)).hexdigest().upper())')
fi
rm -f "$pin" # the last reference: the kernel's UNLOAD
sleep 0.5    # the program is freed from an RCU callback: the UNLOAD comes a little later

# the kernel's records and ours, once auditd has written them
for ((i = 0; i < 50; i++)); do
	# shellcheck disable=SC2086
	kernel=$(LC_ALL=C ausearch --input-logs --start $mark -m BPF --format raw 2>/dev/null || true)
	# shellcheck disable=SC2086
	ours=$(LC_ALL=C ausearch --input-logs --start $mark -m USER --format raw 2>/dev/null |
		grep -a " msg='ver=[0-9]* op=bpf_prog_load " || true)
	grep "prog-id=$tool_id op=UNLOAD" <<<"$kernel" >/dev/null &&
		grep "prog_id=$py_id " <<<"$ours" >/dev/null &&
		grep "prog-id=${st_bare_id:-$py_id} op=LOAD" <<<"$kernel" >/dev/null && break
	sleep 0.2
done
failures=0
bad() {
	echo "  MISMATCH: $*" >&2
	failures=$((failures + 1))
}

# check ID TYPE NAME CNT SHA [VIA]: the kernel's LOAD of ID and the one result record of ours
check() {
	local id=$1 via=${6:-preload} line n
	grep "prog-id=$id op=LOAD" <<<"$kernel" >/dev/null || bad "no kernel LOAD record for prog $id"
	n=$(grep -c " prog_id=$id " <<<"$ours" || true)
	[ "$n" = 1 ] || { bad "$n result records for prog $id"; return; }
	line=$(grep " prog_id=$id " <<<"$ours")
	for f in "prog_type $2" "prog_name $3" "insn_cnt $4" "insns_sha256 $5" "call bpf" \
		"via $via" "license GPL"; do
		set -- $f
		[ "$(audit_field "$line" "$1")" = "$2" ] ||
			bad "prog $id: $1=$(audit_field "$line" "$1"), expected $2"
	done
	audit_field "$line" anomaly >/dev/null && bad "prog $id: anomaly=$(audit_field "$line" anomaly)"
	echo "prog $id: $(audit_payload "$line" | cut -c1-160)..."
}
check "$tool_id" socket_filter kma_sock "$obj_cnt" "$obj_sha"
check "$py_id" socket_filter kma_ctypes_rec 2 "$py_sha"
[ -n "$st_id" ] && check "$st_id" socket_filter kma_static_tr 3 "$st_sha" trace
grep "prog-id=$tool_id op=UNLOAD" <<<"$kernel" >/dev/null || bad "no kernel UNLOAD of prog $tool_id"

# every load of ours that succeeded is one of the kernel's (bpftool's feature probes too)
while read -r id; do
	grep "prog-id=$id op=LOAD" <<<"$kernel" >/dev/null || bad "our prog_id=$id: no kernel LOAD"
done < <(grep -o " prog_id=[0-9]*" <<<"$ours" | cut -d= -f2)

# kmodaudit report: one row per program, joined to the kernel's LOAD (and UNLOAD) by id
for ((i = 0; i < 50; i++)); do
	# shellcheck disable=SC2086
	LC_ALL=C ausearch --input-logs --start $mark -m BPF --format raw 2>/dev/null |
		grep "prog-id=$bare_id op=LOAD" >/dev/null && break
	sleep 0.2
done
# exit 3: flagged rows were printed (the kernel-only programs here)
rc=0
"$KMODAUDIT_BUILD/src/kmodaudit" report --json --since "$mark" >"$tmp/report.json" || rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || fail "kmodaudit report: exit $rc"
"$py" - "$tmp/report.json" "$tool_id" "$py_id" "$bare_id" "${st_id:-0}" "${st_bare_id:-0}" <<'PY' ||
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
tool, ours, bare, st, st_bare = (int(x) for x in sys.argv[2:7])
by = {}
for r in rows:
    if r.get("bpf") and r["bpf"]["prog_id"] is not None:
        by.setdefault(r["bpf"]["prog_id"], []).append(r)
bad = []
for pid, name, flags, sources in ((tool, "kma_sock", [], ["kernel", "preload"]),
                                  (ours, "kma_ctypes_rec", [], ["kernel", "preload"]),
                                  (bare, None, ["kernel-only"], ["kernel"]),
                                  (st, "kma_static_tr", [], ["kernel", "trace"]),
                                  (st_bare, None, ["kernel-only"], ["kernel"])):
    if not pid:
        continue
    rs = by.get(pid, [])
    if len(rs) != 1:
        bad.append(f"prog {pid}: {len(rs)} rows")
        continue
    r = rs[0]
    if r["bpf"]["prog_name"] != name or r["flags"] != flags or r["sources"] != sources:
        bad.append(f"prog {pid}: {r['bpf']} flags={r['flags']} sources={r['sources']}")
    if r["syscall"] != "bpf" or r["outcome"] != "success":
        bad.append(f"prog {pid}: syscall={r['syscall']} outcome={r['outcome']}")
if by.get(tool) and not by[tool][0]["bpf"]["unloaded"]:
    bad.append(f"prog {tool}: no unload time (the kernel's UNLOAD)")
for b in bad:
    print("  report:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
	bad "report rows"
# --op bpf: these programs' rows alone, OP bpf; --op load: no program's row
rc=0
"$KMODAUDIT_BUILD/src/kmodaudit" report --json --op bpf --since "$mark" >"$tmp/op-bpf.json" || rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || fail "kmodaudit report --op bpf: exit $rc"
rc=0
"$KMODAUDIT_BUILD/src/kmodaudit" report --json --op load --since "$mark" >"$tmp/op-load.json" || rc=$?
[ $rc = 0 ] || [ $rc = 3 ] || fail "kmodaudit report --op load: exit $rc"
"$py" - "$tmp/report.json" "$tmp/op-bpf.json" "$tmp/op-load.json" "$tool_id" "$py_id" "$bare_id" <<'PY' ||
import json, sys
rows, op_bpf, op_load = ([json.loads(l) for l in open(f)] for f in sys.argv[1:4])
ids = {int(x) for x in sys.argv[4:7]}
assert all(r.get("bpf") and r["op"] == "bpf" for r in op_bpf), op_bpf
assert len(op_bpf) == sum(1 for r in rows if r.get("bpf")), (len(op_bpf), rows)
assert ids <= {r["bpf"]["prog_id"] for r in op_bpf}, (ids, op_bpf)
assert not any(r.get("bpf") for r in op_load), op_load
PY
	bad "report --op bpf / --op load"
[ "$failures" = 0 ] || fail "$failures mismatches"
echo "PASS"
