#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Forged records: hostile module names, parameters, paths, command names and executables go
# through the real kernel audit subsystem and auditd; auparse must read back exactly the
# intended fields with exactly the intended bytes, and nothing more.
set -uo pipefail
. "$KMODAUDIT_SRC/tests/lib/audit.sh"

EMIT=$KMODAUDIT_BUILD/tests/record/kma-emit
AUPARSE=$KMODAUDIT_BUILD/tests/record/kma-auparse
[ -x "$EMIT" ] && [ -x "$AUPARSE" ] || { echo "FAIL: build kma-emit and kma-auparse first"; exit 1; }
audit_setup
# the shell readers' list of string fields is the format's table's
[ "$(echo $KMA_STRING_FIELDS)" = "$("$AUPARSE" --string-fields)" ] ||
	{ echo "FAIL: KMA_STRING_FIELDS (tests/lib/audit.sh) is not $("$AUPARSE" --string-fields)"; exit 1; }

dir=$(mktemp -d)
kma_on_exit "rm -rf '$dir'"
printf '[sinks]\nfallback=none\naudit_timeout_ms=5000\n' >"$dir/conf"
chmod 644 "$dir/conf"
export KMODAUDIT_CONFIG=$dir/conf
fails=0

hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n' | tr a-f A-F; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mark=$(audit_mark)
declare -A pids

# run NAME EMIT-ARGS...: one call through the emit lifecycle, its pid remembered as NAME
run() {
	local name=$1
	shift
	"$@" >"$dir/$name.out" 2>&1 &
	pids[$name]=$!
	wait "${pids[$name]}" || fail "$name: kma-emit failed: $(cat "$dir/$name.out")"
	grep -q '^begin=0 ' "$dir/$name.out" || fail "$name: $(cat "$dir/$name.out")"
}

names=("with space" 'q"uote' "a'b" "a=b" $'line\nbreak' "x res=success op=kmod_load"
       $'\xff\xfe\x80non-utf8' "msg='x'" $'\t' "plain_name")
for i in "${!names[@]}"; do
	run "name$i" "$EMIT" --name-hex "$(hex "${names[i]}")" delete x
done
run comm "$EMIT" --comm-hex "$(hex 'c"m d=e res=')" delete x
printf 'junk' >"$dir/junk"
args=$'p1="a b" p2=\'c\' res=success\nexe="/bin/true" \xff'
run args "$EMIT" --args-hex "$(hex "$args")" init "$dir/junk"
fname=$'mod \'x\'="y" res=success\n.ko'
cp "$dir/junk" "$dir/$fname"
run path "$EMIT" finit "$dir/$fname"
exe=$'e x"e res=success'
cp "$EMIT" "$dir/$exe"
run exe "$dir/$exe" delete x
big=$(head -c 8192 /dev/zero | tr '\0' 'A')
run bigargs "$EMIT" --args "$big" init "$dir/junk"
run bigname "$EMIT" --name-hex "$(hex "$big")" delete x

# other record types
for t in trusted_app 2999; do
	printf '[record]\ntype=%s\n[sinks]\nfallback=none\naudit_timeout_ms=5000\n' "$t" >"$dir/type-$t.conf"
	chmod 644 "$dir/type-$t.conf"
	run "type$t" env KMODAUDIT_CONFIG="$dir/type-$t.conf" "$EMIT" delete "type_$t"
done
# the file changes during the call: the result record says so, the intent record cannot yet
cp "$dir/junk" "$dir/changing.ko"
run changed "$EMIT" --change-file finit "$dir/changing.ko"
# rewritten in place, same size, mtime put back: ctime still tells
cp "$dir/junk" "$dir/rewritten.ko"
run rewritten "$EMIT" --rewrite-file finit "$dir/rewritten.ko"
# real signed modules, when the fixtures are there: fields as kmod's modinfo prints them
real=
if [ -s "${KMODAUDIT_CACHE:-/nonexistent}/env" ]; then
	. "$KMODAUDIT_CACHE/env"
	real=$(find "$MODDIR" -name af_key.ko | sed -n 1p)
fi
if [ -n "$real" ]; then
	cp "$real" "$dir/renamed-evil.ko"
	cp "$real" "$dir/af-key.ko"
	run real_ok "$EMIT" --args 'x=1' finit "$dir/af-key.ko"
	run real_renamed "$EMIT" finit "$dir/renamed-evil.ko"
	run real_hint "$EMIT" --hint nosuch init "$real"
fi

# records NAME: our records of that call as kma-auparse prints them
records() {
	local n
	n=$(printf '%s' "${pids[$1]}")
	audit_wait_records "$mark" "$2" -p "$n" >"$dir/$1.raw" ||
		fail "$1: expected $2 records, got $(wc -l <"$dir/$1.raw")"
	"$AUPARSE" <"$dir/$1.raw" >"$dir/$1.fields" || fail "$1: auparse read nothing"
}

# field_of LINE NAME: the hex value of NAME in a kma-auparse line
field_of() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2://p"; }
field_names() { printf '%s\n' "$1" | tr ' ' '\n' | tail -n +2 | cut -d: -f1 | tr '\n' ' '; }

unload_fields="ver op seq via call name call_flags exit ppid comm history exe hostname addr terminal res "
for i in "${!names[@]}"; do
	records "name$i" 1
	line=$(head -1 "$dir/name$i.fields")
	[ "$(field_names "$line")" = "$unload_fields" ] ||
		fail "name$i: fields $(field_names "$line")"
	[ "$(field_of "$line" name)" = "$(hex "${names[i]}")" ] ||
		fail "name$i: name $(field_of "$line" name) != $(hex "${names[i]}")"
	[ "$(field_of "$line" res)" = "$(hex failed)" ] || fail "name$i: res"
	[ "$(field_of "$line" exit)" = "$(hex -38)" ] || fail "name$i: exit (ENOSYS here)"
done
# the shell library reads the same values
line=$(head -1 "$dir/name0.raw")
[ "$(audit_field "$line" name)" = "with space" ] || fail "audit_field name: $(audit_field "$line" name)"
line=$(head -1 "$dir/name2.raw")
[ "$(audit_field "$line" name)" = "a'b" ] || fail "audit_field name: $(audit_field "$line" name)"

records comm 1
line=$(head -1 "$dir/comm.fields")
[ "$(field_of "$line" comm)" = "$(hex 'c"m d=e res=')" ] || fail "comm: $(field_of "$line" comm)"
[ "$(field_names "$line")" = "$unload_fields" ] || fail "comm: fields $(field_names "$line")"

records args 2
while read -r line; do
	[ "$(field_of "$line" args)" = "$(hex "$args")" ] || fail "args: $(field_of "$line" args)"
	[ "$(field_names "$line" | tr ' ' '\n' | grep -c '^res$')" = 1 ] || fail "args: res twice"
	[ "$(field_names "$line" | tr ' ' '\n' | grep -c '^exe$')" = 1 ] || fail "args: exe twice"
done <"$dir/args.fields"
grep -q " op:$(hex kmod_load_intent) " "$dir/args.fields" || fail "args: no intent record"
grep -q " op:$(hex kmod_load) " "$dir/args.fields" || fail "args: no result record"
[ "$(cut -d' ' -f4 "$dir/args.fields" | sort -u | wc -l)" = 1 ] || fail "args: intent and result seq differ"

records path 2
while read -r line; do
	[ "$(field_of "$line" path)" = "$(hex "$dir/$fname")" ] || fail "path: $(field_of "$line" path)"
	# the file name is not the module's name: but the junk has no name to compare
	[ "$(field_of "$line" name)" = "$(hex '?')" ] || fail "path: name should be ?"
done <"$dir/path.fields"

records exe 1
line=$(head -1 "$dir/exe.fields")
[ "$(field_of "$line" exe)" = "$(hex "$dir/$exe")" ] || fail "exe: $(field_of "$line" exe)"

records bigargs 2
while read -r raw; do
	p=$(audit_payload "$raw")
	[ "${#p}" -le 8000 ] || fail "bigargs: payload ${#p} bytes"
	[ "$(audit_field "$raw" truncated)" = yes ] || fail "bigargs: no truncated=yes"
	audit_field "$raw" args >/dev/null && fail "bigargs: args present"
	[ -n "$(audit_field "$raw" history)" ] || fail "bigargs: history lost"
done <"$dir/bigargs.raw"
records bigname 1
raw=$(head -1 "$dir/bigname.raw")
p=$(audit_payload "$raw")
[ "${#p}" -le 8000 ] || fail "bigname: payload ${#p} bytes"
[ "$(audit_field "$raw" truncated)" = yes ] || fail "bigname: no truncated=yes"
[ "$(audit_field "$raw" res)" = failed ] || fail "bigname: res"

records type2999 1
records typetrusted_app 1
grep -q '^type=TRUSTED_APP ' "$dir/typetrusted_app.raw" || fail "trusted_app: $(cat "$dir/typetrusted_app.raw")"
grep -Eq "^type=(UNKNOWN\\[2999\\]|2999) " "$dir/type2999.raw" || fail "type 2999: $(cat "$dir/type2999.raw")"

records changed 2
grep "op=kmod_load_intent" "$dir/changed.raw" | grep 'file_changed' >/dev/null && fail "changed: intent says file_changed"
grep "op=kmod_load " "$dir/changed.raw" | grep 'anomaly=[a-z_,]*file_changed' >/dev/null ||
	fail "changed: result record without file_changed: $(cat "$dir/changed.raw")"
records rewritten 2
grep "op=kmod_load " "$dir/rewritten.raw" | grep 'anomaly=[a-z_,]*file_changed' >/dev/null ||
	fail "rewritten: result record without file_changed: $(cat "$dir/rewritten.raw")"

if [ -n "$real" ]; then
	records real_ok 2
	while read -r raw; do
		[ "$(audit_field "$raw" name)" = af_key ] || fail "real: name"
		[ "$(audit_field "$raw" sha256)" = "$(sha256sum "$real" | cut -d' ' -f1 | tr a-f A-F)" ] ||
			fail "real: sha256"
		[ "$(audit_field "$raw" size)" = "$(stat -c %s "$real")" ] || fail "real: size"
		[ "$(audit_field "$raw" inode)" = "$(stat -c %i "$dir/af-key.ko")" ] || fail "real: inode"
		[ "$(audit_field "$raw" dev)" = "$(printf '%02x:%02x' $(stat -c '%Hd %Ld' "$dir/af-key.ko"))" ] ||
			fail "real: dev $(audit_field "$raw" dev)"
		for f in signer sig_key sig_hashalgo vermagic license intree; do
			[ "$(audit_field "$raw" $f)" = "$(modinfo -F $f "$real")" ] ||
				fail "real: $f '$(audit_field "$raw" $f)' != modinfo '$(modinfo -F $f "$real")'"
		done
		[ "$(audit_field "$raw" sig_type)" = pkcs7 ] || fail "real: sig_type"
		[ "$(audit_field "$raw" args)" = x=1 ] || fail "real: args"
		# af-key.ko is af_key: - and _ are the same in module names
		audit_field "$raw" anomaly >/dev/null && fail "real: anomaly $(audit_field "$raw" anomaly)"
	done <"$dir/real_ok.raw"
	records real_renamed 2
	while read -r raw; do
		[ "$(audit_field "$raw" anomaly)" = name_mismatch ] || fail "renamed: anomaly '$(audit_field "$raw" anomaly)'"
	done <"$dir/real_renamed.raw"
	records real_hint 2
	while read -r raw; do
		[ "$(audit_field "$raw" anomaly)" = name_mismatch ] || fail "hint: anomaly"
		audit_field "$raw" path >/dev/null && fail "init_module with a path field"
	done <"$dir/real_hint.raw"
else
	echo "note: no fixtures (make fixtures): real module fields not compared with modinfo"
fi

if [ "$fails" -gt 0 ]; then
	echo "FAIL: $fails checks"
	exit 1
fi
echo "PASS: hostile names, comm, args, path, exe and 8 KiB values round-trip through auditd"
