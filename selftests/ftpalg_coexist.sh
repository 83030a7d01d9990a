#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ftpalg next to the in-tree nf_conntrack_ftp + nf_nat_ftp, loaded first:
# both helpers register, both "ct helper" object types load in one nft
# table, transfers through helper "ftpalg" (control port 21) and "ftp"
# (control port 2121) both work, routed and through SNAT, each data
# connection RELATED to the helper that served it.  Unloading ftpalg
# leaves nf_conntrack_ftp working.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_base
is_ftpalg || skip "coexistence needs FTPALG_HELPER=ftpalg"
modprobe nf_conntrack_ftp 2>/dev/null || skip "nf_conntrack_ftp not available"
modprobe nf_nat_ftp 2>/dev/null || skip "nf_nat_ftp not available"
require_module

check "nf_conntrack_ftp, nf_nat_ftp and $FTPALG_MODULE loaded" \
	sh -c "grep -q '^nf_conntrack_ftp ' /proc/modules &&
	       grep -q '^nf_nat_ftp ' /proc/modules &&
	       grep -q '^$FTPALG_MODULE ' /proc/modules"

topo_create
ftp_root_prepare
check "vsftpd on port 21 started" vsftpd_start v4 4 "$CTRL_PORT" || exit 1
check "vsftpd on port 2121 started" vsftpd_start v4b 4 2121 || exit 1
check "vsftpd IPv6 on port 2121 started" vsftpd_start v6b 6 2121 || exit 1
check "vsftpd IPv6 on port 21 started" vsftpd_start v6 6 "$CTRL_PORT" || exit 1

# xfer DESC COUNTER MODE HOST PORT: transfer that must work with its data
# connection counted by the named related_* counter.
xfer()
{
	local desc=$1 ctr=$2 mode=$3 host=$4 port=$5 before after
	before=$(nft_counter "$ctr")
	if check "$desc" curl_get "$mode" "$host" "$port"; then
		after=$(nft_counter "$ctr")
		if [ "${after:-0}" -gt "${before:-0}" ]; then
			ktap_pass "$desc: data connection counted in $ctr"
		else
			ktap_fail "$desc: data connection counted in $ctr ($before -> $after)"
		fi
	else
		dump_state
	fi
}

for cfg in routed snat; do
	nat=none
	[ $cfg = snat ] && nat=snat
	topo_routes $cfg
	check "$cfg: one table with ct helper types \"ftpalg\" and \"ftp\"" \
		router_rules both -150 $nat || continue
	stat_snap
	xfer "$cfg ftpalg ipv4 active PORT" related_alg port "$S4" "$CTRL_PORT"
	xfer "$cfg ftpalg ipv4 passive PASV" related_alg pasv "$S4" "$CTRL_PORT"
	xfer "$cfg ftp ipv4 active PORT" related_ftp port "$S4" 2121
	xfer "$cfg ftp ipv4 passive PASV" related_ftp pasv "$S4" 2121
	xfer "$cfg ftpalg ipv6 active EPRT" related_alg eprt "$S6" "$CTRL_PORT"
	xfer "$cfg ftp ipv6 active EPRT" related_ftp eprt "$S6" 2121
	check_stat "$cfg: ftpalg saw only its own control connections" \
		expect_created -eq 3
done
check "helper ftpalg appears on port-21 control connections" \
	sh -c "ip netns exec $NS_R conntrack -L -p tcp --dport 21 2>/dev/null | grep -q 'helper=ftpalg'"
check "helper ftp appears on port-2121 control connections" \
	sh -c "ip netns exec $NS_R conntrack -L -p tcp --dport 2121 2>/dev/null | grep -q 'helper=ftp '"

# --- unload ftpalg, the in-tree helper must keep working -------------------
nsx "$NS_R" nft flush ruleset
# shellcheck disable=SC2317 # called through busywait
unload()
{
	modprobe -r "$FTPALG_MODULE" 2>/dev/null ||
		rmmod "$FTPALG_MODULE" 2>/dev/null
	! grep -q "^$FTPALG_MODULE " /proc/modules
}
check "$FTPALG_MODULE unloads" busywait 10000 unload
check "nf_conntrack_ftp still loaded" grep -q '^nf_conntrack_ftp ' /proc/modules
HELPER=ftp
check "snat: ruleset with ct helper \"ftp\" only" router_rules nft -150 snat
xfer "after unload: ftp ipv4 active PORT" related_alg port "$S4" "$CTRL_PORT"
xfer "after unload: ftp ipv4 passive PASV" related_alg pasv "$S4" "$CTRL_PORT"
xfer "after unload: ftp ipv6 active EPRT" related_alg eprt "$S6" "$CTRL_PORT"
check "reload $FTPALG_MODULE" modprobe "$FTPALG_MODULE"

ktap_finish
