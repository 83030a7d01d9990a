#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FTP through a NATing router, IPv4 and IPv6 (NAT66):
#  - SNAT: clients behind the router (ip: snat to 203.0.113.1, ip6:
#    masquerade; and a masquerade-only variant).  The server has no route
#    to the client prefix, so active mode only works if PORT/EPRT were
#    rewritten to the public address and the data connection translated.
#  - DNAT: port forward 203.0.113.1:21 / [2001:db8:3::1]:21 to the server
#    behind the router.  The client has no route to the server prefix, so
#    PASV only works if the 227 was rewritten to the public address.
#  - vsftpd with pasv_address=203.0.113.1 behind the DNAT.
# Every configuration runs with the helper attached before dstnat
# (prerouting priority -150) and after it (priority 0).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ftp_test_setup

# --- SNAT: clients behind the router -------------------------------------
topo_routes snat
for prio in -150 0; do
	p="snat prio $prio"
	check "$p: ruleset loads" router_rules nft "$prio" snat || continue
	stat_snap
	ftp_transfer "$p ipv4 active PORT" port "$S4"
	ftp_transfer "$p ipv4 active EPRT" eprt "$S4"
	ftp_transfer "$p ipv4 passive PASV" pasv "$S4"
	ftp_transfer "$p ipv4 passive EPSV" epsv "$S4"
	ftp_transfer "$p ipv6 (masquerade) active EPRT" eprt "$S6"
	ftp_transfer "$p ipv6 (masquerade) passive EPSV" epsv "$S6"
	check_stat "$p: PORT/EPRT rewritten" nat_rewrite -ge 3
	check_stat "$p: six expectations created" expect_created -eq 6
	check_stat "$p: no expectation failed" expect_failed -eq 0
	check_stat "$p: NAT always found a port" nat_no_port -eq 0
	check_stat "$p: no foreign address" foreign_addr -eq 0
done
# The expectation for an active transfer must name the public address.
peer_paused "snat ipv4 PORT (ftp_peer)" "$S4" port "dst=$PUB4 "
peer_paused "snat ipv6 EPRT (ftp_peer)" "$S6" eprt "dst=$R6S "

check "masquerade: ruleset loads" router_rules nft -150 masq
stat_snap
ftp_transfer "masquerade ipv4 active PORT" port "$S4"
ftp_transfer "masquerade ipv4 passive PASV" pasv "$S4"
ftp_transfer "masquerade ipv6 active EPRT" eprt "$S6"
check_stat "masquerade: PORT/EPRT rewritten" nat_rewrite -ge 2

# --- DNAT: port forward to the server behind the router -------------------
topo_routes dnat
for prio in -150 0; do
	p="dnat prio $prio"
	check "$p: ruleset loads" router_rules nft "$prio" dnat || continue
	stat_snap
	ftp_transfer "$p ipv4 passive PASV" pasv "$PUB4"
	ftp_transfer "$p ipv4 passive EPSV" epsv "$PUB4"
	ftp_transfer "$p ipv4 active PORT" port "$PUB4"
	ftp_transfer "$p ipv4 active EPRT" eprt "$PUB4"
	ftp_transfer "$p ipv6 passive EPSV" epsv "$PUB6"
	ftp_transfer "$p ipv6 active EPRT" eprt "$PUB6"
	check_stat "$p: 227 rewritten" nat_rewrite -ge 1
	check_stat "$p: six expectations created" expect_created -eq 6
	check_stat "$p: no expectation failed" expect_failed -eq 0
	check_stat "$p: no foreign address" foreign_addr -eq 0
done
# The 227 the client sees and the expectation both name the public address.
if peer_paused "dnat ipv4 PASV (ftp_peer)" "$PUB4" pasv "dst=$PUB4 "; then
	check "dnat ipv4 PASV: client saw the public address in 227" \
		grep -q "announced data endpoint $PUB4 " "$PEER_OUT"
fi
peer_paused "dnat ipv6 EPSV (ftp_peer)" "$PUB6" epsv "dst=$PUB6 "

# --- DNAT with vsftpd pasv_address=<public address> -----------------------
vsftpd_stop v4
check "vsftpd with pasv_address=$PUB4 started" \
	vsftpd_start v4pub 4 "$CTRL_PORT" "pasv_address=$PUB4"
for prio in -150 0; do
	p="dnat+pasv_address prio $prio"
	check "$p: ruleset loads" router_rules nft "$prio" dnat || continue
	stat_snap
	ftp_transfer "$p ipv4 passive PASV" pasv "$PUB4"
	ftp_transfer "$p ipv4 passive EPSV" epsv "$PUB4"
	check_stat "$p: two expectations created" expect_created -eq 2
done

ktap_finish
