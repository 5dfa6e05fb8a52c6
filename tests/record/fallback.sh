#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Faults on the audit path: the record must land in the syslog fallback (a private listener) or
# the JSON-lines file, and the call must go on (fail-open); in fail-closed mode with no sink the
# call is refused with EPERM and syslog says why.
#   - audit refused in a user namespace (ECONNREFUSED)
#   - no CAP_AUDIT_WRITE (EPERM)
#   - audit disabled (auditctl -e 0: the kernel would drop the record silently)
#   - syslog socket missing too: the file sink still has it
#   - file sink on a full filesystem: audit still has it
set -uo pipefail
. "$KMODAUDIT_SRC/tests/lib/audit.sh"

EMIT=$KMODAUDIT_BUILD/tests/record/kma-emit
[ -x "$EMIT" ] || { echo "FAIL: build kma-emit first"; exit 1; }
audit_setup
command -v unshare >/dev/null || kma_skip "unshare missing"
unshare -U -r true 2>/dev/null || kma_skip "no user namespaces"

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
syslog_listen "$dir"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }

# conf NAME LINES...: a root-owned config file
conf() {
	local f=$dir/$1.conf
	shift
	printf '%s\n' "$@" >"$f"
	chmod 644 "$f"
	echo "$f"
}
printf 'junk' >"$dir/junk"

# 1. user namespace: ECONNREFUSED -> syslog, and the JSON file
c=$(conf ns "[sinks]" "syslog_socket=$dir/log" "file=$dir/records.json")
out=$(KMODAUDIT_CONFIG=$c unshare -U -r "$EMIT" delete 'ns name')
[[ "$out" == "begin=0 "*"ret=-"* ]] || fail "userns: $out"
syslog_wait "$dir" "USER ver=2 op=kmod_unload .* name=6E73206E616D65 " ||
	fail "userns: no record in syslog: $(syslog_messages "$dir")"
grep -aq '^<85>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} kmodaudit\[[0-9]*\]: USER ver=2 op=kmod_unload' \
	"$dir/messages" || fail "userns: not an RFC 3164 LOG_AUTHPRIV|LOG_NOTICE line: $(syslog_messages "$dir")"
"$KMA_PYTHON" - "$dir/records.json" <<'PY' || fail "userns: JSON file"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], "rb")]
r = [x for x in recs if x.get("name") == "ns name"]
assert len(r) == 1, recs
r = r[0]
assert r["type"] == "USER" and r["op"] == "kmod_unload" and r["exit"] < 0, r
assert r["res"] == "failed" and r["ver"] == 2 and r["call"] == "delete_module" and "time" in r, r
PY

# 2. no CAP_AUDIT_WRITE: EPERM -> syslog
if command -v capsh >/dev/null; then
	c=$(conf nocap "[sinks]" "syslog_socket=$dir/log")
	out=$(KMODAUDIT_CONFIG=$c capsh --drop=cap_audit_write -- -c "exec '$EMIT' delete nocap_mod")
	[[ "$out" == "begin=0 "* ]] || fail "no CAP_AUDIT_WRITE: $out"
	syslog_wait "$dir" 'USER ver=2 op=kmod_unload .* name="nocap_mod" ' ||
		fail "no CAP_AUDIT_WRITE: no record in syslog"
else
	echo "note: capsh missing, CAP_AUDIT_WRITE case not run"
fi

# 3. fail-closed: the intent record has a sink (syslog) -> allowed; no sink -> EPERM + why
c=$(conf fc1 "[policy]" "mode=fail-closed" "[sinks]" "syslog_socket=$dir/log")
out=$(KMODAUDIT_CONFIG=$c unshare -U -r "$EMIT" --args fc1 init "$dir/junk")
[[ "$out" == "begin=0 "* ]] || fail "fail-closed with syslog: $out"
syslog_wait "$dir" 'op=kmod_load_intent .* args="fc1"' || fail "fail-closed: no intent in syslog"
c=$(conf fc2 "[policy]" "mode=fail-closed" "[sinks]" "fallback=none" "syslog_socket=$dir/log")
out=$(KMODAUDIT_CONFIG=$c unshare -U -r "$EMIT" --args fc2 init "$dir/junk")
[[ "$out" == "begin=-1 "*"ret=none" ]] || fail "fail-closed without sink: $out"
syslog_wait "$dir" 'kmodaudit\[[0-9]+\]: fail-closed: refused init_module .*Connection refused' ||
	fail "fail-closed: the refusal is not explained in syslog: $(syslog_messages "$dir")"
grep -aq 'args="fc2"' "$dir/messages" && fail "fail-closed: fallback=none still sent the record"
# fail-open, same faults: the call goes on
c=$(conf fo "[sinks]" "fallback=none" "syslog_socket=$dir/nosuch")
out=$(KMODAUDIT_CONFIG=$c unshare -U -r "$EMIT" --args fo init "$dir/junk")
[[ "$out" == "begin=0 "*"ret=-"* ]] || fail "fail-open without sink: $out"

# 4. syslog socket missing as well: the file sink has the record
c=$(conf nosys "[sinks]" "syslog_socket=$dir/nosuch" "file=$dir/only.json")
out=$(KMODAUDIT_CONFIG=$c unshare -U -r "$EMIT" delete only_file)
[[ "$out" == "begin=0 "* ]] || fail "no syslog: $out"
grep -q '"name":"only_file"' "$dir/only.json" || fail "no syslog: record not in the file"

# 5. file sink on a full filesystem: audit still has the record, the call goes on
mark=$(audit_mark)
c=$(conf full "[sinks]" "file=$dir/full/r.json" "fallback=none")
mkdir "$dir/full"
out=$(KMODAUDIT_CONFIG=$c unshare -m --propagation private sh -c '
	mount -t tmpfs -o size=16k tmpfs "$1/full" && head -c 1M /dev/zero >"$1/full/fill" 2>/dev/null
	echo "pid=$$"
	exec "$2" delete full_fs_mod' sh "$dir" "$EMIT")
pid=$(printf '%s\n' "$out" | sed -n 's/^pid=//p')
[[ "$out" == *"begin=0 "* ]] || fail "full filesystem: $out"
audit_wait_records "$mark" 1 -p "$pid" | grep 'name="full_fs_mod"' >/dev/null ||
	fail "full filesystem: record not in audit"

# 6. audit disabled: the kernel would acknowledge and drop the record; it goes to syslog instead
#    (here through the default /dev/log, in a private mount namespace)
c=$(conf dis "[record]" "intent=yes")
audit_disable || fail "cannot disable audit"
mark=$(audit_mark)
out=$(KMODAUDIT_CONFIG=$c syslog_run "$dir" "$EMIT" delete disabled_mod)
audit_enable
[[ "$out" == "begin=0 "* ]] || fail "audit disabled: $out"
syslog_wait "$dir" 'USER ver=2 op=kmod_unload .* name="disabled_mod" ' ||
	fail "audit disabled: no record in syslog"
audit_user_records "$mark" | grep disabled_mod >/dev/null && fail "audit disabled: record in audit log?"

[ -n "${KMA_DEBUG:-}" ] && { syslog_messages "$dir"; cat "$dir"/*.json; }
if [ "$fails" -gt 0 ]; then
	echo "FAIL: $fails checks"
	syslog_messages "$dir"
	exit 1
fi
echo "PASS: fallback to syslog and file on every fault; fail-closed refuses and says why"
