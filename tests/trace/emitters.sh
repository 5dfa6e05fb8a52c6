#!/usr/bin/env bash
# Each call is recorded once when another emitter of the project is in the traced process: the
# preload shim and the kmod front end record their own calls (via=preload, via=kmod) and
# kmodaudit trace leaves those alone, while a raw syscall instruction in a process that has the
# shim loaded is still the tracer's (via=trace). Every emitter writes to one file sink here
# (a private configuration), so the file holds every record of every emitter.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
shim=$KMODAUDIT_BUILD/shim/libkmodaudit.so
kma_load=$KMODAUDIT_BUILD/tests/kma-load
front=$KMODAUDIT_BUILD/wrappers/insmod
[ -f "$shim" ] || skip "the shim is not built"
# the shim loads the core it records with from the build tree, not the installed one
export KMODAUDIT_IMPL=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
[ -x "$kma_load" ] || skip "kma-load is not built"
out=$work/all.jsonl
printf '[sinks]\nfile = %s\n' "$out" > "$KMODAUDIT_CONFIG"

# run_traced ENV... -- CMD...: CMD under kmodaudit trace, records of this run only.
run_traced() {
	rm -f "$out"
	env "$@" > "$work/log" 2>&1 || true
	[ -s "$out" ] || : > "$out"
}

# The shim's own calls: libc's wrappers, syscall(), an fd. One event each, via=preload.
for op in "init $module" "init-syscall $module" "finit $module" "delete $module_name" \
	"delete-syscall $module_name"; do
	# shellcheck disable=SC2086
	run_traced LD_PRELOAD="$shim" "$kmodaudit" trace -- "$kma_load" $op
	want=2
	[[ $op == delete* ]] && want=1
	expect "kma-load $op: via=preload records" "$(count "$out" via=preload)" "$want"
	expect "kma-load $op: via=trace records" "$(count "$out" via=trace)" 0
done

# A raw syscall instruction in a process that has the shim loaded: the shim cannot see it,
# the tracer records it.
run_traced LD_PRELOAD="$shim" "$kmodaudit" trace -- "$mt_loader" "$module" 1
expect "raw syscall beside the shim: via=trace records" "$(count "$out" via=trace)" 2
expect "raw syscall beside the shim: via=preload records" "$(count "$out" via=preload)" 0

# The kmod front end (libkmod's calls land in its own init_module/finit_module, which call
# libc's syscall()): via=kmod only, with or without the shim preloaded.
if [ -x "$front" ]; then
	for preload in "" "$shim"; do
		run_traced LD_PRELOAD="$preload" "$kmodaudit" trace -- "$front" "$module"
		n=$(count "$out" via=kmod op=kmod_load)
		[ "$n" -ge 1 ] || fail "front end${preload:+ with the shim}: no via=kmod record ($(cat "$work/log"))"
		echo "ok: front end${preload:+ with the shim}: $n via=kmod result records"
		expect "front end${preload:+ with the shim}: other records" \
			"$(count "$out" via=trace)$(count "$out" via=preload)" 00
	done
else
	echo "note: the kmod front end is not built: not tested here"
fi

# A program merely named like an emitter is not one: the tracer matches full paths.
for name in libkmodaudit.so kmodaudit-kmod; do
	cp "$loader" "$work/$name"
	run_traced "$kmodaudit" trace -- "$work/$name" delete "$module_name"
	expect "a loader named $name: via=trace records" "$(count "$out" via=trace)" 1
done
