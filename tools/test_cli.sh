#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exit statuses and streams of the real binary, without needing the module.
# The runs that do not depend on the machine are checked against their
# transcripts in testdata/cli.out: "$ ftpalgctl ARGS", its standard output,
# its standard error with "! " before each line (the usage text that ends
# a usage error as "! (usage)"), and "exit N".  UPDATE_GOLDEN=1 rewrites
# that file from the runs (review its diff before committing it).
# Usage: test_cli.sh ./ftpalgctl   (from tools/; TAP output)
BIN=$(realpath "${1:-./ftpalgctl}")
GOLDEN=$(realpath testdata/cli.out)
n=0
fail=0
dir=$(mktemp -d)
out=$dir/stdout err=$dir/stderr
trap 'rm -rf "$dir"' EXIT
[[ -n $UPDATE_GOLDEN ]] && : > "$GOLDEN.new"

# transcript ARGS...: run ftpalgctl, print what it did as in testdata/cli.out.
transcript() {
	echo "\$ ftpalgctl $*"
	"$BIN" "$@" >"$out" 2>"$err"
	got=$?
	cat "$out"
	awk '/^Usage: ftpalgctl/ { print "! (usage)"; exit } { print "! " $0 }' "$err"
	echo "exit $got"
}

# g ARGS...: a run against its transcript in testdata/cli.out.
g() {
	local got_text want_text
	n=$((n + 1))
	got_text=$(transcript "$@")
	want_text=$(awk -v c="\$ ftpalgctl $*" '
		$0 == c { on = 1; print; next }
		/^\$ ftpalgctl/ { on = 0 }
		on' "$GOLDEN")
	[[ -n $UPDATE_GOLDEN ]] && printf '%s\n' "$got_text" >> "$GOLDEN.new"
	if [[ $got_text == "$want_text" ]]; then
		echo "ok $n - ftpalgctl $*"
	else
		echo "not ok $n - ftpalgctl $*: not as in testdata/cli.out"
		diff <(echo "$want_text") <(echo "$got_text") | sed 's/^/# /'
		fail=1
	fi
}

# t WANT_STATUS DESCRIPTION ARGS...: the exit status only.
t() {
	want=$1 desc=$2
	shift 2
	n=$((n + 1))
	"$BIN" "$@" >"$out" 2>"$err"
	got=$?
	case " $want " in
	*" $got "*) echo "ok $n - $desc" ;;
	*) echo "not ok $n - $desc: exit $got, want $want"
	   sed 's/^/# /' "$err"
	   fail=1 ;;
	esac
}

check() {
	n=$((n + 1))
	if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}

g help
"$BIN" help > "$dir/help"
for args in "-j help" -h --help "-h bogus"; do
	# shellcheck disable=SC2086 # the words of $args
	check "$args: the usage text, as help prints it" \
		'"$BIN" $args 2>&1 | cmp -s - "$dir/help"'
done
g
check "a usage error ends with the usage text on stderr, as help prints it" \
	'"$BIN" help | cmp -s - <(sed -n "/^Usage: ftpalgctl/,\$p" "$err")'
g bogus
g sh
g set min-port 70000
g set passive-window 5-3
g set server 198.51.100.0/33 active on
g set server 2001:db8::/129 active on
g set server 198.51.100.1/24 active on
g set foo on
g set active
g set active on active off
g set
g unset
g -n ftpalgctl-test-none set min-port 70000
g --netns

t 0 "-V" -V
check "-V prints the version" 'grep -q "^ftpalgctl " "$out"'
t 0 "--version" --version
t 1 "missing network namespace" -n ftpalgctl-test-none-$$ show
check "names the namespace" 'grep -q "ftpalgctl-test-none-$$" "$err"'

# Batch files are parsed whole before anything is done: errors name FILE:LINE.
cd "$dir" || exit 1
printf 'set active off\n\n# comment\nset server 2001:db8::/32 bogus 1\n' > bad-key
g restore bad-key
g -b bad-key
printf 'set active off\nshow\n' > show-line
g restore show-line
printf 'unset server 192.0.2.0/24\n' > unset-only
g restore unset-only
printf 'show\nmonitor\n' > monitor-line
g -b - < monitor-line
g restore none
printf 'set min-port 70000\n' > bad-value
g -n ftpalgctl-test-none -b bad-value

t "0 3" "show: works, or exit 3 without the module" show
if [ "$got" = 3 ]; then
	check "exit 3 explains: module not loaded" 'grep -q "modprobe nf_conntrack_ftpalg" "$err"'
	# Without the module every command that needs it says so.
	for cmd in sessions expect save stats monitor; do
		t 3 "$cmd without the module: exit 3" "$cmd"
		check "$cmd without the module: says so" 'grep -q "modprobe nf_conntrack_ftpalg" "$err" && ! test -s "$out"'
	done
	printf 'set active off\n' > "$dir/active-off"
	t 3 "restore without the module: exit 3" restore "$dir/active-off"
	t 3 "-b without the module: exit 3" -b "$dir/active-off"
fi
t "0 3" "-j expect: works, or exit 3 without conntrack netlink" -j expect
if [ "$got" = 0 ] && command -v jq >/dev/null; then
	check "-j expect is one JSON object" 'jq -e ".expectations | type == \"array\"" "$out" >/dev/null'
fi
t "0 3" "-j sessions: works, or exit 3 without conntrack netlink" -j sessions
if [ "$got" = 0 ] && command -v jq >/dev/null; then
	check "-j sessions is one JSON object" 'jq -e ".sessions | type == \"array\"" "$out" >/dev/null'
fi
[[ -n $UPDATE_GOLDEN ]] && mv "$GOLDEN.new" "$GOLDEN"
echo "1..$n"
exit $fail
