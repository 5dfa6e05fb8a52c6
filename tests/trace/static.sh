#!/usr/bin/env bash
# A static loader that issues the syscall instruction itself (no libc wrapper, no dynamic
# linker: no shim can see it) makes each module call under kmodaudit trace. Every call must give
# its records, via=trace, with what the kernel got (the file's own sha256, size, the module's
# name as modinfo reads it, params, flags) and the kernel's answer as the loader saw it.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
out=$work/out.jsonl

# check_load SYSCALL PARAMS FLAGS LOADER-ARGS...: one intent and one result record.
check_load() {
	local syscall=$1 params=$2 flags=$3
	shift 3
	local log=$work/$syscall.log pid ret
	"$kmodaudit" trace -o "$out" -- "$loader" "$@" > "$log"
	pid=$(pid_of "$log")
	ret=$(ret_of "$log")
	[ -n "$pid" ] && [ -n "$ret" ] || fail "$syscall: loader printed nothing"
	expect "$syscall records of pid $pid" "$(count "$out" pid="$pid")" 2
	expect "$syscall intent" "$(count "$out" pid="$pid" op=kmod_load_intent)" 1
	records "$out" pid="$pid" op=kmod_load -- via call name size sha256 args call_flags exit \
		> "$work/got"
	printf 'trace\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$syscall" "$module_name" "$module_size" \
		"$(upper <<< "$module_sha")" "$params" "$flags" "$ret" > "$work/want"
	diff -u "$work/want" "$work/got" || fail "$syscall: result record differs"
	echo "ok: $syscall result record"
	# The intent record describes the same bytes.
	expect "$syscall intent sha256" "$(records "$out" pid="$pid" op=kmod_load_intent -- sha256)" \
		"$(upper <<< "$module_sha")"
}

check_load init_module "p1=1 p2=two" 0x0 init "$module" "p1=1 p2=two"
check_load finit_module "x=y" 0x3 finit "$module" "x=y" 3
realpath=$(realpath "$module")
expect "finit_module path" "$(records "$out" call=finit_module op=kmod_load -- path)" "$realpath"

"$kmodaudit" trace -o "$out" -- "$loader" delete "$module_name" 0x800 > "$work/del.log"
pid=$(pid_of "$work/del.log")
expect "delete_module record" \
	"$(records "$out" pid="$pid" -- op via call name call_flags exit)" \
	"$(printf 'kmod_unload\ttrace\tdelete_module\t%s\t0x800\t%s' "$module_name" \
		"$(ret_of "$work/del.log")")"
# This machine's kernel has no module support: the kernel's answer is ENOSYS.
[ -e /proc/modules ] || expect "kernel answer without module support" "$(ret_of "$work/del.log")" -38

# Fail-closed: when no sink takes the intent record, the tracer makes the kernel skip the call
# and the caller gets EPERM. In a user namespace the audit socket refuses every record; with no
# fallback sink nothing can take it.
printf '[policy]\nmode = fail-closed\n[sinks]\nfallback = none\n' > "$work/closed.conf"
if unshare -Ur true 2>/dev/null; then
	KMODAUDIT_CONFIG=$work/closed.conf unshare -Ur "$kmodaudit" trace -- "$loader" init "$module" \
		> "$work/closed.log" 2>/dev/null
	expect "fail-closed: the caller's answer" "$(ret_of "$work/closed.log")" -1
	KMODAUDIT_CONFIG=$work/closed.conf unshare -Ur "$loader" init "$module" > "$work/open.log"
	expect "the same call untraced" "$(ret_of "$work/open.log")" \
		"$(ret_of "$work/init_module.log")"
else
	echo "note: no user namespaces: fail-closed not tested"
fi
