#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ftpalgctl.8 against the code: its COUNTERS and REFUSAL REASONS lists
# against include/ftpalg_names.h (names and order), its COMMANDS and
# POLICY KEYS against the tables of commands and keys, as the binary's
# usage text prints them, and groff's warnings.
# Usage: test_man.sh [ftpalgctl.8 [./ftpalgctl]]   (from tools/; TAP output)
MAN=${1:-ftpalgctl.8}
BIN=${2:-./ftpalgctl}
NAMES=../include/ftpalg_names.h
n=0
fail=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}

# names_of MACRO: the quoted names of a FTPALG_*_NAMES table, in order.
names_of() {
	sed -n "/^#define $1 {/,/^}/p" "$NAMES" | sed -n 's/.*= *"\([a-z0-9_]*\)".*/\1/p'
}

# man_terms SECTION: the terms (".B word" after .TP or .TQ) of a section.
man_terms() {
	awk -v sec="$1" '
		/^\.SH / { in_sec = ($0 == ".SH " sec); next }
		in_sec && /^\.T[PQ]$/ { term = 1; next }
		in_sec && term { if ($1 == ".B" || $1 == ".BR" || $1 == ".BI") { w = $2; gsub(/\\-/, "-", w); print w } term = 0 }
	' "$MAN"
}

# same DESC A B: two lists, equal, reported with a diff.
same() {
	if [ "$2" = "$3" ] && [ -n "$2" ]; then
		ok 0 "$1"
	else
		ok 1 "$1"
		printf '%s\n' "$2" > /tmp/test_man.$$.a
		printf '%s\n' "$3" > /tmp/test_man.$$.b
		diff /tmp/test_man.$$.a /tmp/test_man.$$.b | sed 's/^/# /'
		rm -f /tmp/test_man.$$.a /tmp/test_man.$$.b
	fi
}

same "COUNTERS: every counter of FTPALG_STAT_NAMES, in order" \
	"$(names_of FTPALG_STAT_NAMES)" "$(man_terms COUNTERS)"
same "REFUSAL REASONS: every reason of FTPALG_REASON_NAMES but none, in order" \
	"$(names_of FTPALG_REASON_NAMES | grep -vx none)" "$(man_terms 'REFUSAL REASONS')"

# the keywords of the command table and of the key table
usage_list() { "$BIN" help | awk -v head="$1" -f usage_list.awk | sort; }
same "COMMANDS: every command of the table" "$(usage_list COMMAND)" \
	"$(man_terms COMMANDS | sort)"
same "POLICY KEYS: every key of the table" "$(usage_list 'KEY VALUE')" \
	"$(man_terms 'POLICY KEYS' | sort)"

if command -v groff >/dev/null; then
	out=$(groff -man -ww -z "$MAN" 2>&1)
	ok "$([ -z "$out" ]; echo $?)" "groff -man -ww: no warning"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
else
	echo "ok $((n += 1)) - groff -man -ww # SKIP groff not installed"
fi
echo "1..$n"
exit $fail
