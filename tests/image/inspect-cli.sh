#!/usr/bin/env bash
# kmodaudit inspect as a command: exit statuses, the one-line error messages, output order,
# text and JSON forms of the same fields (against modinfo and python's json), --jobs.
set -euo pipefail

: "${KMODAUDIT_CACHE:?}" "${KMODAUDIT_BUILD:?}"
[ -s "$KMODAUDIT_CACHE/env" ] || { echo "SKIP: no fixtures in $KMODAUDIT_CACHE (run tests/fixtures/fetch-debs)"; exit 77; }
# shellcheck disable=SC1091
. "$KMODAUDIT_CACHE/env"
k=$KMODAUDIT_BUILD/src/kmodaudit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
status() { local s=0; "$@" > "$work/out" 2> "$work/err" || s=$?; echo "$s"; }

# Usage errors: 2.
[ "$(status "$k" inspect)" = 2 ] || fail "no FILE: want 2"
[ "$(status "$k" inspect --bogus "$MODDIR/kernel/net/key/af_key.ko")" = 2 ] || fail "--bogus: want 2"
[ "$(status "$k" inspect --jobs 0 x)" = 2 ] || fail "--jobs 0: want 2"
[ "$(status "$k" inspect --help)" = 0 ] || fail "--help: want 0"
grep -q '^Usage: kmodaudit inspect' "$work/out" || fail "--help prints no usage"

# Every file usable: 0, nothing on stderr.
ko=$MODDIR/kernel/net/key/af_key.ko
[ "$(status "$k" inspect "$ko")" = 0 ] || fail "a real module: want 0"
[ ! -s "$work/err" ] || fail "a real module: stderr not empty"
# Text: "field:" padded to 16 columns, values as modinfo prints them.
for f in name signer sig_key sig_hashalgo vermagic license intree; do
	want=$(modinfo -F "$f" "$ko")
	key=$f; [ "$f" = name ] && key=modinfo_name
	got=$(sed -n "s/^$key: *//p" "$work/out")
	[ "$f" = vermagic ] && got=$(grep '^vermagic:' "$work/out" | cut -c17-)
	[ "$got" = "$want" ] || fail "text $key: '$got' != modinfo '$want'"
done
[ "$(sed -n 's/^name: *//p' "$work/out")" = "$(modinfo -F name "$ko")" ] || fail "text name"
[ "$(sed -n 's/^sha256: *//p' "$work/out")" = "$(sha256sum "$ko" | cut -d' ' -f1 | tr a-f A-F)" ] || fail "text sha256"
[ "$(sed -n 's/^size: *//p' "$work/out")" = "$(stat -c %s "$ko")" ] || fail "text size"

# A signature the kernel never checks (sig_unchecked): af_key with its PKCS#7 trailer swapped
# for an X509-type one naming Debian's signer and key id, and the real module as loaded with
# insmod -f (finit_module flags 0x3). No anomaly on the real module loaded plainly.
[ -z "$(sed -n 's/^anomaly: *//p' "$work/out")" ] || fail "a signed module: an anomaly line"
python3 - "$ko" "$work/x509.ko" "$(modinfo -F signer "$ko")" "$(modinfo -F sig_key "$ko")" <<'EOT'
import struct, sys
src, dst, signer, key = sys.argv[1], sys.argv[2], sys.argv[3].encode(), bytes.fromhex(sys.argv[4].replace(":", ""))
magic = b"~Module signature appended~\n"
data = open(src, "rb").read()
assert data.endswith(magic)
sig_len = struct.unpack(">I", data[-32:-28])[0]
elf = data[:-40 - sig_len]
ms = struct.pack(">BBBBBxxxI", 1, 4, 1, len(signer), len(key), 8)
open(dst, "wb").write(elf + signer + key + b"SIGNATUR" + ms + magic)
EOT
[ "$(status "$k" inspect "$work/x509.ko")" = 0 ] || fail "x509 trailer: want 0"
[ "$(sed -n 's/^sig_type: *//p' "$work/out")" = x509 ] || fail "x509 trailer: sig_type"
[ "$(sed -n 's/^signer: *//p' "$work/out")" = "$(modinfo -F signer "$work/x509.ko")" ] || fail "x509 trailer: signer"
[ "$(sed -n 's/^sig_key: *//p' "$work/out")" = "$(modinfo -F sig_key "$ko")" ] || fail "x509 trailer: sig_key"
[ "$(sed -n 's/^anomaly: *//p' "$work/out")" = sig_unchecked ] || fail "x509 trailer: no sig_unchecked"
[ "$(status "$k" inspect --json --flags 0x3 "$ko")" = 0 ] || fail "--flags 0x3: want 0"
python3 - "$work/out" <<'EOT' || fail "--flags 0x3: JSON"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["sig_type"] == "pkcs7" and o["anomaly"] == "sig_unchecked", o
EOT
for f in 4 0; do
	[ "$(status "$k" inspect --flags "$f" "$ko")" = 0 ] || fail "--flags $f: want 0"
	[ -z "$(sed -n 's/^anomaly: *//p' "$work/out")" ] || fail "--flags $f: an anomaly line"
done
[ "$(status "$k" inspect --flags x "$ko")" = 2 ] || fail "--flags x: want 2"

# Some files not usable: 1, one line each on stderr naming file and reason, all in order.
printf 'not a module\n' > "$work/plain"
nl_name="$work/bad
name"
printf 'x' > "$nl_name"
[ "$(status "$k" inspect --json "$ko" "$work/plain" "$work/missing" /dev/null "$nl_name")" = 1 ] || fail "mixed: want 1"
cat > "$work/want-err" <<EOT
kmodaudit inspect: $work/plain: not an ELF object
kmodaudit inspect: $work/missing: No such file or directory
kmodaudit inspect: /dev/null: not a regular file
kmodaudit inspect: $work/bad\\x0Aname: not an ELF object
EOT
diff -u "$work/want-err" "$work/err" || fail "stderr messages"
python3 - "$work/out" "$ko" "$work" <<'EOT' || fail "JSON output"
import json, sys
out, ko, work = sys.argv[1:]
objs = [json.loads(l) for l in open(out)]
assert [o["file"] for o in objs] == [ko, f"{work}/plain", f"{work}/missing", "/dev/null", f"{work}/bad\nname"], objs
assert objs[0]["name"] == "af_key" and objs[0]["sig_type"] == "pkcs7" and "error" not in objs[0], objs[0]
assert objs[1]["error"] == "not an ELF object" and objs[1]["size"] == 13 and objs[1]["sig_type"] == "none", objs[1]
assert objs[2] == {"file": f"{work}/missing", "error": "No such file or directory"}, objs[2]
assert objs[3] == {"file": "/dev/null", "error": "not a regular file"}, objs[3]
EOT

# A FIFO nobody writes to: refused at once like /dev/null, never a blocking open (timeout guards).
mkfifo "$work/fifo"
[ "$(status timeout 10 "$k" inspect "$work/fifo")" = 1 ] || fail "FIFO: want 1 (124: hung in open)"
grep -qxF "kmodaudit inspect: $work/fifo: not a regular file" "$work/err" || fail "FIFO: $(cat "$work/err")"

# A name that is not UTF-8: hex in JSON (key listed in "hex"), \xNN in text.
bad8=$(printf '%s/bad\377name' "$work")
printf 'x' > "$bad8"
[ "$(status "$k" inspect --json "$bad8")" = 1 ] || fail "non-UTF-8 name: want 1"
python3 - "$work/out" "$bad8" <<'EOT' || fail "non-UTF-8 JSON"
import json, os, sys
o = json.loads(open(sys.argv[1]).read())
assert o["file"] == os.fsencode(sys.argv[2]).hex().upper() and o["hex"] == ["file"], o
EOT
grep -qxF "kmodaudit inspect: $work/bad\xFFname: not an ELF object" "$work/err" || fail "non-UTF-8 stderr"
[ "$(status "$k" inspect "$bad8")" = 1 ] || fail "non-UTF-8 text: want 1"
grep -qxF "file:           $work/bad\xFFname" "$work/out" || fail "non-UTF-8 text"

# Parallel and serial analysis print the same, in the order given.
find "$MODDIR" -name '*.ko' | LC_ALL=C sort | awk 'NR <= 300' | tac > "$work/list"
xargs -d '\n' -a "$work/list" "$k" inspect --json --jobs 1 > "$work/serial"
xargs -d '\n' -a "$work/list" "$k" inspect --json --jobs 4 > "$work/parallel"
cmp -s "$work/serial" "$work/parallel" || fail "--jobs 1 and --jobs 4 differ"
python3 -c 'import json,sys; print("\n".join(json.loads(l)["file"] for l in open(sys.argv[1])))' "$work/parallel" |
	cmp -s - "$work/list" || fail "output not in the order given"

[ "$failures" = 0 ] || exit 1
echo "inspect-cli: all checks passed"
