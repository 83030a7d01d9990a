#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed PORT/EPRT arguments (ftp_peer.py): octets > 255 that would wrap
# to the client's own address, port 0, port bytes > 255, EPRT port 70000,
# unknown EPRT family, missing fields, garbage and binary bytes.  Each must
# be counted as malformed and yield no expectation; the control connection
# must stay usable (NOOP -> 200, then a valid PORT transfer works).  Lines
# without a keyword must not be counted.  The VM runner fails the run on
# any kernel WARN/BUG.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ftp_test_setup

MAL4=(
	'PORT 192,0,2,258,4,1'
	'PORT 192,0,2,2,0,0'
	'PORT 192,0,2,2,256,22'
	'PORT 192,0,2,2,4'
	'PORT garbage'
	'PORT \x01\xff\x00\x7f\x80'
	'PORT 4294967488,0,2,2,4,1'
	'EPRT |1|192.0.2.2|70000|'
	'EPRT |3|192.0.2.2|5000|'
	'EPRT |1|192.0.2.2|0|'
	'EPRT |1|192.0.2.256|5000|'
	'EPRT garbage'
)
MAL6=(
	'EPRT |2|2001:db8:1::2|70000|'
	'EPRT |2|2001:db8:1::2|0|'
	'EPRT |2|2001:db8:1::zzzz|5000|'
	'EPRT |2|2001:db8:1::2'
)
BORING=(
	'XYZZY \x01\x02\x03'
	'\x00\xff\xfe\x80'
	'HELP'
	'SYST'
)

lines()
{
	local l
	for l in "$@"; do
		printf -- '--line\0%s\0' "$l"
	done
}

# shellcheck disable=SC2317 # called through check
# run_peer HOST ARGS...: ftp_peer malformed with NUL-separated --line args
run_peer()
{
	local host=$1
	shift
	local -a a
	mapfile -d '' a < <(lines "$@")
	peer "$host" "$CTRL_PORT" malformed "${a[@]}"
}

for p in routed snat; do
	nat=none
	[ "$p" = snat ] && nat=snat
	topo_routes "$p"
	check "$p: ruleset loads" router_rules nft -150 "$nat" || continue

	stat_snap
	check "$p ipv4: ${#MAL4[@]} malformed lines, then NOOP answered" \
		run_peer "$S4" "${MAL4[@]}"
	check_stat "$p ipv4: every line counted malformed" malformed -eq "${#MAL4[@]}"
	check_stat "$p ipv4: no expectation created" expect_created -eq 0
	check_stat "$p ipv4: no NAT rewrite" nat_rewrite -eq 0
	check "$p ipv4: expectation table empty" test "$(expect_count)" -eq 0

	stat_snap
	check "$p ipv6: ${#MAL6[@]} malformed lines, then NOOP answered" \
		run_peer "$S6" "${MAL6[@]}"
	check_stat "$p ipv6: every line counted malformed" malformed -eq "${#MAL6[@]}"
	check_stat "$p ipv6: no expectation created" expect_created -eq 0
	check "$p ipv6: expectation table empty" test "$(expect_count)" -eq 0

	stat_snap
	check "$p: lines without a keyword, then NOOP answered" \
		run_peer "$S4" "${BORING[@]}"
	check_stat "$p: lines without a keyword are not malformed" malformed -eq 0

	# The same control connection still works for a real transfer.
	stat_snap
	mapfile -d '' a < <(lines "${MAL4[@]}")
	check "$p ipv4: valid PORT transfer after the malformed lines" \
		peer "$S4" "$CTRL_PORT" malformed "${a[@]}" \
		--then-mode port --expect "$DATA_FILE"
	check_stat "$p ipv4: one expectation for the valid PORT" expect_created -eq 1
	mapfile -d '' a < <(lines "${MAL6[@]}")
	check "$p ipv6: valid EPRT transfer after the malformed lines" \
		peer "$S6" "$CTRL_PORT" malformed "${a[@]}" \
		--then-mode eprt --expect "$DATA_FILE"
done

ktap_finish
