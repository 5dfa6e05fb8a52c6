# SPDX-License-Identifier: LGPL-2.1-or-later
# Which syscall() the shim sees, both sides of the rule README states:
#   - looked up in the global scope (the program's own references, dlsym(RTLD_DEFAULT),
#     python's ctypes.CDLL(None)): the shim's, recorded via=preload;
#   - looked up through a handle of libc itself (dlopen("libc.so.6") then dlsym, python's
#     ctypes.CDLL("libc.so.6")): libc's own, which the shim does not see: no record of ours;
#     kmodaudit trace records that call (via=trace), and the kernel's own audit rule sees it.
# If the second side ever gets recorded, README's rule is out of date: this test says so.
. "$KMODAUDIT_SRC/tests/shim/lib.sh"
fixtures
command -v python3 >/dev/null || kma_skip "python3 missing"
kmodaudit=$KMODAUDIT_BUILD/src/kmodaudit
"$kmodaudit" trace -- /bin/true >/dev/null 2>&1 || kma_skip "kmodaudit trace cannot run here"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KMODAUDIT_CONFIG
KMODAUDIT_CONFIG=$(file_sink_conf "$tmp")
export KMODAUDIT_IMPL=$IMPL
ko=$MODDIR/kernel/drivers/net/dummy.ko
tag=kmalh$$
cat >"$tmp/load.py" <<'PY'
import ctypes, os, platform, sys
lib, ko, args = sys.argv[1], sys.argv[2], sys.argv[3].encode()
libc = ctypes.CDLL(None if lib == "None" else lib, use_errno=True)
libc.syscall.restype = ctypes.c_long
nr = {"x86_64": 313, "aarch64": 273}[platform.machine()]
fd = os.open(ko, os.O_RDONLY)
print(libc.syscall(ctypes.c_long(nr), fd, args, 0), ctypes.get_errno())
PY
# case NAME CMD...: CMD under the shim; its finit_module carries args kmatag=$tag_NAME
case_run() {
	local name=$1
	shift
	LD_PRELOAD=$SHIM "$@" "kmatag=${tag}_$name" >"$tmp/$name.out" 2>&1 ||
		fail "$name: exit $?: $(cat "$tmp/$name.out")"
}
case_run py-global python3 "$tmp/load.py" None "$ko"
case_run py-libc python3 "$tmp/load.py" libc.so.6 "$ko"
case_run c-global "$TESTS_BIN/kma-dlsym" default finit "$ko"
case_run c-libc "$TESTS_BIN/kma-dlsym" libc finit "$ko"
# LeakSanitizer cannot run in a traced process (sanitized builds): no leak check there
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
case_run trace-py-libc "$kmodaudit" trace -- python3 "$tmp/load.py" libc.so.6 "$ko"
case_run trace-c-libc "$kmodaudit" trace -- "$TESTS_BIN/kma-dlsym" libc finit "$ko"
# each loader saw the kernel's answer (ENOSYS here), whoever recorded it
grep -l -e '^-1 38$' -e 'ret=-38$' "$tmp"/*.out | wc -l | grep -x 6 >/dev/null ||
	fail "not every call reached the kernel: $(cat "$tmp"/*.out)"

python3 - "$tmp/records.json" "$tag" <<'PY'
import collections, json, sys
path, tag = sys.argv[1:]
want = {'py-global': 'preload', 'c-global': 'preload', 'py-libc': None, 'c-libc': None,
        'trace-py-libc': 'trace', 'trace-c-libc': 'trace'}
got = collections.defaultdict(list)
for line in open(path, 'rb'):
    r = json.loads(line)
    args = r.get('args') or ''
    if args.startswith(f'kmatag={tag}_'):
        got[args[len(f'kmatag={tag}_'):]].append((r['op'], r['via']))
bad = []
for name, via in want.items():
    expect = [] if via is None else [('kmod_load_intent', via), ('kmod_load', via)]
    print(f'{name}: {got[name] or "no record"}')
    if got[name] != expect:
        bad.append(f'{name}: records {got[name]}, expected {expect or "none"}')
for b in bad:
    print('FAIL: ' + b)
sys.exit(1 if bad else 0)
PY
echo "PASS: global-scope syscall() recorded by the shim; libc-handle syscall() not, but by the tracer"
