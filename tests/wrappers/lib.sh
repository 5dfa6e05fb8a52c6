# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the front end's tests: a small module tree of real Debian modules (depmod'ed into a
# temporary root), a modprobe.d directory using every keyword, and the two implementations
# side by side: kmod's own binary (REF_DIR) and ours (OUR_DIR), each as insmod/rmmod/modprobe.
#
#	. "$KMODAUDIT_SRC/tests/wrappers/lib.sh"
#	wr_setup        # sets T (temp dir, removed at exit), ROOT, KVER, M (module dir), CONF
#	wr_run ref modprobe -d "$ROOT" ... ; echo "$WR_OUT $WR_ERR $WR_RC"

set -uo pipefail

wr_skip() {
	echo "SKIP: $*"
	exit 77
}

# The modules of the tree: dependencies (vfat -> fat, vsock_loopback -> ... -> vsock,
# xfrm4_tunnel -> tunnel4, af_key -> xfrm_algo) and lone ones.
WR_MODULES="kernel/fs/fat/fat.ko kernel/fs/fat/vfat.ko kernel/drivers/block/loop.ko
kernel/net/key/af_key.ko kernel/net/xfrm/xfrm_algo.ko kernel/net/ipv4/tunnel4.ko
kernel/net/ipv4/xfrm4_tunnel.ko kernel/net/vmw_vsock/vsock.ko
kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko kernel/net/vmw_vsock/vsock_loopback.ko"

wr_setup() {
	: "${KMODAUDIT_CACHE:?}" "${KMODAUDIT_BUILD:?}"
	[ -s "$KMODAUDIT_CACHE/env" ] || wr_skip "no fixtures: run tests/fixtures/fetch-debs"
	# shellcheck disable=SC1091
	. "$KMODAUDIT_CACHE/env"
	REF_KMOD=${REF_KMOD:-/bin/kmod}
	[ -x "$REF_KMOD" ] || wr_skip "kmod not installed"
	command -v depmod >/dev/null || wr_skip "depmod not installed"
	[ -x "$KMODAUDIT_BUILD/wrappers/kmodaudit-kmod" ] || { echo "not built: kmodaudit-kmod"; exit 1; }

	T=$(mktemp -d /tmp/kma-wrappers.XXXXXX)
	# tests/lib/audit.sh owns the EXIT trap when it is sourced (source it before wr_setup).
	if declare -F kma_on_exit >/dev/null; then
		kma_on_exit "rm -rf '$T'"
	else
		trap 'rm -rf "$T"' EXIT
	fi
	ROOT=$T/root
	M=$ROOT/lib/modules/$KVER
	local f
	for f in $WR_MODULES; do
		mkdir -p "$M/$(dirname "$f")"
		cp "$MODDIR/$f" "$M/$f" || { echo "missing fixture module $f"; exit 1; }
	done
	cp "$MODDIR/modules.builtin" "$MODDIR/modules.order" "$MODDIR/modules.builtin.modinfo" "$M/"
	depmod -b "$ROOT" "$KVER" || { echo "depmod failed"; exit 1; }

	REF_DIR=$T/ref
	OUR_DIR=$T/ours
	mkdir -p "$REF_DIR" "$OUR_DIR"
	for f in insmod rmmod modprobe; do
		ln -s "$REF_KMOD" "$REF_DIR/$f"
		ln -s "$KMODAUDIT_BUILD/wrappers/kmodaudit-kmod" "$OUR_DIR/$f"
	done

	# Every keyword of modprobe.d. Install commands call "the same modprobe" through $WR_DIR.
	CONF=$T/modprobe.d
	mkdir -p "$CONF"
	cat >"$CONF/test.conf" <<'EOF'
alias myalias vfat
alias blk loop
alias two-mods fat
alias two-mods loop
blacklist loop
options fat codepage=437
options vfat utf8=1
install tunnel4 echo installing tunnel4 $CMDLINE_OPTS module=$MODPROBE_MODULE; /bin/true
remove tunnel4 echo removing tunnel4 $CMDLINE_OPTS module=$MODPROBE_MODULE
install xfrm_algo /bin/false
remove xfrm_algo exit 3
install vsock "$WR_DIR/modprobe" --ignore-install vsock $CMDLINE_OPTS
softdep af_key pre: loop post: vsock
EOF
}

# wr_run ref|ours TOOL ARGS...: run one implementation as TOOL (argv[0] is exactly TOOL, as when
# found in PATH) in $T; sets WR_OUT, WR_ERR (the text) and WR_RC. With WR_SYSMODULE=DIR, the
# tool sees DIR as /sys/module (root only).
wr_run() {
	local which=$1 tool=$2 dir
	shift 2
	[ "$which" = ref ] && dir=$REF_DIR || dir=$OUR_DIR
	WR_RC=0
	if [ -n "${WR_SYSMODULE:-}" ]; then
		# The module state the tool sees: a made-up /sys/module, in a private mount namespace.
		WR_DIR=$dir unshare -m --propagation private bash -c \
			'mount --bind "$0" /sys/module && cd "$1" && exec -a "$2" "$3" "${@:4}"' \
			"$WR_SYSMODULE" "$T" "$tool" "$dir/$tool" "$@" >"$T/out" 2>"$T/err" </dev/null ||
			WR_RC=$?
	else
		(cd "$T" && WR_DIR=$dir exec -a "$tool" "$dir/$tool" "$@") >"$T/out" 2>"$T/err" \
			</dev/null || WR_RC=$?
	fi
	WR_OUT=$(cat "$T/out"; echo x)
	WR_ERR=$(cat "$T/err"; echo x)
	WR_OUT=${WR_OUT%x}
	WR_ERR=${WR_ERR%x}
}
