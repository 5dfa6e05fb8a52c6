#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What an administrator reads: loads (finit_module, init_module) and unloads through every
# emitter of this host (the preload shim, the kmod front end, kmodaudit trace), read back with
# the real ausearch -i and with auparse's interpretation (kma-interp). Every field must show what
# was written (quotes removed and hex decoded only for name, path, comm and exe, exit as its
# errno name), none with the kernel's meaning of its name (version 1's syscall=finit_module read
# as syscall=read, sig=pkcs7 as SIG0, flags=0x0 as MAP_FILE). And ausearch's own searches
# (-m USER --success, -c, -x, -p) must find exactly the right records, with values chosen to
# mislead them: args="res=failed" on a record that says res=success, an unload of a module named
# res=success, a file in a directory named exe=, args="comm=...". The calls answer ENOSYS here;
# the records are written all the same.
set -uo pipefail
. "$KMODAUDIT_SRC/tests/lib/audit.sh"

B=$KMODAUDIT_BUILD
SHIM=$B/shim/libkmodaudit.so
IMPL=$B/src/libkmodaudit-impl.so
KMA=$B/src/kmodaudit
LOAD=$B/tests/kma-load
INTERP=$B/tests/record/kma-interp
for f in "$SHIM" "$IMPL" "$KMA" "$LOAD" "$INTERP"; do
	[ -e "$f" ] || { echo "FAIL: not built: $f"; exit 1; }
done
[ -s "${KMODAUDIT_CACHE:-/nonexistent}/env" ] || kma_skip "no fixtures (tests/fixtures/fetch-debs)"
. "$KMODAUDIT_CACHE/env"
ko=$MODDIR/kernel/net/key/af_key.ko
[ -f "$ko" ] || { echo "FAIL: fixture module missing: $ko"; exit 1; }
# A kernel with module support would really load af_key: that belongs to the qemu test bed.
[ -e /proc/modules ] && kma_skip "this kernel loads modules: run in the qemu test bed"
command -v python3 >/dev/null || kma_skip "python3 missing"
audit_setup

dir=$(mktemp -d)
kma_on_exit "rm -rf '$dir'"
printf '[sinks]\nfallback=none\naudit_timeout_ms=5000\n' >"$dir/conf"
chmod 644 "$dir/conf"
export KMODAUDIT_CONFIG=$dir/conf
fails=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# A loader of our own name (its comm, for -c) in a directory whose name needs hex (its exe=),
# and the module in a directory named exe= (its path=).
tag=kmaq$$
mkdir "$dir/bin dir" "$dir/exe="
exe="$dir/bin dir/$tag"
cp "$LOAD" "$exe"
file="$dir/exe=/af_key.ko"
cp "$ko" "$file"
shim_env=(env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL")

mark=$(audit_mark)
declare -A pid want
# run LABEL N CMD...: run CMD (the process that sends the records: env and the front end exec
# all the way; for trace, the tracer), which must leave N records of ours.
run() {
	local label=$1
	want[$label]=$2
	shift 2
	"$@" >"$dir/$label.out" 2>&1 &
	pid[$label]=$!
	wait "${pid[$label]}"
}
run shim-finit 2 "${shim_env[@]}" "$exe" finit "$file" "res=failed"
run shim-init 2 "${shim_env[@]}" "$exe" init "$ko" "comm=kmafake$$"
run shim-delete 1 "${shim_env[@]}" "$exe" delete "res=success"
run trace-finit 2 "$KMA" trace -- "$exe" finit "$file" "res=failed"
run trace-init 2 "$KMA" trace -- "$exe" init "$ko" "comm=kmafake$$"
run trace-delete 1 "$KMA" trace -- "$exe" delete "res=success"
emitters="preload trace"
if [ -x "$B/wrappers/insmod" ] && [ -x "$B/wrappers/rmmod" ]; then
	# kmod's insmod: finit_module, then init_module after ENOSYS; rmmod -f: delete_module
	run kmod-insmod 4 "$B/wrappers/insmod" "$file" "res=failed"
	run kmod-rmmod 1 "$B/wrappers/rmmod" -f "res=success"
	emitters="$emitters kmod"
else
	echo "note: the kmod front end is not built: not tested here"
fi

: >"$dir/raw"
for label in "${!pid[@]}"; do
	audit_wait_records "$mark" "${want[$label]}" -p "${pid[$label]}" >"$dir/$label.raw" ||
		fail "$label: expected ${want[$label]} records of pid ${pid[$label]}: $(cat "$dir/$label.out")"
	cat "$dir/$label.raw" >>"$dir/raw"
	printf '%s %s\n' "$label" "${pid[$label]}" >>"$dir/pids"
done

# auparse's interpretation, field by field; and what ausearch -i must then show.
"$INTERP" <"$dir/raw" >"$dir/expected" 2>"$dir/interp.err" ||
	fail "auparse reads fields of ours with another meaning: $(cat "$dir/interp.err")"

# ausearch itself: -i for each sender pid, and the searches.
# search NAME ARGS...: our records that ausearch finds with ARGS (raw lines) in $dir/q-NAME
search() {
	local name=$1
	shift
	# shellcheck disable=SC2086 # MARK is "date time": two ausearch words
	LC_ALL=C ausearch --input-logs --start $mark -m USER "$@" 2>/dev/null >"$dir/q-$name" || true
}
for label in "${!pid[@]}"; do
	search "i-$label" -p "${pid[$label]}" -i
	search "p-$label" -p "${pid[$label]}" --format raw
done
search fail --success no --format raw
search ok --success yes --format raw
search comm -c "$tag" --format raw
search fakecomm -c "kmafake$$" --format raw
search exe -x "$exe" --format raw

echo "$emitters" >"$dir/emitters"
python3 - "$dir" "$tag" "$exe" "kmafake$$" <<'PY' || fails=$((fails + 1))
import errno, os, re, sys
d, tag, exe, fakecomm = sys.argv[1:]
bad = []
SERIAL = re.compile(r"msg=audit\([^)]*:(\d+)\)")
FIELD = re.compile(r'([A-Za-z_]+)=("[^"]*"|\S+)')

def ours(path):
    """Our records in an ausearch output: serial -> line."""
    out = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n").split("\x1d")[0]
        m = SERIAL.search(line)
        if m and re.search(r"msg='ver=\d+ op=kmod_", line):
            out[int(m.group(1))] = line
    return out

def payload(line):
    return re.search(r"msg='(.*)'", line).group(1)

def decoded(v):
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1]
    if re.fullmatch(r"(?:[0-9A-F]{2})+", v):
        return bytes.fromhex(v).decode("utf-8", "replace")
    return v

labels = dict(l.split() for l in open(f"{d}/pids"))
raw = ours(f"{d}/raw")
recs = {}
for serial, line in raw.items():
    f = dict(FIELD.findall(payload(line)))
    recs[serial] = {
        "pid": int(re.search(r"\): pid=(\d+) ", line).group(1)), "op": f["op"],
        "exit": f.get("exit"), "comm": decoded(f["comm"]), "exe": decoded(f["exe"]),
        "via": f["via"], "call": f.get("call")}
if len(raw) != sum(1 for _ in open(f"{d}/raw")):
    bad.append("a raw line that is not one record of ours")

# 1. ausearch -i shows each field as kma-interp's rules say: as written, or its one meaning.
expected = dict(l.rstrip("\n").split("\t", 1) for l in open(f"{d}/expected"))
seen = {}
for label in labels:
    seen.update(ours(f"{d}/q-i-{label}"))
for serial in raw:
    got = payload(seen[serial]) if serial in seen else None
    if got is None:
        bad.append(f"ausearch -i -p: record {serial} missing")
    elif got != expected.get(str(serial)):
        bad.append(f"ausearch -i shows record {serial} as\n  {got}\nexpected\n  {expected.get(str(serial))}")
    else:
        # what version 1 made ausearch say instead
        for lie in (" call=read ", " sig_type=SIG", " call_flags=MAP_"):
            if lie in got:
                bad.append(f"record {serial}: {lie.strip()}")
calls = {r["call"] for r in recs.values()}
vias = {r["via"] for r in recs.values()}
if calls != {"finit_module", "init_module", "delete_module"}:
    bad.append(f"calls recorded: {calls}")
if vias != set(open(f"{d}/emitters").read().split()):
    bad.append(f"emitters recorded: {vias}")

# 2. the searches find exactly the right records of ours.
def check(name, want):
    got = set(ours(f"{d}/q-{name}"))
    if name in ("fail", "ok"):  # other tests' records may be there too
        got &= set(raw)
    if got != want:
        bad.append(f"ausearch {name}: missing {describe(want - got)}, extra {describe(got - want)}")

def describe(serials):
    return [f"{s} ({recs[s]['via']} {recs[s]['op']})" if s in recs else s for s in sorted(serials)]

def failed(r):
    return r["op"] != "kmod_load_intent" and (r["exit"] is None or not r["exit"].isdigit())

check("fail", {s for s, r in recs.items() if failed(r)})
check("ok", {s for s, r in recs.items() if not failed(r)})
check("comm", {s for s, r in recs.items() if r["comm"] == tag})
check("fakecomm", set())
check("exe", {s for s, r in recs.items() if r["exe"] == exe})
for label, p in labels.items():
    check(f"p-{label}", {s for s, r in recs.items() if r["pid"] == int(p)})
if not any(r["comm"] == tag for r in recs.values()) or not any(r["exe"] == exe for r in recs.values()):
    bad.append("no record names the test's loader: -c and -x not exercised")

for b in bad:
    print("FAIL: " + b)
print(f"checked {len(raw)} records: ausearch -i and auparse read every field as written; "
      "--success, -c, -x, -p find exactly the right ones" if not bad else "")
sys.exit(1 if bad else 0)
PY

if [ "$fails" -gt 0 ]; then
	echo "FAIL: $fails checks"
	exit 1
fi
echo "PASS: every emitter's records ($emitters) read truthfully by ausearch -i and auparse"
