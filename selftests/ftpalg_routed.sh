#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Routed FTP (no NAT), IPv4 and IPv6, through a router whose forward chain
# only lets a data connection pass as RELATED to an expectation: active
# PORT/EPRT and passive PASV/EPSV with vsftpd + curl, the helper attached
# by an nft "ct helper" object and by the iptables CT target.  Negative
# control: the same transfers without any helper must fail.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ftp_test_setup

# --- nft ct helper object ---------------------------------------------
check "nft ruleset with ct helper \"$HELPER\" loads" router_rules nft -150 none
stat_snap
ftp_transfer "nft ipv4 active PORT" port "$S4"
ftp_transfer "nft ipv4 active EPRT" eprt "$S4"
ftp_transfer "nft ipv4 passive PASV" pasv "$S4"
ftp_transfer "nft ipv4 passive EPSV" epsv "$S4"
ftp_transfer "nft ipv6 active EPRT" eprt "$S6"
ftp_transfer "nft ipv6 passive EPSV" epsv "$S6"
check_stat "nft: one PORT seen" cmd_port -eq 1
check_stat "nft: two EPRT seen" cmd_eprt -eq 2
check_stat "nft: one 227 seen" reply_pasv -eq 1
check_stat "nft: two 229 seen" reply_epsv -eq 2
check_stat "nft: six expectations created" expect_created -eq 6
check_stat "nft: no expectation failed" expect_failed -eq 0
check_stat "nft: no NAT rewrite without NAT" nat_rewrite -eq 0
check_stat "nft: nothing malformed" malformed -eq 0
check_stat "nft: no foreign address" foreign_addr -eq 0
check "nft: expectations consumed by the data connections" \
	busywait 3000 test "$(expect_count)" -eq 0
check "nft: control connection carries helper=$HELPER" \
	sh -c "ip netns exec $NS_R conntrack -L -p tcp --dport $CTRL_PORT 2>/dev/null | grep -q 'helper=$HELPER'"

# --- iptables / ip6tables CT target -------------------------------------
if command -v iptables >/dev/null && command -v ip6tables >/dev/null; then
	check "iptables/ip6tables -j CT --helper $HELPER" router_rules ipt 0 none
	stat_snap
	ftp_transfer "iptables ipv4 active PORT" port "$S4"
	ftp_transfer "iptables ipv4 passive PASV" pasv "$S4"
	ftp_transfer "ip6tables ipv6 active EPRT" eprt "$S6"
	ftp_transfer "ip6tables ipv6 passive EPSV" epsv "$S6"
	check_stat "iptables: four expectations created" expect_created -eq 4
else
	ktap_skip "iptables CT target" "iptables not installed"
fi

# --- negative control: no helper ----------------------------------------
# All transfers run in parallel to bound the time spent waiting for them
# to fail.  Each must fail in the data phase: its control exchange
# (PORT/EPRT accepted, 227/229 received) must have worked.
check "ruleset without helper loads" router_rules none 0 none
stat_snap
declare -A neg_pid
for t in port:$S4 eprt:$S4 pasv:$S4 epsv:$S4 eprt:$S6 epsv:$S6; do
	mode=${t%%:*}
	host=${t#*:}
	fam=4
	[ "$host" = "$S6" ] && fam=6
	curl_get "$mode" "$host" "$CTRL_PORT" "$TMPD/neg-$mode-$fam.bin" \
		"$NEG_TIMEOUT" > "$TMPD/neg-$mode-$fam.res" 2>&1 &
	neg_pid[$mode-$fam]=$!
done
for k in port-4 eprt-4 pasv-4 epsv-4 eprt-6 epsv-6; do
	wait "${neg_pid[$k]}"
	rc=$?
	case $k in
	port-*) ctl='^< 200 PORT' ;;
	eprt-*) ctl='^< 200 EPRT' ;;
	pasv-*) ctl='^< 227' ;;
	epsv-*) ctl='^< 229' ;;
	esac
	if [ $rc -ne 0 ] && grep -q "$ctl" "$TMPD/neg-$k.bin.log"; then
		ktap_pass "no helper: ${k%-*} ipv${k#*-} transfer fails in the data phase"
	else
		ktap_fail "no helper: ${k%-*} ipv${k#*-} transfer fails in the data phase (rc=$rc)"
		diag "$(cat "$TMPD/neg-$k.res")"
		diag "$(grep -E '^[<>*]' "$TMPD/neg-$k.bin.log" | tail -n 15)"
	fi
done
check "no helper: no expectation in the router" test "$(expect_count)" -eq 0
check_stat "no helper: module saw no command" cmd_port -eq 0

ktap_finish
