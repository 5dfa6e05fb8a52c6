#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The daily check units and the file sink's logrotate: the units verify (systemd-analyze, the
# service run against the built command), the service runs `kmodaudit check` and has no
# [Install] (only the timer is enabled, by the administrator), the packages install both units
# without enabling them, and logrotate parses its stanza, which names the file sink path the
# shipped kmodaudit.conf and the docs give.
set -euo pipefail
: "${KMODAUDIT_BUILD:?}" "${KMODAUDIT_SRC:?}"
P=$KMODAUDIT_SRC/packaging
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

svc=$P/systemd/kmodaudit-check.service
tmr=$P/systemd/kmodaudit-check.timer
grep -x 'ExecStart=/usr/sbin/kmodaudit check' "$svc" >/dev/null || fail "service does not run kmodaudit check"
grep '^\[Install\]' "$svc" >/dev/null && fail "the service has an [Install] section"
grep -x 'OnCalendar=daily' "$tmr" >/dev/null || fail "timer is not daily"
grep -x 'WantedBy=timers.target' "$tmr" >/dev/null || fail "timer cannot be enabled"
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/sbin/kmodaudit|$KMODAUDIT_BUILD/src/kmodaudit|" "$svc" >"$W/kmodaudit-check.service"
	cp "$tmr" "$W/"
	systemd-analyze verify --man=no "$W/kmodaudit-check.service" "$W/kmodaudit-check.timer" ||
		fail "systemd-analyze verify"
	echo "ok: units verify"
fi
# Off by default: dh_installsystemd told not to enable or start; no rpm scriptlet enables it.
grep -x $'\tdh_installsystemd --no-enable --no-start' "$P/debian/rules" >/dev/null ||
	fail "debian/rules would enable the timer"
grep -F 'systemctl enable' "$P/rpm/kmodaudit.spec" "$P/debian/"*inst >/dev/null &&
	fail "a package script enables a unit"
for f in kmodaudit-check.service kmodaudit-check.timer; do
	grep -F "packaging/systemd/$f lib/systemd/system/" "$P/debian/kmodaudit.install" >/dev/null ||
		fail "deb does not ship $f"
	grep -F "/usr/lib/systemd/system/$f" "$P/rpm/kmodaudit.spec" >/dev/null || fail "rpm does not ship $f"
done
echo "ok: units shipped, not enabled"

# logrotate: the path the configuration documents, parsed by logrotate itself.
path=$(sed -n 's/^;file = //p' "$P/kmodaudit.conf")
[ "$path" = /var/log/kmodaudit.jsonl ] || fail "kmodaudit.conf suggests '$path'"
grep -x "$path {" "$P/logrotate/kmodaudit" >/dev/null || fail "logrotate does not rotate $path"
grep -F "$path" "$KMODAUDIT_SRC/README.md" >/dev/null || fail "README does not name $path"
grep -F "$path" "$P/man/kmodaudit.conf.5" >/dev/null || fail "kmodaudit.conf(5) does not name $path"
grep -F "packaging/logrotate/kmodaudit etc/logrotate.d/" "$P/debian/kmodaudit.install" >/dev/null ||
	fail "deb does not ship the logrotate file"
if command -v logrotate >/dev/null; then
	sed "s|$path|$W/sink.jsonl|" "$P/logrotate/kmodaudit" >"$W/lr.conf"
	echo '{"op":"kmod_load"}' >"$W/sink.jsonl"
	logrotate -f -s "$W/state" "$W/lr.conf" || fail "logrotate failed"
	[ -s "$W/sink.jsonl.1" ] && [ ! -e "$W/sink.jsonl" ] || fail "not rotated by rename: $(ls "$W")"
	echo "ok: logrotate rotates the sink by rename"
fi
echo PASS
