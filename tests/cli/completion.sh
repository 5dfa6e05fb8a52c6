# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion the packages install (packaging/bash-completion/kmodaudit), run against
# the build tree's commands: subcommands, each subcommand's options as its --help lists them
# (read here with grep, independently of the completion's own reading), option arguments.
set -euo pipefail
comp=$KMODAUDIT_SRC/packaging/bash-completion/kmodaudit
PATH=$KMODAUDIT_BUILD/src:$KMODAUDIT_BUILD/wrappers:$PATH
fail() { echo "FAIL: $*" >&2; exit 1; }
# shellcheck source=/dev/null
. "$comp"

# complete FUNCTION WORD...: the candidates for the last word, sorted, one line
complete_words() {
	local f=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$f"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

expect "subcommands" "$(complete_words _kmodaudit kmodaudit '')" \
	"--help --version check inspect preload report rules trace"
expect "prefix" "$(complete_words _kmodaudit kmodaudit r)" "report rules"
expect "preload verbs" "$(complete_words _kmodaudit kmodaudit preload '')" "disable enable status"
expect "--since words" "$(complete_words _kmodaudit kmodaudit report --since this-)" \
	"this-month this-week this-year"
expect "report --format" "$(complete_words _kmodaudit kmodaudit report --format '')" "csv json table"
expect "report -o" "$(complete_words _kmodaudit kmodaudit report -o SI)" "SIG SIGKEY SIGNER"
# every subcommand's long options, as its --help prints them
for cmd in inspect trace report check rules preload; do
	want=$(kmodaudit "$cmd" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] || fail "$cmd --help names no option"
	got=$(complete_words _kmodaudit kmodaudit "$cmd" --)
	expect "$cmd options" "$got" "$want"
done
# after trace's --, the command to run
complete_words _kmodaudit kmodaudit trace -- kmodaudi | grep -w kmodaudit >/dev/null ||
	fail "trace -- does not complete commands"
# the front end by its own name: tool names, then that tool's options
expect "front end tools" "$(complete_words _kmodaudit_kmod kmodaudit-kmod mod)" modprobe
expect "modprobe option" "$(complete_words _kmodaudit_kmod kmodaudit-kmod modprobe --force-v)" \
	"--force-vermagic"
echo "ok: subcommands, every subcommand's options, arguments and the front end complete"
