#!/usr/bin/env bash
# Debian's busybox-static (no dynamic linker, no shim) loads and unloads a real Debian module
# under kmodaudit trace. strace, run on the same commands, is the independent account of what
# busybox asked the kernel (syscall, flags, answer); sha256sum and modinfo of the file are the
# account of the image.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
[ -x "${BUSYBOX_STATIC:-}" ] || skip "no busybox-static in the fixtures"
command -v strace >/dev/null || fail "strace is missing (.ci/install-deps)"
out=$work/out.jsonl

# strace_calls LOG: "SYSCALL<TAB>PARAMS<TAB>-ERRNO" for each module call strace saw, in order.
strace_calls() {
	python3 - "$1" <<'PY'
import errno, re, sys
for line in open(sys.argv[1]):
    m = re.match(r'^(init|finit|delete)_module\((.*)\)\s+= (-?\d+)(?: ([A-Z]+))?', line)
    if not m:
        continue
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
    ret = int(m.group(3))
    if ret == -1:
        ret = -getattr(errno, m.group(4))
    print(f"{m.group(1)}_module\t{strings[-1] if strings else ''}\t{ret}")
PY
}

# insmod: the status is busybox's own, with or without the tracer.
rc_plain=0
strace -o "$work/insmod.strace" -e trace=init_module,finit_module \
	"$BUSYBOX_STATIC" insmod "$module" "opt=1" 2>/dev/null || rc_plain=$?
rc=0
"$kmodaudit" trace -o "$out" -- "$BUSYBOX_STATIC" insmod "$module" "opt=1" 2>/dev/null || rc=$?
expect "insmod exit status under trace" "$rc" "$rc_plain"

# Busybox tries finit_module, then init_module when the kernel says ENOSYS: one record pair
# each, in that order, each describing the file's bytes.
strace_calls "$work/insmod.strace" > "$work/calls"
[ -s "$work/calls" ] || fail "busybox insmod made no module call under strace"
ncalls=$(wc -l < "$work/calls")
expect "insmod records" "$(count "$out" via=trace)" $((2 * ncalls))
records "$out" op=kmod_load -- call args exit name size sha256 comm > "$work/got"
while IFS=$'\t' read -r syscall params ret; do
	printf '%s\t%s\t%s\t%s\t%s\t%s\tbusybox\n' "$syscall" "$params" "$ret" "$module_name" \
		"$module_size" "$(upper <<< "$module_sha")"
done < "$work/calls" > "$work/want"
diff -u "$work/want" "$work/got" || fail "insmod result records differ"
echo "ok: insmod result records ($(cut -f1 "$work/calls" | tr '\n' ' '))"
want_exit=$(cut -f3 "$work/calls" | tail -1)

# rmmod: delete_module with busybox's flags.
rm -f "$out"
strace -o "$work/rmmod.strace" -e trace=delete_module -e raw=delete_module \
	"$BUSYBOX_STATIC" rmmod "$module_name" 2>/dev/null || true
flags=$(sed -n 's/^delete_module(0x[0-9a-f]*, *\(0x[0-9a-f]*\)).*/\1/p' "$work/rmmod.strace")
want_exit=$(strace_calls "$work/rmmod.strace" | cut -f3)
[ -n "$flags" ] && [ -n "$want_exit" ] || fail "busybox rmmod made no delete_module call"
"$kmodaudit" trace -o "$out" -- "$BUSYBOX_STATIC" rmmod "$module_name" 2>/dev/null || true
expect "rmmod record" "$(records "$out" -- op via call name call_flags exit)" \
	"$(printf 'kmod_unload\ttrace\tdelete_module\t%s\t%s\t%s' "$module_name" "$flags" "$want_exit")"
