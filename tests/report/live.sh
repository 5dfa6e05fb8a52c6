# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report on a log made here and now by auditd: kernel syscall rules (kmodaudit rules)
# plus our three emitters (shim, front end, tracer), a raw-syscall loader the shim does not see
# (kernel-only) and a load with the kernel rules removed (userspace-only). Expected values come
# from elsewhere: kmod's modinfo (signer), sha256sum, the pids the loaders really had.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"

B=$KMODAUDIT_BUILD
shim=$B/shim/libkmodaudit.so
impl=$B/src/libkmodaudit-impl.so
front=$B/wrappers/insmod
for f in "$shim" "$impl" "$front"; do
	[ -e "$f" ] || kma_skip "$f not built"
done
[ -f "$KMODAUDIT_CACHE/env" ] || kma_skip "no module fixtures (tests/fixtures/fetch-debs)"
. "$KMODAUDIT_CACHE/env"
ko=$(find "$MODDIR" -name af_key.ko -print -quit)
[ -n "$ko" ] || kma_skip "af_key.ko not in $MODDIR"
command -v python3 >/dev/null || kma_skip "python3 missing"

rules_take
audit_daemon_ensure || kma_skip "cannot start auditd"
auditctl -s | grep '^enabled 0' >/dev/null && { auditctl -e 1 >/dev/null; kma_on_exit "auditctl -e 0 >/dev/null"; }

work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"
key=kmarep$$
"$KMA" rules --no-auid-filter --key "$key" >"$work/rules"
auditctl -D >/dev/null
auditctl -R "$work/rules" >/dev/null
start=$(date +%s)
sleep 1

# run NAME CMD...: run CMD as a process whose pid is saved in $work/NAME.pid.
run() {
	local name=$1
	shift
	sh -c 'echo $$ >"$0"; exec "$@"' "$work/$name.pid" "$@" >/dev/null 2>&1 || true
}
run shim env KMODAUDIT_IMPL="$impl" LD_PRELOAD="$shim" insmod "$ko"
run front "$front" "$ko"
run trace env KMODAUDIT_IMPL="$impl" "$KMA" trace -- insmod "$ko"
# finit_module straight from python: no libc wrapper, no shim, no kmod.
run raw python3 -c 'import ctypes, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
ctypes.CDLL(None, use_errno=True).syscall(313, fd, b"", 0)' "$ko"
auditctl -D >/dev/null # the kernel stops recording: ours alone remain
run blind env KMODAUDIT_IMPL="$impl" LD_PRELOAD="$shim" insmod "$ko"

# Wait until auditd wrote the last one (the blind load's result), then take the log.
for _ in $(seq 50); do
	LC_ALL=C ausearch --input-logs -ts "$(date -d "@$start" +%x)" "$(date -d "@$start" +%T)" \
		--format raw 2>/dev/null >"$work/audit.log" || true
	[ "$(grep -c "pid=$(cat "$work/blind.pid") .*op=kmod_load seq=2 " "$work/audit.log")" -ge 1 ] && break
	sleep 0.2
done
kma_report --input "$work/audit.log"
# Other tests may load modules at the same time: keep the rows of our loaders. The traced
# insmod's pid is read from the tracer's records (history= "insmod[PID]<kmodaudit[TRACER]...").
tracer=$(cat "$work/trace.pid")
traced=$(grep -a -m1 "pid=$tracer .*via=trace" "$work/audit.log" |
	sed -n "s/.*history=\"[^\"]*\[\([0-9]*\)\]<[^\"]*\[$tracer\]<.*/\1/p")
[ -n "$traced" ] || fail "no traced pid in the tracer's records"
pids="$(cat "$work/shim.pid") $(cat "$work/front.pid") $(cat "$work/raw.pid") $(cat "$work/blind.pid") $traced"
ours() {
	python3 -c 'import json, sys
pids = {int(p) for p in sys.argv[1].split()}
for l in sys.stdin:
    if json.loads(l)["pid"] in pids: print(l, end="")' "$pids"
}
kma_report --json --input "$work/audit.log" | ours >"$work/rows.json"
# The system's own logs (the default source) give the same rows for this span.
kma_report --json --since "@$start" | ours >"$work/rows-default.json"
cmp "$work/rows.json" "$work/rows-default.json" || fail "default logs and --input differ"

signer=$(modinfo -F signer "$ko")
sha=$(sha256sum "$ko" | cut -d' ' -f1 | tr a-f A-F)
python3 - "$work/rows.json" "$signer" "$sha" "$(cat "$work/shim.pid")" "$(cat "$work/front.pid")" \
	"$(cat "$work/raw.pid")" "$(cat "$work/blind.pid")" "$traced" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
signer, sha = sys.argv[2], sys.argv[3]
shim, front, raw, blind, traced_pid = (int(x) for x in sys.argv[4:9])
def fail(msg):
    print("FAIL:", msg); sys.exit(1)
def by_pid(pid):
    return [r for r in rows if r["pid"] == pid]
# kmod tries finit_module, then init_module on ENOSYS: two calls per insmod.
for pid, src in ((shim, "preload"), (front, "kmod")):
    got = by_pid(pid)
    if sorted(r["syscall"] for r in got) != ["finit_module", "init_module"]:
        fail(f"{src}: rows {got}")
    for r in got:
        if r["sources"] != ["kernel", src]: fail(f"{src}: sources {r}")
        if r["exit"] != -38 or "failed" not in r["flags"]: fail(f"{src}: outcome {r}")
        if r["signer"] != signer or r["sha256"] != sha or r["module"] != "af_key": fail(f"{src}: {r}")
        if r["flags"] != ["failed"]: fail(f"{src}: flags {r}")
# The traced insmod: the kernel's pid is the traced process, not the tracer that sent ours.
traced = by_pid(traced_pid)
if len(traced) != 2 or any(r["sources"] != ["kernel", "trace"] for r in traced):
    fail(f"trace rows {traced}")
# A real tracer passes the log's checks (not the loader, in the ancestry it names, the loader's
# parent and login as the kernel has them); the shim and the front end are the loader's word.
if any(r["witness"] != "trace" or r["flags"] != ["failed"] for r in traced):
    fail(f"trace witness {traced}")
if any(r["witness"] != "self" for r in by_pid(shim) + by_pid(front) + by_pid(blind)):
    fail(f"self witness {rows}")
got = by_pid(raw)
if len(got) != 1 or got[0]["sources"] != ["kernel"] or "kernel-only" not in got[0]["flags"]:
    fail(f"raw loader {got}")
got = by_pid(blind)
if len(got) != 2 or any(r["sources"] != ["preload"] or "userspace-only" not in r["flags"] for r in got):
    fail(f"blind loads {got}")
if len(rows) != 9: fail(f"{len(rows)} rows, not 9")
print("rows ok")
PY
echo PASS
