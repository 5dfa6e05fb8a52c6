# SPDX-License-Identifier: LGPL-2.1-or-later
# Records of loaders no one here wrote (kmod's insmod/modprobe/rmmod, busybox, python3 ctypes,
# perl's syscall) and of our kma-load, made under the shim and read back from the real auditd;
# every module field compared with kmod's modinfo of the same file, the hash with sha256sum,
# identity with stat. On this kernel every call answers ENOSYS: exit=-38 res=failed.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
. "$KMODAUDIT_SRC/tests/lib/audit.sh"
audit_setup
fixtures
for tool in modinfo depmod sha256sum perl python3; do
	command -v $tool >/dev/null || kma_skip "$tool missing"
done
[ -x "$BUSYBOX" ] || kma_skip "no dynamic busybox in the fixtures"

ko=$MODDIR/kernel/drivers/net/dummy.ko
[ -f "$ko" ] || fail "no dummy.ko in $MODDIR"
tmp=$(mktemp -d)
kma_on_exit "rm -rf '$tmp'"

# The reference: kmod's modinfo, coreutils, stat. Never our own tools.
declare -A want
for f in name signer sig_key sig_hashalgo vermagic srcversion license intree version; do
	want[$f]=$(modinfo -F "$f" "$ko")
done
want_sha=$(sha256sum "$ko" | awk '{print toupper($1)}')
want_size=$(stat -c %s "$ko")
failures=0
bad() {
	echo "  MISMATCH: $*" >&2
	failures=$((failures + 1))
}

# expect LINE FIELD VALUE: the decoded field equals VALUE ("<absent>" for no field).
expect() {
	local got
	got=$(audit_field "$1" "$2") || got="<absent>"
	[ "$got" = "$3" ] || bad "$label: $2='$got', expected '$3'"
}

# check_load LINE SYSCALL ARGS FILE: a load record (intent or result) of our dummy.ko.
check_load() {
	local line=$1 sc=$2 args=$3 file=$4 f op
	op=$(audit_field "$line" op)
	expect "$line" via preload
	expect "$line" call "$sc"
	for f in name signer sig_key sig_hashalgo vermagic srcversion license intree version; do
		expect "$line" "$f" "${want[$f]:-<absent>}"
	done
	expect "$line" sha256 "$want_sha"
	expect "$line" size "$want_size"
	expect "$line" compression none
	expect "$line" sig_type pkcs7
	expect "$line" args "$args"
	if [ "$sc" = finit_module ]; then
		expect "$line" path "$(realpath "$file")"
		# as the kernel's PATH record writes it: major:minor in hex
		expect "$line" dev "$(printf '%02x:%02x' $(stat -L -c '%Hd %Ld' "$file"))"
		expect "$line" inode "$(stat -L -c %i "$file")"
	fi
	case $op in
	kmod_load_intent) expect "$line" exit "<absent>"; expect "$line" res success ;;
	kmod_load) expect "$line" exit -38; expect "$line" res failed ;;
	*) bad "$label: op=$op" ;;
	esac
}

# check_unload LINE NAME FLAGS
check_unload() {
	expect "$1" op kmod_unload
	expect "$1" via preload
	expect "$1" call delete_module
	expect "$1" name "$2"
	expect "$1" call_flags "$3"
	expect "$1" exit -38
	expect "$1" res failed
	expect "$1" sha256 "<absent>"
}

# run LABEL COMM CMD...: CMD under the shim; remembers its pid for the records.
declare -A pids comms
run() {
	local label=$1 comm=$2
	shift 2
	env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" "$@" >"$tmp/$label.out" 2>&1 &
	pids[$label]=$!
	comms[$label]=$comm
	wait "${pids[$label]}" || true
}

# records LABEL COUNT: the loader's records (COUNT of them, in order) into the array r.
records() {
	local out
	label=$1
	r=()
	out=$(audit_wait_records "$mark" "$2" -p "${pids[$1]}") || true
	[ -n "$out" ] && mapfile -t r <<<"$out"
	[ "${#r[@]}" -eq "$2" ] || bad "$1: ${#r[@]} records, expected $2"$'\n'"$out"
	while [ "${#r[@]}" -lt "$2" ]; do r+=(""); done
}

# A temporary module tree for modprobe, made by depmod.
root=$tmp/root
mkdir -p "$root/lib/modules/$KVER/kernel/drivers/net"
cp "$ko" "$root/lib/modules/$KVER/kernel/drivers/net/"
depmod -b "$root" "$KVER"

py=$tmp/load.py
cat >"$py" <<'PY'
import ctypes, os, platform, sys
ko = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
data = open(ko, "rb").read()
libc.init_module.restype = ctypes.c_long
r1 = libc.init_module(data, ctypes.c_ulong(len(data)), b"numdummies=3")
e1 = ctypes.get_errno()
fd = os.open(ko, os.O_RDONLY)
nr = {"x86_64": 313, "aarch64": 273}[platform.machine()]
libc.syscall.restype = ctypes.c_long
r2 = libc.syscall(ctypes.c_long(nr), fd, b"", 0)
print(r1, e1, r2, ctypes.get_errno())
PY
pl=$tmp/load.pl
cat >"$pl" <<'PL'
use POSIX ();
my ($ko) = @ARGV;
my %nr = (x86_64 => [175, 313], aarch64 => [105, 273]);
my ($init, $finit) = @{$nr{(POSIX::uname())[4]}};
open(my $fh, '<:raw', $ko) or die "$ko: $!";
my $buf = do { local $/; <$fh> };
my ($p4, $p5) = ("numdummies=4", "numdummies=5"); # syscall() wants writable strings
my $r = syscall($init, $buf, length($buf), $p4);
print "$r $!\n";
$r = syscall($finit, fileno($fh), $p5, 0);
print "$r $!\n";
PL
mkdir "$tmp/modprobe.d" # no options from the host's modprobe.d (systemd's numdummies=0)

mark=$(audit_mark)
run kma-finit kma-load "$KMA_LOAD" finit "$ko" "numdummies=1 x=\"a b\""
run kma-init kma-load "$KMA_LOAD" init "$ko"
run kma-init-syscall kma-load "$KMA_LOAD" init-syscall "$ko" "numdummies=1"
run kma-delete kma-load "$KMA_LOAD" delete-syscall dummy 0x800
run insmod insmod /usr/sbin/insmod "$ko" numdummies=2
run modprobe modprobe /usr/sbin/modprobe -C "$tmp/modprobe.d" -d "$root" -S "$KVER" dummy \
	numdummies=2
run rmmod rmmod /usr/sbin/rmmod -f dummy
run bb-insmod busybox "$BUSYBOX" insmod "$ko" numdummies=2
run bb-rmmod busybox "$BUSYBOX" rmmod dummy
front=$KMODAUDIT_BUILD/wrappers/kmodaudit-kmod
if [ -x "$front" ]; then
	# The kmod front end records its own calls; with the shim preloaded too, each call once.
	ln -s "$front" "$tmp/insmod"
	run front-end insmod "$tmp/insmod" "$ko"
fi
run python python3 python3 "$py" "$ko"
run perl perl perl "$pl" "$ko"

records kma-finit 2
check_load "${r[0]}" finit_module 'numdummies=1 x="a b"' "$ko"
check_load "${r[1]}" finit_module 'numdummies=1 x="a b"' "$ko"
[ "$(audit_field "${r[0]}" seq)" = "$(audit_field "${r[1]}" seq)" ] ||
	bad "$label: intent and result seq differ"
expect "${r[0]}" op kmod_load_intent
expect "${r[1]}" op kmod_load
expect "${r[1]}" comm kma-load

records kma-init 2
check_load "${r[0]}" init_module "" "$ko"
check_load "${r[1]}" init_module "" "$ko"
expect "${r[0]}" path "<absent>"

records kma-init-syscall 2
check_load "${r[1]}" init_module "numdummies=1" "$ko"

records kma-delete 1
check_unload "${r[0]}" dummy 0x800

# kmod tries finit_module, then (ENOSYS) init_module with the file's bytes: four records.
records insmod 4
check_load "${r[0]}" finit_module "numdummies=2" "$ko"
check_load "${r[1]}" finit_module "numdummies=2" "$ko"
check_load "${r[2]}" init_module "numdummies=2" "$ko"
check_load "${r[3]}" init_module "numdummies=2" "$ko"
expect "${r[3]}" comm insmod

records modprobe 4
check_load "${r[0]}" finit_module "numdummies=2" "$root/lib/modules/$KVER/kernel/drivers/net/dummy.ko"
check_load "${r[3]}" init_module "numdummies=2" "$ko"
expect "${r[3]}" comm modprobe

records rmmod 1
check_unload "${r[0]}" dummy 0xa00 # O_NONBLOCK|O_TRUNC (-f)

# busybox 1.35 too tries finit_module first, then init_module through syscall(); its params end
# in ' '; its rmmod passes O_NONBLOCK|O_EXCL.
records bb-insmod 4
check_load "${r[0]}" finit_module "numdummies=2 " "$ko"
check_load "${r[1]}" finit_module "numdummies=2 " "$ko"
check_load "${r[2]}" init_module "numdummies=2 " "$ko"
check_load "${r[3]}" init_module "numdummies=2 " "$ko"
expect "${r[3]}" comm busybox

records bb-rmmod 1
check_unload "${r[0]}" dummy 0x880

if [ -x "$front" ]; then
	records front-end 4
	for line in "${r[@]}"; do
		expect "$line" via kmod
	done
	audit_user_records "$mark" -p "${pids[front-end]}" | grep ' via=preload ' >/dev/null &&
		bad "front-end: the shim recorded the front end's calls too"
fi

records python 4
check_load "${r[1]}" init_module "numdummies=3" "$ko"
check_load "${r[3]}" finit_module "" "$ko"
grep -q '^-1 38 -1 38$' "$tmp/python.out" || bad "python: $(cat "$tmp/python.out")"

records perl 4
check_load "${r[1]}" init_module "numdummies=4" "$ko"
check_load "${r[3]}" finit_module "numdummies=5" "$ko"

# Each loader's own answer was the kernel's: ENOSYS, not something the shim made up.
grep -q 'Function not implemented' "$tmp/insmod.out" || bad "insmod said: $(cat "$tmp/insmod.out")"
grep -q 'ret=-1 errno=ENOSYS' "$tmp/kma-finit.out" || bad "kma-load said: $(cat "$tmp/kma-finit.out")"

# The transparency matrix's bad arguments, recorded: every load has its intent and its result;
# the 8 images that cannot be read whole (NULL, wild, kernel address, 3 huge lengths, a length
# past the end of the mapping) say truncated_read; hostile parameter bytes come out whole.
label=matrix
env LD_PRELOAD="$SHIM" KMODAUDIT_IMPL="$IMPL" "$TESTS_BIN/transparency" >/dev/null &
mpid=$!
wait $mpid
sleep 1
matrix=$(audit_user_records "$mark" | grep -a " ppid=$mpid " || true)
n_intent=$(grep -a -c ' op=kmod_load_intent ' <<<"$matrix" || true)
n_result=$(grep -a -c ' op=kmod_load ' <<<"$matrix" || true)
[ "$n_intent" -ge 40 ] && [ "$n_intent" -eq "$n_result" ] ||
	bad "matrix: $n_intent intents, $n_result load results"
n_trunc=$(grep -a ' op=kmod_load ' <<<"$matrix" | grep -a -c 'anomaly=[a-z_,]*truncated_read' || true)
[ "$n_trunc" -eq 8 ] || bad "matrix: $n_trunc truncated_read load results, expected 8"
hostile=$(grep -a ' op=kmod_load .*args=613D2227' <<<"$matrix" | sed -n 1p)
[ "$(audit_field "$hostile" args | od -An -c | tr -s ' ')" = \
	"$(printf 'a="%s\n res=success \377' "'" | od -An -c | tr -s ' ')" ] ||
	bad "matrix: hostile args came out as $(audit_field_raw "$hostile" args)"

[ "$failures" -eq 0 ] || fail "$failures mismatches"
echo "PASS: ${#pids[@]} loader runs, fields equal to modinfo/sha256sum/stat"
