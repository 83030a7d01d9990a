#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Exit statuses and streams of the real binary, without needing the module.
# Usage: test_cli.sh ./ftpalgctl   (TAP output)
BIN=${1:-./ftpalgctl}
n=0
fail=0
out=$(mktemp) err=$(mktemp) file=$(mktemp)
trap 'rm -f "$out" "$err" "$file"' EXIT

# t WANT_STATUS DESCRIPTION ARGS...
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

t 0 "help" help
check "help goes to stdout" 'grep -q "^Usage: ftpalgctl" "$out" && ! test -s "$err"'
t 0 "-j help ignores -j" -j help
check "-j help prints the usage" 'grep -q "^Usage: ftpalgctl" "$out"'
t 0 "-h" -h
t 0 "--help" --help
t 0 "-V" -V
check "-V prints the version" 'grep -q "^ftpalgctl " "$out"'
t 0 "--version" --version
t 2 "no command" 
check "usage error: message and usage on stderr, nothing on stdout" \
	'grep -q "no command" "$err" && grep -q "^Usage:" "$err" && ! test -s "$out"'
t 2 "unknown command" bogus
t 2 "prefix of a command" sh
t 2 "set min-port 70000" set min-port 70000
check "says which value is wrong" 'grep -q "min-port \"70000\"" "$err"'
t 2 "set passive-window 5-3" set passive-window 5-3
t 2 "set server 198.51.100.0/33" set server 198.51.100.0/33 active on
t 2 "set server 2001:db8::/129" set server 2001:db8::/129 active on
t 2 "host bits set" set server 198.51.100.1/24 active on
check "says host bits are set" 'grep -q "host bits" "$err"'
t 2 "unknown key" set foo on
t 2 "missing value" set active
t 2 "duplicate key" set active on active off
t 2 "set without a key" set
t 2 "unset without server" unset
t 2 "usage errors come before the netns switch" -n ftpalgctl-test-none set min-port 70000
t 1 "missing network namespace" -n ftpalgctl-test-none-$$ show
check "names the namespace" 'grep -q "ftpalgctl-test-none-$$" "$err"'

# Batch files are parsed whole before anything is done: errors name FILE:LINE.
printf 'set active off\n\n# comment\nset server 2001:db8::/32 bogus 1\n' > "$file"
t 2 "restore: a bad line" restore "$file"
check "names the file and line 4" 'grep -q "^ftpalgctl: $file:4: set: unknown key \"bogus\"" "$err" && ! test -s "$out"'
t 2 "-b: the same bad line" -b "$file"
check "-b names the file and line 4" 'grep -q "^ftpalgctl: $file:4:" "$err"'
printf 'set active off\nshow\n' > "$file"
t 2 "restore: only set and unset" restore "$file"
check "says so, at line 2" 'grep -q ":2: \"show\": a restore file holds only set and unset" "$err"'
printf 'unset server 192.0.2.0/24\n' > "$file"
t 2 "restore: unset of a scope the file never set" restore "$file"
check "names the scope" 'grep -q ":1: unset: no scope server 192.0.2.0/24" "$err"'
printf 'show\nmonitor\n' > "$file"
t 2 "-b - reads standard input" -b - < "$file"
check "stdin is named <stdin>" 'grep -q "^ftpalgctl: <stdin>:2: \"monitor\" cannot be used in a batch file" "$err"'
t 1 "restore: a missing file" restore "$file.none"
check "names the file" 'grep -q "cannot read $file.none" "$err"'
printf 'set min-port 70000\n' > "$file"
t 2 "parse errors come before the netns switch" -n ftpalgctl-test-none-$$ -b "$file"

t "0 3" "show: works, or exit 3 without the module" show
if [ "$got" = 3 ]; then
	check "exit 3 explains: module not loaded" 'grep -q "modprobe nf_conntrack_ftpalg" "$err"'
	# Without the module every command that needs it says so.
	for cmd in sessions expect save stats monitor; do
		t 3 "$cmd without the module: exit 3" "$cmd"
		check "$cmd without the module: says so" 'grep -q "modprobe nf_conntrack_ftpalg" "$err" && ! test -s "$out"'
	done
	printf 'set active off\n' > "$file"
	t 3 "restore without the module: exit 3" restore "$file"
	t 3 "-b without the module: exit 3" -b "$file"
fi
t "0 3" "-j expect: works, or exit 3 without conntrack netlink" -j expect
if [ "$got" = 0 ] && command -v python3 >/dev/null; then
	check "-j expect is one JSON object" \
		'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d[\"expectations\"], list)" "$out"'
fi
t "0 3" "-j sessions: works, or exit 3 without conntrack netlink" -j sessions
if [ "$got" = 0 ] && command -v python3 >/dev/null; then
	check "-j sessions is one JSON object" \
		'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d[\"sessions\"], list)" "$out"'
fi
echo "1..$n"
exit $fail
