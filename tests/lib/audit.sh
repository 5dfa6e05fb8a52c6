# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared shell library for real-system tests: a real auditd, our records read back from it, and
# a private syslog (/dev/log) listener. Source it from a test script:
#
#	. "$KMODAUDIT_SRC/tests/lib/audit.sh"
#	audit_setup                     # SKIP (exit 77) when no audit can be had
#	mark=$(audit_mark)
#	... run something that loads/unloads modules ...
#	audit_user_records "$mark" -p "$pid"   # raw lines (wait for them with audit_wait_records)
#	audit_field "$line" name                # decoded value of one field of our payload
#
# Tests run in parallel (ctest -j): every test holds a shared lock on the audit state for its
# lifetime; a test that changes it (audit_disable) or floods the kernel's queue (threads-fork)
# takes the lock exclusively, so no other test sees audit switched off, or its records sent to
# the fallback, under its feet. Filter records by something unique to your test (pid, a name),
# never by "the last record".
#
# Syslog: a test that expects the fallback sink runs its own /dev/log listener:
#
#	dir=$(mktemp -d); syslog_listen "$dir"      # listener on $dir/log, lines in $dir/messages
#	syslog_run "$dir" ./my-loader ...            # command sees $dir/log as /dev/log
#	syslog_messages "$dir"                        # what arrived, one datagram a line
#	syslog_stop "$dir"
#
# syslog_run uses a private mount namespace (unshare -m): /dev/log is bind-mounted (or, when the
# host has no /dev/log, an overlay on /dev provides one) only for that command and its children,
# so parallel tests never see each other's messages. Alternatively, set `syslog_socket=$dir/log`
# in [sinks] of a private config file (KMODAUDIT_CONFIG) for processes that are not setuid.

KMA_AUDIT_LOCK=${KMA_AUDIT_LOCK:-/run/kmodaudit-test-audit.lock}
KMA_PYTHON=${KMA_PYTHON:-/usr/bin/python3}
_kma_exit_hooks=()

_kma_run_exit_hooks() {
	local i
	for ((i = ${#_kma_exit_hooks[@]} - 1; i >= 0; i--)); do
		eval "${_kma_exit_hooks[i]}" || true
	done
}

# kma_on_exit CMD: run CMD (a string for eval) when the test exits, last registered first.
kma_on_exit() {
	_kma_exit_hooks+=("$1")
	trap _kma_run_exit_hooks EXIT
}

kma_skip() {
	echo "SKIP: $*"
	exit 77
}

# kma_lock -s|-x FD: take the audit-state lock, shared or exclusive, waiting at most
# KMA_LOCK_WAIT seconds (default 100, below every audit test's timeout); on time-out, fail and
# name the processes that hold the lock file open, instead of timing out silently.
kma_lock() {
	local p
	flock -w "${KMA_LOCK_WAIT:-100}" "$1" "$2" && return 0
	echo "FAIL: no $1 hold of $KMA_AUDIT_LOCK in ${KMA_LOCK_WAIT:-100}s; open in:" >&2
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$BASHPID" ] && continue
		find "$p/fd" -lname "$KMA_AUDIT_LOCK" 2>/dev/null | grep . >/dev/null &&
			echo "  ${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" >&2
	done
	exit 1
}

# kma_nofds CMD...: exec CMD with every fd above 2 closed. For whatever may outlive the test
# (a daemon, a background listener): an inherited lock fd keeps the lock for as long as it lives.
kma_nofds() {
	local fd
	for fd in /proc/$BASHPID/fd/*; do
		fd=${fd##*/}
		[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
	done
	exec "$@"
}

# audit_daemon_pid: the pid of the audit daemon the kernel knows, when that process is alive
# (a daemon killed with SIGKILL stays registered until the kernel next fails to send to it).
audit_daemon_pid() {
	local pid
	pid=$(auditctl -s 2>/dev/null | sed -n 's/^pid \([0-9]*\)$/\1/p')
	[ -n "$pid" ] && [ "$pid" != 0 ] && kill -0 "$pid" 2>/dev/null || return 1
	echo "$pid"
}

# audit_daemon_ensure: start auditd unless a live one is registered; wait until it is. auditd
# must not inherit a test's lock fd, or every later audit_setup would wait for it forever.
audit_daemon_ensure() {
	local i
	audit_daemon_pid >/dev/null && return 0
	(kma_nofds auditd) </dev/null >/dev/null 2>&1 || return 1
	for ((i = 0; i < 50; i++)); do
		audit_daemon_pid >/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# audit_setup: make sure a real auditd is running and audit is enabled, or SKIP.
audit_setup() {
	[ "$(id -u)" = 0 ] || kma_skip "needs root for audit"
	command -v auditctl >/dev/null && command -v auditd >/dev/null &&
		command -v ausearch >/dev/null || kma_skip "auditd/auditctl/ausearch not installed"
	exec {_kma_lock_fd}>>"$KMA_AUDIT_LOCK" || kma_skip "cannot open $KMA_AUDIT_LOCK"
	kma_lock -x "$_kma_lock_fd"
	auditctl -s >/dev/null 2>&1 || { flock -u "$_kma_lock_fd"; kma_skip "no audit in this kernel"; }
	audit_daemon_ensure || { flock -u "$_kma_lock_fd"; kma_skip "cannot start auditd"; }
	if auditctl -s | grep '^enabled 2' >/dev/null; then
		: # locked: enabled for good
	elif ! auditctl -e 1 >/dev/null 2>&1; then
		flock -u "$_kma_lock_fd"
		kma_skip "cannot enable audit"
	fi
	audit_daemon_pid >/dev/null || { flock -u "$_kma_lock_fd"; kma_skip "auditd did not start"; }
	# auditd started by hand (not through augenrules and Debian's audit.rules, which say -b 8192)
	# leaves the kernel's backlog at 64 records: beyond that, records of parallel tests are
	# dropped by the kernel, acknowledged all the same.
	local limit
	limit=$(auditctl -s | awk '$1 == "backlog_limit" {print $2}')
	[ "${limit:-0}" -ge 8192 ] || auditctl -b 8192 >/dev/null
	# Downgrade to shared: audit stays on for as long as this test runs.
	kma_lock -s "$_kma_lock_fd"
}

# audit_disable: switch audit off for this test only (exclusive lock), restored at exit.
audit_disable() {
	kma_lock -x "$_kma_lock_fd"
	kma_on_exit "auditctl -e 1 >/dev/null 2>&1; flock -s $_kma_lock_fd"
	auditctl -e 0 >/dev/null || return 1
}

# audit_enable: switch audit back on (after audit_disable) without waiting for exit.
audit_enable() {
	auditctl -e 1 >/dev/null && kma_lock -s "$_kma_lock_fd"
}

# audit_mark: a start time for ausearch --start (two words: date and time, C locale).
audit_mark() {
	local m
	m="$(LC_ALL=C date +%x) $(LC_ALL=C date +%T)"
	sleep 1
	echo "$m"
}

# audit_user_records MARK [ausearch args...]: raw lines of our records since MARK.
audit_user_records() {
	local mark=$1
	shift
	# shellcheck disable=SC2086 # MARK is "date time": two ausearch words
	LC_ALL=C ausearch --input-logs --start $mark --format raw "$@" 2>/dev/null |
		grep -a " msg='ver=[0-9]* op=kmod_" || true
}

# audit_wait_records MARK COUNT [ausearch args...]: like audit_user_records, but wait (up to
# KMA_AUDIT_WAIT seconds, default 10) until at least COUNT lines are there: auditd writes
# asynchronously.
audit_wait_records() {
	local mark=$1 count=$2 out i
	shift 2
	for ((i = 0; i < ${KMA_AUDIT_WAIT:-10} * 5; i++)); do
		out=$(audit_user_records "$mark" "$@")
		if [ -n "$out" ] && [ "$(printf '%s\n' "$out" | wc -l)" -ge "$count" ]; then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.2
	done
	[ -n "$out" ] && printf '%s\n' "$out"
	return 1
}

# audit_wait_grep MARK REGEX: wait (up to KMA_AUDIT_WAIT seconds, default 10) until one of our
# records since MARK matches REGEX (a basic regular expression, as grep takes it).
audit_wait_grep() {
	local i
	for ((i = 0; i < ${KMA_AUDIT_WAIT:-10} * 5; i++)); do
		audit_user_records "$1" | grep -- "$2" >/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# audit_payload LINE: our payload (the text inside the user message's msg='...').
audit_payload() {
	local p=${1#*: }         # drop "type=... msg=audit(...): "
	p=${p#* msg=\'}          # the kernel's "pid= uid= ... msg='"
	p=${p%%$'\x1d'*}          # ENRICHED log format: interpreted fields after 0x1d
	p=${p%\'}
	printf '%s' "$p"
}

# Fields whose values are strings: quoted, or upper-case hex when they hold unsafe bytes (the
# string fields of src/core/record-names.c: record-audit-roundtrip holds the two equal).
KMA_STRING_FIELDS=" name modinfo_name path signer sig_key sig_hashalgo vermagic srcversion version
license intree args prog_name comm history exe "

# audit_field LINE NAME: the value of field NAME of our payload, decoded (quotes removed, hex
# decoded). Prints nothing and returns 1 when the field is absent. Bytes are printed as they
# are (use `| od -c` to compare binary values).
audit_field() {
	local p tok v
	p=$(audit_payload "$1")
	for tok in $p; do
		[ "${tok%%=*}" = "$2" ] || continue
		v=${tok#*=}
		if [ "${v:0:1}" = '"' ]; then
			v=${v#\"}
			printf '%s' "${v%\"}"
		elif [[ "$KMA_STRING_FIELDS" == *[[:space:]]"$2"[[:space:]]* && "$v" =~ ^([0-9A-F][0-9A-F])+$ ]]; then
			printf '%s' "$v" | xxd -r -p
		else
			printf '%s' "$v"
		fi
		return 0
	done
	return 1
}

# audit_field_raw LINE NAME: the value of field NAME as written (no decoding).
audit_field_raw() {
	local p tok
	p=$(audit_payload "$1")
	for tok in $p; do
		[ "${tok%%=*}" = "$2" ] || continue
		printf '%s' "${tok#*=}"
		return 0
	done
	return 1
}

# syslog_listen DIR: a datagram listener on DIR/log; each datagram becomes a line of
# DIR/messages. Needs python3.
syslog_listen() {
	local dir=$1 i
	[ -x "$KMA_PYTHON" ] || kma_skip "python3 missing for the syslog listener"
	rm -f "$dir/log" "$dir/messages"
	: >"$dir/messages"
	(kma_nofds "$KMA_PYTHON" - "$dir/log" "$dir/messages") <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        d = s.recv(65536)
        out.write(d.replace(b"\n", b"\\n") + b"\n")
PY
	echo $! >"$dir/listener.pid"
	kma_on_exit "syslog_stop '$dir'"
	for ((i = 0; i < 100; i++)); do
		[ -S "$dir/log" ] && return 0
		sleep 0.05
	done
	echo "syslog_listen: listener did not start" >&2
	return 1
}

# syslog_stop DIR: stop the listener of DIR.
syslog_stop() {
	local pid
	[ -f "$1/listener.pid" ] || return 0
	pid=$(cat "$1/listener.pid")
	rm -f "$1/listener.pid"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

# syslog_messages DIR: the datagrams received so far.
syslog_messages() {
	cat "$1/messages"
}

# syslog_wait DIR PATTERN [SECONDS]: wait until a received line matches PATTERN (grep -E).
syslog_wait() {
	local i
	for ((i = 0; i < ${3:-5} * 20; i++)); do
		grep -aEq -- "$2" "$1/messages" && return 0
		sleep 0.05
	done
	return 1
}

# syslog_run DIR CMD...: run CMD with DIR/log as its /dev/log (private mount namespace).
syslog_run() {
	local dir=$1
	shift
	[ "$(id -u)" = 0 ] || kma_skip "syslog_run needs root (mount namespace)"
	if [ -e /dev/log ] || [ -L /dev/log ]; then
		unshare -m --propagation private sh -c 'mount --bind "$0/log" /dev/log && exec "$@"' \
			"$dir" "$@"
	else
		mkdir -p "$dir/dev.up" "$dir/dev.work"
		# No /dev/log on the host: overlay /dev with a writable upper layer, then put back the
		# mounts below /dev (pts, shm, mqueue...) the overlay hides.
		unshare -m --propagation private sh -c '
			d=$0
			mkdir -p "$d/dev.old" && mount --rbind /dev "$d/dev.old" || exit 126
			mount -t overlay overlay -o "lowerdir=/dev,upperdir=$d/dev.up,workdir=$d/dev.work" /dev || exit 126
			for m in $(awk '\''$5 ~ "^/dev/" {print $5}'\'' /proc/self/mountinfo | sort -u); do
				case $m in "$d"*) continue;; esac
				[ -d "$d/dev.old${m#/dev}" ] && mount --rbind "$d/dev.old${m#/dev}" "$m" 2>/dev/null
			done
			ln -sf "$d/log" /dev/log || exit 126
			exec "$@"' "$dir" "$@"
	fi
}
