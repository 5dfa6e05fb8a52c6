#!/usr/bin/env bash
# Which emitter records a call that several of them see: kmodaudit trace, always. It records
# every module call it stops, whoever made it; the preload shim and the kmod front end in a
# traced process leave their own record to it (they could be switched off from inside the
# process: the shim fails open without its core; the tracer's record cannot be). So each call
# gives exactly one event, via=trace, with or without the shim, and with the shim pointed at no
# core (KMODAUDIT_IMPL=/nonexistent). Every emitter writes to one file sink here (a private
# configuration), so the file holds every record of every emitter.
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
shim=$KMODAUDIT_BUILD/shim/libkmodaudit.so
kma_load=$KMODAUDIT_BUILD/tests/kma-load
front=$KMODAUDIT_BUILD/wrappers/insmod
[ -f "$shim" ] || skip "the shim is not built"
# the shim loads the core it records with from the build tree, not the installed one
impl=$KMODAUDIT_BUILD/src/libkmodaudit-impl.so
export KMODAUDIT_IMPL=$impl
[ -x "$kma_load" ] || skip "kma-load is not built"
# the core knows the build tree's kmodaudit as a tracer only in a test build (never in packages)
[ "${KMODAUDIT_TEST_TRACER:-}" = ON ] || skip "configure with -DKMODAUDIT_TEST_TRACER=ON (make does)"
out=$work/all.jsonl
printf '[sinks]\nfile = %s\n' "$out" > "$KMODAUDIT_CONFIG"

# run ENV... -- CMD...: records of this run only.
run() {
	rm -f "$out"
	env "$@" > "$work/log" 2>&1 || true
	[ -s "$out" ] || : > "$out"
}

# expect_events WHAT VIA N: N events (result records), all via=VIA, each with its intent (loads).
expect_events() {
	local what=$1 via=$2 n=$3 loads unloads
	loads=$(count "$out" op=kmod_load)
	unloads=$(count "$out" op=kmod_unload)
	expect "$what: events" "$((loads + unloads))" "$n"
	expect "$what: records not via=$via" "$(records "$out" -- via | grep -vcx "$via" || true)" 0
	expect "$what: intent records" "$(count "$out" op=kmod_load_intent)" "$loads"
}

ops=("init $module" "init-syscall $module" "finit $module" "delete $module_name"
	"delete-syscall $module_name")
for op in "${ops[@]}"; do
	# shellcheck disable=SC2086
	{
		# control: untraced, the shim is there and records the call itself
		run LD_PRELOAD="$shim" "$kma_load" $op
		expect_events "kma-load $op, untraced" preload 1
		run LD_PRELOAD="$shim" "$kmodaudit" trace -- "$kma_load" $op
		expect_events "kma-load $op, traced" trace 1
		# the shim without its core records nothing (fails open, below); the tracer does
		run LD_PRELOAD="$shim" KMODAUDIT_IMPL=/nonexistent "$kmodaudit" trace -- "$kma_load" $op
		expect_events "kma-load $op, no core, traced" trace 1
	}
done

run LD_PRELOAD="$shim" KMODAUDIT_IMPL=/nonexistent "$kma_load" delete "$module_name"
expect_events "kma-load, no core, untraced" preload 0

# A tracer that is not kmodaudit's command (a copy elsewhere) records, but the shim does not
# leave its record to it: two events, one each.
cp "$kmodaudit" "$work/not-kmodaudit"
run LD_PRELOAD="$shim" "$work/not-kmodaudit" trace -- "$kma_load" delete "$module_name"
expect "another tracer: via=trace events" "$(count "$out" via=trace)" 1
expect "another tracer: via=preload events" "$(count "$out" via=preload)" 1

# A raw syscall instruction in a process that has the shim loaded.
run LD_PRELOAD="$shim" "$kmodaudit" trace -- "$mt_loader" "$module" 1
expect_events "raw syscall beside the shim" trace 1

# The kmod front end (libkmod's calls land in its own init_module/finit_module): via=kmod
# untraced, via=trace only under the tracer, with or without the shim preloaded.
if [ -x "$front" ]; then
	run "$front" "$module"
	n=$(count "$out" via=kmod op=kmod_load)
	[ "$n" -ge 1 ] || fail "front end, untraced: no via=kmod record ($(cat "$work/log"))"
	echo "ok: front end, untraced: $n via=kmod events"
	for preload in "" "$shim"; do
		run LD_PRELOAD="$preload" "$kmodaudit" trace -- "$front" "$module"
		expect_events "front end${preload:+ with the shim}, traced" trace "$n"
	done
else
	echo "note: the kmod front end is not built: not tested here"
fi

# A program merely named like an emitter is traced like any other.
for name in libkmodaudit.so kmodaudit-kmod; do
	cp "$loader" "$work/$name"
	run "$kmodaudit" trace -- "$work/$name" delete "$module_name"
	expect_events "a loader named $name" trace 1
done
