#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion (completion/ftpalgctl.bash), driven as bash drives
# it: COMP_LINE and COMP_POINT, and COMP_WORDS split at COMP_WORDBREAKS
# (so "2001:db8::/32" and "--netns=NAME" are several words).  Runs with
# the bash-completion package's _init_completion when it is installed,
# and without it.  The commands, keys and options it must offer are read
# from the tables that print the binary's usage text.
# Usage: test_completion.sh [./ftpalgctl]   (from tools/; TAP output)
SCRIPT=completion/ftpalgctl.bash
BIN=${1:-./ftpalgctl}
usage=$("$BIN" help) || { echo "not ok 1 - $BIN help"; exit 1; }
usage_list() { awk -v head="$1" -f usage_list.awk <<< "$usage"; }
mapfile -t commands < <(usage_list COMMAND)
mapfile -t keys < <(usage_list 'KEY VALUE')
mapfile -t long_options < <(sed -n '/^OPTIONS :=/,/^COMMAND/p' <<< "$usage" | grep -o -- '--[a-z]*')
n=0
fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
touch "$dir/policy.conf"

# Stand-ins for what the completion runs: no module, no namespaces needed.
# shellcheck disable=SC2317 # called by the completion
ftpalgctl()
{
	[[ "$*" == "show" || "$*" == "-n blue show" ]] || return 3
	printf '%s\n' "default: active on  bounce drop" \
		"server 2001:db8::/32: active off" "server 192.0.2.0/24: action reset"
}
# shellcheck disable=SC2317
ip() { printf '%s\n' "blue (id: 1)" "red"; }

# Split @1 into COMP_WORDS as bash does: at blanks, and every run of
# COMP_WORDBREAKS characters is a word of its own.
split_words()
{
	local line=$1 w='' c i brk=0
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $c == [[:blank:]] ]]; then
			[[ -n $w ]] && COMP_WORDS+=("$w")
			w=
			continue
		fi
		if [[ $COMP_WORDBREAKS == *"$c"* ]]; then
			[[ -n $w && $brk == 0 ]] && { COMP_WORDS+=("$w"); w=; }
			brk=1
		else
			[[ -n $w && $brk == 1 ]] && { COMP_WORDS+=("$w"); w=; }
			brk=0
		fi
		w+=$c
	done
	COMP_WORDS+=("$w")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
}

# t MODE LINE WANT...: completing LINE (the cursor at its end) offers WANT.
t()
{
	local mode=$1 line=$2 got want
	shift 2
	COMP_LINE=$line
	COMP_POINT=${#line}
	split_words "$line"
	COMPREPLY=()
	_ftpalgctl_completion
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[[ $# -eq 0 ]] && want=" "
	[[ ${#COMPREPLY[@]} -eq 0 ]] && got=" "
	n=$((n + 1))
	if [[ $got == "$want" ]]; then
		echo "ok $n - $mode: \"$line\""
	else
		echo "not ok $n - $mode: \"$line\": got [${got% }], want [${want% }]"
		fail=1
	fi
}

cases()
{
	local m=$1
	t "$m" "ftpalgctl " "${commands[@]}"
	t "$m" "ftpalgctl sa" save
	t "$m" "ftpalgctl res" restore
	t "$m" "ftpalgctl --" "${long_options[@]}"
	t "$m" "ftpalgctl -n " blue red
	t "$m" "ftpalgctl --netns=b" blue
	t "$m" "ftpalgctl --netns=blue s" show set stats sessions save
	t "$m" "ftpalgctl --netns=blue -j st" stats
	t "$m" "ftpalgctl stats " reset
	t "$m" "ftpalgctl set " "${keys[@]}" server
	t "$m" "ftpalgctl set server 2001:db8::/32 " "${keys[@]}"
	t "$m" "ftpalgctl set server 2001:db8::/32 act" active action
	t "$m" "ftpalgctl set server 2001:db8::/32 active " on off
	t "$m" "ftpalgctl set server 2001:db8::/32 active on " bounce min-port passive-window passive-map action
	t "$m" "ftpalgctl --netns=blue set server 2001:db8::/32 bounce drop action " drop reset
	t "$m" "ftpalgctl set active off b" bounce
	t "$m" "ftpalgctl unset " server
	t "$m" "ftpalgctl unset server " 2001:db8::/32 192.0.2.0/24
	t "$m" "ftpalgctl unset server 19" 192.0.2.0/24
	# bash replaces only what follows the last ":" of the word
	t "$m" "ftpalgctl unset server 2001:db8:" :/32
	t "$m" "ftpalgctl unset server 2001:" db8::/32
	t "$m" "ftpalgctl -n blue unset server 2" 2001:db8::/32
	t "$m" "ftpalgctl --netns=blue unset server 1" 192.0.2.0/24
	t "$m" "ftpalgctl -n red unset server "
	t "$m" "ftpalgctl set server 2001:db8::/32 active on" on
	t "$m" "ftpalgctl -b po" policy.conf
	t "$m" "ftpalgctl -b policy.conf "
	t "$m" "ftpalgctl restore po" policy.conf
	t "$m" "ftpalgctl restore policy.conf "
}

COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
cd "$dir" || exit 1
# shellcheck disable=SC1090
source "$OLDPWD/$SCRIPT"
cases "plain bash"
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
	# shellcheck disable=SC1091
	source /usr/share/bash-completion/bash_completion
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
	declare -F _init_completion >/dev/null || echo "not ok - no _init_completion"
	cases "bash-completion"
else
	echo "ok $((n += 1)) - bash-completion # SKIP package not installed"
fi
echo "1..$n"
exit $fail
