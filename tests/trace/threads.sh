#!/usr/bin/env bash
# While one thread calls init_module, another keeps rewriting the image between two states:
# the module file's bytes (A) and their complement (B), each rewrite one pwrite() of the whole
# buffer (kma-trace-mt-loader). kmodaudit trace holds the writer still from before it copies the
# image until the syscall returns, so every record's sha256 is A's or B's: the bytes the kernel
# copies. A tracer that copied while the writer ran would hash a mix of the two (tried: most
# records then match neither).
. "$KMODAUDIT_SRC/tests/trace/lib.sh"
load_fixtures
out=$work/out.jsonl
rounds=12

"$kmodaudit" trace -o "$out" -- "$mt_loader" "$module" "$rounds" > "$work/log"
pid=$(pid_of "$work/log")
rewrites=$(sed -n 's/^rewrites=//p' "$work/log")
[ "${rewrites:-0}" -gt "$rounds" ] || fail "the writer thread did not run (rewrites=$rewrites)"
echo "ok: the writer rewrote the image $rewrites times"

sha_a=$(upper <<< "$module_sha")
sha_b=$(python3 -c 'import hashlib,sys; d=open(sys.argv[1],"rb").read(); print(hashlib.sha256(bytes(b ^ 0xff for b in d)).hexdigest().upper())' "$module")
expect "result records" "$(count "$out" pid="$pid" op=kmod_load)" "$rounds"

bad=0
while IFS=$'\t' read -r seq sha; do
	case $sha in
	"$sha_a") state=A ;;
	"$sha_b") state=B ;;
	*) state="a mix"; bad=$((bad + 1)) ;;
	esac
	# the intent record (same seq) was made from the same copy
	intent=$(records "$out" pid="$pid" op=kmod_load_intent seq="$seq" -- sha256)
	[ "$intent" = "$sha" ] || fail "seq $seq: intent sha256 $intent, result $sha"
	echo "seq $seq: image was $state"
done < <(records "$out" pid="$pid" op=kmod_load -- seq sha256)
expect "records whose image is neither state" "$bad" 0
