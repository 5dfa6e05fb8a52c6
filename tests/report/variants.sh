# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report on the real log of fixtures/ and hand-edited variants of it, one edit per
# flag. Pids, serials and times are read from the log itself (grep/sed), not from kmodaudit.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
command -v python3 >/dev/null || kma_skip "python3 missing"

# The version-1 log by default; report-variants-v2 runs the same on the version-2 one.
base=$(dirname "$0")/fixtures/${KMA_REPORT_BASE:-local-enosys.log}
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"

# The pids of the log: the shim's and the front end's callers send their own records; the
# tracer sends for the traced insmod.
pid_of() { grep -a -m1 "via=$1" "$base" | sed -n 's/.*): pid=\([0-9]*\) .*/\1/p'; }
shim=$(pid_of preload)
front=$(pid_of kmod)
tracer=$(pid_of trace)
traced=$(grep -a "syscall=313 .*ppid=$tracer " "$base" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
[ -n "$shim" ] && [ -n "$front" ] && [ -n "$tracer" ] && [ -n "$traced" ] || fail "fixture pids"

rows() { kma_report --json "$@"; }
# check FILE [report args] -- PYTHON: run PYTHON with `rows` (the JSON rows of FILE) and
# by_pid(); it fails with an assertion.
check() {
	local file=$1 code
	shift
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	code=$2
	rows "${args[@]}" --input "$file" >"$work/rows.json"
	python3 - "$work/rows.json" "$shim" "$front" "$traced" <<PY || fail "$(basename "$file") ${args[*]}"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
shim, front, traced = (int(x) for x in sys.argv[2:5])
def by_pid(p): return [r for r in rows if r["pid"] == p]
def flags(p): return sorted({f for r in by_pid(p) for f in r["flags"]})
$code
PY
}
variant() { cp "$base" "$work/$1.log"; echo "$work/$1.log"; }

# The log as it is: 6 calls, each seen by the kernel and one emitter, all ENOSYS.
check "$base" -- '
assert len(rows) == 6, rows
for p, src in ((shim, "preload"), (front, "kmod"), (traced, "trace")):
    assert sorted(r["syscall"] for r in by_pid(p)) == ["finit_module", "init_module"], p
    assert all(r["sources"] == ["kernel", src] and r["flags"] == ["failed"] for r in by_pid(p))
    assert all(r["outcome"] == "failed ENOSYS" and r["exit"] == -38 for r in by_pid(p))
'
kma_report --input "$base" | grep 'af_key' >/dev/null || fail "table output"
echo "ok: real log"

# unsigned: the shim's records say sig=none (version 1) or sig_type=none.
f=$(variant unsigned)
sed -i "/pid=$shim .*op=kmod_/s/ \(sig\|sig_type\)=pkcs7 signer=[0-9A-F]* sig_key=\"[^\"]*\" sig_hashalgo=\"[^\"]*\"/ \1=none/" "$f"
grep -q "pid=$shim .*sig\(_type\)\?=none" "$f" || fail "unsigned edit"
check "$f" -- '
assert flags(shim) == ["failed", "unsigned"], flags(shim)
assert all(r["signer"] is None for r in by_pid(shim))
assert flags(front) == ["failed"] and flags(traced) == ["failed"]
'
echo "ok: unsigned"

# unknown_signer: an allow list without Debian's key, from the option and from the config.
# Entries are NAME/KEYID (the record's signer and sig_key); a name alone trusts nothing.
signer=$(grep -a -m1 "op=kmod_load " "$base" | sed -n 's/.* signer=\([0-9A-F]*\) .*/\1/p' | xxd -r -p)
key=$(grep -a -m1 "op=kmod_load " "$base" | sed -n 's/.* sig_key="\([0-9A-F:]*\)" .*/\1/p')
[ -n "$signer" ] && [ -n "$key" ] || fail "no signer or sig_key in the fixture"
other_key=$(tr 0-9A-F 1-9A-F0 <<<"$key")
check "$base" --trusted-signers "Some other key/AB:CD, Another/01" -- '
assert all("unknown_signer" in r["flags"] for r in rows), rows'
check "$base" --trusted-signers "Some other key/AB:CD,$signer/$key" -- '
assert not any("unknown_signer" in r["flags"] for r in rows), rows'
# the key id compared as hex digits: case and colons aside
check "$base" --trusted-signers "$signer/$(tr -d : <<<"$key" | tr A-F a-f)" -- '
assert not any("unknown_signer" in r["flags"] for r in rows), rows'
# the right name with another key id, and the name alone (the old form: read, trusts nothing)
check "$base" --trusted-signers "$signer/$other_key" -- '
assert all("unknown_signer" in r["flags"] for r in rows), rows'
kma_report --json --input "$base" --trusted-signers "$signer" >"$work/rows.json" 2>"$work/err"
grep "trusted signer '$signer' has no key id: it trusts nothing" "$work/err" >/dev/null ||
	fail "no warning for a name alone: $(cat "$work/err")"
check "$base" --trusted-signers "$signer" -- '
assert all("unknown_signer" in r["flags"] for r in rows), rows'
conf=$work/kmodaudit.conf
printf '[report]\ntrusted_signers = Some other key/AB:CD\n' >"$conf"
chmod 600 "$conf"
check "$base" --config "$conf" -- '
assert all("unknown_signer" in r["flags"] for r in rows), rows'
check "$base" --config "$conf" --trusted-signers "$signer/$key" -- '
assert not any("unknown_signer" in r["flags"] for r in rows), rows'
printf '[report]\ntrusted_signers = %s/%s\n' "$signer" "$key" >"$conf"
check "$base" --config "$conf" -- '
assert not any("unknown_signer" in r["flags"] for r in rows), rows'
# A signature the kernel never checked is not trusted, whatever signer and key id it names:
# an X509-type trailer (sig=x509), or a forced load (anomaly=sig_unchecked).
f=$(variant x509)
sed -i "/pid=$shim .*op=kmod_/s/ sig\(_type\)\?=pkcs7 / sig\1=x509 /" "$f"
grep -q "pid=$shim .*sig\(_type\)\?=x509" "$f" || fail "x509 edit"
check "$f" --trusted-signers "$signer/$key" -- '
assert all("unknown_signer" in r["flags"] for r in by_pid(shim)), by_pid(shim)
assert not any("unknown_signer" in r["flags"] for r in by_pid(front)), by_pid(front)'
f=$(variant forced)
sed -i "/pid=$shim .*op=kmod_load /s/ exe=/ anomaly=sig_unchecked exe=/" "$f"
grep -q "pid=$shim .*anomaly=sig_unchecked" "$f" || fail "sig_unchecked edit"
check "$f" --trusted-signers "$signer/$key" -- '
assert all("unknown_signer" in r["flags"] for r in by_pid(shim)), by_pid(shim)
assert not any("unknown_signer" in r["flags"] for r in by_pid(front)), by_pid(front)'
echo "ok: unknown_signer (NAME/KEYID from the option and the config; a name alone, x509, sig_unchecked never trusted)"

# name_mismatch, said by us (anomaly=) and by the kernel (a KERN_MODULE record naming another
# module in the SYSCALL event of the front end's finit_module; hex as the kernel writes it).
f=$(variant anomaly)
sed -i "/pid=$front .*op=kmod_load seq=1 /s/ res=failed/ anomaly=name_mismatch res=failed/" "$f"
check "$f" -- '
r = [r for r in by_pid(front) if r["syscall"] == "finit_module"][0]
assert "name_mismatch" in r["flags"], r
assert flags(shim) == ["failed"]'
f=$(variant kernname)
ev=$(grep -a "syscall=313 .* pid=$front " "$f" | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p')
sed -i "/syscall=313 .* pid=$front /a type=KERN_MODULE msg=audit($ev): name=6576696C5F6B6579" "$f"
check "$f" -- '
r = [r for r in by_pid(front) if r["syscall"] == "finit_module"][0]
# The kernel's name is the row's; the claim is kept beside it.
assert "name_mismatch" in r["flags"] and r["module"] == "evil_key", r
assert r["origin"]["module"] == "kernel" and r["mismatch"]["module"]["record"] == "af_key", r
assert "kernel" in r["sources"]'
kma_report --input "$f" | grep 'evil_key (claim: af_key)' >/dev/null || fail "table: both names"
echo "ok: name_mismatch"

# kernel-only: the front end's records are gone; userspace-only: the kernel's for the shim.
f=$(variant kernel-only)
sed -i "/pid=$front .*op=kmod_/d" "$f"
check "$f" -- '
assert len(by_pid(front)) == 2 and all(r["sources"] == ["kernel"] for r in by_pid(front))
assert flags(front) == ["failed", "kernel-only"], flags(front)
assert all(r["module"] is None and r["exe"].endswith("kmodaudit-kmod") for r in by_pid(front))
assert flags(shim) == ["failed"]'
f=$(variant userspace-only)
sed -i "/type=SYSCALL.* pid=$shim /d" "$f"
check "$f" -- '
assert flags(shim) == ["failed", "userspace-only"], flags(shim)
assert all(r["sources"] == ["preload"] for r in by_pid(shim))
assert flags(front) == ["failed"]'
echo "ok: kernel-only, userspace-only"

# A successful load: exit 0 in ours and in the kernel's record.
f=$(variant success)
sed -i -e "/pid=$shim .*op=kmod_load seq=1 /{s/ exit=-38 / exit=0 /;s/res=failed/res=success/}" \
	-e "/syscall=313 .* pid=$shim /s/success=no exit=-38/success=yes exit=0/" "$f"
check "$f" -- '
r = [r for r in by_pid(shim) if r["syscall"] == "finit_module"][0]
assert r["flags"] == [] and r["outcome"] == "success" and r["exit"] == 0, r'
echo "ok: failed / success"

# no_result: the intent is there, the result never came.
f=$(variant no-result)
sed -i "/pid=$shim .*op=kmod_load seq=1 /d" "$f"
check "$f" -- '
r = [r for r in by_pid(shim) if r["syscall"] == "finit_module"][0]
assert "no_result" in r["flags"] and "kernel" in r["sources"], r'
echo "ok: no_result"

# via=trace: the caller pid comes from history=; another first pid breaks the match both ways.
f=$(variant trace-pid)
sed -i "/pid=$tracer .*via=trace/s/history=\"\([^\"[]*\)\[$traced\]/history=\"\1[99999]/" "$f"
grep -q '\[99999\]' "$f" || fail "trace edit"
check "$f" -- '
assert flags(traced) == ["failed", "kernel-only"], flags(traced)
assert flags(99999) == ["failed", "userspace-only"], flags(99999)'
echo "ok: trace pid"

# Many hosts: host A has the kernel's records, host B ours, same pids: nothing may pair across.
sed 's/^/node=hostA /' "$base" | grep -v 'op=kmod_' >"$work/multi.log"
sed 's/^/node=hostB /' "$base" | grep -v 'type=SYSCALL' >>"$work/multi.log"
check "$work/multi.log" -- '
a = [r for r in rows if r["node"] == "hostA"]
b = [r for r in rows if r["node"] == "hostB"]
assert len(a) == 6 and all("kernel-only" in r["flags"] for r in a), a
assert len(b) == 6 and all("userspace-only" in r["flags"] for r in b), b'
kma_report --input "$work/multi.log" >"$work/multi.txt"
[ "$(grep -c '^node=host[AB] *$' "$work/multi.txt")" = 2 ] || fail "not one table per host"
# The same log on one host pairs as usual.
sed 's/^/node=hostA /' "$base" >"$work/one.log"
check "$work/one.log" -- '
assert len(rows) == 6 and all(r["node"] == "hostA" and r["flags"] == ["failed"] for r in rows), rows'
echo "ok: per host"

# Time: the traced calls moved 100 s later; --since/--until split there; the window matters.
sec=$(grep -a -m1 "pid=$tracer .*via=trace" "$base" | sed -n 's/.*msg=audit(\([0-9]*\)\..*/\1/p')
later=$((sec + 100))
f=$(variant later)
sed -i -e "/pid=$tracer .*via=trace/s/msg=audit($sec\./msg=audit($later./" \
	-e "/ pid=$traced /s/msg=audit($sec\./msg=audit($later./" "$f"
check "$f" --since "@$((sec + 50))" -- '
assert len(rows) == 2 and all(r["pid"] == traced for r in rows), rows'
check "$f" --until "@$((sec + 50))" -- '
assert len(rows) == 4 and not by_pid(traced), rows'
# The kernel's event 10 s after the call's result: no window makes it that call's (the call
# returned before the kernel saw it).
f=$(variant far)
sed -i "/syscall=313 .* pid=$shim /s/msg=audit($sec\./msg=audit($((sec + 10))./" "$f"
for w in 3 20; do
	check "$f" --window $w -- '
r = [r for r in rows if r["pid"] == shim and r["syscall"] == "finit_module"]
assert sorted(x["sources"] for x in r) == [["kernel"], ["preload"]], r'
done
# Without the intent (intent records switched off) the call's start is unknown: the window says
# how long before its result the kernel's event may be.
f=$(variant far-no-intent)
sed -i -e "/syscall=313 .* pid=$shim /s/msg=audit($sec\./msg=audit($((sec - 10))./" \
	-e "/pid=$shim .*op=kmod_load_intent seq=1 /d" "$f"
check "$f" -- '
r = [r for r in rows if r["pid"] == shim and r["syscall"] == "finit_module"]
assert sorted(x["sources"] for x in r) == [["kernel"], ["preload"]], r'
check "$f" --window 20 -- '
r = [r for r in rows if r["pid"] == shim and r["syscall"] == "finit_module"]
assert len(r) == 1 and r[0]["sources"] == ["kernel", "preload"], r'
echo "ok: since/until/window"

# A span edge inside a call: records of one call on both sides of --since/--until. The call is
# still one row, paired as in the log itself, and shown only on the side its time (the intent's)
# is on: never a no_result, userspace-only or kernel-only half.
# The kernel's event (and the result after it) on the other side.
f=$(variant edge-kernel)
sed -i -e "/syscall=313 .* pid=$shim /s/msg=audit($sec\.[0-9]*:/msg=audit($((sec + 1)).000:/" \
	-e "/pid=$shim .*op=kmod_load seq=1 /s/msg=audit($sec\.[0-9]*:/msg=audit($((sec + 1)).000:/" "$f"
grep -q "msg=audit($((sec + 1)).000:.* pid=$shim " "$f" || fail "edge edit"
grep -q "msg=audit($((sec + 1)).000:.*pid=$shim .*op=kmod_load seq=1 " "$f" || fail "edge edit"
check "$f" --until "@$sec" -- '
assert len(rows) == 6 and all(r["flags"] == ["failed"] and len(r["sources"]) == 2 for r in rows), rows
assert all(r["sources"] == ["kernel", "preload"] for r in by_pid(shim)), by_pid(shim)'
check "$f" --since "@$((sec + 1))" -- '
assert rows == [], rows'
f=$(variant edge-result)
sed -i "/pid=$shim .*op=kmod_load seq=1 /s/msg=audit($sec\.[0-9]*:/msg=audit($((sec + 1)).000:/" "$f"
grep -q "msg=audit($((sec + 1)).000:.*pid=$shim .*op=kmod_load seq=1 " "$f" || fail "edge edit"
check "$f" --until "@$sec" -- '
r = [r for r in by_pid(shim) if r["syscall"] == "finit_module"]
assert len(r) == 1 and r[0]["flags"] == ["failed"] and r[0]["outcome"] == "failed ENOSYS", r
assert r[0]["sources"] == ["kernel", "preload"], r
assert len(rows) == 6, rows'
check "$f" --since "@$((sec + 1))" -- '
assert rows == [], rows'
echo "ok: span edge inside a call"

# Bad input never crashes: truncated lines, garbage, an empty file.
head -c 3000 "$base" >"$work/cut.log"
printf 'type=USER msg=audit(1.1:1): pid=1 msg='"'"'ver=1 op=kmod_load name=%s'"'"'\n' "$(head -c 200 /dev/urandom | xxd -p | tr -d '\n')" >>"$work/cut.log"
kma_report --input "$work/cut.log" >/dev/null || fail "truncated log"
: >"$work/empty.log"
kma_report --input "$work/empty.log" | grep 'no module events' >/dev/null || fail "empty log"
rc=0
kma_report --since yesterday-ish >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "bad --since exited $rc"
echo PASS
