#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Forged records: crafted modules (tests/hardening/mkko.py) whose real name, .modinfo strings,
# signer CN, parameters and file path hold spaces, quotes, ', =, newlines, "res=success",
# non-UTF-8 bytes and 8 KiB strings, loaded through every emitter that is built: the preload
# shim (kma-load: finit_module, init_module, delete_module), the kmod front end (insmod) and
# `kmodaudit trace`. The records are read back from the real audit subsystem with auparse
# (tests/record/kma-auparse): exactly the contract's fields, each once, each with exactly the
# intended bytes (the values the test chose; kmod's modinfo confirms what the files hold).
. "$KMODAUDIT_SRC/tests/hardening/lib.sh"
audit_setup
command -v openssl >/dev/null || kma_skip "openssl missing"
command -v modinfo >/dev/null || kma_skip "kmod's modinfo missing"

dir=$(mktemp -d)
chmod 755 "$dir"
kma_on_exit "rm -rf '$dir'"
# A long ACK wait: the records must reach auditd even on a loaded machine (ASan, parallel tests).
conf_file "$dir/conf" "[sinks]" "fallback=none" "audit_timeout_ms=5000"
export KMODAUDIT_CONFIG=$dir/conf
MKKO="python3 $KMODAUDIT_SRC/tests/hardening/mkko.py"
CHECK="python3 $KMODAUDIT_SRC/tests/hardening/check-fields.py"

# The intended values.
NAME=$'f a"b\'c=d res=success\n\xff'
MINAME=$'mi "x" y=z\n'
VERMAGIC=$'6.1.0-56-amd64 SMP preempt mod_unload "x" res=success\nexe=/bin/sh \xfe'
SRCVERSION=$(for i in $(seq 100); do printf "S\"'= %02d res=ok\n" "$i"; done)
VERSION=$'1.0\' \x80\x81 res=failed'
LICENSE='GPL and additional rights "x"'
INTREE=$'Y\tres=success'
CN=$'sign\'er "q" a=b res=success\nexe=x'
RAWCN=$'\xff\xfe raw "CN" = x\n res=success'
ARGS=$'p1="a b" p2=\'c\' res=success\nexe="/bin/true" \xff'
BIG=$(head -c 8192 /dev/zero | tr '\0' L)
sub=$dir/$'d i r\'"=res=success'
mkdir -p "$sub"
KO=$sub/$'mod \'x\'="y" res=success\n\xff.ko'

openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/O=kmodaudit tests/CN=$CN" 2>/dev/null ||
	kma_skip "openssl cannot make a certificate"
$MKKO "$KO" --name-hex "$(hex "$NAME")" --modinfo-hex "license=$(hex "$LICENSE")" \
	--modinfo-hex "name=$(hex "$MINAME")" --modinfo-hex "vermagic=$(hex "$VERMAGIC")" \
	--modinfo-hex "srcversion=$(hex "$SRCVERSION")" --modinfo-hex "version=$(hex "$VERSION")" \
	--modinfo-hex "intree=$(hex "$INTREE")" --sign-cms "$dir/cert.pem" "$dir/key.pem" ||
	fail "mkko: main module"
$MKKO "$dir/big.ko" --name-hex "$(hex big)" --modinfo-hex "license=$(hex "$BIG")" \
	--modinfo-hex "srcversion=$(hex "$BIG")" --sign-raw-cn-hex "$(hex "$BIG")" ||
	fail "mkko: big module"
$MKKO "$dir/rawcn.ko" --name-hex "$(hex rawcn)" --modinfo-hex "license=$(hex GPL)" \
	--sign-raw-cn-hex "$(hex "$RAWCN")" || fail "mkko: raw CN module"

# The files hold what we meant, as kmod reads them (values end with modinfo's newline).
mhex() { modinfo -F "$1" "$2" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }
for f in signer:CN vermagic:VERMAGIC srcversion:SRCVERSION version:VERSION license:LICENSE \
	intree:INTREE name:MINAME; do
	v=${f#*:}
	[ "$(mhex "${f%%:*}" "$KO")" = "$(hex "${!v}")0A" ] ||
		fail "modinfo reads another ${f%%:*} from the crafted module: $(modinfo -F "${f%%:*}" "$KO")"
done
[ "$(mhex signer "$dir/rawcn.ko")" = "$(hex "$RAWCN")0A" ] || fail "modinfo: raw CN"
[ "$(mhex signer "$dir/big.ko")" = "$(hex "$BIG")0A" ] || fail "modinfo: 8 KiB CN"
SIG_KEY=$(modinfo -F sig_key "$KO")

main_expect=(--expect "name=$(hex "$NAME")" --expect "modinfo_name=$(hex "$MINAME")"
	--expect "signer=$(hex "$CN")" --expect "sig_key=$(hex "$SIG_KEY")"
	--expect "sig_hashalgo=$(hex sha256)" --expect "sig_type=$(hex pkcs7)"
	--expect "vermagic=$(hex "$VERMAGIC")" --expect "srcversion=$(hex "$SRCVERSION")"
	--expect "version=$(hex "$VERSION")" --expect "license=$(hex "$LICENSE")"
	--expect "intree=$(hex "$INTREE")" --expect "args=$(hex "$ARGS")"
	--expect "sha256=$(hex "$(sha256sum <"$KO" | cut -d' ' -f1 | tr a-f A-F)")" --truncated no)

mark=$(audit_mark)
declare -A pid
run() { # LABEL CMD...: run CMD (it becomes the emitting process: exec all the way)
	local label=$1
	shift
	"$@" >"$dir/$label.out" 2>&1 &
	pid[$label]=$!
	wait "${pid[$label]}"
}
# records LABEL N: the emitter's records, as kma-auparse prints them, in $dir/LABEL.fields
records() {
	audit_wait_records "$mark" "$2" -p "${pid[$1]}" >"$dir/$1.raw" ||
		fail "$1: expected $2 records from pid ${pid[$1]}, got $(grep -c . "$dir/$1.raw")"
	"$AUPARSE" <"$dir/$1.raw" >"$dir/$1.fields" 2>&1 || fail "$1: auparse read nothing"
}

# 1. the preload shim
run shim-finit "${SHIM_ENV[@]}" "$KMA_LOAD" finit "$KO" "$ARGS"
run shim-init "${SHIM_ENV[@]}" "$KMA_LOAD" init "$KO" "$ARGS"
run shim-delete "${SHIM_ENV[@]}" "$KMA_LOAD" delete "$NAME"
run shim-big "${SHIM_ENV[@]}" "$KMA_LOAD" finit "$dir/big.ko" "$BIG"
run shim-rawcn "${SHIM_ENV[@]}" "$KMA_LOAD" init "$dir/rawcn.ko"
emitters="shim"
records shim-finit 2
$CHECK shim-finit "$dir/shim-finit.fields" --count 2 --ops kmod_load_intent,kmod_load \
	"${main_expect[@]}" --expect "via=$(hex preload)" --expect "path=$(hex "$KO")" ||
	fails=$((fails + 1))
records shim-init 2
$CHECK shim-init "$dir/shim-init.fields" --count 2 --ops kmod_load_intent,kmod_load \
	"${main_expect[@]}" --expect "call=$(hex init_module)" --absent path || fails=$((fails + 1))
records shim-delete 1
$CHECK shim-delete "$dir/shim-delete.fields" --count 1 --ops kmod_unload \
	--expect "name=$(hex "$NAME")" --absent modinfo_name --absent args --absent signer \
	--truncated no || fails=$((fails + 1))
records shim-big 2
$CHECK shim-big "$dir/shim-big.fields" --count 2 --truncated yes --expect "name=$(hex big)" \
	--expect "sig_type=$(hex pkcs7)" --expect "sig_key=$(hex 12:34:A5)" --absent signer \
	--absent license --absent srcversion --absent args ||
	fails=$((fails + 1))
records shim-rawcn 2
$CHECK shim-rawcn "$dir/shim-rawcn.fields" --count 2 --truncated no \
	--expect "signer=$(hex "$RAWCN")" --expect "sig_key=$(hex 12:34:A5)" \
	--expect "name=$(hex rawcn)" --expect "args=" || fails=$((fails + 1))

# 2. the kmod front end (kmod's insmod tries finit_module, then init_module on ENOSYS)
INSMOD=$KMODAUDIT_BUILD/wrappers/insmod
if [ -x "$INSMOD" ]; then
	run kmod-insmod env ASAN_OPTIONS=verify_asan_link_order=0 "$INSMOD" "$KO" "$ARGS"
	records kmod-insmod 2
	$CHECK kmod-insmod "$dir/kmod-insmod.fields" "${main_expect[@]}" \
		--expect "via=$(hex kmod)" || fails=$((fails + 1))
	emitters="$emitters, kmod front end"
else
	echo "note: wrappers/insmod not built: the kmod front end is not checked"
fi

# 3. the tracer (kma-load without the shim: raw calls seen by ptrace). LeakSanitizer cannot
#    run in a ptraced process.
KMODAUDIT_CMD=$KMODAUDIT_BUILD/src/kmodaudit
if "$KMODAUDIT_CMD" trace --help >/dev/null 2>&1; then
	run trace-finit env ASAN_OPTIONS=detect_leaks=0 "$KMODAUDIT_CMD" trace -- \
		"$KMA_LOAD" finit "$KO" "$ARGS"
	records trace-finit 2
	$CHECK trace-finit "$dir/trace-finit.fields" --count 2 --ops kmod_load_intent,kmod_load \
		"${main_expect[@]}" --expect "via=$(hex trace)" --expect "path=$(hex "$KO")" ||
		fails=$((fails + 1))
	run trace-delete env ASAN_OPTIONS=detect_leaks=0 "$KMODAUDIT_CMD" trace -- \
		"$KMA_LOAD" delete "$NAME"
	records trace-delete 1
	$CHECK trace-delete "$dir/trace-delete.fields" --count 1 --ops kmod_unload \
		--expect "name=$(hex "$NAME")" --expect "via=$(hex trace)" || fails=$((fails + 1))
	emitters="$emitters, tracer"
else
	echo "note: kmodaudit trace not built: the tracer is not checked"
fi

[ -n "${KMA_DEBUG:-}" ] && cat "$dir"/*.fields
finish "forged names, modinfo, signer, args and paths read back exactly ($emitters)"
