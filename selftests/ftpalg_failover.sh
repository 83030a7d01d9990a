#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# FTP across the failover of a firewall pair synchronised by conntrackd
# (FTFW, ExpectationSync), as README "Firewall pairs" describes it:
#
#   client c0 -- br-lan -+- l0 fw1 (active) w0 -+- br-wan -- s0 server
#   192.0.2.2            |  .11    y0     .11   |            198.51.100.2
#                        |         | sync link  |
#                        +- l0 fw2 (backup) w0 -+
#                           .12    y0     .12
#   The gateway addresses 192.0.2.1 and 198.51.100.1 are on the active
#   firewall; 203.0.113.1 is the public address (SNAT source, DNAT
#   destination); sync link 203.0.113.201 (fw1) - 203.0.113.202 (fw2).
#
# Both firewalls load the same ruleset: the helper attached to port 21,
# forward drop except new control connections and established,related.
# The failover is what a dead firewall leaves: fw1's links go down, fw2
# commits conntrackd's external cache to its kernel (conntrackd -c) and
# takes the gateway addresses; the neighbour flush on the client and the
# server stands in for the gratuitous ARP a VRRP daemon sends.
#
# Cases, each its own control connection, all across one failover:
#   download   a passive download in progress: the client stops reading
#              once data arrived (SIGSTOP), resumes after the failover
#   idle-pasv  a control connection idle across it, then PASV + RETR
#   idle-port  ... then PORT + RETR
#   pasv-sent  PASV answered before it, data connection after it
#   port-sent  PORT accepted before it, RETR and data connection after it
#   pasv-reply TYPE, NOOP, PASV in one segment seen (and acknowledged)
#              through fw1, their replies (held back at fw1) seen by fw2
#              only: a 227 answering a PASV that fw2 never saw
# for SNAT and DNAT, with ftpalg, and with the in-tree helper "ftp" as a
# reference (its losses are reported, not failed).  Every wait is for an
# event: a log line, the sync cache listing an entry, a counter.
#
# Environment: FTPALG_FAILOVER_HELPERS, the helpers to run the pair with
# ("ftpalg ftp"; the round trip runs with ftpalg), FTPALG_FAILOVER_NATS,
# the NATs ("snat dnat"), and lib.sh's.
#
# First, on a single router, the state ftpalg exports through ctnetlink
# (CTA_HELP_INFO; conntrackd 1.4 carries only the helper's name) round-
# trips: ct_roundtrip.py dumps a control conntrack after EPSV ALL, deletes
# it and creates it again, with the info as dumped, without it, or with an
# invalid one.  With it, the new conntrack has the same info and ftpalg
# refuses the PASV that EPSV ALL forbids; without it, or with an invalid
# one, the conntrack starts in pickup and the PASV reaches the server.

# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

require_base
require_tools conntrackd
require_module

CTL=$SELFTEST_DIR/../tools/ftpalgctl
[ -x "$CTL" ] || CTL=$(command -v ftpalgctl 2>/dev/null || echo "$CTL")

GW4C=192.0.2.1
GW4S=198.51.100.1
FW1C=192.0.2.11
FW2C=192.0.2.12
FW1S=198.51.100.11
FW2S=198.51.100.12
SYNC1=203.0.113.201
SYNC2=203.0.113.202
BIG_FILE=$TMPD/root/big.bin
# paced, so that it cannot end before the client is stopped
BIG_RATE=20k
# a peer may wait that long (x TIME_SCALE) for the failover, and for a
# reply held back until after it
export FTP_PEER_PAUSE_MAX=600
export FTP_PEER_TIMEOUT=$((300 * TIME_SCALE))

# fo_topo: the five namespaces of the pair, fw1 active.
fo_topo()
{
	local sfx ns port
	sfx=$(mktemp -u XXXXXXXX)
	NS_C=ftpalg-c-$sfx
	NS_S=ftpalg-s-$sfx
	NS_F1=ftpalg-f1-$sfx
	NS_F2=ftpalg-f2-$sfx
	NS_SW=ftpalg-sw-$sfx
	# lib.sh's counters read the router: the backup, after the failover
	# shellcheck disable=SC2034 # read by lib.sh
	NS_R=$NS_F2
	for ns in "$NS_C" "$NS_S" "$NS_F1" "$NS_F2" "$NS_SW"; do
		ip netns add "$ns" || return 1
		_ns_list+=("$ns")
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_SW" link add br-lan type bridge || return 1
	ip -n "$NS_SW" link add br-wan type bridge || return 1
	ip link add c0 netns "$NS_C" type veth peer name pc netns "$NS_SW"
	ip link add s0 netns "$NS_S" type veth peer name ps netns "$NS_SW"
	ip link add l0 netns "$NS_F1" type veth peer name pl1 netns "$NS_SW"
	ip link add w0 netns "$NS_F1" type veth peer name pw1 netns "$NS_SW"
	ip link add l0 netns "$NS_F2" type veth peer name pl2 netns "$NS_SW"
	ip link add w0 netns "$NS_F2" type veth peer name pw2 netns "$NS_SW"
	ip link add y0 netns "$NS_F1" type veth peer name y0 netns "$NS_F2" ||
		return 1
	for port in pc pl1 pl2; do
		ip -n "$NS_SW" link set "$port" master br-lan up
	done
	for port in ps pw1 pw2; do
		ip -n "$NS_SW" link set "$port" master br-wan up
	done
	ip -n "$NS_SW" link set br-lan up
	ip -n "$NS_SW" link set br-wan up

	ip -n "$NS_C" addr add "$C4/24" dev c0
	ip -n "$NS_S" addr add "$S4/24" dev s0
	ip -n "$NS_F1" addr add "$FW1C/24" dev l0
	ip -n "$NS_F1" addr add "$FW1S/24" dev w0
	ip -n "$NS_F1" addr add "$SYNC1/29" dev y0
	ip -n "$NS_F2" addr add "$FW2C/24" dev l0
	ip -n "$NS_F2" addr add "$FW2S/24" dev w0
	ip -n "$NS_F2" addr add "$SYNC2/29" dev y0
	# the gateway addresses: the active firewall's
	ip -n "$NS_F1" addr add "$GW4C/24" dev l0
	ip -n "$NS_F1" addr add "$GW4S/24" dev w0
	ip -n "$NS_C" link set c0 up
	ip -n "$NS_S" link set s0 up
	for ns in "$NS_F1" "$NS_F2"; do
		ip -n "$ns" link set l0 up
		ip -n "$ns" link set w0 up
		ip -n "$ns" link set y0 up
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
}

# fo_routes snat|dnat: as lib.sh's topo_routes, through the gateway.
fo_routes()
{
	case $1 in
	snat)
		ip -n "$NS_C" route add default via "$GW4C"
		ip -n "$NS_S" route add 203.0.113.0/24 via "$GW4S"
		;;
	dnat)
		ip -n "$NS_C" route add 203.0.113.0/24 via "$GW4C"
		ip -n "$NS_S" route add default via "$GW4S"
		;;
	esac
}

# fo_ruleset HELPER NAT: the ruleset both firewalls load.
fo_ruleset()
{
	local helper=$1 nat=$2
	cat <<-EOF
	table inet fo {
	  ct helper alg { type "$helper" protocol tcp; }
	  counter held { }
	  chain hlp_pre {
	    type filter hook prerouting priority -150; policy accept;
	    tcp dport $CTRL_PORT ct helper set "alg"
	  }
	  # the test holds back one reply here on fw1 (case pasv-reply)
	  chain hold {
	    type filter hook forward priority -10; policy accept;
	  }
	  chain filter_fwd {
	    type filter hook forward priority filter; policy drop;
	    ct state established,related accept
	    iifname "l0" oifname "w0" ct state new tcp dport $CTRL_PORT accept
	  }
	EOF
	case $nat in
	snat)
		cat <<-EOF
		  chain nat_post {
		    type nat hook postrouting priority srcnat; policy accept;
		    oifname "w0" snat ip to $PUB4
		  }
		EOF
		;;
	dnat)
		cat <<-EOF
		  chain nat_pre {
		    type nat hook prerouting priority dstnat; policy accept;
		    iifname "l0" ip daddr $PUB4 tcp dport $CTRL_PORT dnat ip to $S4
		  }
		EOF
		;;
	esac
	echo "}"
}

# fo_conntrackd_conf SELF PEER LOGFILE LOCKFILE SOCKET: README's
# configuration (checked below), with the given files.
fo_conntrackd_conf()
{
	local self=$1 peer=$2 logfile=$3 lockfile=$4 socket=$5
	cat <<-EOF
	Sync {
		Mode FTFW {
		}
		UDP {
			IPv4_address $self
			IPv4_Destination_Address $peer
			Port 3780
			Interface y0
			Checksum on
		}
		Options {
			ExpectationSync {
				ftpalg
				ftp
			}
		}
	}
	General {
		Systemd off
		HashSize 8192
		HashLimit 65536
		LogFile $logfile
		Syslog off
		LockFile $lockfile
		UNIX {
			Path $socket
		}
		NetlinkBufferSize 2097152
		NetlinkBufferSizeMaxGrowth 8388608
		Filter From Userspace {
			Protocol Accept {
				TCP
			}
			Address Ignore {
				IPv4_address 127.0.0.1
				IPv4_address $SYNC1
				IPv4_address $SYNC2
			}
		}
	}
	EOF
}

# ctd NS SELF ARGS...: conntrackd's client mode on a firewall.
ctd()
{
	local ns=$1 self=$2
	shift 2
	nsx "$ns" conntrackd -C "$TMPD/ctd-$self/conf" "$@"
}

ctd_start()
{
	local ns=$1 self=$2 peer=$3
	fo_conntrackd_conf "$self" "$peer" "$TMPD/ctd-$self/log" \
		"$TMPD/ctd-$self/lock" "$TMPD/ctd-$self/ctl" \
		> "$TMPD/ctd-$self/conf" || return 1
	nsx "$ns" conntrackd -C "$TMPD/ctd-$self/conf" \
		> "$TMPD/ctd-$self/out" 2>&1 &
	_pids+=($!)
	if ! busywait 20000 ctd "$ns" "$self" -s >/dev/null 2>&1; then
		cat "$TMPD/ctd-$self/out" "$TMPD/ctd-$self/log" 2>/dev/null
		return 1
	fi
}

# fo_setup HELPER NAT: a fresh pair, server and conntrackds.
fo_setup()
{
	local helper=$1 nat=$2 ns
	fo_topo || return 1
	fo_routes "$nat"
	fo_ruleset "$helper" "$nat" > "$TMPD/fo.nft"
	for ns in "$NS_F1" "$NS_F2"; do
		nsx "$ns" nft -f "$TMPD/fo.nft" || return 1
	done
	mkdir -p "$TMPD/ctd-$SYNC1" "$TMPD/ctd-$SYNC2"
	ctd_start "$NS_F1" "$SYNC1" "$SYNC2" || return 1
	ctd_start "$NS_F2" "$SYNC2" "$SYNC1" || return 1
	vsftpd_start "fo$RANDOM" 4 "$CTRL_PORT" accept_timeout=600 \
		connect_timeout=600 data_connection_timeout=600 \
		idle_session_timeout=600
}

fo_teardown()
{
	local ns pids
	for ns in "$NS_C" "$NS_S" "$NS_F1" "$NS_F2" "$NS_SW"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086 # list of pids
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	for ns in "$NS_C" "$NS_S" "$NS_F1" "$NS_F2" "$NS_SW"; do
		busywait 10000 test -z "$(ip netns pids "$ns" 2>/dev/null)"
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMPD/ctd-$SYNC1" "$TMPD/ctd-$SYNC2"
}

# peer_start CASE ARGS...: ftp_peer.py get in the background.
peer_start()
{
	local name=$1
	shift
	rm -f "$TMPD/$name.go"
	nsx "$NS_C" "$PYTHON" "$SELFTEST_DIR/ftp_peer.py" "$HOST" "$CTRL_PORT" \
		get --expect "$DATA_FILE" "$@" > "$TMPD/$name.log" 2>&1 &
	eval "PID_${name//-/_}=$!"
}

case_pid()
{
	local var="PID_${1//-/_}"
	echo "${!var}"
}

# in_cache WHAT REGEX N: fw2's external cache (what fw1 synced) lists at
# least N entries of WHAT (ct, expect) matching REGEX.
in_cache()
{
	[ "$(ctd "$NS_F2" "$SYNC2" -e "$1" 2>/dev/null | grep -cE -- "$2")" -ge "$3" ]
}

held_seen()
{
	nsx "$NS_F1" nft list counter inet fo held | grep -q 'packets [1-9]'
}

# client_acked PORT: the client's control connection from PORT has no
# data in flight.
client_acked()
{
	local out
	out=$(nsx "$NS_C" ss -tinH "sport = :$1")
	[ -n "$out" ] && ! grep -q unacked <<< "$out"
}

fw2_has_expectations()
{
	nsx "$NS_F2" conntrack -L expect 2>/dev/null | grep -q 'proto=6'
}

fw2_sessions()
{
	nsx "$NS_F2" "$CTL" sessions | grep -q "$C4"
}

# The control port the peer of CASE uses, from its log.
peer_port()
{
	sed -n "s/.*control ('[0-9.]*', \([0-9]*\)).*/\1/p" "$TMPD/$1.log" |
		head -n1
}

# fo_sync_diag: what fw1 has and what reached fw2, when the two differ.
fo_sync_diag()
{
	diag "$(nsx "$NS_F1" conntrack -L 2>&1 | sed 's/^/fw1 kernel: /')"
	diag "$(ctd "$NS_F1" "$SYNC1" -i ct 2>&1 | sed 's/^/fw1 internal: /')"
	diag "$(ctd "$NS_F2" "$SYNC2" -e ct 2>&1 | sed 's/^/fw2 external: /')"
	diag "$(ctd "$NS_F1" "$SYNC1" -s 2>&1 | sed 's/^/fw1 stats: /')"
	diag "$(ctd "$NS_F2" "$SYNC2" -s 2>&1 | sed 's/^/fw2 stats: /')"
	diag "$(tail -n 20 "$TMPD/ctd-$SYNC1/log" "$TMPD/ctd-$SYNC2/log" 2>&1)"
}

# fo_failover: fw1 dies, fw2 takes over.
fo_failover()
{
	ip -n "$NS_F1" link set l0 down
	ip -n "$NS_F1" link set w0 down
	ip -n "$NS_F1" link set y0 down
	# conntrackd's primary-backup.sh "primary": commit, then resync
	ctd "$NS_F2" "$SYNC2" -c ct || return 1
	ctd "$NS_F2" "$SYNC2" -c expect || return 1
	ctd "$NS_F2" "$SYNC2" -f internal
	ctd "$NS_F2" "$SYNC2" -R
	ip -n "$NS_F2" addr add "$GW4C/24" dev l0 || return 1
	ip -n "$NS_F2" addr add "$GW4S/24" dev w0 || return 1
	ip -n "$NS_C" neigh flush dev c0
	ip -n "$NS_S" neigh flush dev s0
}

# report HELPER CASE DESC RC: ftpalg must carry every case; the in-tree
# helper is the reference, its losses reported as such.
report()
{
	local helper=$1 name=$2 desc=$3 rc=$4
	if [ "$rc" -eq 0 ]; then
		ktap_pass "$desc"
		return 0
	fi
	diag "$(grep -E 'FAIL|reply|announced|control' "$TMPD/$name.log" | tail -n 8)"
	if [ "$helper" = ftpalg ]; then
		ktap_fail "$desc"
		return 1
	fi
	ktap_skip "$desc" "the in-tree helper (reference) loses this case"
}

# fo_run HELPER NAT
fo_run()
{
	local helper=$1 nat=$2 p="$1 $2" name rc size ok ns
	# shellcheck disable=SC2034 # read by lib.sh
	HELPER=$helper
	case $nat in
	snat) HOST=$S4 ;;
	dnat) HOST=$PUB4 ;;
	esac
	# not through check: the namespaces' names are set here
	if fo_setup "$helper" "$nat"; then
		ktap_pass "$p: pair set up (nft, conntrackd, vsftpd)"
	else
		ktap_fail "$p: pair set up (nft, conntrackd, vsftpd)"
		fo_teardown
		return
	fi

	# download: curl, passive, paced; stopped as soon as data arrived
	# (ip netns exec execs curl: the job's pid is curl's), in a file of
	# its own: the previous pair's complete one would stop it at once
	rm -f "$TMPD/big.out"
	ip netns exec "$NS_C" curl -sS --max-time $((600 * TIME_SCALE)) \
		--limit-rate "$BIG_RATE" --disable-epsv --no-ftp-skip-pasv-ip \
		-o "$TMPD/big.out" "ftp://$HOST:$CTRL_PORT/big.bin" \
		> "$TMPD/download.log" 2>&1 &
	PID_download=$!
	ok=1
	busywait 120000 test -s "$TMPD/big.out" && kill -STOP "$PID_download" ||
		ok=0
	peer_start idle-pasv --mode pasv --idle-file "$TMPD/idle-pasv.go"
	peer_start idle-port --mode port --idle-file "$TMPD/idle-port.go"
	peer_start pasv-reply --mode pasv --pipeline \
		--idle-file "$TMPD/pasv-reply.go"
	for name in idle-pasv idle-port pasv-reply; do
		busywait 120000 grep -q IDLE "$TMPD/$name.log" || ok=0
	done

	# pasv-reply: the server's replies (its segments with data: PSH) are
	# held back at fw1, its acknowledgements pass: the client does not
	# send its commands again, the server sends the replies again
	nsx "$NS_F1" nft add rule inet fo hold ip saddr "$S4" tcp sport "$CTRL_PORT" \
		tcp dport "$(peer_port pasv-reply)" "tcp flags & psh == psh" \
		counter name held drop
	touch "$TMPD/pasv-reply.go"
	busywait 60000 held_seen || ok=0
	busywait 60000 client_acked "$(peer_port pasv-reply)" || ok=0

	# last, the cases with an expectation pending across the failover
	peer_start pasv-sent --mode pasv --pause-file "$TMPD/pasv-sent.go"
	peer_start port-sent --mode port --pause-file "$TMPD/port-sent.go"
	for name in pasv-sent port-sent; do
		busywait 120000 grep -q PAUSED "$TMPD/$name.log" || ok=0
	done
	if [ $ok -eq 1 ]; then
		ktap_pass "$p: every case reached its point before the failover"
	else
		ktap_fail "$p: every case reached its point before the failover"
		diag "$(tail -n 3 "$TMPD"/download.log "$TMPD"/*-*.log)"
	fi

	# what fw2 must have before fw1 dies: 6 control connections, the
	# download's data connection, the two pending expectations
	ok=1
	check "$p: fw2's sync cache has the control connections" \
		busywait 60000 in_cache ct "dport=$CTRL_PORT " 6 || ok=0
	check "$p: fw2's sync cache has the download's data connection" \
		busywait 60000 in_cache ct "dport=4(00[0-9][0-9]|0100) " 1 || ok=0
	check "$p: fw2's sync cache has the two expectations" \
		busywait 60000 in_cache expect "dport=" 2 || ok=0
	[ $ok -eq 1 ] || fo_sync_diag
	size=$(stat -c %s "$TMPD/big.out" 2>/dev/null || echo 0)
	[ -n "${FTPALG_VERBOSE:-}" ] && diag "$(ctd "$NS_F2" "$SYNC2" -e expect)"

	is_ftpalg && stat_snap
	check "$p: failover to fw2" fo_failover
	# evidence for the report: what NAT rewrites' sequence adjustment
	# of the PORT case's control connection reached fw2
	for ns in "fw1 $NS_F1" "fw2 $NS_F2"; do
		diag "$(nsx "${ns#* }" "$PYTHON" "$SELFTEST_DIR/ct_roundtrip.py" show \
			--dport "$CTRL_PORT" --sport "$(peer_port port-sent)" |
			sed "s/^# ct_roundtrip: dumped/${ns%% *}/" | grep sequence)"
	done
	check "$p: fw2 has the expectations" busywait 10000 fw2_has_expectations
	diag "$(nsx "$NS_F2" conntrack -L expect 2>&1 | sed 's/^/fw2: /')"
	kill -CONT "$PID_download"
	for name in idle-pasv idle-port pasv-sent port-sent; do
		touch "$TMPD/$name.go"
	done

	wait "$PID_download"
	rc=$?
	[ $rc -eq 0 ] && { cmp -s "$TMPD/big.out" "$BIG_FILE" || rc=1; }
	[ "$size" -lt "$(stat -c %s "$BIG_FILE")" ] || rc=1
	[ $rc -eq 0 ] || diag "$(cat "$TMPD/download.log")"
	report "$helper" download "$p: download in progress across the failover completes" $rc
	for name in idle-pasv idle-port pasv-sent port-sent pasv-reply; do
		wait "$(case_pid "$name")"
		rc=$?
		case $name in
		idle-pasv) desc="idle across the failover, then PASV + RETR" ;;
		idle-port) desc="idle across the failover, then PORT + RETR" ;;
		pasv-sent) desc="PASV answered before the failover, used after it" ;;
		port-sent) desc="PORT accepted before the failover, used after it" ;;
		pasv-reply) desc="PASV seen by fw1, its 227 by fw2, used" ;;
		esac
		report "$helper" "$name" "$p: $desc" $rc
	done
	if is_ftpalg; then
		check_stat "$p: the 227 to a PASV fw2 never saw was taken as such" pickup -ge 1
		check_stat "$p: the synced expectations' data connections were NATed" \
			nat_adopted -ge 2
		check_no_refusal "$p: no refusal on fw2"
		if [ -x "$CTL" ]; then
			check "$p: ftpalgctl sessions on fw2 lists the control connections" \
				fw2_sessions
		fi
	fi
	fo_teardown
}

# roundtrip INFO: EPSV ALL, a round trip of the control conntrack
# (ct_roundtrip.py reinject --info INFO), then PASV.
roundtrip()
{
	local info=$1 p="round trip (info $1)" pf out pid
	pf=$TMPD/rt-$info.go
	out=$TMPD/rt-$info.log
	nsx "$NS_C" "$PYTHON" "$SELFTEST_DIR/ftp_peer.py" "$S4" "$CTRL_PORT" \
		malformed --line "EPSV ALL" --then-mode pasv --idle-file "$pf" \
		> "$out" 2>&1 &
	pid=$!
	_pids+=("$pid")
	if ! check "$p: peer after EPSV ALL" busywait 60000 grep -q IDLE "$out"; then
		diag "$(cat "$out")"
		return
	fi
	check "$p: exported state has EPSV ALL, both directions' positions" \
		sh -c "ip netns exec '$NS_R' '$PYTHON' '$SELFTEST_DIR/ct_roundtrip.py' \
			show --dport $CTRL_PORT --sport $(peer_port "rt-$info") |
			grep -E 'flags=0x1 .*client=\{next_seq=0x[0-9a-f]+ flags=0x1\} server=\{next_seq=0x[0-9a-f]+ flags=0x1\}'"
	if ! check "$p: deleted and created again" \
		nsx "$NS_R" "$PYTHON" "$SELFTEST_DIR/ct_roundtrip.py" reinject \
		--dport "$CTRL_PORT" --sport "$(peer_port "rt-$info")" \
		--info "$info"; then
		kill "$pid" 2>/dev/null
		return
	fi
	[ "$info" = keep ] ||
		check "$p: the new conntrack starts in pickup" \
			sh -c "ip netns exec '$NS_R' '$PYTHON' '$SELFTEST_DIR/ct_roundtrip.py' \
				show --dport $CTRL_PORT --sport $(peer_port "rt-$info") |
				grep -q 'flags=0x40 '"
	stat_snap
	touch "$pf"
	if [ "$info" = keep ]; then
		# the failure's evidence: ftpalg's refusal
		check "$p: EPSV ALL came back, PASV refused" \
			busywait 60000 sh -c "ip netns exec '$NS_R' cat $STAT_FILE |
				grep -qx 'refused_epsv_all [1-9][0-9]*'"
	else
		# ftpalg let it through: the server answered it
		check "$p: PASV passed on, refused by the server" \
			busywait 60000 grep -q "expected 227, got '5" "$out"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# readme_conf: the conntrackd.conf of README's "Firewall pairs"
# (indentation aside: the here-document above loses it).
readme_conf()
{
	awk '/^    Sync \{$/ { on = 1 } on && /^$/ { exit }
		on { sub(/^[ \t]*/, ""); print }' "$SELFTEST_DIR/../README"
}

ftp_root_prepare
if [ -f "$SELFTEST_DIR/../README" ]; then
	check "README's conntrackd.conf is the one used here" \
		diff -u <(readme_conf) <(fo_conntrackd_conf "$SYNC1" "$SYNC2" \
			/var/log/conntrackd.log /var/lock/conntrack.lock \
			/var/run/conntrackd.ctl)
else
	ktap_skip "README's conntrackd.conf is the one used here" "no README"
fi
if is_ftpalg; then
	topo_create
	check "round trip: vsftpd started" vsftpd_start rt 4 "$CTRL_PORT"
	check "round trip: ruleset loads" router_rules nft -150 none
	for info in keep none bad; do
		roundtrip "$info"
	done
fi

head -c 1048576 /dev/urandom > "$BIG_FILE"
chmod 644 "$BIG_FILE"
modprobe nf_conntrack_ftp 2>/dev/null
modprobe nf_nat_ftp 2>/dev/null
# The expectations pending across the failover live as long as the in-tree
# helper's (300 s): a slow machine's failover takes its time.
EXPECT_TIMEOUT=/sys/module/nf_conntrack_ftpalg/parameters/expect_timeout
expect_timeout_was=$(cat "$EXPECT_TIMEOUT" 2>/dev/null)
[ -n "$expect_timeout_was" ] && echo 300 > "$EXPECT_TIMEOUT"

for helper in ${FTPALG_FAILOVER_HELPERS:-ftpalg ftp}; do
	for nat in ${FTPALG_FAILOVER_NATS:-snat dnat}; do
		fo_run "$helper" "$nat"
	done
done

[ -n "$expect_timeout_was" ] && echo "$expect_timeout_was" > "$EXPECT_TIMEOUT"
ktap_finish
