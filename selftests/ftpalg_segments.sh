#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control lines that do not arrive as one line per segment (ftp_peer.py):
#  - PORT/EPRT written in several small TCP segments (and one byte per
#    segment), routed: the helper reassembles the line;
#  - the same through SNAT: the helper holds back the incomplete segment
#    (the client retransmits) and still rewrites the complete line;
#  - pipelined commands in one write ("TYPE I\r\nNOOP\r\nPORT ...\r\n"),
#    routed, through SNAT, and PASV pipelined through DNAT (the 227 then
#    may share a segment with the earlier replies).

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ftp_test_setup

# peer_get DESC HOST ftp_peer-get-args...: one ftp_peer transfer that must
# succeed, plus the check that its data connection was RELATED.
peer_get()
{
	local desc=$1 host=$2 before after
	shift 2
	before=$(nft_counter related_alg)
	if check "$desc" peer "$host" "$CTRL_PORT" get --expect "$DATA_FILE" "$@"; then
		after=$(nft_counter related_alg)
		if [ "${after:-0}" -gt "${before:-0}" ]; then
			ktap_pass "$desc: data connection RELATED via $HELPER"
		else
			ktap_fail "$desc: data connection RELATED via $HELPER"
		fi
	else
		dump_state
	fi
}

BYTES=$(seq -s, 1 60)

# --- routed ---------------------------------------------------------------
check "routed: ruleset loads" router_rules nft -150 none

stat_snap
peer_get "routed ipv4 PORT in 4 segments" "$S4" --mode port --split 2,7,-2
check_stat "routed split PORT: line reassembled" reassembled -ge 1
check_stat "routed split PORT: PORT parsed once" cmd_port -eq 1
check_stat "routed split PORT: one expectation" expect_created -eq 1
check_stat "routed split PORT: nothing held without NAT" nat_hold -eq 0

stat_snap
peer_get "routed ipv4 EPRT in 4 segments" "$S4" --mode eprt --split 1,4,12,-1
peer_get "routed ipv6 EPRT in 4 segments" "$S6" --mode eprt --split 3,6,20,-2
check_stat "routed split EPRT: lines reassembled" reassembled -ge 2
check_stat "routed split EPRT: EPRT parsed twice" cmd_eprt -eq 2
check_stat "routed split EPRT: two expectations" expect_created -eq 2

stat_snap
peer_get "routed ipv4 PORT one byte per segment" "$S4" --mode port \
	--split "$BYTES" --gap 0.02
check_stat "routed 1-byte PORT: PORT parsed once" cmd_port -eq 1
check_stat "routed 1-byte PORT: one expectation" expect_created -eq 1

stat_snap
peer_get "routed ipv4 pipelined TYPE+NOOP+PORT" "$S4" --mode port --pipeline
peer_get "routed ipv6 pipelined TYPE+NOOP+EPRT" "$S6" --mode eprt --pipeline
peer_get "routed ipv4 pipelined TYPE+NOOP+PASV" "$S4" --mode pasv --pipeline
check_stat "routed pipelined: PORT seen" cmd_port -eq 1
check_stat "routed pipelined: EPRT seen" cmd_eprt -eq 1
check_stat "routed pipelined: 227 seen" reply_pasv -eq 1
check_stat "routed pipelined: three expectations" expect_created -eq 3

# --- SNAT: incomplete lines are held back until complete ------------------
# Holding relies on the client sending the whole line before its first
# retransmission timeout (200 ms at least), as a stack cutting a line into
# segments does: the pieces leave 10 ms apart here.  A slower writer is
# ftpalg_hostile.sh's business.
topo_routes snat
check "snat: ruleset loads" router_rules nft -150 snat

stat_snap
peer_get "snat ipv4 PORT in 4 segments" "$S4" --mode port --gap 0.01 --split 2,7,-2
check_stat "snat split PORT: segment held" nat_hold -ge 1
check_stat "snat split PORT: PORT rewritten" nat_rewrite -ge 1
check_stat "snat split PORT: one expectation" expect_created -eq 1

stat_snap
peer_get "snat ipv4 PORT after a 1-byte 'P' segment" "$S4" --mode port --gap 0.01 --split 1
check_stat "snat 'P'+rest: PORT rewritten" nat_rewrite -ge 1

stat_snap
peer_get "snat ipv6 EPRT in 4 segments" "$S6" --mode eprt --gap 0.01 --split 3,6,20,-2
check_stat "snat split EPRT: segment held" nat_hold -ge 1
check_stat "snat split EPRT: EPRT rewritten" nat_rewrite -ge 1

stat_snap
peer_get "snat ipv4 pipelined TYPE+NOOP+PORT" "$S4" --mode port --pipeline
peer_get "snat ipv6 pipelined TYPE+NOOP+EPRT" "$S6" --mode eprt --pipeline
check_stat "snat pipelined: PORT/EPRT rewritten" nat_rewrite -ge 2
check_stat "snat pipelined: two expectations" expect_created -eq 2

# --- DNAT: 227 after other replies ------------------------------------------
topo_routes dnat
check "dnat: ruleset loads" router_rules nft -150 dnat
stat_snap
peer_get "dnat ipv4 pipelined TYPE+NOOP+PASV" "$PUB4" --mode pasv --pipeline
peer_get "dnat ipv4 PASV in 3 segments" "$PUB4" --mode pasv --split 1,3
check_stat "dnat pipelined: 227 rewritten" nat_rewrite -ge 2

ktap_finish
