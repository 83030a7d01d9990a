#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FTP over impaired links.  netem on both router links in both directions
# (egress of c0, r0, r1 and s0): delay with jitter (which reorders),
# explicit reordering, duplication and loss.  The helper so sees segments
# out of order and twice, segments it already judged come again after a
# loss behind the router (retransmissions of rewritten lines), and later
# segments arrive ahead of one lost in front of it.  Through masquerade
# (SNAT, helper before dstnat) and DNAT (helper after dstnat), IPv4 and
# IPv6:
#  - curl: active PORT (--disable-eprt) and EPRT, passive PASV
#    (--disable-epsv) and EPSV, small files, and one larger file;
#  - lftp: five gets on one control connection, passive and active mixed,
#    one command at a time and pipelined (ftp:sync-mode off: SIZE, MDTM,
#    PORT/PASV and RETR in one burst);
# all of a configuration at the same time.  Every file arrives intact, the
# data connections pass only as RELATED through the helper (forward
# policy drop), no refused_* counter moves.
# Then a few transfers again with net.netfilter.nf_conntrack_tcp_be_liberal=1
# (restored afterwards).  Elsewhere the router keeps the kernel's default
# conntrack sysctls.
#
# Environment:
#   FTPALG_NETEM             netem arguments (default in NETEM below)
#   FTPALG_IMPAIRED_TIMEOUT  seconds a curl transfer may take, per 64 KiB
#                            of its file (60 x FTPALG_TIME_SCALE)
#   FTPALG_IMPAIRED_STALL    seconds curl and lftp wait for progress before
#                            they give up (20 x FTPALG_TIME_SCALE)
# Both only bound hangs: a lost SYN is resent after 1, 3 and 7 s; a 1 MiB
# file over these links took over 240 s on a loaded host under KASAN.

# shellcheck disable=SC2317 # helpers are called through check
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# Per link end (a packet crosses two): 1 in 50 packets lost, 1 in 50
# duplicated, 1 in 10 sent at once past the delayed ones, the others 2-14
# ms late, so packets sent less than 12 ms apart may swap.
read -r -a NETEM <<< "${FTPALG_NETEM:-delay 8ms 6ms reorder 10% 25% duplicate 2% loss random 2%}"
IMP_TIMEOUT=${FTPALG_IMPAIRED_TIMEOUT:-$(scaled 60)}
IMP_STALL=${FTPALG_IMPAIRED_STALL:-$(scaled 20)}
NFILES=5
CTL=$SELFTEST_DIR/../tools/ftpalgctl
[ -x "$CTL" ] || CTL=$(command -v ftpalgctl 2>/dev/null || echo "$CTL")

require_base
require_module
require_tools tc lftp

topo_create
links_impair "${NETEM[@]}" || skip "cannot add a netem qdisc (sch_netem)"
links_clear

# ------------------------------------------------------------- helpers

# files_prepare: small1.bin .. small5.bin (2-7 KB) and large.bin (1 MiB).
files_prepare()
{
	local i
	ftp_root_prepare
	for i in $(seq 1 $NFILES); do
		head -c $((1000 + i * 1234)) /dev/urandom > "$TMPD/root/small$i.bin"
	done
	head -c 1048576 /dev/urandom > "$TMPD/root/large.bin"
	chmod 644 "$TMPD"/root/*.bin
}

# sysctl_is NAME VALUE: the router's sysctl NAME reads VALUE.
sysctl_is()
{
	local v
	v=$(nsx "$NS_R" sysctl -n "$1") || return 1
	echo "$1 = $v"
	[ "$v" = "$2" ]
}

# lftp_gets HOST SYNC MODES LOG: one lftp control connection to HOST
# getting small1.bin, small2.bin, ... (to LOG.1.bin, ...) in the modes
# listed in MODES (p: passive, a: active), with ftp:sync-mode SYNC.  Every
# get must work the first time (no retry, no reconnect, no switch of
# mode), each file intact.
lftp_gets()
{
	local host=$1 sync=$2 modes=$3 log=$4 script=$4.lftp m i=0 np=0 na=0 rc n
	{
		echo "debug -o $log 5"
		echo "set cmd:fail-exit yes"
		echo "set net:max-retries 1"
		echo "set net:persist-retries 0"
		echo "set net:timeout $IMP_STALL"
		echo "set ftp:fix-pasv-address no"
		echo "set ftp:sync-mode $sync"
		echo "set xfer:clobber yes"
		echo "open ftp://$(url_host "$host")"
		for m in $modes; do
			i=$((i + 1))
			case $m in
			p) echo "set ftp:passive-mode on"; np=$((np + 1)) ;;
			a) echo "set ftp:passive-mode off"; na=$((na + 1)) ;;
			esac
			rm -f "$log.$i.bin"
			echo "get small$i.bin -o $log.$i.bin"
		done
		echo "quit"
	} > "$script"
	rm -f "$log"
	nsx "$NS_C" timeout $((IMP_TIMEOUT * i)) lftp -f "$script" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || { echo "lftp exit $rc"; grep -E -- '^(--->|<---|\*\*\*\*|----)' "$log" | tail -n 30; return 1; }
	for i in $(seq 1 "$i"); do
		cmp "$log.$i.bin" "$TMPD/root/small$i.bin" || return 1
	done
	n=$(grep -c -- '---- Connecting to ' "$log")
	[ "$n" -eq 1 ] || { echo "$n control connections, want 1"; return 1; }
	n=$(grep -cE -- '---> (PASV|EPSV)' "$log")
	[ "$n" -eq "$np" ] || { echo "$n PASV/EPSV sent, want $np"; return 1; }
	n=$(grep -cE -- '---> (PORT|EPRT)' "$log")
	[ "$n" -eq "$na" ] || { echo "$n PORT/EPRT sent, want $na"; return 1; }
	echo "$i files intact on one control connection ($np passive, $na active)"
}

# The transfers of a case run at the same time: they are independent, the
# router sees their segments interleaved, and the waits of failing ones
# overlap instead of adding up.
#   jobs_start; job DESC NDATA CMD...; ...; jobs_finish CASE
# Each job is a check (CMD must exit 0) whose CMD opens NDATA data
# connections; jobs_finish reports them in the order started, then checks
# that at least as many RELATED data connections of the helper passed
# the router (the forward policy lets a data connection through only as
# RELATED, so a transfer that worked was RELATED via some helper; this
# counts the ones of $HELPER).
jobs_start()
{
	_job_desc=() _job_pid=() _job_cmd=()
	_job_ndata=0
	_job_before=$(nft_counter related_alg)
}

job()
{
	local desc=$1 ndata=$2 n=${#_job_pid[@]}
	shift 2
	"$@" > "$TMPD/job.$n.out" 2>&1 &
	_job_pid+=($!)
	_job_desc+=("$desc")
	_job_cmd+=("$*")
	_job_ndata=$((_job_ndata + ndata))
}

jobs_finish()
{
	local i rc failed=0 after
	for i in "${!_job_pid[@]}"; do
		wait "${_job_pid[$i]}"
		rc=$?
		if [ $rc -eq 0 ]; then
			ktap_pass "${_job_desc[$i]}"
			[ -n "${FTPALG_VERBOSE:-}" ] && diag "$(cat "$TMPD/job.$i.out")"
		else
			ktap_fail "${_job_desc[$i]}"
			echo "#   command (rc=$rc): ${_job_cmd[$i]}"
			diag "$(cat "$TMPD/job.$i.out")"
			failed=1
		fi
	done
	after=$(nft_counter related_alg)
	if [ $failed -ne 0 ]; then
		ktap_skip "$1: $_job_ndata data connections RELATED via $HELPER" \
			"a transfer failed"
		dump_state
	elif [ $((${after:-0} - ${_job_before:-0})) -ge $_job_ndata ]; then
		ktap_pass "$1: $_job_ndata data connections RELATED via $HELPER"
	else
		ktap_fail "$1: $_job_ndata data connections RELATED via $HELPER (counter $_job_before -> $after)"
	fi
}

# xcurl DESC MODE HOST FILE: a job of one curl transfer, which must
# succeed, never stalling for IMP_STALL, within IMP_TIMEOUT per 64 KiB.
xcurl()
{
	local chunks=$((($(stat -c %s "$TMPD/root/$4") + 65535) / 65536))
	CURL_STALL=$IMP_STALL job "$1" 1 curl_get_file "$4" "$2" "$3" "$CTRL_PORT" \
		"$TMPD/dl.${#_job_pid[@]}.bin" $((IMP_TIMEOUT * chunks))
}

# xlftp DESC HOST SYNC MODES: a job of lftp_gets.
xlftp()
{
	job "$1" "$(echo "$4" | wc -w)" lftp_gets "$2" "$3" "$4" \
		"$TMPD/lftp.${#_job_pid[@]}.log"
}

# case_end NAME: no refusal in case NAME, and what the helper counted.
case_end()
{
	check_no_refusal "$1: no refusal counted"
	echo "# $1: counters $(stat_deltas)"
}

# ftpalgctl_no_refusal: every refused_* counter of the router namespace,
# as ftpalgctl stats prints them, is 0.
ftpalgctl_no_refusal()
{
	local out
	out=$("$CTL" -n "$NS_R" stats) || return 1
	echo "$out" | grep -q '^  refused_' || { echo "$out"; return 1; }
	! echo "$out" | grep -E '^  refused_[a-z_]+ [1-9]'
}

# ----------------------------------------------------------------- tests

files_prepare
check "vsftpd IPv4 started" vsftpd_start v4 4 "$CTRL_PORT" || exit 1
check "vsftpd IPv6 started" vsftpd_start v6 6 "$CTRL_PORT" || exit 1
check "router: default nf_conntrack_tcp_loose" \
	sysctl_is net.netfilter.nf_conntrack_tcp_loose 1
check "router: default nf_conntrack_tcp_be_liberal" \
	sysctl_is net.netfilter.nf_conntrack_tcp_be_liberal 0
check "netem on both router links, both directions: ${NETEM[*]}" \
	links_impair "${NETEM[@]}"

# --- SNAT: masquerade, helper before dstnat --------------------------------
topo_routes snat
p=masquerade
if check "$p: ruleset loads" router_rules nft -150 masq; then
	stat_snap
	jobs_start
	xcurl "$p ipv4 active PORT" port "$S4" small1.bin
	xcurl "$p ipv4 active EPRT" eprt "$S4" small2.bin
	xcurl "$p ipv4 passive PASV" pasv "$S4" small3.bin
	xcurl "$p ipv4 passive EPSV" epsv "$S4" small4.bin
	xcurl "$p ipv6 active EPRT" eprt "$S6" small5.bin
	xcurl "$p ipv6 passive EPSV" epsv "$S6" small1.bin
	xcurl "$p ipv4 active PORT, 1 MiB" port "$S4" large.bin
	xlftp "$p ipv4 lftp, one command at a time" "$S4" on "p a p a p"
	xlftp "$p ipv6 lftp, pipelined" "$S6" off "a p a p a"
	jobs_finish "$p"
	case_end "$p"
fi

# --- DNAT: port forward, helper after dstnat -------------------------------
topo_routes dnat
p=dnat
if check "$p: ruleset loads" router_rules nft 0 dnat; then
	stat_snap
	jobs_start
	xcurl "$p ipv4 passive PASV" pasv "$PUB4" small1.bin
	xcurl "$p ipv4 passive EPSV" epsv "$PUB4" small2.bin
	xcurl "$p ipv4 active PORT" port "$PUB4" small3.bin
	xcurl "$p ipv4 active EPRT" eprt "$PUB4" small4.bin
	xcurl "$p ipv6 passive EPSV" epsv "$PUB6" small5.bin
	xcurl "$p ipv6 active EPRT" eprt "$PUB6" small1.bin
	xcurl "$p ipv4 passive PASV, 1 MiB" pasv "$PUB4" large.bin
	xlftp "$p ipv4 lftp, pipelined" "$PUB4" off "p a p a p"
	xlftp "$p ipv6 lftp, one command at a time" "$PUB6" on "a p a p a"
	jobs_finish "$p"
	case_end "$p"
fi

# --- tcp_be_liberal=1: conntrack lets out-of-window segments through -------
check "router: nf_conntrack_tcp_be_liberal=1" \
	nsx "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1
topo_routes snat
p="be_liberal masquerade"
if check "$p: ruleset loads" router_rules nft -150 masq; then
	stat_snap
	jobs_start
	xcurl "$p ipv4 active PORT" port "$S4" small1.bin
	xcurl "$p ipv6 active EPRT" eprt "$S6" small2.bin
	xlftp "$p ipv4 lftp, pipelined" "$S4" off "a p a p a"
	jobs_finish "$p"
	case_end "$p"
fi
topo_routes dnat
p="be_liberal dnat"
if check "$p: ruleset loads" router_rules nft 0 dnat; then
	stat_snap
	jobs_start
	xcurl "$p ipv4 passive PASV" pasv "$PUB4" small3.bin
	xcurl "$p ipv6 passive EPSV" epsv "$PUB6" small4.bin
	jobs_finish "$p"
	case_end "$p"
fi
check "router: nf_conntrack_tcp_be_liberal back to 0" \
	nsx "$NS_R" sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=0

# --- the whole run ---------------------------------------------------------
# Impairment really happened: netem dropped packets.
links_dropped()
{
	links_show
	[ "$(links_show | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }')" -gt 0 ]
}
check "netem dropped packets on the router links" links_dropped
[ -n "${FTPALG_VERBOSE:-}" ] || diag "$(links_show)"
if ! is_ftpalg; then
	ktap_skip "ftpalgctl stats: no refusal in the whole run" "ftpalg only"
elif [ -x "$CTL" ]; then
	check "ftpalgctl stats: no refusal in the whole run" ftpalgctl_no_refusal
else
	ktap_skip "ftpalgctl stats: no refusal in the whole run" "ftpalgctl not found (make -C tools)"
fi
links_clear

ktap_finish
