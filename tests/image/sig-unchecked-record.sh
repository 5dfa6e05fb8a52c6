# SPDX-License-Identifier: LGPL-2.1-or-later
# The record of a load whose signature the kernel will not check carries anomaly=sig_unchecked:
# Debian's signed af_key through finit_module with MODULE_INIT_IGNORE_MODVERSIONS (1),
# MODULE_INIT_IGNORE_VERMAGIC (2) or both (insmod -f), and af_key with an X509-type trailer that
# names Debian's signer and key id. Not with flags 0 or 4 (COMPRESSED_FILE), nor for init_module
# (which has no flags). Through kma-emit (the emit lifecycle) into the JSON-lines file sink; the
# signer and key id expected are modinfo's.
set -euo pipefail
: "${KMODAUDIT_BUILD:?run through ctest}" "${KMODAUDIT_CACHE:?}"
EMIT=$KMODAUDIT_BUILD/tests/record/kma-emit
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (the configuration file must be root's)"; exit 77; }
[ -s "$KMODAUDIT_CACHE/env" ] || { echo "SKIP: no fixtures in $KMODAUDIT_CACHE"; exit 77; }
# shellcheck disable=SC1091
. "$KMODAUDIT_CACHE/env"
ko=$MODDIR/kernel/net/key/af_key.ko
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
signer=$(modinfo -F signer "$ko")
key=$(modinfo -F sig_key "$ko")
[ -n "$signer" ] && [ -n "$key" ] || fail "af_key is not signed"

mkdir "$tmp/x509"
python3 - "$ko" "$tmp/x509/af_key.ko" "$signer" "$key" <<'EOT'
import struct, sys
src, dst, signer, key = sys.argv[1], sys.argv[2], sys.argv[3].encode(), bytes.fromhex(sys.argv[4].replace(":", ""))
magic = b"~Module signature appended~\n"
data = open(src, "rb").read()
sig_len = struct.unpack(">I", data[-32:-28])[0]
ms = struct.pack(">BBBBBxxxI", 1, 4, 1, len(signer), len(key), 8)
open(dst, "wb").write(data[:-40 - sig_len] + signer + key + b"SIGNATUR" + ms + magic)
EOT

# run NAME OP FILE FLAGS: one call; prints "call_flags sig_type signer sig_key anomaly" of its result record
run() {
	printf '[sinks]\nfallback=none\nfile=%s\n' "$tmp/$1.json" >"$tmp/$1.conf"
	chmod 644 "$tmp/$1.conf"
	"$EMIT" --config "$tmp/$1.conf" --flags "$4" "$2" "$3" >/dev/null
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["op"] == "kmod_load":
        print(r.get("call_flags"), r.get("sig_type"), r.get("signer"), r.get("sig_key"), r.get("anomaly"), sep="|")
' "$tmp/$1.json"
}
for flags in 1 2 3 7; do
	got=$(run "forced-$flags" finit "$ko" "$flags")
	want="0x$flags|pkcs7|$signer|$key|sig_unchecked"
	[ "$got" = "$want" ] || fail "finit_module flags $flags: '$got', expected '$want'"
done
for flags in 0 4; do
	got=$(run "plain-$flags" finit "$ko" "$flags")
	want="0x$flags|pkcs7|$signer|$key|None"
	[ "$got" = "$want" ] || fail "finit_module flags $flags: '$got', expected '$want'"
done
got=$(run init init "$ko" 0)
[ "$got" = "0x0|pkcs7|$signer|$key|None" ] || fail "init_module: '$got'"
got=$(run x509 finit "$tmp/x509/af_key.ko" 0)
[ "$got" = "0x0|x509|$signer|$key|sig_unchecked" ] || fail "x509 trailer: '$got'"
got=$(run x509-init init "$tmp/x509/af_key.ko" 0)
[ "$got" = "0x0|x509|$signer|$key|sig_unchecked" ] || fail "x509 trailer, init_module: '$got'"
echo PASS
