#!/usr/bin/env bash
# Differential test against kmod's modinfo on Debian's real, signed modules: for every .ko of the
# kernel package, name, signer, sig_key, sig_hashalgo, vermagic and srcversion from
# `kmodaudit inspect --json` must equal what modinfo prints; size and sha256 must equal stat and
# sha256sum. Then xz, zstd and gzip copies of some of them (every 60th, and the two largest) must
# give the same fields.
set -euo pipefail

: "${KMODAUDIT_CACHE:?}" "${KMODAUDIT_BUILD:?}" "${KMODAUDIT_SRC:?}"
env_file=$KMODAUDIT_CACHE/env
[ -s "$env_file" ] || { echo "SKIP: no fixtures in $KMODAUDIT_CACHE (run tests/fixtures/fetch-debs)"; exit 77; }
# shellcheck disable=SC1090
. "$env_file"
kmodaudit=$KMODAUDIT_BUILD/src/kmodaudit
for tool in modinfo python3 xz zstd gzip sha256sum; do
	command -v "$tool" >/dev/null || { echo "modinfo-diff: $tool is missing (.ci/install-deps)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

find "$MODDIR" -name '*.ko' -type f | LC_ALL=C sort > "$work/list"
total=$(wc -l < "$work/list")
[ "$total" -ge 1000 ] || { echo "modinfo-diff: only $total modules under $MODDIR" >&2; exit 1; }

# Ours: one JSON object per file. It exits 1 if a file is not usable: the comparison says which.
xargs -d '\n' -a "$work/list" "$kmodaudit" inspect --json > "$work/ours.json" || true
# Theirs: modinfo -0 prints "filename:<pad>PATH\0" then "key=value\0" for each file, in order.
# Two halves in parallel, each to its own file, so that outputs cannot interleave.
half=$(( (total + 1) / 2 ))
split -l "$half" "$work/list" "$work/part."
for p in "$work"/part.*; do
	xargs -d '\n' -a "$p" modinfo -0 > "$p.modinfo" &
done
wait
cat "$work"/part.*.modinfo > "$work/theirs.bin"
# The same files' sizes and digests, from coreutils.
xargs -d '\n' -a "$work/list" sha256sum > "$work/sha256sum" &
xargs -d '\n' -a "$work/list" stat -c '%s %n' > "$work/sizes"
wait

# Compressed copies of every 60th module, as kmod and the kernel's Makefile make them.
mkdir "$work/z"
awk 'NR % 60 == 1' "$work/list" > "$work/zsrc"
# and the two largest (amdgpu.ko, 19 MB): a compressed file over 256 KiB is streamed in two passes
sort -rn "$work/sizes" | sed -n '1,2p' | cut -d' ' -f2- >> "$work/zsrc"
: > "$work/zlist"
i=0
while IFS= read -r ko; do
	i=$((i + 1))
	base=$work/z/$i-$(basename "$ko")
	xz --check=crc32 --lzma2=dict=1MiB -c "$ko" > "$base.xz"
	zstd -q -c "$ko" > "$base.zst"
	gzip -n -c "$ko" > "$base.gz"
	printf '%s\t%s\n' "$ko" "$base.xz" "$ko" "$base.zst" "$ko" "$base.gz" >> "$work/zlist"
done < "$work/zsrc"
cut -f2 "$work/zlist" | xargs -d '\n' "$kmodaudit" inspect --json > "$work/zours.json" || true
cut -f2 "$work/zlist" | xargs -d '\n' sha256sum > "$work/zsha256sum"
cut -f2 "$work/zlist" | xargs -d '\n' stat -c '%s %n' > "$work/zsizes"

# Check that parsing modinfo -0 gives what `modinfo -F FIELD` gives, on a few files.
awk 'NR % 500 == 7' "$work/list" > "$work/fsample"
while IFS= read -r ko; do
	for f in name signer sig_key sig_hashalgo vermagic srcversion; do
		printf '%s\t%s\t' "$ko" "$f"
		modinfo -F "$f" "$ko" | tr '\n' '\001'
		printf '\n'
	done
done < "$work/fsample" > "$work/fvalues"

python3 "$KMODAUDIT_SRC/tests/image/modinfo-diff.py" "$work"
