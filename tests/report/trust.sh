# SPDX-License-Identifier: LGPL-2.1-or-later
# kmodaudit report's trust model against crafted logs: the real log of fixtures/ with records an
# attacker can send (any process that can load a module can send AUDIT_USER records; only the
# kernel's prefix pid= uid= auid= ses= and its SYSCALL/KERN_MODULE records are facts). Each
# attack must show up as a flag, a witness that says whose word it is, or the kernel's value.
set -euo pipefail
. "$KMODAUDIT_SRC/tests/compliance/lib.sh"
. "$KMODAUDIT_SRC/tests/report/lib.sh"
command -v python3 >/dev/null || kma_skip "python3 missing"

base=$(dirname "$0")/fixtures/local-enosys.log
work=$(mktemp -d)
kma_on_exit "rm -rf '$work'"

pid_of() { grep -a -m1 "via=$1" "$base" | sed -n 's/.*): pid=\([0-9]*\) .*/\1/p'; }
shim=$(pid_of preload)
front=$(pid_of kmod)
tracer=$(pid_of trace)
traced=$(grep -a "syscall=313 .*ppid=$tracer " "$base" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
parent=$(grep -a "syscall=313 .* pid=$front " "$base" | sed -n 's/.* ppid=\([0-9]*\) .*/\1/p')
[ -n "$shim" ] && [ -n "$front" ] && [ -n "$tracer" ] && [ -n "$traced" ] && [ -n "$parent" ] ||
	fail "fixture pids"

vendor=$(printf 'Trusted Vendor' | xxd -p | tr a-f A-F) # hex: it holds a blank

# check FILE [report args] -- PYTHON: PYTHON with `rows` (the JSON rows of FILE), `row(pid,
# syscall)` and the pids; it fails with an assertion.
check() {
	local file=$1 code
	shift
	local args=()
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	code=$2
	kma_report --json "${args[@]}" --input "$file" >"$work/rows.json"
	python3 - "$work/rows.json" "$shim" "$front" "$traced" <<PY || fail "$(basename "$file") ${args[*]}"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
shim, front, traced = (int(x) for x in sys.argv[2:5])
def row(p, call):
    r = [r for r in rows if r["pid"] == p and r["syscall"] == call]
    assert len(r) == 1, (p, call, rows)
    return r[0]
$code
PY
}
variant() { cp "$base" "$work/$1.log"; echo "$work/$1.log"; }
# The front end's records gone: its loads are what a raw-syscall loader's look like.
raw_loader() {
	local f
	f=$(variant "$1")
	sed -i "/pid=$front .*op=kmod_/d" "$f"
	echo "$f"
}
# stamp PID SYSCALL-NUMBER: the time:serial of the kernel's event of that call.
stamp() { grep -a "syscall=$2 .* pid=$1 " "$base" | sed -n 's/.*msg=audit(\([0-9.:]*\)).*/\1/p'; }
# forge STAMP SENDER-PID PAYLOAD: a user record as the kernel writes one for SENDER.
forge() {
	printf "type=USER msg=audit(%s): pid=%s uid=0 auid=4294967295 ses=4294967295 msg='%s'\n" \
		"$1" "$2" "$3"
}
payload() { # VIA HISTORY PPID: a result record for the front end's finit_module of af_key
	echo "ver=1 op=kmod_load seq=1 via=$1 syscall=finit_module name=\"af_key\" size=99977 compression=none sha256=00000000000000000000000000000000000000000000000000000000000000AA sig=pkcs7 signer=$vendor flags=0x0 exit=-38 ppid=$3 comm=\"insmod\" history=\"$2\" exe=\"/tmp/comp-wt/build/wrappers/kmodaudit-kmod\" hostname=? addr=? terminal=? res=failed"
}
fstamp=$(stamp "$front" 313)
ser=${fstamp#*:}
fake_stamp="${fstamp%:*}:$((ser + 100000))"

# 1. A forged self record: the raw loader sends op=kmod_load via=preload from its own pid with
# an invented signer. The row is joined (nothing in the log can tell it from the shim's), but it
# says whose word it rests on, and --witness self finds it with every other such row.
f=$(raw_loader forged-self)
forge "$fake_stamp" "$front" "$(payload preload "insmod[$front]<bash[$parent]" "$parent")" >>"$f"
check "$f" --trusted-signers "Trusted Vendor" -- '
r = row(front, "finit_module")
assert r["sources"] == ["kernel", "preload"] and r["witness"] == "self", r
assert r["origin"]["signer"] == "self" and r["origin"]["sha256"] == "self", r
assert r["origin"]["pid"] == "kernel" and r["sender"]["pid"] == front, r
assert row(front, "init_module")["witness"] == "kernel-only"
assert row(traced, "finit_module")["witness"] == "trace"'
check "$f" --witness self -- '
assert {(r["pid"], r["witness"]) for r in rows} == {(shim, "self"), (front, "self")}, rows
assert len(rows) == 3, rows'
kma_report --input "$f" | grep -E "Trusted Vendor .* self +failed" >/dev/null ||
	fail "table: WITNESS column"
echo "ok: forged self record"

# The same on the qemu bed's log: busybox's raw finit_module of a module the kernel loaded
# (scenario static-unseen: the shim cannot see it), and a record the loader sends as the shim
# would, agreeing with the kernel on everything. Nothing flags it; only the witness says it is
# the loader's word.
vm=$(dirname "$0")/fixtures/vm-audit.log
if [ -s "$vm" ]; then
	grep -a "scenario=static-unseen" "$vm" | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' \
		>"$work/marks"
	lo=$(sed -n 1p "$work/marks")
	hi=$(sed -n 2p "$work/marks")
	ev=$(grep -a "type=SYSCALL .*syscall=313 success=yes exit=0 " "$vm" |
		awk -v lo="$lo" -v hi="$hi" '{ match($0, /:[0-9]+\)/); s = substr($0, RSTART + 1, RLENGTH - 2) }
			s > lo && s < hi && !found { print; found = 1 }')
	[ -n "$ev" ] || fail "no raw load in static-unseen"
	vstamp=$(sed -n 's/.*msg=audit(\([0-9.]*\):.*/\1/p' <<<"$ev")
	vpid=$(sed -n 's/.* pid=\([0-9]*\) .*/\1/p' <<<"$ev")
	vppid=$(sed -n 's/.* ppid=\([0-9]*\) .*/\1/p' <<<"$ev")
	vser=$(sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*/\1/p' <<<"$ev")
	vname=$(grep -a "type=KERN_MODULE msg=audit($vstamp:$vser)" "$vm" | sed -n 's/.*name=\([^ ]*\).*/\1/p')
	[ -n "$vpid" ] && [ -n "$vname" ] || fail "raw load fields"
	cp "$vm" "$work/vm-forged.log"
	printf "node=kma-vm type=USER msg=audit(%s:%s): pid=%s uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='ver=1 op=kmod_load seq=1 via=preload syscall=finit_module name=%s size=5857 compression=none sha256=%s sig=pkcs7 signer=%s flags=0x0 exit=0 ppid=%s comm=\"busybox\" history=\"busybox[%s]<sh[%s]<init[1]\" exe=\"/bin/busybox\" hostname=? addr=? terminal=? res=success'\n" \
		"$vstamp" "$((vser + 100000))" "$vpid" "$vname" "$(printf '%064d' 7)" "$vendor" "$vppid" \
		"$vpid" "$vppid" >>"$work/vm-forged.log"
	kma_report --json --input "$work/vm-forged.log" >"$work/vm.json"
	python3 - "$work/vm.json" "$vpid" <<'PY' || fail "vm: forged self record"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
r = [r for r in rows if r["pid"] == int(sys.argv[2]) and r["syscall"] == "finit_module"]
assert len(r) == 1, r
r = r[0]
assert r["sources"] == ["kernel", "preload"] and r["flags"] == [] and r["exit"] == 0, r
assert r["witness"] == "self" and r["signer"] == "Trusted Vendor", r
assert r["origin"]["signer"] == "self" and r["origin"]["module"] == "kernel", r
PY
	echo "ok: forged self record (qemu bed's raw load)"
fi

# 2. Forged trace records for the raw loader's call, none of which a tracer can have sent.
# a. From an unrelated pid, with the loader's real ancestry (the sender not in it).
f=$(raw_loader trace-unrelated)
forge "$fake_stamp" 4242 "$(payload trace "insmod[$front]<bash[$parent]" "$parent")" >>"$f"
check "$f" -- '
r = row(front, "finit_module")
assert "trace_unverified" in r["flags"] and r["witness"] == "self", r
assert r["sender"]["pid"] == 4242 and r["origin"]["signer"] == "trace", r'
# b. The sender names itself the loader'\''s parent; the kernel knows the real one.
f=$(raw_loader trace-parent)
forge "$fake_stamp" 4242 "$(payload trace "insmod[$front]<kmodaudit[4242]" 4242)" >>"$f"
check "$f" -- '
r = row(front, "finit_module")
assert {"trace_unverified", "ppid_mismatch"} <= set(r["flags"]) and r["witness"] == "self", r
assert r["ppid"] != 4242 and r["mismatch"]["ppid"]["record"] == 4242, r'
# c. Sent by the loader itself.
f=$(raw_loader trace-self)
forge "$fake_stamp" "$front" "$(payload trace "insmod[$front]<bash[$parent]" "$parent")" >>"$f"
check "$f" -- '
r = row(front, "finit_module")
assert "trace_by_loader" in r["flags"] and r["witness"] == "self", r'
check "$f" --witness trace -- '
assert rows and all(r["pid"] == traced for r in rows), rows'
kma_report --explain --input "$f" | grep "trace_by_loader: " >/dev/null || fail "explain"
echo "ok: forged trace records (unrelated sender, false parent, the loader itself)"

# 3. A forged exit: the kernel says the load succeeded, the shim's record says EEXIST. And a
# forged comm. The row shows the kernel's values, flags the claims and keeps both.
f=$(variant forged-exit)
sed -i -e "/pid=$shim .*op=kmod_load seq=1 /{s/ exit=-38 / exit=-17 /;s/ comm=\"insmod\"/ comm=\"modprobe\"/}" \
	-e "/syscall=313 .* pid=$shim /s/success=no exit=-38/success=yes exit=0/" "$f"
grep -a "pid=$shim .*exit=-17 .*comm=\"modprobe\"" "$f" >/dev/null || fail "exit edit"
check "$f" -- '
r = row(shim, "finit_module")
assert r["exit"] == 0 and r["outcome"] == "success" and "failed" not in r["flags"], r
assert {"exit_mismatch", "comm_mismatch"} <= set(r["flags"]), r
assert r["mismatch"]["exit"]["kernel"] == 0 and r["mismatch"]["exit"]["record"] == -17, r
assert r["comm"] == "insmod" and r["mismatch"]["comm"]["record"] == "modprobe", r
assert r["origin"]["exit"] == "kernel" and r["origin"]["comm"] == "kernel", r
assert row(shim, "init_module")["flags"] == ["failed"]'
kma_report --explain --input "$f" >"$work/explain.txt"
grep "exit: kernel 0, record -17 (via=preload, sender pid $shim)" "$work/explain.txt" >/dev/null ||
	fail "explain: both exits"
echo "ok: forged exit, forged comm"

# 4. A forged auid: the loader ran in login 1000 (the kernel says so); the trace records come
# from a sender in no login. The row's auid is the kernel's, not the sender's.
f=$(variant forged-auid)
sed -i "/type=SYSCALL.* pid=$traced /s/ auid=4294967295 / auid=1000 /" "$f"
check "$f" -- '
r = row(traced, "finit_module")
assert r["auid"] == 1000 and r["origin"]["auid"] == "kernel", r
assert "auid_mismatch" in r["flags"] and r["mismatch"]["auid"]["record"] == 4294967295, r
assert r["witness"] == "self" and "trace_unverified" in r["flags"], r
assert r["sender"]["pid"] != traced, r'
echo "ok: forged auid"

# 5. Hostile spans: one call per loader whose intent and result are an hour apart. Each short
# call is still its own row with its own kernel event. That the cost stays linear is a speed
# goal, measured side by side in bench/report-scale (its long-span case), not timed here.
"$(dirname "$0")/longspan" 2 2000 >"$work/span1.log"
check "$work/span1.log" -- '
assert len(rows) == 4002, len(rows)
long = [r for r in rows if "kernel" not in r["sources"]]
assert len(long) == 2 and all("userspace-only" in r["flags"] for r in long), long
assert all(r["sources"] == ["kernel", "preload"] and r["flags"] == ["failed"]
           for r in rows if r not in long)'
echo "ok: long spans"
echo PASS
